package dev.descent.spark;

import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;

/**
 * A spark.ml {@code Estimator} (a {@link Regressor}, so it works in a {@code Pipeline} with a {@code features}
 * vector column and a real {@code label} column): least-squares linear regression (descent's squared loss,
 * (m − t)²/2) trained by descent through {@link DistributedTrainer}, full-batch GD ({@code batchSize} 0, the
 * default) or mini-batch SGD, from zero. Params as {@link DescentLogisticRegression}'s.
 */
public class DescentLinearRegression extends Regressor<Vector, DescentLinearRegression, DescentLinearRegressionModel> {
    private final String uid;

    private final Fits.Knobs k;

    public DescentLinearRegression() {
        this(Identifiable.randomUID("descentLinReg"));
    }

    public DescentLinearRegression(String uid) {
        this(Uids.stash(uid), null);
    }

    private DescentLinearRegression(String uid, Void constructing) {
        this.uid = uid;
        Uids.clear();
        k = Fits.Knobs.of(this);
        setDefault(k.backend(), "auto");
        setDefault(k.maxIter(), 100);
        setDefault(k.stepSize(), 0.1);
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

    public DescentLinearRegression setBackend(String v) { return (DescentLinearRegression) set(k.backend(), v); }
    public DescentLinearRegression setMaxIter(int v) { return (DescentLinearRegression) set(k.maxIter(), v); }
    public DescentLinearRegression setStepSize(double v) { return (DescentLinearRegression) set(k.stepSize(), v); }
    public DescentLinearRegression setBatchSize(int v) { return (DescentLinearRegression) set(k.batchSize(), v); }
    public DescentLinearRegression setSeed(long v) { return (DescentLinearRegression) set(k.seed(), v); }
    public DescentLinearRegression setWeightCol(String v) { return (DescentLinearRegression) set(k.weightCol(), v); }

    @Override
    public DescentLinearRegressionModel train(Dataset<?> dataset) {
        Fits.Fit f = Fits.fit(dataset, getLabelCol(), getFeaturesCol(), $(k.weightCol()), "squared", false, $(k.backend()), (Integer) $(k.maxIter()),
                (Double) $(k.stepSize()), (Integer) $(k.batchSize()), (Long) $(k.seed()));
        return new DescentLinearRegressionModel(uid, f.w(), f.loss(), f.device());
    }

    @Override
    public DescentLinearRegression copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
