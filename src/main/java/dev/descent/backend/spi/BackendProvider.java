package dev.descent.backend.spi;

import dev.descent.backend.Backend;
import dev.descent.backend.Probe;

/**
 * A backend as {@link dev.descent.backend.Backends} finds it: through {@link java.util.ServiceLoader}
 * (META-INF/services/dev.descent.backend.spi.BackendProvider), so a backend in another jar plugs in
 * the same way. A provider class must load without its native library; only {@link #probe} and
 * {@link #open} touch it.
 */
public interface BackendProvider {
    /** The name users select it by: "cpu", "opencl", "cuda". */
    String name();

    /** Where {@code auto} tries it: higher first (the CPU reference, always available, lowest). */
    int preference();

    /** Whether it can start here, in one line; never throws. */
    Probe probe();

    /**
     * Whether the device this provider opens by default computes on the host's own cores (an
     * OpenCL CPU device such as PoCL), where it competes with the {@code cpu} backend for the same
     * cores; {@code auto} then weighs the problem's size. Called only after a successful probe.
     */
    default boolean onHostCores() {
        return false;
    }

    /** Opens it; {@code device} is the part after "name:" in the selector, or null. */
    Backend open(String device);
}
