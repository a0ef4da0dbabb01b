package dev.descent.backend;

/**
 * Memory bandwidth measured on a backend's device: a read-only pass (bytes read / time) and a
 * copy (bytes read + bytes written / time), each the median of several timed repetitions after
 * a warm-up. The hot-path kernels are reported as a fraction of these, measured in the same run.
 */
public record Bandwidth(long bytes, double readGBs, double copyGBs) {

    /** Median of the times (seconds) of {@code reps} runs of {@code r} after one warm-up. */
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
