package dev.descent.backend;

/**
 * Memory bandwidth measured on a backend's device: a read-only pass (bytes read / time) and a
 * copy (bytes read + bytes written / time). {@link Backend#bandwidth} gives the best of
 * {@link Backend#ceilings}' repetitions; the benchmark report uses {@link Ceilings} itself.
 */
public record Bandwidth(long bytes, double readGBs, double copyGBs) {

    /** Median of the times (seconds) of {@code reps} runs of {@code r} after one warm-up (a ceiling is a best, not a median: see {@link Ceilings}). */
    public static double medianSeconds(int reps, Runnable r) {
        r.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        java.util.Arrays.sort(t);
        return t[reps / 2];
    }
}
