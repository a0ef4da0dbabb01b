package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.bench.BenchRunner;
import dev.descent.bench.Report;
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

    @Option(names = "--data", paramLabel = "ROOT",
            description = "Read a workload's data from ROOT/<workload>/X.npy and y.npy when present (else generate it), "
                    + "so peers run on the same bytes.")
    Path data;

    @Option(names = "--fork-child", hidden = true, paramLabel = "DIR",
            description = "Internal: run the measurements only, in this process, into DIR/measurements.json.")
    Path forkChild;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var runner = new BenchRunner(suite, backends, !noPeers, err, data);            // an unknown suite fails here, before any work
        if (forkChild != null) {
            var m = runner.measure("fork");
            try {
                dev.descent.util.AtomicFiles.write(forkChild.resolve("measurements.json"), Report.json().writeValueAsString(m));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new DescentException("cannot encode measurements: " + e.getMessage());
            }
            return 0;
        }
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
        List<String> child = new ArrayList<>(List.of("bench", suite, "--no-peers"));
        if (backends != null && !backends.isEmpty()) child.addAll(List.of("--backends", String.join(",", backends)));
        if (data != null) {
            cmd.addAll(List.of("--data", data.toString()));
            child.addAll(List.of("--data", data.toString()));
        }
        child.add("--fork-child");
        Path scratch;
        try {
            scratch = java.nio.file.Files.createTempDirectory("descent-bench");
        } catch (IOException e) {
            throw new DescentException("cannot create a temporary folder for the benchmark forks: " + e.getMessage());
        }
        Report report;
        try (Interrupt interrupt = Interrupt.install(err)) {
            runner.stopWhen(interrupt::requested);
            try {
                report = runner.run(String.join(" ", cmd), child, scratch);
            } catch (BenchRunner.Stopped e) {
                throw new DescentException.Interrupted(e.getMessage(), interrupt.exitCode());
            }
            if (report.incomplete() != null) {
                String chartsSkipped = ReportWriter.write(report, out);
                if (chartsSkipped != null) err.println("descent: report written without charts: " + chartsSkipped);
                throw new DescentException.Interrupted("incomplete report (" + report.incomplete() + ") written to "
                        + out.toAbsolutePath().normalize(), interrupt.exitCode());
            }
        } finally {
            try (var walk = java.nio.file.Files.walk(scratch)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary folder left behind is harmless
            }
        }
        String chartsSkipped = ReportWriter.write(report, out);
        if (chartsSkipped != null) err.println("descent: report written without charts: " + chartsSkipped);
        err.println("descent: report written to " + out.toAbsolutePath().normalize() + " (report.md, report.html, report.json)");
        return 0;
    }
}
