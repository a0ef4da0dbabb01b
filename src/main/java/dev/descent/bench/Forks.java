package dev.descent.bench;

import dev.descent.DescentException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The measurements in child JVMs, one after another, and their pooling: per benchmark and per
 * ceiling the samples of every fork (in fork order), each fork's median, and their spread, which
 * is what changes from one process to the next (JIT decisions, placement, the machine's load).
 */
final class Forks {
    private Forks() {}

    /** One child JVM with this JVM's classpath and options, running the measurements; its measurements.json is read back. */
    static Report fork(List<String> childArgs, Path dir, PrintWriter log) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.descent.cli.Main"));
        cmd.addAll(childArgs);
        cmd.add(dir.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) log.println(line);
            }
            if (p.waitFor() != 0) throw new DescentException("benchmark fork failed (exit " + p.exitValue() + "): see its output above");
            return Report.json().readValue(dir.resolve("measurements.json").toFile(), Report.class);
        } catch (IOException e) {
            throw new DescentException("cannot run a benchmark fork: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DescentException("interrupted while a benchmark fork ran");
        }
    }

    /**
     * Pools the forks (same benchmarks and ceilings in the same order); environment and curves from
     * the first. Rates and ceiling verdicts are left to {@link Limits}, from the pooled figures.
     */
    static Report merge(List<Report> forks) {
        Report first = forks.get(0);
        List<Report.Benchmark> benches = new ArrayList<>();
        for (int i = 0; i < first.benchmarks().size(); i++) {
            List<double[]> parts = new ArrayList<>();
            List<Double> medians = new ArrayList<>();
            for (Report f : forks) {
                Report.Benchmark b = f.benchmarks().get(i);
                parts.add(b.samples());
                medians.add(b.median());
            }
            Stats pooled = Stats.of(concat(parts));
            Double spread = forks.size() < 2 ? null
                    : (medians.stream().mapToDouble(Double::doubleValue).max().orElseThrow()
                       - medians.stream().mapToDouble(Double::doubleValue).min().orElseThrow()) / pooled.median();
            Report.Benchmark b = first.benchmarks().get(i);
            benches.add(b.with(pooled, medians, spread, b.derived()));
        }
        List<Report.Ceiling> ceilings = new ArrayList<>();
        for (Report.Ceiling c : first.ceilings()) {           // by probe name: a fork whose native probe failed has one fewer
            List<Report.Ceiling> same = forks.stream().flatMap(f -> f.ceilings().stream()).filter(x -> x.backend().equals(c.backend())).toList();
            List<Stats> writes = same.stream().map(Report.Ceiling::writeGbs).filter(java.util.Objects::nonNull).toList();
            ceilings.add(new Report.Ceiling(c.backend(), c.probe(), c.hostMemory(), c.bytes(), Stats.pool(same.stream().map(Report.Ceiling::readGbs).toList()),
                    writes.isEmpty() ? null : Stats.pool(writes), Stats.pool(same.stream().map(Report.Ceiling::copyGbs).toList()), null, null, null));
        }
        return first.with(first.config().withForks(forks.size()), ceilings, benches, null, null);
    }

    private static double[] concat(List<double[]> parts) {
        return parts.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
    }
}
