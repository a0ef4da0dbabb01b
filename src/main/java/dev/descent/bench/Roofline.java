package dev.descent.bench;

import dev.descent.DescentException;
import dev.descent.data.Dataset;
import dev.descent.sweep.Outcome;
import dev.descent.sweep.SweepResult;
import dev.descent.util.Numbers;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The least time a sweep's training could take on this machine, and its training time against it (issue #15's roofline):
 * the larger of the bytes it must read at the memory's read ceiling and the flops it must do at the FMA peak, both measured
 * in the same process ({@link #measure}).
 *
 * <p><b>Bytes.</b> A group (the configurations that share a batch size and order) reads each of its steps' rows at least
 * once for all its configurations: the examples its longest-running configuration read, each {@code (d + 1)·4} bytes dense
 * (features and target; 4 more with example weights) or {@code 8·(stored values)/n + 12} sparse (value and column each,
 * then the row's offset and target). Where the whole dataset fits in the last-level cache (or, on a device with memory of
 * its own, in {@link Limits#UNKNOWN_CACHE_BYTES}) memory need not serve it: the bytes term is left out, and said so.
 *
 * <p><b>Flops.</b> Every example a configuration read costs at least its margin (one FMA per stored value and head: 2
 * flops) and its share of the gradient (one more): {@code 4·(stored values)/n·heads} flops. The update, the loss records
 * and every other operation are left out, so the bound is a lower bound: a training time under it means a ceiling was
 * under-measured, and is flagged as a measurement error.
 *
 * @param bytes        bytes the training must read at least
 * @param flops        floating-point operations it must do at least
 * @param peaks        the ceilings it is divided by
 * @param inCache      why the bytes term is left out (the data fit in a cache), or null
 * @param trainSeconds the sweep's training time: its wall time less opening the backend and evaluating the recorded losses
 */
public record Roofline(double bytes, double flops, Peaks peaks, String inCache, double trainSeconds) {

    /**
     * The two ceilings, measured in this process.
     *
     * @param readGbs    the read ceiling, GB/s, as {@code descent bench} judges it (the native probe against the backend's own)
     * @param readProbe  where it came from, in words
     * @param hostMemory whether the backend computes on the host's memory (the cpu backend, OpenCL on a CPU device)
     * @param fmaGflops  the FMA peak, GFLOP/s (an FMA counts 2), or NaN where it was not measured
     * @param fmaProbe   how it was measured, or why it was not
     * @param cacheBytes the last-level cache the data are compared with
     */
    public record Peaks(double readGbs, String readProbe, boolean hostMemory, double fmaGflops, String fmaProbe, long cacheBytes) {
        public boolean hasFma() {
            return Double.isFinite(fmaGflops) && fmaGflops > 0;
        }
    }

    /** The loop the FMA peak times (on the Vector API: {@link VectorFmaProbe}). */
    interface FmaLoop {
        int lanes();

        float run(int seed, long iters);
    }

    /** Measures the read ceiling of {@code backend}'s memory and, for the host's memory, the FMA peak of its cores; the probes' lines go to {@code log}. */
    public static Peaks measure(String backend, PrintWriter log) {
        List<Report.Ceiling> judged = CeilingRun.measure(List.of(backend), Limits.probeBytes(256L << 20), 5, log);
        Report.Ceiling c = judged.stream().filter(x -> x.backend().equals(backend)).findFirst()
                .orElseThrow(() -> new DescentException("no read ceiling was measured for " + backend));
        boolean host = Boolean.TRUE.equals(c.hostMemory());
        String read = c.usedFrom() == null || c.usedFrom().equals(backend) ? c.probe() : "native probe (" + judged.get(0).probe() + ")";
        double fma = Double.NaN;
        String fmaProbe;
        Long llc = Environments.llcBytes();
        if (!host) {
            fmaProbe = "not measured: no FMA probe for a device with memory of its own yet";
        } else {
            FmaLoop loop = vectorLoop();
            int threads = Runtime.getRuntime().availableProcessors();
            if (loop == null) {
                fmaProbe = "not measured: the FMA peak needs the JDK's Vector API (DESCENT_VECTOR=1)";
            } else {
                fma = fmaPeak(loop, threads, 10_000_000L, 7);
                fmaProbe = String.format(Locale.ROOT, "ten independent FMA chains of %d-lane float vectors on each of %d threads, best of 7",
                        loop.lanes(), threads);
            }
        }
        log.printf(Locale.ROOT, "[roofline] read ceiling %.1f GB/s (%s); FMA peak %s%n", c.readUsed(), read,
                Double.isFinite(fma) ? String.format(Locale.ROOT, "%.1f GFLOP/s (%s)", fma, fmaProbe) : fmaProbe);
        return new Peaks(c.readUsed(), read, host, fma, fmaProbe, host && llc != null ? llc : Limits.UNKNOWN_CACHE_BYTES);
    }

    /** The Vector API's FMA loop, or null where the JVM was started without the module. */
    static FmaLoop vectorLoop() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
        try {
            return (FmaLoop) Class.forName("dev.descent.bench.VectorFmaProbe").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * GFLOP/s of the Vector API's FMA chains run on {@code threads} threads at once, {@code iters} iterations of ten chains
     * each, best of {@code reps} after one warm-up; {@link DescentException} where the JVM has no Vector API.
     */
    public static double fmaPeak(int threads, long iters, int reps) {
        FmaLoop loop = vectorLoop();
        DescentException.require(loop != null, "the FMA peak needs the JDK's Vector API: start the JVM with --add-modules jdk.incubator.vector");
        return fmaPeak(loop, threads, iters, reps);
    }

    private static double fmaPeak(FmaLoop loop, int threads, long iters, int reps) {
        double rate = best(threads, reps, t -> loop.run(t, iters), 2.0 * 10 * loop.lanes() * iters * threads / 1e9);
        DescentException.require(rate > 0, "FMA probe's chains became non-finite");
        return rate;
    }

    /** One thread's share of a probe; its result is summed so that the JIT keeps the work. */
    public interface Part {
        float run(int thread);
    }

    /**
     * The best units per second over {@code reps} runs (after one warm-up run) of {@code part} on {@code threads} threads at
     * once; a run counts from before its tasks are handed out to when the last returns. 0 where the parts' sum was not finite.
     */
    public static double best(int threads, int reps, Part part, double units) {
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int rep = 0; rep <= reps; rep++) {
                List<Callable<Float>> tasks = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    int t = i;
                    tasks.add(() -> part.run(t));
                }
                long t0 = System.nanoTime();
                float sink = 0;
                for (Future<Float> f : ex.invokeAll(tasks)) sink += f.get();
                double sec = (System.nanoTime() - t0) / 1e9;
                if (!Float.isFinite(sink)) return 0;
                if (rep > 0) best = Math.max(best, units / sec);
            }
            return best;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DescentException("interrupted while measuring a ceiling");
        } catch (ExecutionException e) {
            throw new DescentException("a ceiling probe failed: " + e.getCause().getMessage());
        } finally {
            ex.shutdownNow();
        }
    }

    /** The sweep's bytes and flops (see the class comment) against {@code peaks}. */
    public static Roofline of(Dataset data, int heads, SweepResult r, Peaks peaks) {
        int n = data.n();
        double perRow = (double) data.stored() / n;
        double rowBytes = data.isSparse() ? 8 * perRow + 12 : 4.0 * (data.d() + 1) + (data.weights() != null ? 4 : 0);
        double dataBytes = data.isSparse() ? 8.0 * data.stored() + 12.0 * n : rowBytes * n;
        Map<Integer, Long> groupRows = new LinkedHashMap<>();
        double modelRows = 0;
        for (Outcome o : r.outcomes()) {
            groupRows.merge(o.group(), o.examples(), Math::max);
            modelRows += o.examples();
        }
        double rows = groupRows.values().stream().mapToLong(Long::longValue).sum();
        String inCache = dataBytes <= peaks.cacheBytes()
                ? String.format(Locale.ROOT, "the data (%.1f MiB) fit in the %d MiB cache, so memory need not serve them", dataBytes / (1 << 20),
                        peaks.cacheBytes() >> 20)
                : null;
        return new Roofline(rows * rowBytes, modelRows * 4 * perRow * heads, peaks, inCache, r.trainSeconds());
    }

    /** Seconds to read {@link #bytes} at the read ceiling (NaN where the data fit in a cache). */
    public double bytesSeconds() {
        return inCache != null ? Double.NaN : bytes / (peaks.readGbs() * 1e9);
    }

    /** Seconds to do {@link #flops} at the FMA peak (NaN where it was not measured). */
    public double flopsSeconds() {
        return peaks.hasFma() ? flops / (peaks.fmaGflops() * 1e9) : Double.NaN;
    }

    /** The bound: the larger term measured (NaN where neither was). */
    public double boundSeconds() {
        double b = bytesSeconds(), f = flopsSeconds();
        return Double.isNaN(b) ? f : Double.isNaN(f) ? b : Math.max(b, f);
    }

    /** "bytes" or "flops": the term that sets the bound (null where there is none). */
    public String by() {
        double b = bytesSeconds(), f = flopsSeconds();
        if (Double.isNaN(b) && Double.isNaN(f)) return null;
        return Double.isNaN(f) || !Double.isNaN(b) && b >= f ? "bytes" : "flops";
    }

    /** Training time ÷ bound (NaN where there is no bound). */
    public double ratio() {
        return trainSeconds / boundSeconds();
    }

    /** One line: the training time against the bound and both terms, or why there is no bound. */
    public String line() {
        String bytesPart = inCache != null ? "bytes term left out: " + inCache
                : String.format(Locale.ROOT, "%s bytes at %.1f GB/s read = %.4f s", Numbers.sci(bytes), peaks.readGbs(), bytesSeconds());
        String flopsPart = peaks.hasFma()
                ? String.format(Locale.ROOT, "%s flops at %.1f GFLOP/s FMA peak = %.4f s", Numbers.sci(flops), peaks.fmaGflops(), flopsSeconds())
                : "flops term " + peaks.fmaProbe();
        if (by() == null) {
            return String.format(Locale.ROOT, "Roofline: no bound for %.4f s of training (%s; %s).", trainSeconds, bytesPart, flopsPart);
        }
        String verdict = ratio() < 1 ? " — under the bound: a ceiling was under-measured, a measurement error" : "";
        return String.format(Locale.ROOT, "Roofline: training %.4f s, %.1f× its bound %.4f s (by %s; %s; %s)%s.", trainSeconds, ratio(),
                boundSeconds(), by(), flopsPart, bytesPart, verdict);
    }

    /** sweep.json's "roofline" object. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_seconds", trainSeconds);
        m.put("bound_seconds", finite(boundSeconds()));
        m.put("ratio", finite(ratio()));
        m.put("by", by());
        m.put("bytes", bytes);
        m.put("flops", flops);
        m.put("bytes_seconds", finite(bytesSeconds()));
        m.put("flops_seconds", finite(flopsSeconds()));
        m.put("read_gbs", peaks.readGbs());
        m.put("read_probe", peaks.readProbe());
        m.put("fma_gflops", finite(peaks.fmaGflops()));
        m.put("fma_probe", peaks.fmaProbe());
        m.put("bytes_left_out", inCache);
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
