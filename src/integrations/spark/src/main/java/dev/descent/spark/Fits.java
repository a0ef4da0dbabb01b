package dev.descent.spark;

import dev.descent.DescentException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;

import static org.apache.spark.sql.functions.col;

/** What the spark.ml estimators share: a DataFrame's label and features columns into rows, and one fit by {@link DistributedTrainer}. */
final class Fits {
    private Fits() {}

    /**
     * The estimators' params, made for {@code parent} once its uid is set (a Param belongs to its parent's uid when made);
     * Spark finds a stage's params through its public no-argument methods that return them, so each stage has those.
     */
    record Knobs(Param<String> backend, IntParam maxIter, DoubleParam stepSize, IntParam batchSize, LongParam seed, Param<String> weightCol) {
        static Knobs of(Identifiable parent) {
            return new Knobs(new Param<>(parent, "backend", "the descent backend: auto, cpu, opencl, cuda or ref"),
                    new IntParam(parent, "maxIter", "steps of gradient descent (≥ 1)"),
                    new DoubleParam(parent, "stepSize", "the learning rate (> 0)"),
                    new IntParam(parent, "batchSize", "rows per step; 0: every row (full-batch GD)"),
                    new LongParam(parent, "seed", "the seed of the mini-batch orders"),
                    new Param<>(parent, "weightCol", "a column of example weights (finite, ≥ 0); empty: every row weighs 1"));
        }
    }

    /** The weights then the bias, the objective's mean over the training rows at them, and the backend and device that trained them. */
    record Fit(float[] w, double loss, String device) {}

    /**
     * Trains from zero with {@code objective}: full-batch GD ({@code batch} 0) or mini-batch SGD, {@code steps} steps at
     * rate {@code lr}. {@code zeroOne}: every label must be 0 or 1 (one line naming the label otherwise). Each row's example
     * weight comes from {@code weightCol} (empty: none): a row of weight v counts v times in the loss (1/n)·Σ v·ℓ and in every
     * gradient, as descent's {@code Dataset.withWeights}.
     */
    static Fit fit(Dataset<?> dataset, String labelCol, String featuresCol, String weightCol, String objective, boolean zeroOne, String backend,
                   int steps, double lr, int batch, long seed) {
        boolean weighted = weightCol != null && !weightCol.isEmpty();
        DescentException.require(steps >= 1, "maxIter must be ≥ 1 (got " + steps + ")");
        DescentException.require(batch >= 0, "batchSize must be ≥ 0 (0: full batch; got " + batch + ")");
        // sparse feature vectors (Spark's LIBSVM reader, hashing, text) stay sparse: the first row decides for all
        Vector first = (Vector) dataset.select(col(featuresCol)).first().get(0);
        boolean sparse = first instanceof SparseVector;
        int d = first.size();
        var columns = weighted ? dataset.select(col(labelCol), col(featuresCol), col(weightCol).cast("double"))
                : dataset.select(col(labelCol), col(featuresCol));
        JavaRDD<Row> rows = columns.javaRDD().map(r -> {
            double y = r.getDouble(0);
            if (zeroOne && y != 0 && y != 1) throw new DescentException(objective + " regression takes labels 0 and 1, got " + y + ": map the labels first");
            Vector v = (Vector) r.get(1);
            if (v.size() != d) throw new DescentException("a features vector has " + v.size() + " entries, the first " + d + ": every row needs the same width");
            SparseVector sv = sparse ? v.toSparse() : null;
            double[] a = sparse ? sv.values() : v.toArray();
            float[] x = new float[a.length];
            for (int j = 0; j < a.length; j++) x[j] = (float) a[j];
            Row row = sparse ? Row.sparse(sv.indices(), x, (float) y) : new Row(x, (float) y);
            if (!weighted) return row;
            if (r.isNullAt(2)) throw new DescentException("a row's weight (column " + weightCol + ") is null: give every row a weight");
            double w = r.getDouble(2);
            if (!Double.isFinite(w) || w < 0) throw new DescentException("a row's weight (column " + weightCol + ") is " + w + ": weights must be finite and at least 0");
            return row.weighted((float) w);
        }).cache();
        try {
            try (DistributedTrainer t = new DistributedTrainer(rows, d, new Settings(backend, objective, true, "sgd"))) {
                float[] w = batch == 0 ? t.gd(new float[d + 1], steps, lr) : t.sgd(new float[d + 1], steps, batch, lr, seed);
                return new Fit(w, t.loss(w), t.device());
            }
        } finally {
            rows.unpersist(false);
        }
    }

    /** w·x + b, in double (w's last entry is the bias). */
    static double margin(float[] w, Vector features) {
        double m = w[w.length - 1];
        for (int j = 0; j < w.length - 1; j++) m += w[j] * features.apply(j);
        return m;
    }
}
