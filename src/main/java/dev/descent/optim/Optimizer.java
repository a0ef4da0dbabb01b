package dev.descent.optim;

import dev.descent.DescentException;

import java.util.Locale;

/**
 * An update rule with its hyper-parameters. The adaptive rules follow PyTorch's {@code torch.optim}
 * (same defaults, bias correction and placement of ε). One step on a parameter w with gradient g,
 * learning rate η, state slots s₀, s₁, s₂ and update number t ≥ 1 since the state was reset (the
 * kernels do the same, in the same order: {@code descent_step} in kernels/common/rules.h):
 * <pre>
 *   g ← g + λ·w            L2 weight decay (weights only, not the bias)
 *   decoupled decay (weights only): SGD, momentum, Nesterov: w ← w − η·λ·w from the pre-step w;
 *                          adaptive rules: w ← w·(1 − η·λ) first (AdamW)
 *   SGD:       w ← w − η·g
 *   momentum:  s₀ ← μ·s₀ + g;   w ← w − η·s₀
 *   Nesterov:  s₀ ← μ·s₀ + g;   w ← w − η·(g + μ·s₀)
 *   Adam:      s₀ ← s₀ + (1 − β₁)(g − s₀);  s₁ ← β₂·s₁ + (1 − β₂)·g²
 *              w ← w − η/(1 − β₁ᵗ) · s₀ / (√s₁ / √(1 − β₂ᵗ) + ε)
 *   AdaGrad:   s₀ ← s₀ + g²;  w ← w − η·g / (√s₀ + ε)
 *   RMSprop:   s₀ ← α·s₀ + (1 − α)·g²;  centered: s₂ ← s₂ + (1 − α)(g − s₂), a = √(s₀ − s₂²) + ε,
 *              else a = √s₀ + ε;  μ > 0: s₁ ← μ·s₁ + g/a, w ← w − η·s₁;  else w ← w − η·g/a
 * </pre>
 *
 * @param rule        the update rule
 * @param momentum    μ (momentum, Nesterov, RMSprop's momentum), β₁ for Adam
 * @param beta2       β₂ for Adam, α for RMSprop; 0 for the others
 * @param eps         ε for Adam, AdaGrad and RMSprop; 0 for the others
 * @param weightDecay λ
 * @param l1          λ₁: after each step, w ← sign(w)·max(0, |w| − η·λ₁) (weights only; the proximal
 *                    step of an L1 penalty; with λ, the elastic net)
 * @param decoupled   decoupled decay (AdamW) rather than L2
 * @param average     Polyak–Ruppert averaging (scikit-learn's {@code average=True}): the session
 *                    reports the mean of the iterates since the state was reset, kept in one more
 *                    state slot, while the steps follow the iterate
 */
public record Optimizer(Rule rule, double momentum, double beta2, double eps, double weightDecay, double l1, boolean decoupled,
                        boolean average) {

    /** The update rules; {@link #code()} is the kernels' number for each, {@link #slots()} its state per parameter. */
    public enum Rule {
        SGD(0, 0), MOMENTUM(1, 1), NESTEROV(2, 1), ADAM(3, 2), ADAGRAD(4, 1), RMSPROP(5, 3), RMSPROP_CENTERED(6, 3);
        private final int code, slots;
        Rule(int code, int slots) { this.code = code; this.slots = slots; }
        public int code() { return code; }
        /** Floats of optimizer state per parameter ({@code descent_slots} in rules.h). */
        public int slots() { return slots; }
        boolean adaptive() { return code >= 3; }
    }

    /**
     * The update number saturates here on every backend ({@code DESCENT_T_CAP}): β^t is long 0 and
     * 1/t below float's resolution of the average, so backends agree past it.
     */
    public static final long T_CAP = 1L << 30;

    /** Most state slots an optimizer keeps per parameter ({@code DESCENT_MAX_SLOTS}): RMSprop's three and an average. */
    public static final int MAX_SLOTS = 4;

    public Optimizer {
        DescentException.require(rule != null, "optimizer rule is missing");
        String name = rule.name().toLowerCase(Locale.ROOT).replace('_', '-');
        // in [0, 1) also once rounded to float, as the float backends use it (0.99999999 is 1.0f)
        if (rule == Rule.ADAM) {
            DescentException.require(unit(momentum), "adam's β1 must be in [0, 1) (got " + momentum + ")");
            DescentException.require(unit(beta2), "adam's β2 must be in [0, 1) (got " + beta2 + ")");
        } else if (rule == Rule.RMSPROP || rule == Rule.RMSPROP_CENTERED) {
            DescentException.require(unit(beta2), name + "'s α must be in [0, 1) (got " + beta2 + ")");
            DescentException.require(unit(momentum), name + "'s momentum must be in [0, 1) (got " + momentum + ")");
        } else {
            DescentException.require(unit(momentum), "momentum must be in [0, 1) (got " + momentum + ")");
            DescentException.require(rule == Rule.MOMENTUM || rule == Rule.NESTEROV || momentum == 0, name + " takes no momentum: use momentum:" + momentum);
            DescentException.require(rule == Rule.SGD || rule == Rule.ADAGRAD || momentum > 0, name + " needs a momentum in (0, 1), e.g. " + name + ":0.9");
            DescentException.require(beta2 == 0, name + " takes no β2");
        }
        if (rule.adaptive()) {
            DescentException.require(Double.isFinite(eps) && eps >= Float.MIN_NORMAL, name + "'s ε must be > 0 and at least " + Float.MIN_NORMAL
                    + " (float's smallest normal number) (got " + eps + ")");
        } else {
            DescentException.require(eps == 0, name + " takes no ε");
        }
        DescentException.require(Double.isFinite(weightDecay) && weightDecay >= 0, "weight decay must be finite and ≥ 0 (got " + weightDecay + ")");
        DescentException.require(Double.isFinite(l1) && l1 >= 0, "the L1 strength must be finite and ≥ 0 (got " + l1 + ")");
    }

    /** The same rule and decay with an L1 penalty λ₁ applied by a proximal step after each update. */
    public Optimizer withL1(double lambda1) {
        return new Optimizer(rule, momentum, beta2, eps, weightDecay, lambda1, decoupled, average);
    }

    private static boolean unit(double x) {
        return Double.isFinite(x) && x >= 0 && x < 1 && (float) x < 1f;
    }

    public static final Optimizer SGD = new Optimizer(Rule.SGD, 0, 0, 0, 0, 0, false, false);

    public static Optimizer momentum(double mu) { return new Optimizer(Rule.MOMENTUM, mu, 0, 0, 0, 0, false, false); }
    public static Optimizer nesterov(double mu) { return new Optimizer(Rule.NESTEROV, mu, 0, 0, 0, 0, false, false); }
    /** Adam with PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8. */
    public static Optimizer adam() { return adam(0.9, 0.999, 1e-8); }
    public static Optimizer adam(double beta1, double beta2, double eps) { return new Optimizer(Rule.ADAM, beta1, beta2, eps, 0, 0, false, false); }
    /** AdamW as PyTorch's: Adam with decoupled weight decay, λ = 0.01 by default. */
    public static Optimizer adamw() { return adam().withWeightDecay(0.01, true); }
    /** AdaGrad as PyTorch's (no learning-rate decay, initial accumulator 0): ε = 1e-10 by default. */
    public static Optimizer adagrad(double eps) { return new Optimizer(Rule.ADAGRAD, 0, 0, eps, 0, 0, false, false); }
    /** RMSprop as PyTorch's: α = 0.99, ε = 1e-8, momentum 0 by default. */
    public static Optimizer rmsprop(double alpha, double mu, double eps, boolean centered) {
        return new Optimizer(centered ? Rule.RMSPROP_CENTERED : Rule.RMSPROP, mu, alpha, eps, 0, 0, false, false);
    }

    public Optimizer withWeightDecay(double lambda, boolean decoupledDecay) {
        return new Optimizer(rule, momentum, beta2, eps, lambda, l1, decoupledDecay, average);
    }

    /** Floats of state per parameter: the rule's, and one for the average when averaging. */
    public int slots() { return rule.slots() + (average ? 1 : 0); }

    /** The state slot holding the mean of the iterates when averaging: the last, after the rule's own. */
    public int averageSlot() { return rule.slots(); }

    /** The same optimizer reporting the mean of its iterates (averaged SGD when the rule is SGD). */
    public Optimizer withAverage(boolean on) {
        return new Optimizer(rule, momentum, beta2, eps, weightDecay, l1, decoupled, on);
    }

    /**
     * The reference step for parameter {@code c}, in double. {@code s} holds the state slot-major:
     * slot k of parameter c at {@code k·np + c}, read and written as the rule needs. {@code t} ≥ 1 is
     * this update's number since the state was reset. {@code decays} is false for the bias.
     */
    public double step(double w, double g, double[] s, int np, int c, long t, double lr, boolean decays) {
        t = Math.min(t, T_CAP);
        double nw = ruleStep(w, g, s, np, c, t, lr, decays);
        if (decays && l1 != 0) {
            double a = Math.abs(nw) - lr * l1;
            nw = a > 0 ? Math.copySign(a, nw) : 0;
        }
        if (average) {
            int k = averageSlot() * np + c;
            s[k] = t == 1 ? nw : s[k] + (nw - s[k]) / t;
        }
        return nw;
    }

    private double ruleStep(double w, double g, double[] s, int np, int c, long t, double lr, boolean decays) {
        double lambda = decays ? weightDecay : 0;
        if (!decoupled) g += lambda * w;
        if (!rule.adaptive()) {
            double dir = g;
            if (rule != Rule.SGD) {
                double vk = momentum * s[c] + g;
                s[c] = vk;
                dir = rule == Rule.MOMENTUM ? vk : g + momentum * vk;
            }
            if (decoupled) dir += lambda * w;
            return w - lr * dir;
        }
        if (decoupled) w = w * (1 - lr * lambda);
        switch (rule) {
            case ADAM -> {
                double m = s[c] + (1 - momentum) * (g - s[c]);
                double v = beta2 * s[np + c] + (1 - beta2) * g * g;
                s[c] = m;
                s[np + c] = v;
                double bc1 = 1 - Math.pow(momentum, t), bc2 = 1 - Math.pow(beta2, t);
                return w - (lr / bc1) * (m / (Math.sqrt(v) / Math.sqrt(bc2) + eps));
            }
            case ADAGRAD -> {
                double a = s[c] + g * g;
                s[c] = a;
                return w - lr * (g / (Math.sqrt(a) + eps));
            }
            default -> {
                double sq = beta2 * s[c] + (1 - beta2) * g * g;
                s[c] = sq;
                double a;
                if (rule == Rule.RMSPROP_CENTERED) {
                    double ga = s[2 * np + c] + (1 - beta2) * (g - s[2 * np + c]);
                    s[2 * np + c] = ga;
                    a = Math.sqrt(sq - ga * ga) + eps;
                } else {
                    a = Math.sqrt(sq) + eps;
                }
                if (momentum > 0) {
                    double b = momentum * s[np + c] + g / a;
                    s[np + c] = b;
                    return w - lr * b;
                }
                return w - lr * (g / a);
            }
        }
    }

    /** The same step in float, operation for operation as rules.h (the Java CPU backend's). */
    public float stepFloat(float w, float g, float[] s, int np, int c, long t, float lr, boolean decays) {
        t = Math.min(t, T_CAP);
        float nw = ruleStepFloat(w, g, s, np, c, t, lr, decays);
        float l = decays ? (float) l1 : 0f;
        if (l > 0f) {
            float a = Math.abs(nw) - lr * l;
            nw = a > 0f ? (nw > 0f ? a : -a) : 0f;
        }
        if (average) {
            int k = averageSlot() * np + c;
            s[k] = t == 1 ? nw : s[k] + (nw - s[k]) / (float) t;
        }
        return nw;
    }

    private float ruleStepFloat(float w, float g, float[] s, int np, int c, long t, float lr, boolean decays) {
        float lambda = decays ? (float) weightDecay : 0f, mu = (float) momentum, b2 = (float) beta2, e = (float) eps;
        if (!decoupled) g += lambda * w;
        if (!rule.adaptive()) {
            float dir = g;
            if (rule != Rule.SGD) {
                float vk = mu * s[c] + g;
                s[c] = vk;
                dir = rule == Rule.MOMENTUM ? vk : g + mu * vk;
            }
            if (decoupled) dir += lambda * w;
            return w - lr * dir;
        }
        if (decoupled) w = w * (1f - lr * lambda);
        switch (rule) {
            case ADAM -> {
                float m = s[c] + (1f - mu) * (g - s[c]);
                float v = b2 * s[np + c] + (1f - b2) * g * g;
                s[c] = m;
                s[np + c] = v;
                float bc1 = 1f - (float) Math.pow(mu, t), bc2 = 1f - (float) Math.pow(b2, t);
                return w - (lr / bc1) * (m / ((float) Math.sqrt(v) / (float) Math.sqrt(bc2) + e));
            }
            case ADAGRAD -> {
                float a = s[c] + g * g;
                s[c] = a;
                return w - lr * (g / ((float) Math.sqrt(a) + e));
            }
            default -> {
                float sq = b2 * s[c] + (1f - b2) * g * g;
                s[c] = sq;
                float a;
                if (rule == Rule.RMSPROP_CENTERED) {
                    float ga = s[2 * np + c] + (1f - b2) * (g - s[2 * np + c]);
                    s[2 * np + c] = ga;
                    a = (float) Math.sqrt(sq - ga * ga) + e;
                } else {
                    a = (float) Math.sqrt(sq) + e;
                }
                if (mu > 0f) {
                    float b = mu * s[np + c] + g / a;
                    s[np + c] = b;
                    return w - lr * b;
                }
                return w - lr * (g / a);
            }
        }
    }

    static final String SYNTAX = "sgd, momentum[:μ], nesterov[:μ], adam[:β1[:β2[:ε]]], adamw[:β1[:β2[:ε]]], adagrad[:ε], "
            + "rmsprop[:α[:μ[:ε]]] or rmsprop-centered[:α[:μ[:ε]]]";

    /**
     * Parses an optimizer: {@value #SYNTAX}. Defaults: μ = 0.9 for momentum and Nesterov; PyTorch's
     * for the rest (Adam β1 0.9, β2 0.999, ε 1e-8; AdamW the same with decoupled decay 0.01; AdaGrad
     * ε 1e-10; RMSprop α 0.99, μ 0, ε 1e-8).
     */
    public static Optimizer parse(String s) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split(":", -1);
        String name = p[0];
        int max = switch (name) {
            case "sgd" -> 0;
            case "momentum", "nesterov", "adagrad" -> 1;
            case "adam", "adamw", "rmsprop", "rmsprop-centered" -> 3;
            default -> throw new DescentException.InvalidArgument("unknown optimizer '" + s + "': use " + SYNTAX);
        };
        if (p.length - 1 > max) {
            throw new DescentException.InvalidArgument("optimizer '" + s + "': " + name + " takes "
                    + (max == 0 ? "no parameters" : "at most " + max + " parameter" + (max > 1 ? "s" : "")) + " (" + SYNTAX + ")");
        }
        double[] v = new double[p.length - 1];
        for (int i = 1; i < p.length; i++) {
            try {
                v[i - 1] = Double.parseDouble(p[i]);
            } catch (NumberFormatException e) {
                throw new DescentException.InvalidArgument("optimizer '" + s + "': parameter " + i + " '" + p[i] + "' is not a number");
            }
        }
        return switch (name) {
            case "sgd" -> SGD;
            case "momentum" -> momentum(arg(v, 0, 0.9));
            case "nesterov" -> nesterov(arg(v, 0, 0.9));
            case "adam" -> adam(arg(v, 0, 0.9), arg(v, 1, 0.999), arg(v, 2, 1e-8));
            case "adamw" -> adam(arg(v, 0, 0.9), arg(v, 1, 0.999), arg(v, 2, 1e-8)).withWeightDecay(0.01, true);
            case "adagrad" -> adagrad(arg(v, 0, 1e-10));
            default -> rmsprop(arg(v, 0, 0.99), arg(v, 1, 0), arg(v, 2, 1e-8), name.equals("rmsprop-centered"));
        };
    }

    private static double arg(double[] v, int i, double dflt) { return i < v.length ? v[i] : dflt; }

    /** The spec {@link #parse} reads back, with the decay: e.g. {@code adam:0.9:0.999:1.0E-8 +decoupled decay 0.01}. */
    @Override
    public String toString() {
        String r = switch (rule) {
            case SGD -> "sgd";
            case MOMENTUM, NESTEROV -> rule.name().toLowerCase(Locale.ROOT) + ":" + momentum;
            case ADAM -> "adam:" + momentum + ":" + beta2 + ":" + eps;
            case ADAGRAD -> "adagrad:" + eps;
            case RMSPROP, RMSPROP_CENTERED -> rule.name().toLowerCase(Locale.ROOT).replace('_', '-') + ":" + beta2 + ":" + momentum + ":" + eps;
        };
        if (weightDecay != 0) r += " +" + (decoupled ? "decoupled" : "L2") + " decay " + weightDecay;
        if (l1 != 0) r += " +L1 " + l1;
        return average ? r + " +average" : r;
    }
}
