package dev.descent.backend;

import java.util.Arrays;

/**
 * Memory bandwidth as one probe measured it: the GB/s of each timed repetition of a read (bytes
 * read / time), a write (bytes written / time) and a copy (bytes read + bytes written / time, the
 * STREAM convention). A probe can only under-measure what the memory gives, unless the data sat in
 * a cache or the probe is wrong, so the best repetition is the ceiling and the others its spread.
 *
 * @param probe      what measured it, in words (kernel names, threads)
 * @param hostMemory whether the buffers lived in the host's main memory (CPU backends, OpenCL on a
 *                   CPU), where the native probe ({@code membw.c}) measures the same memory
 * @param bytes      size of each buffer (copy: source and destination each this size)
 * @param read       GB/s of each read repetition
 * @param write      GB/s of each write repetition
 * @param copy       GB/s of each copy repetition
 */
public record Ceilings(String probe, boolean hostMemory, long bytes, double[] read, double[] write, double[] copy) {

    /** The three access patterns a ceiling is measured for. */
    public enum Kind {
        READ, WRITE, COPY;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public double[] samples(Kind k) {
        return switch (k) {
            case READ -> read.clone();
            case WRITE -> write.clone();
            case COPY -> copy.clone();
        };
    }

    /** The ceiling: the best repetition. */
    public double best(Kind k) {
        return Arrays.stream(samples(k)).max().orElse(Double.NaN);
    }

    /** Seconds of each of {@code reps} runs of {@code r}, after one warm-up run. */
    public static double[] seconds(int reps, Runnable r) {
        r.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return t;
    }

    /** GB/s of moving {@code bytes} in each of the times {@code seconds}. */
    public static double[] gbs(double bytes, double[] seconds) {
        return Arrays.stream(seconds).map(s -> bytes / s / 1e9).toArray();
    }
}
