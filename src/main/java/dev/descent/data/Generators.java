package dev.descent.data;

import dev.descent.DescentException;

import java.util.Random;

/** The seed tutorials' data, generated reproducibly from a seed. */
public final class Generators {
    private Generators() {}

    /**
     * Seed 1's synthetic linear regression: x ~ N(0, 1)^d, t = x·w + b + noise·N(0, 1).
     * Uses {@link Random#nextGaussian()} (its algorithm is fixed by its specification), so the
     * same seed gives the same data on every JVM.
     */
    public static Dataset linear(int n, float[] trueW, float trueB, double noise, long seed) {
        DescentException.require(n >= 1, "n must be ≥ 1 (got " + n + ")");
        DescentException.require(trueW.length >= 1, "the true weight vector must have at least one entry");
        DescentException.require(Double.isFinite(noise) && noise >= 0, "noise must be finite and ≥ 0 (got " + noise + ")");
        int d = trueW.length;
        Random rng = new Random(seed);
        float[] x = new float[n * d];
        float[] t = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int i = 0; i < n; i++) {
            float y = trueB;
            for (int j = 0; j < d; j++) y += trueW[j] * x[i * d + j];
            t[i] = y;
        }
        for (int i = 0; i < n; i++) t[i] += (float) (noise * rng.nextGaussian());
        return new Dataset("linear(n=" + n + ", d=" + d + ", seed=" + seed + ")", x, t, n, d);
    }

    /** Seed 2's data: one feature x = linspace(a, b, n) (endpoints included), no targets. */
    public static Dataset linspace(double a, double b, int n) {
        DescentException.require(n >= 1, "n must be ≥ 1 (got " + n + ")");
        float[] x = new float[n];
        double[] v = linspaceDouble(a, b, n);
        for (int i = 0; i < n; i++) x[i] = (float) v[i];
        return new Dataset("linspace(" + a + ", " + b + ", " + n + ")", x, null, n, 1);
    }

    /** numpy.linspace(a, b, n) in double: a + i·step, with the last point exactly b. */
    public static double[] linspaceDouble(double a, double b, int n) {
        double[] v = new double[n];
        if (n == 1) {
            v[0] = a;
            return v;
        }
        double step = (b - a) / (n - 1);
        for (int i = 0; i < n; i++) v[i] = a + i * step;
        v[n - 1] = b;
        return v;
    }

    /** Normally distributed weights N(0, scale²) drawn from {@code rng} (seed 1's init_params). */
    public static float[] gaussian(Random rng, int d, double scale) {
        float[] w = new float[d];
        for (int j = 0; j < d; j++) w[j] = (float) (scale * rng.nextGaussian());
        return w;
    }
}
