package dev.descent.jmh;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;

import java.util.Random;

/**
 * Data and backends for the benchmarks. The synthetic data is the same generator and seed as
 * {@code descent data} (which writes it as .npy for the peers), so both sides see the same bytes.
 */
final class Fixtures {
    private Fixtures() {}

    static final long SEED = 1;

    static Dataset linear(int n, int d) {
        float[] w = d == 2 ? new float[] {2f, -3.4f} : Generators.gaussian(new Random(SEED ^ 0x5DEECE66DL), d, 1.0);
        return Generators.linear(n, w, 4.2f, 0.01, SEED);
    }

    /** Opens a backend selector ({@code opencl}, {@code opencl:@gpu}, {@code cuda}, {@code cpu}). */
    static Backend backend(String selector) {
        String name = selector.contains(":") ? selector.substring(0, selector.indexOf(':')) : selector;
        Backends.Probe p = Backends.probe(name);
        if (!p.available()) throw new IllegalStateException(name + " unavailable: " + p.detail());
        return Backends.open(selector);
    }
}
