package dev.descent.backend.opencl;

import dev.descent.backend.Backend;
import dev.descent.backend.Probe;
import dev.descent.backend.spi.BackendProvider;

/** The opencl backend for {@link java.util.ServiceLoader} (listed in META-INF/services). */
public final class OpenClProvider implements BackendProvider {
    @Override public String name() { return "opencl"; }
    @Override public int preference() { return 2; }
    @Override public Probe probe() { return OpenClBackend.probe(); }
    @Override public Backend open(String device) { return OpenClBackend.open(device); }
    @Override public boolean onHostCores() { return OpenClBackend.defaultIsHostCpu(); }
}
