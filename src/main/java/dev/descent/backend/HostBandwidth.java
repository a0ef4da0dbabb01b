package dev.descent.backend;

import dev.descent.DescentException;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * The host's memory bandwidth as Java reaches it: one thread per core, each owning a contiguous
 * slice of two {@code long[]} buffers; a repetition runs every thread between two barriers and
 * takes the slowest thread's time. Read sums the slice with eight independent accumulators (eight
 * loads in flight per thread, no dependency chain), write stores a constant, copy is
 * {@code System.arraycopy} (counted as bytes read + bytes written). The read sum is checked, so
 * the JIT cannot drop the loads. It is the ceiling of every backend whose data lives in host
 * memory as Java arrays; the native probe ({@link NativeProbe}) checks it.
 */
public final class HostBandwidth {
    private HostBandwidth() {}

    private enum Op { READ, WRITE, COPY, STOP }

    /**
     * Read, write and copy, each {@code reps} times after a warm-up, on two buffers of about {@code bytes}
     * each, or a quarter of the heap each where that is less (the buffers then say their size).
     */
    public static Ceilings measure(long bytes, int reps) {
        bytes = Math.min(bytes, Runtime.getRuntime().maxMemory() / 4);
        int threads = Runtime.getRuntime().availableProcessors();
        long per = Math.max(8, bytes / 8 / threads / 8 * 8);                // longs per thread, whole 64-byte lines
        DescentException.require(per * threads <= Integer.MAX_VALUE - 8, "bandwidth buffers of " + bytes + " bytes are too large for Java arrays");
        int n = (int) (per * threads);
        long[] src = new long[n];                  // (n) read by read and copy
        long[] dst = new long[n];                  // (n) written by write and copy
        System.gc();                               // a collection now, not concurrent GC threads competing with the probe's
        long[] sums = new long[threads];
        Op[] op = {Op.READ};
        CyclicBarrier start = new CyclicBarrier(threads + 1), finish = new CyclicBarrier(threads + 1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            final int k = t, lo = (int) (per * t), hi = (int) (per * (t + 1));
            workers[t] = new Thread(() -> {
                java.util.Arrays.fill(src, lo, hi, 1L);           // first touch by the owner
                java.util.Arrays.fill(dst, lo, hi, 0L);
                try {
                    for (;;) {
                        start.await();
                        switch (op[0]) {
                            case READ -> sums[k] = sum(src, lo, hi);
                            case WRITE -> fill(dst, lo, hi, k + 2);
                            case COPY -> System.arraycopy(src, lo, dst, lo, hi - lo);
                            case STOP -> { return; }
                        }
                        finish.await();
                    }
                } catch (InterruptedException | BrokenBarrierException e) {
                    Thread.currentThread().interrupt();
                }
            }, "descent-bandwidth-" + t);
            workers[t].setDaemon(true);
            workers[t].start();
        }
        try {
            double[][] gbs = new double[3][reps];
            for (int r = -3; r < reps; r++) {               // three warm-up rounds: the JIT compiles sum and fill
                for (Op o : new Op[] {Op.READ, Op.WRITE, Op.COPY}) {
                    op[0] = o;
                    long t0 = System.nanoTime();     // before the release: the workers may take every core before this thread reads a clock
                    start.await();
                    finish.await();
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (o == Op.READ) {
                        long total = 0;
                        for (long x : sums) total += x;
                        if (total != n) throw new IllegalStateException("host read probe summed " + total + ", expected " + n);
                    }
                    if (r >= 0) gbs[o.ordinal()][r] = (o == Op.COPY ? 16.0 : 8.0) * n / s / 1e9;
                }
            }
            op[0] = Op.STOP;
            start.await();
            if (dst[n - 1] != 1L) throw new IllegalStateException("host copy probe left " + dst[n - 1] + ", expected 1");
            return new Ceilings("Java, " + threads + " threads (long sum ×8, fill, arraycopy)", true, 8L * n, gbs[0], gbs[1], gbs[2]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (Thread w : workers) w.interrupt();
            throw new DescentException("interrupted while measuring the host's bandwidth");
        } catch (BrokenBarrierException e) {
            throw new DescentException("host bandwidth probe failed: a worker thread died");
        }
    }

    /** Eight independent sums: the loads of one iteration do not wait on each other. */
    static long sum(long[] a, int lo, int hi) {
        return sum8(a, lo, hi);
    }

    public static long sum8(long[] a, int lo, int hi) {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = lo;
        for (; i + 8 <= hi; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        for (; i < hi; i++) s0 += a[i];
        return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }

    static void fill(long[] a, int lo, int hi, long v) {
        for (int i = lo; i < hi; i++) a[i] = v;
    }
}
