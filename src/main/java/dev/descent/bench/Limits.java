package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.Ceilings;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ceilings a report divides by: each backend's own probes and the native probe, measured in
 * the same run; which of them is credible; and every benchmark's rates against the ceiling chosen.
 * A probe can only under-measure the memory, so the highest credible best is the ceiling. For host
 * memory the native probe is the arbiter: a backend's figure above it by more than its spread is a
 * measurement error (data left in a cache, a probe that skipped work), shown as such, never used.
 */
final class Limits {
    private Limits() {}

    /** The name the native probe's ceiling carries in report.json. */
    static final String NATIVE = "native";
    /** The least tolerance over the native probe's best: its own spread where that is larger. */
    static final double MIN_TOLERANCE = 0.05;
    /**
     * Data up to this many times the last-level cache may be served from the cache, not memory. A pass
     * over data larger than the cache evicts each line before its next use (the gradient streams rows
     * in order), so it is reported against memory; any figure still above the ceiling is flagged.
     */
    static final int CACHE_FACTOR = 1;
    /** Assumed cache size where none is known (device memory; GPUs' L2 caches reach 60 MB). */
    static final long UNKNOWN_CACHE_BYTES = 64L << 20;

    /** Buffers for the probes: the suite's size, and at least 8× the last-level cache so the cache cannot serve them. */
    static long probeBytes(long suiteBytes) {
        Long llc = Environments.llcBytes();
        return llc == null ? suiteBytes : Math.max(suiteBytes, 8 * llc);
    }

    static Report.Ceiling measure(Backend b, String name, long bytes, int reps, PrintWriter log) {
        Ceilings c = b.ceilings(bytes, reps);
        Report.Ceiling out = entry(name, c);
        log.printf(Locale.ROOT, "[bench] %s ceilings (best of %d, %d MiB): read %.1f, write %.1f, copy %.1f GB/s (%s)%n", name, reps,
                c.bytes() >> 20, c.best(Ceilings.Kind.READ), c.best(Ceilings.Kind.WRITE), c.best(Ceilings.Kind.COPY), c.probe());
        return out;
    }

    /** The native probe, or {@code null} (and a line saying why) where neither gcc nor numpy could run it. */
    static Report.Ceiling measureNative(long bytes, int reps, PrintWriter log) {
        NativeProbe.Outcome o = NativeProbe.measure(bytes, reps);
        if (o.ceilings() == null) {
            log.println("[bench] native probe skipped: " + o.skipped() + "; ceilings rest on the backends' own probes");
            return null;
        }
        Ceilings c = o.ceilings();
        log.printf(Locale.ROOT, "[bench] native ceilings (best of %d, %d MiB): read %.1f, write %.1f, copy %.1f GB/s (%s)%n", reps,
                c.bytes() >> 20, c.best(Ceilings.Kind.READ), c.best(Ceilings.Kind.WRITE), c.best(Ceilings.Kind.COPY), c.probe());
        return entry(NATIVE, c);
    }

    /**
     * One native ceiling from several runs of the native probe (before and after each backend's
     * probes): the machine's drift over the run then shows in the native's spread, and its best is
     * the best the memory gave at any point of the run. {@code null} entries (a skipped probe) are left out.
     */
    static Report.Ceiling pool(List<Report.Ceiling> natives) {
        List<Report.Ceiling> ok = natives.stream().filter(java.util.Objects::nonNull).toList();
        if (ok.isEmpty()) return null;
        Report.Ceiling first = ok.get(0);
        return new Report.Ceiling(NATIVE, first.probe(), true, first.bytes(), Stats.pool(ok.stream().map(Report.Ceiling::readGbs).toList()),
                Stats.pool(ok.stream().map(Report.Ceiling::writeGbs).toList()), Stats.pool(ok.stream().map(Report.Ceiling::copyGbs).toList()),
                null, null, null);
    }

    private static Report.Ceiling entry(String name, Ceilings c) {
        return new Report.Ceiling(name, c.probe(), c.hostMemory(), c.bytes(), Stats.of(c.read()), Stats.of(c.write()), Stats.of(c.copy()),
                null, null, null);
    }

    /** The native probe's tolerance for one kind: its own relative spread, at least {@link #MIN_TOLERANCE}. */
    static double tolerance(Stats nativeStats) {
        return Math.max(MIN_TOLERANCE, nativeStats.relativeSpread());
    }

    /** Each ceiling with the read ceiling it is reported against and the figures refused as measurement errors. */
    static List<Report.Ceiling> judge(List<Report.Ceiling> ceilings) {
        Report.Ceiling nat = ceilings.stream().filter(c -> c.backend().equals(NATIVE)).findFirst().orElse(null);
        List<Report.Ceiling> out = new ArrayList<>();
        for (Report.Ceiling c : ceilings) {
            if (c == nat || nat == null || !Boolean.TRUE.equals(c.hostMemory())) {
                out.add(c.judged(c.readGbs().best(), c.backend(), List.of()));
                continue;
            }
            List<String> errors = new ArrayList<>();
            Map<String, Stats[]> kinds = new LinkedHashMap<>();
            kinds.put("read", new Stats[] {c.readGbs(), nat.readGbs()});
            kinds.put("write", new Stats[] {c.writeGbs(), nat.writeGbs()});
            kinds.put("copy", new Stats[] {c.copyGbs(), nat.copyGbs()});
            boolean readCredible = true;
            for (Map.Entry<String, Stats[]> k : kinds.entrySet()) {
                Stats own = k.getValue()[0], ref = k.getValue()[1];
                if (own == null || ref == null) continue;
                double tol = tolerance(ref);
                if (own.best() > ref.best() * (1 + tol)) {
                    errors.add(String.format(Locale.ROOT, "%s %.1f GB/s is above the native probe's %.1f GB/s by more than its spread "
                            + "(%.0f%%): a measurement error, not used", k.getKey(), own.best(), ref.best(), 100 * tol));
                    if (k.getKey().equals("read")) readCredible = false;
                }
            }
            boolean own = readCredible && c.readGbs().best() >= nat.readGbs().best();
            out.add(c.judged(own ? c.readGbs().best() : nat.readGbs().best(), own ? c.backend() : NATIVE, errors));
        }
        return out;
    }

    /** Every benchmark's rates from its (pooled) median, and its GB/s against its backend's read ceiling where comparable. */
    static List<Report.Benchmark> derive(List<Report.Benchmark> benches, List<Report.Ceiling> judged, Long llcBytes) {
        Map<String, Report.Ceiling> byBackend = new LinkedHashMap<>();
        for (Report.Ceiling c : judged) byBackend.put(c.backend(), c);
        List<Report.Benchmark> out = new ArrayList<>();
        for (Report.Benchmark b : benches) {
            Report.Derived d = b.derived();
            double med = b.median();
            double bytes = b.kind().equals("gradient") ? d.floorBytes() : d.rows() * (double) b.d() * 4;
            double gbs = bytes / med / 1e9;
            Report.Ceiling c = byBackend.get(b.backend());
            Double pct = null;
            String note = null;
            long cache = c != null && Boolean.TRUE.equals(c.hostMemory()) && llcBytes != null ? llcBytes : UNKNOWN_CACHE_BYTES;
            double dataBytes = 4.0 * b.n() * b.d();
            if (c == null || c.readUsed() == null) {
                note = "no ceiling measured";
            } else if (dataBytes <= CACHE_FACTOR * (double) cache) {
                note = String.format(Locale.ROOT, "in cache: %.1f MiB of data fit in the %d MiB cache", dataBytes / (1 << 20), cache >> 20);
            } else if (gbs > c.readUsed()) {
                note = String.format(Locale.ROOT, "%.1f GB/s is above the read ceiling %.1f GB/s: a measurement error", gbs, c.readUsed());
            } else {
                pct = 100 * gbs / c.readUsed();
            }
            Report.Derived nd = b.kind().equals("gradient")
                    ? new Report.Derived(null, null, d.calls(), d.floorBytes(), null, null, gbs, pct, note)
                    : new Report.Derived(d.rows(), d.steps(), null, null, d.rows() / med, d.steps() / med, gbs, pct, note);
            out.add(b.with(b.stats(), b.forkMedians(), b.forkSpread(), nd));
        }
        return out;
    }

    /** The verdicts in the log: each read ceiling used (beside the native probe's), each refusal, each gradient's share. */
    static void summarize(Report r, PrintWriter log) {
        Report.Ceiling nat = r.ceilings().stream().filter(c -> c.backend().equals(NATIVE)).findFirst().orElse(null);
        for (Report.Ceiling c : r.ceilings()) {
            if (c == nat) continue;
            log.printf(Locale.ROOT, "[bench] %s read ceiling: %.1f GB/s (from %s%s)%n", c.backend(), c.readUsed(), c.usedFrom(),
                    nat == null || !Boolean.TRUE.equals(c.hostMemory()) ? ""
                            : String.format(Locale.ROOT, "; native best %.1f, median %.1f, min–max %.1f–%.1f", nat.readGbs().best(),
                                    nat.readGbs().median(), nat.readGbs().min(), nat.readGbs().max()));
            if (c.errors() != null) for (String e : c.errors()) log.printf("[bench] %s refused: %s%n", c.backend(), e);
        }
        for (Report.Benchmark b : r.benchmarks()) {
            if (!b.kind().equals("gradient")) continue;
            Report.Derived d = b.derived();
            log.printf(Locale.ROOT, "[bench] %-8s %-18s gradient %.1f GB/s: %s%s%n", b.backend(), b.workload(), d.gbs(),
                    d.pctOfRead() != null ? String.format(Locale.ROOT, "%.0f%% of the read ceiling", d.pctOfRead()) : d.ceilingNote(),
                    b.forkSpread() == null ? "" : String.format(Locale.ROOT, " (between forks %.0f%%)", 100 * b.forkSpread()));
        }
    }
}
