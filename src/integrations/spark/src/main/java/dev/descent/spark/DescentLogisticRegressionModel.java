package dev.descent.spark;

import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;

/**
 * The model {@link DescentLogisticRegression} fits: weights and bias (float32, as descent trained them).
 * The raw prediction is (−m, m) for the margin m = w·x + b, so the predicted label is 1 where m > 0.
 */
public class DescentLogisticRegressionModel extends ClassificationModel<Vector, DescentLogisticRegressionModel> {
    private final String uid;
    private final float[] w;
    private final double trainingLoss;
    private final String device;

    DescentLogisticRegressionModel(String uid, float[] w, double trainingLoss, String device) {
        this(Uids.stash(uid), w, trainingLoss, device, null);
    }

    private DescentLogisticRegressionModel(String uid, float[] w, double trainingLoss, String device, Void constructing) {
        this.uid = uid;
        Uids.clear();
        this.w = w.clone();
        this.trainingLoss = trainingLoss;
        this.device = device;
    }

    @Override public String uid() { return uid != null ? uid : Uids.pending(); }
    @Override public int numClasses() { return 2; }
    @Override public int numFeatures() { return w.length - 1; }

    /** The weights, then the bias. */
    public float[] coefficientsAndIntercept() { return w.clone(); }

    /** The mean log loss over the training rows at these weights. */
    public double trainingLoss() { return trainingLoss; }

    /** The descent backend and device that trained it. */
    public String device() { return device; }

    /** w·x + b, in double. */
    public double margin(Vector features) {
        return Fits.margin(w, features);
    }

    @Override
    public Vector predictRaw(Vector features) {
        double m = margin(features);
        return Vectors.dense(-m, m);
    }

    @Override
    public DescentLogisticRegressionModel copy(ParamMap extra) {
        return copyValues(new DescentLogisticRegressionModel(uid, w, trainingLoss, device), extra).setParent(parent());
    }
}
