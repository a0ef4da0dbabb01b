package dev.descent.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's tables as rows of cells (the first row is the header), built from the records alone. */
final class ReportTables {
    private ReportTables() {}

    static String ms(Report.Benchmark b, double per) {
        return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", b.median() * 1e3 / per, b.min() * 1e3 / per, b.max() * 1e3 / per);
    }

    /** The between-process spread beside a median: "±4.1% over 2 forks", or why there is none. */
    static String forks(Report.Benchmark b) {
        if (b.forkSpread() == null) return "1 process";
        return String.format(Locale.ROOT, "%.1f%% over %d forks", 100 * b.forkSpread(), b.forkMedians().size());
    }

    private static Report.PeerResult peer(Report r, String op, String workload, int d) {
        if (r.peers() == null || !r.peers().ran() || !workload.equals(r.peers().workload())) return null;
        for (Report.PeerResult p : r.peers().results()) if (p.op().equals(op) && p.d() == d) return p;
        return null;
    }

    static List<List<String>> throughputRows(Report r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "batch", "median ms (min–max)", "between forks", "samples/s", "steps/s", "noisy", "vs peer"));
        for (Report.Benchmark b : r.benchmarks()) {
            if (!b.kind().equals("throughput")) continue;
            String vs = "";
            Report.PeerResult p = b.batch() == 1 ? peer(r, "sgd-epoch", b.workload(), b.d()) : null;
            if (p != null && p.stepsPerS() != null) {
                vs = String.format(Locale.ROOT, "%.2f× scikit-learn SGD, its rows in order, ours shuffled (%.2f M steps/s)",
                        b.derived().stepsPerS() / p.stepsPerS(), p.stepsPerS() / 1e6);
            }
            rows.add(List.of(b.workload(), b.backend(), Integer.toString(b.batch()), ms(b, 1), forks(b),
                    String.format(Locale.ROOT, "%.3g", b.derived().samplesPerS()), String.format(Locale.ROOT, "%.3g", b.derived().stepsPerS()),
                    b.noisy() ? "noisy" : "", vs));
        }
        return rows;
    }

    static List<List<String>> gradientRows(Report r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "n × d", "median ms per gradient (min–max)", "between forks", "GB/s", "% of read ceiling",
                "noisy", "vs numpy"));
        for (Report.Benchmark b : r.benchmarks()) {
            if (!b.kind().equals("gradient")) continue;
            double calls = b.derived().calls();
            double per = b.median() / calls;
            Report.PeerResult p = peer(r, "gradient", b.workload(), b.d());
            String vs = p == null ? "" : String.format(Locale.ROOT, "%.2f× (%.3f ms)", p.seconds() / per, p.seconds() * 1e3);
            String pct = b.derived().pctOfRead() != null ? String.format(Locale.ROOT, "%.0f%%", b.derived().pctOfRead())
                    : b.derived().ceilingNote() == null ? "" : "— (" + b.derived().ceilingNote() + ")";
            rows.add(List.of(b.workload(), b.backend(), b.n() + " × " + b.d(), ms(b, calls), forks(b),
                    String.format(Locale.ROOT, "%.1f", b.derived().gbs()), pct, b.noisy() ? "noisy" : "", vs));
        }
        return rows;
    }

    static List<List<String>> convergenceRows(Report r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "batch", "lr", "epochs", "final loss", "target", "time to target (s)", "examples to target"));
        for (Report.Curve c : r.convergence()) {
            rows.add(List.of(c.workload(), c.backend(), Integer.toString(c.batch()), Double.toString(c.lr()), Integer.toString(c.epochs()),
                    c.finalLoss() != null ? String.format(Locale.ROOT, "%.4e", c.finalLoss()) : "non-finite",
                    c.targetLoss() != null ? String.format(Locale.ROOT, "%.0e", c.targetLoss()) : "—",
                    c.timeToTargetS() != null ? String.format(Locale.ROOT, "%.3g", c.timeToTargetS()) : c.targetLoss() != null ? "not reached" : "—",
                    c.examplesToTarget() != null ? Long.toString(c.examplesToTarget()) : ""));
        }
        return rows;
    }

    private static String gbs(Stats s) {
        return s == null ? "—" : String.format(Locale.ROOT, "%.1f (median %.1f, %.1f–%.1f)", s.best(), s.median(), s.min(), s.max());
    }

    static List<List<String>> ceilingRows(Report r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("probe", "device", "read GB/s: best (median, min–max)", "write GB/s", "copy GB/s (read + write bytes)",
                "read ceiling used", "refused"));
        Map<String, String> dev = new LinkedHashMap<>();
        for (Report.Device d : r.environment().devices()) dev.put(d.backend(), d.device());
        for (Report.Ceiling c : r.ceilings()) {
            String device = c.backend().equals(Limits.NATIVE) ? "host memory" : dev.getOrDefault(c.backend(), "");
            String used = c.readUsed() == null ? "" : String.format(Locale.ROOT, "%.1f (%s)", c.readUsed(), c.usedFrom());
            rows.add(List.of(c.backend() + (c.probe() == null ? "" : ": " + c.probe()), device, gbs(c.readGbs()), gbs(c.writeGbs()),
                    gbs(c.copyGbs()), used, c.errors() == null ? "" : String.join("; ", c.errors())));
        }
        return rows;
    }

    static String envLine(Report r) {
        Report.Environment e = r.environment();
        return String.format(Locale.ROOT, "%s, %d cores, %.1f GiB, %s (kernel %s), %s; commit %s%s; %s", e.cpu(), e.cores(),
                e.memoryBytes() / 1073741824.0, e.os(), e.kernel(), e.jvm(), e.git().commit(),
                Boolean.TRUE.equals(e.git().dirty()) ? " (dirty tree)" : "", e.time());
    }

    static String peersLine(Report r) {
        Report.Peers p = r.peers();
        StringBuilder sb = new StringBuilder();
        if (p == null) return "";
        if (p.ran()) {
            sb.append("Peers ran on the same data (").append(p.workload()).append("): numpy ").append(p.versions().numpy())
              .append(", scikit-learn ").append(p.versions().sklearn()).append(", Python ").append(p.versions().python()).append('.');
        }
        if (p.skipped() != null) for (Report.Skip s : p.skipped()) sb.append(" Skipped: ").append(s.peer()).append(" (").append(s.why()).append(").");
        return sb.toString().trim();
    }
}
