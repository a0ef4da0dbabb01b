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
        dev.descent.util.Memory.requireDense("synthetic data of " + n + " rows × " + d + " features", n, d);
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
        dev.descent.util.Memory.requireHeap("the wave data of " + n + " points", 12L * n);
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

    /** The true weights of the synthetic data: seed 1's [2, −3.4] for d = 2, else N(0, 1) from the seed. */
    public static float[] trueWeights(int d, long seed) {
        return d == 2 ? new float[] {2f, -3.4f} : gaussian(new Random(seed ^ 0x5DEECE66DL), d, 1.0);
    }

    /**
     * descent's synthetic regression data ({@code train --data synthetic}, {@code descent data}, the
     * benchmarks): {@link #linear} with {@link #trueWeights} and seed 1's bias 4.2.
     */
    public static Dataset regression(int n, int d, double noise, long seed) {
        return linear(n, trueWeights(d, seed), 4.2f, noise, seed);
    }

    /** The logistic version: label 1 where the regression target lies above the bias 4.2, else 0. */
    public static Dataset classification(int n, int d, double noise, long seed) {
        Dataset lin = regression(n, d, noise, seed);
        float[] t = lin.targets().clone();
        for (int i = 0; i < t.length; i++) t[i] = t[i] > 4.2f ? 1f : 0f;
        return new Dataset("logistic " + lin.name(), lin.features(), t, lin.n(), lin.d());
    }

    /**
     * k classes from a planted linear model: x ~ N(0, 1)^d, class = argmax_c (x·w_c + b_c + noise·ε_c)
     * with w_c ~ N(0, 1)^d, b_c ~ N(0, 0.25) and ε_c ~ N(0, 1): the data softmax regression fits.
     */
    public static Dataset multiclass(int n, int d, int k, double noise, long seed) {
        Random rng = new Random(seed);
        float[] w = gaussian(rng, k * d, 1.0), b = gaussian(rng, k, 0.5);
        float[] x = new float[n * d], t = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) x[i * d + j] = (float) rng.nextGaussian();
            int best = 0;
            double top = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double m = b[c] + noise * rng.nextGaussian();
                for (int j = 0; j < d; j++) m += (double) x[i * d + j] * w[c * d + j];
                if (m > top) {
                    top = m;
                    best = c;
                }
            }
            t[i] = best;
        }
        return new Dataset(String.format(java.util.Locale.ROOT, "softmax synthetic n=%d d=%d k=%d", n, d, k), x, t, n, d);
    }

    /** Normally distributed weights N(0, scale²) drawn from {@code rng} (seed 1's init_params). */
    public static float[] gaussian(Random rng, int d, double scale) {
        float[] w = new float[d];
        for (int j = 0; j < d; j++) w[j] = (float) (scale * rng.nextGaussian());
        return w;
    }
}
