package dev.descent.backend.ref;

import dev.descent.backend.Backend;
import dev.descent.backend.Probe;
import dev.descent.backend.spi.BackendProvider;

/** The ref backend for {@link java.util.ServiceLoader} (listed in META-INF/services). */
public final class RefProvider implements BackendProvider {
    @Override public String name() { return "ref"; }
    @Override public int preference() { return 0; }
    @Override public Probe probe() { return RefBackend.probe(); }
    @Override public Backend open(String device) { return RefBackend.open(device); }
}
