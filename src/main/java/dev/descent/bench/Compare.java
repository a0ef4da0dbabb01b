package dev.descent.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.DescentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares two reports benchmark by benchmark: the ratio of medians B/A (time: above 1 is slower)
 * with its spread [min B / max A, max B / min A]. A change is real when the ratio is beyond the
 * threshold and the spread excludes 1 (the two runs' ranges do not overlap); otherwise it is noise.
 * Without a threshold given, each benchmark's threshold is what the reports can resolve: the larger
 * of the two reports' between-fork spreads (how far one process's median moves from the next's),
 * at least {@link #MIN_THRESHOLD}; {@link #SINGLE_PROCESS_THRESHOLD} where neither report ran forks.
 */
public final class Compare {
    private Compare() {}

    /** The least threshold: below it a "change" is in the timer's and the scheduler's grain. */
    public static final double MIN_THRESHOLD = 0.05;
    /** Where no report measured a between-process spread, the threshold used before spreads were measured. */
    public static final double SINGLE_PROCESS_THRESHOLD = 0.2;

    public record Row(String id, double medianA, double medianB, double ratio, double lo, double hi, double threshold, String verdict) {}

    public record Result(List<Row> rows, List<String> onlyA, List<String> onlyB) {
        public boolean regression() {
            return rows.stream().anyMatch(r -> r.verdict.equals("REGRESSION"));
        }
    }

    /** Loads a report folder (its report.json) or file, of this schema or the first; a file that is not a report gets one clear line. */
    public static Report load(Path p) {
        Path f = Files.isDirectory(p) ? p.resolve("report.json") : p;
        if (!Files.exists(f)) throw new DescentException(f + " does not exist: give a report folder or its report.json");
        JsonNode r;
        try {
            r = Report.json().readTree(f.toFile());
        } catch (JsonProcessingException e) {
            throw new DescentException(f + " is not a descent report: it is not JSON (line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new DescentException("cannot read " + f + ": " + e.getMessage());
        }
        String schema = r == null ? "" : r.path("schema").asText();
        if (!(Report.SCHEMA.equals(schema) || Report.SCHEMA_1.equals(schema)) || !r.path("benchmarks").isArray()) {
            throw new DescentException(f + " is not a descent report (no \"schema\": \"" + Report.SCHEMA + "\" or \"" + Report.SCHEMA_1
                    + "\" with benchmarks)");
        }
        try {
            return Report.json().treeToValue(r, Report.class);
        } catch (JsonProcessingException e) {
            throw new DescentException(f + " is a damaged descent report: " + e.getOriginalMessage());
        }
    }

    /**
     * Each process's median of a benchmark: recorded in schema 2; in schema 1 the samples were pooled
     * in fork order, {@code repeats} per fork, so they are split back.
     */
    static List<Double> forkMedians(Report r, Report.Benchmark b) {
        if (b.forkMedians() != null) return b.forkMedians();
        int forks = Math.max(1, r.config().forks()), per = r.config().repeats();
        if (forks < 2 || b.samples().length != forks * per) return List.of(b.median());
        List<Double> out = new ArrayList<>();
        for (int f = 0; f < forks; f++) out.add(Stats.of(Arrays.copyOfRange(b.samples(), f * per, (f + 1) * per)).median());
        return out;
    }

    /** (max − min) / median of the processes' medians, or {@code null} from one process. */
    static Double forkSpread(Report r, Report.Benchmark b) {
        List<Double> m = forkMedians(r, b);
        if (m.size() < 2) return null;
        double lo = m.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), hi = m.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return (hi - lo) / b.median();
    }

    /** What the two reports can resolve for one benchmark: the larger between-fork spread, at least {@link #MIN_THRESHOLD}. */
    static double resolvable(Report a, Report.Benchmark x, Report b, Report.Benchmark y) {
        Double sa = forkSpread(a, x), sb = forkSpread(b, y);
        if (sa == null && sb == null) return SINGLE_PROCESS_THRESHOLD;
        return Math.max(MIN_THRESHOLD, Math.max(sa == null ? 0 : sa, sb == null ? 0 : sb));
    }

    /** @param threshold the relative change that counts, or {@code null}: per benchmark, what the spreads can resolve */
    public static Result compare(Report a, Report b, Double threshold) {
        DescentException.require(threshold == null || (Double.isFinite(threshold) && threshold > 0), "threshold must be > 0 (got " + threshold + ")");
        Map<String, Report.Benchmark> ma = index(a), mb = index(b);
        List<Row> rows = new ArrayList<>();
        List<String> onlyA = new ArrayList<>(), onlyB = new ArrayList<>();
        for (Map.Entry<String, Report.Benchmark> e : ma.entrySet()) {
            Report.Benchmark y = mb.get(e.getKey());
            if (y == null) {
                onlyA.add(e.getKey());
                continue;
            }
            Report.Benchmark x = e.getValue();
            double t = threshold != null ? threshold : resolvable(a, x, b, y);
            double ratio = y.median() / x.median(), lo = y.min() / x.max(), hi = y.max() / x.min();
            String v;
            if (ratio > 1 + t && lo > 1) v = "REGRESSION";
            else if (ratio < 1 / (1 + t) && hi < 1) v = "faster";
            else v = "same (within noise or threshold)";
            rows.add(new Row(e.getKey(), x.median(), y.median(), ratio, lo, hi, t, v));
        }
        for (String k : mb.keySet()) if (!ma.containsKey(k)) onlyB.add(k);
        return new Result(rows, onlyA, onlyB);
    }

    private static Map<String, Report.Benchmark> index(Report r) {
        Map<String, Report.Benchmark> m = new LinkedHashMap<>();
        for (Report.Benchmark b : r.benchmarks()) m.put(b.id(), b);
        return m;
    }

    /** @param threshold as given to {@link #compare}: {@code null} prints each benchmark's own */
    public static String table(Result r, Double threshold) {
        String how = threshold != null ? "threshold " + Math.round(threshold * 100) + "%" : "threshold per benchmark: the between-fork spread";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-58s %12s %12s %8s %17s %9s  %s%n", "benchmark", "A median ms",
                "B median ms", "B/A", "spread", "threshold", "verdict (" + how + ")"));
        for (Row x : r.rows) {
            sb.append(String.format(Locale.ROOT, "%-58s %12.3f %12.3f %8.3f %8.3f–%-8.3f %8.0f%%  %s%n", x.id, x.medianA * 1e3, x.medianB * 1e3,
                    x.ratio, x.lo, x.hi, 100 * x.threshold, x.verdict));
        }
        for (String k : r.onlyA) sb.append("only in A: ").append(k).append('\n');
        for (String k : r.onlyB) sb.append("only in B: ").append(k).append('\n');
        return sb.toString();
    }
}
