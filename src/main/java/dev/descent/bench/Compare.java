package dev.descent.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.DescentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares two reports benchmark by benchmark: the ratio of medians B/A (time: above 1 is slower)
 * with its spread [min B / max A, max B / min A]. A change is real when the ratio is beyond the
 * threshold and the spread excludes 1 (the two runs' ranges do not overlap); otherwise it is noise.
 */
public final class Compare {
    private Compare() {}

    public record Row(String id, double medianA, double medianB, double ratio, double lo, double hi, String verdict) {}

    public record Result(List<Row> rows, List<String> onlyA, List<String> onlyB) {
        public boolean regression() {
            return rows.stream().anyMatch(r -> r.verdict.equals("REGRESSION"));
        }
    }

    /** Loads a report folder (its report.json) or file; a file that is not a report gets one clear line. */
    public static JsonNode load(Path p) {
        Path f = Files.isDirectory(p) ? p.resolve("report.json") : p;
        if (!Files.exists(f)) throw new DescentException(f + " does not exist: give a report folder or its report.json");
        JsonNode r;
        try {
            r = new ObjectMapper().readTree(f.toFile());
        } catch (JsonProcessingException e) {
            throw new DescentException(f + " is not a descent report: it is not JSON (line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new DescentException("cannot read " + f + ": " + e.getMessage());
        }
        if (r == null || !BenchRunner.SCHEMA.equals(r.path("schema").asText()) || !r.path("benchmarks").isArray()) {
            throw new DescentException(f + " is not a descent report (no \"schema\": \"" + BenchRunner.SCHEMA + "\" with benchmarks)");
        }
        return r;
    }

    public static Result compare(JsonNode a, JsonNode b, double threshold) {
        DescentException.require(Double.isFinite(threshold) && threshold > 0, "threshold must be > 0 (got " + threshold + ")");
        Map<String, JsonNode> ma = index(a), mb = index(b);
        List<Row> rows = new ArrayList<>();
        List<String> onlyA = new ArrayList<>(), onlyB = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : ma.entrySet()) {
            JsonNode y = mb.get(e.getKey());
            if (y == null) {
                onlyA.add(e.getKey());
                continue;
            }
            JsonNode x = e.getValue();
            double ratio = y.path("median").asDouble() / x.path("median").asDouble();
            double lo = y.path("min").asDouble() / x.path("max").asDouble();
            double hi = y.path("max").asDouble() / x.path("min").asDouble();
            String v;
            if (ratio > 1 + threshold && lo > 1) v = "REGRESSION";
            else if (ratio < 1 / (1 + threshold) && hi < 1) v = "faster";
            else v = "same (within noise or threshold)";
            rows.add(new Row(e.getKey(), x.path("median").asDouble(), y.path("median").asDouble(), ratio, lo, hi, v));
        }
        for (String k : mb.keySet()) if (!ma.containsKey(k)) onlyB.add(k);
        return new Result(rows, onlyA, onlyB);
    }

    private static Map<String, JsonNode> index(JsonNode r) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (JsonNode b : r.path("benchmarks")) m.put(b.path("id").asText(), b);
        return m;
    }

    public static String table(Result r, double threshold) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-58s %12s %12s %8s %17s  %s%n", "benchmark", "A median ms",
                "B median ms", "B/A", "spread", "verdict (threshold " + (int) Math.round(threshold * 100) + "%)"));
        for (Row x : r.rows) {
            sb.append(String.format(Locale.ROOT, "%-58s %12.3f %12.3f %8.3f %8.3f–%-8.3f  %s%n", x.id, x.medianA * 1e3, x.medianB * 1e3,
                    x.ratio, x.lo, x.hi, x.verdict));
        }
        for (String k : r.onlyA) sb.append("only in A: ").append(k).append('\n');
        for (String k : r.onlyB) sb.append("only in B: ").append(k).append('\n');
        return sb.toString();
    }
}
