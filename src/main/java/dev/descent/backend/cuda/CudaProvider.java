package dev.descent.backend.cuda;

import dev.descent.backend.Backend;
import dev.descent.backend.Probe;
import dev.descent.backend.spi.BackendProvider;

/** The cuda backend for {@link java.util.ServiceLoader} (listed in META-INF/services). */
public final class CudaProvider implements BackendProvider {
    @Override public String name() { return "cuda"; }
    @Override public int preference() { return 3; }
    @Override public Probe probe() { return CudaBackend.probe(); }
    @Override public Backend open(String device) { return CudaBackend.open(device); }
}
