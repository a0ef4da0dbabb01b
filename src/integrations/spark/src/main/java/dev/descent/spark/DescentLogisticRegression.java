package dev.descent.spark;

import org.apache.spark.ml.classification.Classifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;

/**
 * A spark.ml {@code Estimator} (a {@link Classifier}, so it works in a {@code Pipeline} with a
 * {@code features} vector column and a 0/1 {@code label} column): binary logistic regression trained by
 * descent through {@link DistributedTrainer}, full-batch GD ({@code batchSize} 0, the default) or
 * mini-batch SGD, from zero. Params: {@code backend} (auto, cpu, opencl, cuda, ref), {@code maxIter}
 * (steps), {@code stepSize} (learning rate), {@code batchSize}, {@code seed}.
 */
public class DescentLogisticRegression extends Classifier<Vector, DescentLogisticRegression, DescentLogisticRegressionModel> {
    private final String uid;

    private final Fits.Knobs k;

    public DescentLogisticRegression() {
        this(Identifiable.randomUID("descentLogReg"));
    }

    public DescentLogisticRegression(String uid) {
        this(Uids.stash(uid), null);
    }

    private DescentLogisticRegression(String uid, Void constructing) {
        this.uid = uid;
        Uids.clear();
        k = Fits.Knobs.of(this);
        setDefault(k.backend(), "auto");
        setDefault(k.maxIter(), 100);
        setDefault(k.stepSize(), 1.0);
        setDefault(k.batchSize(), 0);
        setDefault(k.seed(), 42L);
        setDefault(k.weightCol(), "");
    }

    @Override public String uid() { return uid != null ? uid : Uids.pending(); }

    public Param<String> backend() { return k.backend(); }
    public IntParam maxIter() { return k.maxIter(); }
    public DoubleParam stepSize() { return k.stepSize(); }
    public IntParam batchSize() { return k.batchSize(); }
    public LongParam seed() { return k.seed(); }
    public Param<String> weightCol() { return k.weightCol(); }

    public DescentLogisticRegression setBackend(String v) { return (DescentLogisticRegression) set(k.backend(), v); }
    public DescentLogisticRegression setMaxIter(int v) { return (DescentLogisticRegression) set(k.maxIter(), v); }
    public DescentLogisticRegression setStepSize(double v) { return (DescentLogisticRegression) set(k.stepSize(), v); }
    public DescentLogisticRegression setBatchSize(int v) { return (DescentLogisticRegression) set(k.batchSize(), v); }
    public DescentLogisticRegression setSeed(long v) { return (DescentLogisticRegression) set(k.seed(), v); }
    public DescentLogisticRegression setWeightCol(String v) { return (DescentLogisticRegression) set(k.weightCol(), v); }

    @Override
    public DescentLogisticRegressionModel train(Dataset<?> dataset) {
        Fits.Fit f = Fits.fit(dataset, getLabelCol(), getFeaturesCol(), $(k.weightCol()), "logistic", true, $(k.backend()), (Integer) $(k.maxIter()),
                (Double) $(k.stepSize()), (Integer) $(k.batchSize()), (Long) $(k.seed()));
        return new DescentLogisticRegressionModel(uid, f.w(), f.loss(), f.device());
    }

    @Override
    public DescentLogisticRegression copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
