package dev.descent.model;

import dev.descent.DescentException;

import java.util.Locale;

/**
 * A generalized linear model's per-example loss ℓ(m, t) of the margin m = x·w + b, with its
 * derivative r = dℓ/dm. The gradient of the mean loss over a batch B is then
 * g_w = (1/|B|) Σ r_i x_i and g_b = (1/|B|) Σ r_i. The same formulas, in float, live once in
 * {@code kernels/common/objectives.h} under the same {@link #code()}.
 */
public enum Objective {
    /** ℓ = (m − t)²/2, r = m − t. Seed 1. */
    SQUARED(0, "squared", true, true, false) {
        @Override public double loss(double m, double t, double p) { double e = m - t; return 0.5 * e * e; }
        @Override public double dloss(double m, double t, double p) { return m - t; }
    },
    /** Labels t ∈ {0, 1}: ℓ = log(1 + e^m) − t·m (computed without overflow), r = σ(m) − t. */
    LOGISTIC(1, "logistic", true, true, true) {
        @Override public double loss(double m, double t, double p) {
            return Math.max(m, 0) + Math.log1p(Math.exp(-Math.abs(m))) - t * m;
        }
        @Override public double dloss(double m, double t, double p) {
            double e = Math.exp(-Math.abs(m));       // σ(m) without overflow for either sign of m
            double s = m >= 0 ? 1 / (1 + e) : e / (1 + e);
            return s - t;
        }
    },
    /** Seed 2's wave loss ℓ = (−m² + m³)e^(−m²); no target, no bias by default. */
    WAVE(2, "wave", false, false, false) {
        @Override public double loss(double m, double t, double p) { double m2 = m * m; return (-m2 + m2 * m) * Math.exp(-m2); }
        @Override public double dloss(double m, double t, double p) {
            double m2 = m * m;
            return (-2 * m + 3 * m2 + 2 * m2 * m - 2 * m2 * m2) * Math.exp(-m2);
        }
    },
    /** Linear SVM, as scikit-learn's {@code hinge}: labels 0/1 read as y = ±1, z = y·m, ℓ = max(0, 1 − z), r = −y where z ≤ 1. */
    HINGE(3, "hinge", true, true, true) {
        @Override public double loss(double m, double t, double p) { double z = (2 * t - 1) * m; return z <= 1 ? 1 - z : 0; }
        @Override public double dloss(double m, double t, double p) { double y = 2 * t - 1; return y * m <= 1 ? -y : 0; }
    },
    /** scikit-learn's {@code squared_hinge}: ℓ = max(0, 1 − z)², r = −2y(1 − z) where z &lt; 1. */
    SQUARED_HINGE(4, "squared-hinge", true, true, true) {
        @Override public double loss(double m, double t, double p) { double z = (2 * t - 1) * m; return z < 1 ? (1 - z) * (1 - z) : 0; }
        @Override public double dloss(double m, double t, double p) { double y = 2 * t - 1, z = y * m; return z < 1 ? -2 * y * (1 - z) : 0; }
    },
    /** scikit-learn's {@code modified_huber}: ℓ = (1 − z)² for −1 ≤ z &lt; 1, −4z below, 0 above. */
    MODIFIED_HUBER(5, "modified-huber", true, true, true) {
        @Override public double loss(double m, double t, double p) {
            double z = (2 * t - 1) * m;
            return z >= 1 ? 0 : z >= -1 ? (1 - z) * (1 - z) : -4 * z;
        }
        @Override public double dloss(double m, double t, double p) {
            double y = 2 * t - 1, z = y * m;
            return z >= 1 ? 0 : z >= -1 ? -2 * y * (1 - z) : -4 * y;
        }
    },
    /** Robust regression, scikit-learn's {@code huber}: e = m − t, ℓ = e²/2 for |e| ≤ ε, else ε|e| − ε²/2 (ε = 0.1 by default). */
    HUBER(6, "huber", true, true, false) {
        @Override public double loss(double m, double t, double p) { double e = m - t, a = Math.abs(e); return a <= p ? 0.5 * e * e : p * a - 0.5 * p * p; }
        @Override public double dloss(double m, double t, double p) { double e = m - t; return e > p ? p : e < -p ? -p : e; }
        @Override public double defaultParam() { return 0.1; }
    },
    /** scikit-learn's {@code epsilon_insensitive} (support vector regression): ℓ = max(0, |m − t| − ε) (ε = 0.1 by default). */
    EPSILON_INSENSITIVE(7, "epsilon-insensitive", true, true, false) {
        @Override public double loss(double m, double t, double p) { double a = Math.abs(m - t); return a > p ? a - p : 0; }
        @Override public double dloss(double m, double t, double p) { double e = m - t; return e > p ? 1 : e < -p ? -1 : 0; }
        @Override public double defaultParam() { return 0.1; }
    },
    /**
     * Multinomial logistic regression (softmax, cross-entropy) over k classes, labels 0..k−1: one
     * margin per class m_c = x·w_c + b_c, ℓ = log Σ_c e^(m_c) − m_t, r_c = softmax(m)_c − [c = t].
     * Its parameter is k ({@code softmax:k}; without it, the CLI takes the largest label + 1). The
     * scalar {@link #loss}/{@link #dloss} do not apply: see {@link #softmaxLoss} and {@link #softmaxResiduals}.
     */
    SOFTMAX(8, "softmax", true, true, false) {
        @Override public double loss(double m, double t, double p) { throw new IllegalStateException("softmax has one margin per class"); }
        @Override public double dloss(double m, double t, double p) { throw new IllegalStateException("softmax has one margin per class"); }
        @Override public boolean hasParam() { return true; }
        @Override public int heads(double p) { return (int) p; }
    };

    /** The most classes softmax takes ({@code DESCENT_MAX_HEADS} in objectives.h: a row's margins live in a private array). */
    public static final int MAX_CLASSES = 64;

    /** log Σ_c e^(m_c) − m_y of one row's k margins, in double, without overflow. */
    public static double softmaxLoss(double[] m, int k, int y) {
        double mx = m[0];
        for (int c = 1; c < k; c++) mx = Math.max(mx, m[c]);
        double s = 0;
        for (int c = 0; c < k; c++) s += Math.exp(m[c] - mx);
        return Math.log(s) - (m[y] - mx);
    }

    /** Replaces one row's k margins by the residuals softmax(m)_c − [c = y]; returns the row's loss. */
    public static double softmaxResiduals(double[] m, int k, int y) {
        double mx = m[0];
        for (int c = 1; c < k; c++) mx = Math.max(mx, m[c]);
        double zy = m[y] - mx, s = 0;
        for (int c = 0; c < k; c++) {
            m[c] = Math.exp(m[c] - mx);
            s += m[c];
        }
        for (int c = 0; c < k; c++) m[c] = m[c] / s - (c == y ? 1 : 0);
        return Math.log(s) - zy;
    }

    /** The softmax probabilities of one row's k margins (in place). */
    public static void softmax(double[] m, int k) {
        double mx = m[0];
        for (int c = 1; c < k; c++) mx = Math.max(mx, m[c]);
        double s = 0;
        for (int c = 0; c < k; c++) {
            m[c] = Math.exp(m[c] - mx);
            s += m[c];
        }
        for (int c = 0; c < k; c++) m[c] /= s;
    }

    private final int code;
    private final String cliName;
    private final boolean needsTargets;
    private final boolean biasByDefault;
    private final boolean binaryLabels;

    Objective(int code, String cliName, boolean needsTargets, boolean biasByDefault, boolean binaryLabels) {
        this.code = code;
        this.cliName = cliName;
        this.needsTargets = needsTargets;
        this.biasByDefault = biasByDefault;
        this.binaryLabels = binaryLabels;
    }

    /** ℓ(m, t) with the loss's parameter p (ε of Huber and epsilon-insensitive; unused by the others). */
    public abstract double loss(double m, double t, double p);

    /** dℓ/dm at (m, t) with parameter p. */
    public abstract double dloss(double m, double t, double p);

    /** ℓ(m, t) with the default parameter. */
    public double loss(double m, double t) { return loss(m, t, defaultParam()); }

    /** dℓ/dm at (m, t) with the default parameter. */
    public double dloss(double m, double t) { return dloss(m, t, defaultParam()); }

    /** The parameter's default (scikit-learn's ε = 0.1), or 0 for a loss without one. */
    public double defaultParam() { return 0; }

    /** Whether the loss takes a parameter ({@code huber:ε}, {@code softmax:k}). */
    public boolean hasParam() { return defaultParam() != 0; }

    /** The model's outputs (heads) with parameter p: the k classes of softmax, else 1. */
    public int heads(double p) { return 1; }

    /** Whether targets are class ids 0..k−1 of k ≥ 2 classes (softmax). */
    public boolean multiclass() { return this == SOFTMAX; }

    /** The number the kernels use for this objective ({@code DESCENT_OBJ_*} in objectives.h). */
    public int code() { return code; }
    public String cliName() { return cliName; }
    public boolean needsTargets() { return needsTargets; }
    public boolean biasByDefault() { return biasByDefault; }
    /** Whether targets are class labels 0/1 (a classifier: the prediction is a label). */
    public boolean binaryLabels() { return binaryLabels; }

    static final String NAMES = "squared, logistic, wave, hinge, squared-hinge, modified-huber, huber[:ε], epsilon-insensitive[:ε] or softmax[:k]";

    /** Parses an objective's name (without its parameter; see {@link #parseParam}). */
    public static Objective parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        int colon = k.indexOf(':');
        if (colon >= 0) k = k.substring(0, colon);
        for (Objective o : values()) if (o.cliName.equals(k) || o.name().toLowerCase(Locale.ROOT).equals(k)) return o;
        throw new DescentException.InvalidArgument("unknown objective '" + s + "': use " + NAMES);
    }

    /**
     * The parameter of {@code name[:p]}: p, or the objective's default (0 for {@code softmax}
     * without k: the caller takes k from the labels); one line naming what is wrong otherwise.
     */
    public static double parseParam(String s) {
        Objective o = parse(s);
        int colon = s.indexOf(':');
        if (colon < 0) return o.defaultParam();
        if (!o.hasParam()) throw new DescentException.InvalidArgument("objective '" + s + "': " + o.cliName + " takes no parameter");
        String v = s.substring(colon + 1).trim();
        if (o == SOFTMAX) {
            int k;
            try {
                k = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new DescentException.InvalidArgument("objective '" + s + "': the number of classes '" + v + "' is not a whole number");
            }
            checkClasses(k);
            return k;
        }
        double p;
        try {
            p = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new DescentException.InvalidArgument("objective '" + s + "': ε '" + v + "' is not a number");
        }
        DescentException.require(Double.isFinite(p) && p > 0, "objective '" + s + "': ε must be > 0 (got " + v + ")");
        return p;
    }

    /** Softmax's k: 2 ≤ k ≤ {@link #MAX_CLASSES}, or one line saying why not. */
    public static void checkClasses(double k) {
        DescentException.require(k == Math.rint(k) && k >= 2, "softmax needs at least 2 classes (got k = " + fmt(k) + ")");
        DescentException.require(k <= MAX_CLASSES, "softmax takes at most " + MAX_CLASSES + " classes (got k = " + fmt(k)
                + "): group rare classes, or use one-vs-rest logistic models");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
