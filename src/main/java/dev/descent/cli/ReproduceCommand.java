package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.seeds.Seed1;
import dev.descent.seeds.Seed2;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Reproduce the seed tutorials' experiments: seed1 (GD and mini-batch SGD on linear regression), "
                + "seed2 (SGD on the wave loss), or all.")
final class ReproduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BackendOption backend = new BackendOption();

    @Parameters(index = "0", arity = "0..1", paramLabel = "WHICH", defaultValue = "all", description = "seed1, seed2 or all (default).")
    String which;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out",
            description = "Folder for each run's history CSV. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--plots", paramLabel = "DIR", description = "Also draw every figure of the tutorials into DIR (PNG, SVG, GIF).")
    Path plots;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for seed 1's data and initial weights. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        boolean s1 = which.equals("seed1") || which.equals("all");
        boolean s2 = which.equals("seed2") || which.equals("all");
        if (!s1 && !s2) throw new DescentException.InvalidArgument("unknown experiment '" + which + "': use seed1, seed2 or all");
        // check the output folders before any work, so a bad path costs nothing
        dev.descent.util.AtomicFiles.folder(out.resolve("history.csv"));
        if (plots != null) dev.descent.util.AtomicFiles.folder(plots.resolve("figure.png"));
        var err = spec.commandLine().getErr();
        PrintStream ps = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true, StandardCharsets.UTF_8);
        try (Backend b = backend.open(err); Interrupt interrupt = Interrupt.install(err)) {
            if (s1) {
                ps.println("== seed 1: gradient descent and mini-batch SGD on linear regression (000_f2fe0f5f87349788) ==");
                var runs = Seed1.run(b, seed, ps, out, interrupt::requested);
                if (runs.size() < Seed1.RUNS.size()) {
                    ps.flush();
                    throw new DescentException.Interrupted(runs.size() + " of " + Seed1.RUNS.size()
                            + " seed-1 runs completed; their histories are in " + out.toAbsolutePath().normalize()
                            + (plots != null ? "; no figures drawn" : ""), interrupt.exitCode());
                }
                if (plots != null) dev.descent.plot.SeedFigures.seed1(runs, plots);
            }
            if (s2 && interrupt.requested()) {
                ps.flush();
                throw new DescentException.Interrupted((s1 ? "seed 1 completed, " : "") + "seed 2 not run"
                        + (s1 ? "; seed 1's histories are in " + out.toAbsolutePath().normalize() : ""), interrupt.exitCode());
            }
            if (s2) {
                ps.println("== seed 2: SGD on the wave loss (003_b5de7cd2b02f4a80) ==");
                var o = Seed2.run(b, ps, out);
                if (plots != null) dev.descent.plot.SeedFigures.seed2(o, plots);
            }
        }
        ps.flush();
        err.println("descent: histories written to " + out.toAbsolutePath().normalize());
        if (plots != null) err.println("descent: figures written to " + plots.toAbsolutePath().normalize());
        return 0;
    }
}
