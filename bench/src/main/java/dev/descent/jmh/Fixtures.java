package dev.descent.jmh;

import dev.descent.backend.Probe;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;


/**
 * Data and backends for the benchmarks. The synthetic data is the same generator and seed as
 * {@code descent data} (which writes it as .npy for the peers), so both sides see the same bytes.
 */
final class Fixtures {
    private Fixtures() {}

    static final long SEED = 1;

    static Dataset linear(int n, int d) {
        return Generators.regression(n, d, 0.01, SEED);
    }

    /** Opens a backend selector ({@code opencl}, {@code opencl:@gpu}, {@code cuda}, {@code cpu}). */
    static Backend backend(String selector) {
        String name = selector.contains(":") ? selector.substring(0, selector.indexOf(':')) : selector;
        Probe p = Backends.probe(name);
        if (!p.available()) throw new IllegalStateException(name + " unavailable: " + p.detail());
        return Backends.open(selector);
    }
}
