package dev.descent.backend.cpu;

import dev.descent.backend.Backend;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;

/** The reference backend: plain Java loops with double-precision accumulation. Always available. */
public final class CpuBackend implements Backend {
    @Override public String name() { return "cpu"; }

    @Override
    public String device() {
        return "Java reference (double accumulation), " + Runtime.getRuntime().availableProcessors() + " cores visible, "
                + System.getProperty("os.arch") + ", JVM " + System.getProperty("java.version");
    }

    @Override
    public Session open(Dataset data, Spec spec) {
        return new CpuSession(data, spec);
    }

    @Override public void close() {}
}
