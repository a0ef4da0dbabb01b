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

    /** rcv1's shape (Lewis et al. 2004): 47,236 features, about 75 stored values per row. */
    public static final int RCV1_FEATURES = 47_236, RCV1_NNZ = 75;

    /**
     * Sparse rows shaped like a text collection (rcv1 by default), for benchmarks, since real ones
     * cannot be downloaded here. Feature popularity follows a power law: a row's features are drawn
     * with probability ∝ 1/(r + 1)^1.1 by a feature's rank r (ranks shuffled over the columns, so
     * popular features are not all at low indices); a row's count of features is log-normal
     * (σ = 0.75) with mean {@code meanNnz}, at least 1, at most d; values are positive
     * (|N(0, 1)| + 0.1, like tf-idf weights) and each row is scaled to unit length, as rcv1's
     * cosine-normalized rows. Labels 0/1 from a planted model: 1 when x·w* + noise·N(0, 1) is above
     * its median over the rows (so the classes are balanced), w* ~ N(0, 1) per feature. Deterministic for a seed; columns strictly increasing in each row.
     */
    public static SparseRows sparse(int n, int d, double meanNnz, double noise, long seed) {
        DescentException.require(n >= 1 && d >= 1, "sparse data need rows ≥ 1 and features ≥ 1");
        DescentException.require(meanNnz >= 1 && meanNnz <= d, "the mean of stored values per row must be in 1.." + d + " (got " + meanNnz + ")");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] cdf = new double[d];
        double sum = 0;
        for (int r = 0; r < d; r++) cdf[r] = sum += 1 / Math.pow(r + 1, 1.1);
        for (int r = 0; r < d; r++) cdf[r] /= sum;
        int[] column = new int[d];                            // rank → column: a fixed shuffle
        for (int j = 0; j < d; j++) column[j] = j;
        for (int j = d - 1; j > 0; j--) {
            int k = rng.nextInt(j + 1), tmp = column[j];
            column[j] = column[k];
            column[k] = tmp;
        }
        double[] w = new double[d];
        for (int j = 0; j < d; j++) w[j] = gaussian(rng);
        double sigma = 0.75, mu = Math.log(meanNnz) - sigma * sigma / 2;
        long[] off = new long[n + 1];
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) {
            counts[i] = (int) Math.max(1, Math.min(d, Math.round(Math.exp(mu + sigma * gaussian(rng)))));
            off[i + 1] = off[i] + counts[i];
        }
        float[] t = new float[n];
        SparseRows out = SparseRows.allocate(String.format(java.util.Locale.ROOT, "sparse n=%d d=%d nnz≈%s", n, d, meanNnz), off,
                SparseRows.cuts(off, n, SparseRows.MAX_SEGMENT), t, n, d);                   // one segment unless nnz passes one array
        int[] segRows = out.segmentRows();
        int[][] colSeg = out.colSegments();
        float[][] valSeg = out.valSegments();
        double[] score = new double[n];
        boolean[] taken = new boolean[d];
        for (int i = 0, g = 0; i < n; i++) {
            while (i >= segRows[g + 1]) g++;
            int[] cols = colSeg[g];
            float[] vals = valSeg[g];
            int from = (int) (off[i] - off[segRows[g]]), m = counts[i];
            for (int q = 0; q < m; ) {                           // m distinct features by popularity
                int r = java.util.Arrays.binarySearch(cdf, rng.nextDouble());
                int c = column[Math.min(d - 1, r < 0 ? -r - 1 : r)];
                if (taken[c]) {
                    if (m > d / 2) c = nextFree(taken, c);           // a row holding most columns: take the next free one
                    else continue;
                }
                taken[c] = true;
                cols[from + q++] = c;
            }
            java.util.Arrays.sort(cols, from, from + m);
            double norm = 0, margin = 0;
            for (int q = from; q < from + m; q++) {
                taken[cols[q]] = false;
                double v = Math.abs(gaussian(rng)) + 0.1;
                vals[q] = (float) v;
                norm += v * v;
            }
            double scale = 1 / Math.sqrt(norm);
            for (int q = from; q < from + m; q++) {
                vals[q] = (float) (vals[q] * scale);
                margin += vals[q] * w[cols[q]];
            }
            score[i] = margin + noise * gaussian(rng);
        }
        double[] order = score.clone();
        java.util.Arrays.sort(order);
        double median = order[n / 2];
        for (int i = 0; i < n; i++) t[i] = score[i] >= median ? 1f : 0f;
        return out;
    }

    private static int nextFree(boolean[] taken, int c) {
        while (taken[c]) c = (c + 1) % taken.length;
        return c;
    }

    /** A standard normal from a SplittableRandom (Box–Muller, one of the pair). */
    private static double gaussian(java.util.SplittableRandom rng) {
        double u = rng.nextDouble(), v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    /** Normally distributed weights N(0, scale²) drawn from {@code rng} (seed 1's init_params). */
    public static float[] gaussian(Random rng, int d, double scale) {
        float[] w = new float[d];
        for (int j = 0; j < d; j++) w[j] = (float) (scale * rng.nextGaussian());
        return w;
    }
}
