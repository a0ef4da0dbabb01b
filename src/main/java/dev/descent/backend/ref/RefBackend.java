package dev.descent.backend.ref;

import dev.descent.backend.Backend;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;

/**
 * The reference backend, {@code ref}: plain Java loops with double-precision sums and parameters
 * held in double, single-threaded. It judges every other backend in the tests; the fast CPU
 * backend is {@code cpu}. Always available.
 */
public final class RefBackend implements Backend {
    @Override public String name() { return "ref"; }

    /** Always available. */
    public static dev.descent.backend.Probe probe() {
        return new dev.descent.backend.Probe("ref", true, new RefBackend().device());
    }

    /** The reference has one device: a selector after "ref:" is refused. */
    public static Backend open(String device) {
        if (device != null && !device.isBlank()) {
            throw new dev.descent.DescentException.InvalidArgument("the ref backend has one device: use ref, not ref:" + device);
        }
        return new RefBackend();
    }

    @Override
    public String device() {
        return "Java reference (double accumulation), " + Runtime.getRuntime().availableProcessors() + " cores visible, "
                + System.getProperty("os.arch") + ", JVM " + System.getProperty("java.version");
    }

    @Override
    public Session open(Dataset data, Spec spec) {
        return new RefSession(data, spec);
    }

    /** Java on every core: a read-only int sum (vectorized by C2) and System.arraycopy, split across threads. */
    @Override
    public dev.descent.backend.Bandwidth bandwidth(long bytes) {
        int len = (int) Math.min(Integer.MAX_VALUE - 8, bytes / 4);
        int[] src = new int[len];
        int[] dst = new int[len];
        java.util.Arrays.fill(src, 1);
        int threads = Runtime.getRuntime().availableProcessors();
        int chunk = (len + threads - 1) / threads;
        long[] sink = new long[threads];
        Runnable read = () -> java.util.stream.IntStream.range(0, threads).parallel().forEach(k -> {
            long s = 0;
            for (int i = k * chunk, e = Math.min(len, (k + 1) * chunk); i < e; i++) s += src[i];
            sink[k] = s;
        });
        Runnable copy = () -> java.util.stream.IntStream.range(0, threads).parallel().forEach(k -> {
            int lo = k * chunk, c = Math.max(0, Math.min(len, (k + 1) * chunk) - lo);
            System.arraycopy(src, lo, dst, lo, c);
        });
        double tr = dev.descent.backend.Bandwidth.medianSeconds(7, read);
        double tc = dev.descent.backend.Bandwidth.medianSeconds(7, copy);
        return new dev.descent.backend.Bandwidth(4L * len, 4L * len / tr / 1e9, 8L * len / tc / 1e9);
    }

    @Override public void close() {}
}
