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
    SQUARED(0, "squared", true, true) {
        @Override public double loss(double m, double t) { double e = m - t; return 0.5 * e * e; }
        @Override public double dloss(double m, double t) { return m - t; }
    },
    /** Labels t ∈ {0, 1}: ℓ = log(1 + e^m) − t·m (computed without overflow), r = σ(m) − t. */
    LOGISTIC(1, "logistic", true, true) {
        @Override public double loss(double m, double t) {
            return Math.max(m, 0) + Math.log1p(Math.exp(-Math.abs(m))) - t * m;
        }
        @Override public double dloss(double m, double t) {
            double e = Math.exp(-Math.abs(m));       // σ(m) without overflow for either sign of m
            double s = m >= 0 ? 1 / (1 + e) : e / (1 + e);
            return s - t;
        }
    },
    /** Seed 2's wave loss ℓ = (−m² + m³)e^(−m²); no target, no bias by default. */
    WAVE(2, "wave", false, false) {
        @Override public double loss(double m, double t) { double m2 = m * m; return (-m2 + m2 * m) * Math.exp(-m2); }
        @Override public double dloss(double m, double t) {
            double m2 = m * m;
            return (-2 * m + 3 * m2 + 2 * m2 * m - 2 * m2 * m2) * Math.exp(-m2);
        }
    };

    private final int code;
    private final String cliName;
    private final boolean needsTargets;
    private final boolean biasByDefault;

    Objective(int code, String cliName, boolean needsTargets, boolean biasByDefault) {
        this.code = code;
        this.cliName = cliName;
        this.needsTargets = needsTargets;
        this.biasByDefault = biasByDefault;
    }

    /** ℓ(m, t). */
    public abstract double loss(double m, double t);

    /** dℓ/dm at (m, t). */
    public abstract double dloss(double m, double t);

    /** The number the kernels use for this objective ({@code DESCENT_OBJ_*} in objectives.h). */
    public int code() { return code; }
    public String cliName() { return cliName; }
    public boolean needsTargets() { return needsTargets; }
    public boolean biasByDefault() { return biasByDefault; }

    public static Objective parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (Objective o : values()) if (o.cliName.equals(k)) return o;
        throw new DescentException.InvalidArgument("unknown objective '" + s + "': use squared, logistic or wave");
    }
}
