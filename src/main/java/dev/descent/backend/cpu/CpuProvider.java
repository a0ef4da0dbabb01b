package dev.descent.backend.cpu;

import dev.descent.backend.Backend;
import dev.descent.backend.Probe;
import dev.descent.backend.spi.BackendProvider;

/** The cpu backend for {@link java.util.ServiceLoader} (listed in META-INF/services). */
public final class CpuProvider implements BackendProvider {
    @Override public String name() { return "cpu"; }
    @Override public int preference() { return 1; }
    @Override public Probe probe() { return CpuBackend.probe(); }
    @Override public Backend open(String device) { return CpuBackend.open(device); }
}
