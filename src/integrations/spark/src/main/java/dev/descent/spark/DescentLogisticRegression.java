package dev.descent.spark;

import dev.descent.DescentException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.classification.Classifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;

import static org.apache.spark.sql.functions.col;

/**
 * A spark.ml {@code Estimator} (a {@link Classifier}, so it works in a {@code Pipeline} with a
 * {@code features} vector column and a 0/1 {@code label} column): binary logistic regression trained by
 * descent through {@link DistributedTrainer}, full-batch GD ({@code batchSize} 0, the default) or
 * mini-batch SGD, from zero. Params: {@code backend} (auto, cpu, opencl, cuda, ref), {@code maxIter}
 * (steps), {@code stepSize} (learning rate), {@code batchSize}, {@code seed}.
 */
public class DescentLogisticRegression extends Classifier<Vector, DescentLogisticRegression, DescentLogisticRegressionModel> {
    private final String uid;

    // a Param belongs to its parent's uid when made, so they are made once the uid is set; Spark finds a stage's
    // params through public no-argument methods that return them (below), not through fields
    private final Param<String> backend;
    private final IntParam maxIter;
    private final DoubleParam stepSize;
    private final IntParam batchSize;
    private final LongParam seed;

    public DescentLogisticRegression() {
        this(Identifiable.randomUID("descentLogReg"));
    }

    public DescentLogisticRegression(String uid) {
        this(Uids.stash(uid), null);
    }

    private DescentLogisticRegression(String uid, Void constructing) {
        this.uid = uid;
        Uids.clear();
        backend = new Param<>(this, "backend", "the descent backend: auto, cpu, opencl, cuda or ref");
        maxIter = new IntParam(this, "maxIter", "steps of gradient descent (≥ 1)");
        stepSize = new DoubleParam(this, "stepSize", "the learning rate (> 0)");
        batchSize = new IntParam(this, "batchSize", "rows per step; 0: every row (full-batch GD)");
        seed = new LongParam(this, "seed", "the seed of the mini-batch orders");
        setDefault(backend, "auto");
        setDefault(maxIter, 100);
        setDefault(stepSize, 1.0);
        setDefault(batchSize, 0);
        setDefault(seed, 42L);
    }

    @Override public String uid() { return uid != null ? uid : Uids.pending(); }

    public Param<String> backend() { return backend; }
    public IntParam maxIter() { return maxIter; }
    public DoubleParam stepSize() { return stepSize; }
    public IntParam batchSize() { return batchSize; }
    public LongParam seed() { return seed; }

    public DescentLogisticRegression setBackend(String v) { return (DescentLogisticRegression) set(backend, v); }
    public DescentLogisticRegression setMaxIter(int v) { return (DescentLogisticRegression) set(maxIter, v); }
    public DescentLogisticRegression setStepSize(double v) { return (DescentLogisticRegression) set(stepSize, v); }
    public DescentLogisticRegression setBatchSize(int v) { return (DescentLogisticRegression) set(batchSize, v); }
    public DescentLogisticRegression setSeed(long v) { return (DescentLogisticRegression) set(seed, v); }

    @Override
    public DescentLogisticRegressionModel train(Dataset<?> dataset) {
        int steps = (Integer) $(maxIter), batch = (Integer) $(batchSize);
        double lr = (Double) $(stepSize);
        DescentException.require(steps >= 1, "maxIter must be ≥ 1 (got " + steps + ")");
        DescentException.require(batch >= 0, "batchSize must be ≥ 0 (0: full batch; got " + batch + ")");
        JavaRDD<Row> rows = dataset.select(col(getLabelCol()), col(getFeaturesCol())).javaRDD().map(r -> {
            double y = r.getDouble(0);
            if (y != 0 && y != 1) throw new DescentException("logistic regression takes labels 0 and 1, got " + y + ": map the labels first");
            double[] a = ((Vector) r.get(1)).toArray();
            float[] x = new float[a.length];
            for (int j = 0; j < a.length; j++) x[j] = (float) a[j];
            return new Row(x, (float) y);
        }).cache();
        try {
            int d = rows.first().x().length;
            try (DistributedTrainer t = new DistributedTrainer(rows, d, new Settings($(backend), "logistic", true, "sgd"))) {
                float[] w = batch == 0 ? t.gd(new float[d + 1], steps, lr) : t.sgd(new float[d + 1], steps, batch, lr, (Long) $(seed));
                return new DescentLogisticRegressionModel(uid, w, t.loss(w), t.device());
            }
        } finally {
            rows.unpersist(false);
        }
    }

    @Override
    public DescentLogisticRegression copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
