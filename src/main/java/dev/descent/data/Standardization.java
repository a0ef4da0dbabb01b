package dev.descent.data;

import dev.descent.DescentException;

/**
 * Per-column scaling to mean 0 and standard deviation 1 (sample std, n − 1), fitted on training
 * data and kept with a trained model so that predictions scale new rows the same way. A column
 * with zero spread is only centred. The target is scaled too for regression ({@code scalesTarget}),
 * never for class labels.
 *
 * <p>Sparse data are scaled without centring (as scikit-learn's {@code StandardScaler(with_mean=False)}):
 * each column is divided by its standard deviation (absent values counted as 0) and its recorded
 * mean is 0, so a zero stays zero and the rows stay sparse. A model keeps the same record either
 * way, so prediction applies {@code (x − mean)/std} with the mean 0 that was used.
 *
 * @param mean       per feature column
 * @param std        per feature column (1 where the column is constant)
 * @param targetMean the target's mean (0 when the target is not scaled)
 * @param targetStd  the target's std (1 when the target is not scaled)
 */
public record Standardization(double[] mean, double[] std, boolean scalesTarget, double targetMean, double targetStd) {
    public Standardization {
        DescentException.require(mean.length == std.length, "standardization has " + mean.length + " means but "
                + std.length + " standard deviations");
        for (int j = 0; j < mean.length; j++) {
            DescentException.require(Double.isFinite(mean[j]) && Double.isFinite(std[j]) && std[j] > 0,
                    "standardization of column " + (j + 1) + " is not usable (mean " + mean[j] + ", std " + std[j] + ")");
        }
        DescentException.require(Double.isFinite(targetMean) && Double.isFinite(targetStd) && targetStd > 0,
                "standardization of the target is not usable (mean " + targetMean + ", std " + targetStd + ")");
        mean = mean.clone();
        std = std.clone();
    }

    @Override public double[] mean() { return mean.clone(); }
    @Override public double[] std() { return std.clone(); }
    public int d() { return mean.length; }

    /**
     * Fits on a dataset: every feature column, and the target when {@code scaleTarget} and the
     * data have one. Sparse data: every column's std, no centring (each recorded mean is 0).
     */
    public static Standardization fit(Dataset ds, boolean scaleTarget) {
        int n = ds.n(), d = ds.d();
        double[] mean = new double[d], std = new double[d];
        if (ds.isSparse()) {
            fitScalesOnly(ds.rowsSparse(), std);
        } else {
            float[] x = ds.features();
            for (int j = 0; j < d; j++) {
                double s = 0, s2 = 0;
                for (int i = 0; i < n; i++) s += x[i * d + j];
                mean[j] = s / n;
                for (int i = 0; i < n; i++) s2 += (x[i * d + j] - mean[j]) * (x[i * d + j] - mean[j]);
                std[j] = spread(s2, n);
            }
        }
        double tm = 0, ts = 1;
        boolean target = scaleTarget && ds.hasTargets();
        if (target) {
            double s = 0, s2 = 0;
            for (float v : ds.targets()) s += v;
            tm = s / n;
            for (float v : ds.targets()) s2 += (v - tm) * (v - tm);
            ts = spread(s2, n);
        }
        return new Standardization(mean, std, target, tm, ts);
    }

    /**
     * Sparse columns' sample std into {@code std} (written), in two passes over the stored values
     * (O(nnz + d)): each column's mean with absent values as 0, then the squared deviations of the
     * stored values plus (n − stored) · mean² for the absent ones.
     */
    private static void fitScalesOnly(SparseRows rows, double[] std) {
        int n = rows.n(), d = rows.d();
        int[][] cs = rows.colSegments();
        float[][] vs = rows.valSegments();
        double[] mean = new double[d], s2 = new double[d];
        int[] stored = new int[d];
        for (int k = 0; k < cs.length; k++) {
            int[] cols = cs[k];
            float[] vals = vs[k];
            for (int p = 0; p < vals.length; p++) {
                mean[cols[p]] += vals[p];
                stored[cols[p]]++;
            }
        }
        for (int j = 0; j < d; j++) mean[j] /= n;
        for (int k = 0; k < cs.length; k++) {
            int[] cols = cs[k];
            float[] vals = vs[k];
            for (int p = 0; p < vals.length; p++) {
                double dev = vals[p] - mean[cols[p]];
                s2[cols[p]] += dev * dev;
            }
        }
        for (int j = 0; j < d; j++) std[j] = spread(s2[j] + (double) (n - stored[j]) * mean[j] * mean[j], n);
    }

    /** Whether this scaling centres any column (a sparse dataset cannot be centred and stay sparse). */
    public boolean centres() {
        for (double m : mean) if (m != 0) return true;
        return false;
    }

    private static double spread(double sumSquares, int n) {
        double sd = n > 1 ? Math.sqrt(sumSquares / (n - 1)) : 0;
        return sd > 0 ? sd : 1;
    }

    /**
     * A scaled copy of the dataset (the original is untouched); sparse stays sparse, its stored
     * values scaled. Refused for sparse data when this scaling centres a column (see {@link #fit}).
     */
    public Dataset apply(Dataset ds) {
        int n = ds.n(), d = ds.d();
        DescentException.require(d == d(), "data " + ds.name() + " has " + d + " feature columns, the scaling was fitted on " + d());
        float[] t = ds.targets() == null ? null : ds.targets().clone();
        if (t != null && scalesTarget) {
            for (int i = 0; i < n; i++) t[i] = (float) ((t[i] - targetMean) * (1 / targetStd));
        }
        String name = ds.name() + " (standardized)";
        if (ds.isSparse()) {
            DescentException.require(!centres(), "data " + ds.name() + " are sparse, and this standardization centres its columns, "
                    + "which would fill in every absent value: fit it on sparse data (it then scales without centring)");
            SparseRows rows = ds.rowsSparse();
            float[][] vals = new float[rows.segments()][];
            for (int k = 0; k < vals.length; k++) {
                int[] cols = rows.colSegments()[k];
                float[] v = vals[k] = rows.valSegments()[k].clone();
                for (int p = 0; p < v.length; p++) v[p] = scale(v[p], cols[p]);
            }
            return Dataset.sparse(rows.withValues(name, vals, t)).withWeights(ds.weights());
        }
        float[] x = ds.features().clone();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) x[i * d + j] = scale(x[i * d + j], j);
        }
        return new Dataset(name, x, t, n, d).withWeights(ds.weights());
    }

    /** Feature j of a raw row, scaled as in training. */
    public float scale(float v, int j) {
        return (float) ((v - mean[j]) * (1 / std[j]));
    }

    /** A model output in scaled target units back in the data's units. */
    public double unscaleTarget(double v) {
        return scalesTarget ? v * targetStd + targetMean : v;
    }
}
