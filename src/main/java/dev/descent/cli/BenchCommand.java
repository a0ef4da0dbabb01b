package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.bench.BenchRunner;
import dev.descent.bench.ReportWriter;
import dev.descent.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark suite (smoke: seconds, quick: under 2 minutes on 2 cores, full) on every available backend "
                + "and write a report folder: report.json, report.md, report.html, charts, REPRODUCE.")
final class BenchCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SUITE", description = "smoke, quick or full.")
    String suite;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: bench/reports/<suite>-<UTC time>).")
    Path out;

    @Option(names = "--force", description = "Write into an existing report folder (its files are replaced).")
    boolean force;

    @Option(names = "--backends", split = ",", paramLabel = "LIST", description = "Backends to run (default: every available one).")
    List<String> backends;

    @Option(names = "--no-peers", description = "Skip numpy / scikit-learn even when python3 has them.")
    boolean noPeers;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var runner = new BenchRunner(suite, backends, !noPeers, err);            // an unknown suite fails here, before any work
        if (out == null) {
            out = Path.of("bench", "reports", suite + "-" + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        if (Files.exists(out) && !force) {
            boolean empty;
            try (var s = Files.list(out)) {
                empty = s.findAny().isEmpty();
            } catch (IOException e) {
                empty = false;
            }
            if (!empty) throw new DescentException.InvalidArgument(out + " exists: choose another --out, or pass --force to replace its report");
        }
        AtomicFiles.folder(out.resolve("report.json"));
        List<String> cmd = new ArrayList<>(List.of("./descent", "bench", suite, "--out", out + "-rerun"));
        if (backends != null && !backends.isEmpty()) cmd.addAll(List.of("--backends", String.join(",", backends)));
        if (noPeers) cmd.add("--no-peers");
        Map<String, Object> report = runner.run(String.join(" ", cmd));
        ReportWriter.write(report, out);
        err.println("descent: report written to " + out.toAbsolutePath().normalize() + " (report.md, report.html, report.json)");
        return 0;
    }
}
