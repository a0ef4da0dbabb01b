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

    @Override public void close() {}
}
