package dev.descent.spark;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;

/** The model {@link DescentLinearRegression} fits: weights and bias (float32, as descent trained them); the prediction is w·x + b. */
public class DescentLinearRegressionModel extends RegressionModel<Vector, DescentLinearRegressionModel> {
    private final String uid;
    private final float[] w;
    private final double trainingLoss;
    private final String device;

    DescentLinearRegressionModel(String uid, float[] w, double trainingLoss, String device) {
        this(Uids.stash(uid), w, trainingLoss, device, null);
    }

    private DescentLinearRegressionModel(String uid, float[] w, double trainingLoss, String device, Void constructing) {
        this.uid = uid;
        Uids.clear();
        this.w = w.clone();
        this.trainingLoss = trainingLoss;
        this.device = device;
    }

    @Override public String uid() { return uid != null ? uid : Uids.pending(); }
    @Override public int numFeatures() { return w.length - 1; }

    /** The weights, then the bias. */
    public float[] coefficientsAndIntercept() { return w.clone(); }

    /** descent's squared loss over the training rows at these weights: the mean of (w·x + b − label)²/2. */
    public double trainingLoss() { return trainingLoss; }

    /** The descent backend and device that trained it. */
    public String device() { return device; }

    /** w·x + b, in double. */
    @Override
    public double predict(Vector features) {
        return Fits.margin(w, features);
    }

    @Override
    public DescentLinearRegressionModel copy(ParamMap extra) {
        return copyValues(new DescentLinearRegressionModel(uid, w, trainingLoss, device), extra).setParent(parent());
    }
}
