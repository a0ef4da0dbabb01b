package dev.descent.backend.cpu;

import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Probe;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;

import java.util.concurrent.ForkJoinPool;

/**
 * The fast CPU backend, {@code cpu}: pure Java, float32 like the devices, every core for large
 * batches, reductions in a fixed order (bit-identical run to run, whatever the core count). The
 * default when no OpenCL GPU or CUDA device answers. The double-precision judge is {@code ref}.
 */
public final class CpuBackend implements Backend {
    /** Workers shared by every session of the process: one per core, daemon threads. */
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()),
            pool -> {
                var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setDaemon(true);
                t.setName("descent-cpu-" + t.getPoolIndex());
                return t;
            }, null, false);

    private boolean closed;

    @Override public String name() { return "cpu"; }

    public static Probe probe() {
        return new Probe("cpu", true, new CpuBackend().device());
    }

    /** One device: a selector after "cpu:" is refused. */
    public static Backend open(String device) {
        if (device != null && !device.isBlank()) {
            throw new DescentException.InvalidArgument("the cpu backend has one device: use cpu, not cpu:" + device);
        }
        return new CpuBackend();
    }

    @Override
    public String device() {
        return "Java float32 (" + CpuSession.K.describe() + "), " + POOL.getParallelism() + " threads, fixed-order reductions, "
                + System.getProperty("os.arch")
                + ", JVM " + System.getProperty("java.version");
    }

    @Override
    public Session open(Dataset data, Spec spec) {
        if (closed) throw new IllegalStateException("backend is closed");
        return new CpuSession(data, spec, POOL);
    }

    @Override
    public void close() {
        closed = true;
    }
}
