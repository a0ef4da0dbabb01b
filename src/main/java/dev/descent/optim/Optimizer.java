package dev.descent.optim;

import dev.descent.DescentException;

import java.util.Locale;

/**
 * An update rule with its hyper-parameters. One step on a parameter w with gradient g and
 * learning rate η (the kernels do the same, in the same order):
 * <pre>
 *   g ← g + λ·w            L2 weight decay (weights only, not the bias)
 *   w ← w − η·λ·w          decoupled weight decay (weights only), from the pre-step w
 *   SGD:       w ← w − η·g
 *   momentum:  v ← μ·v + g;   w ← w − η·v
 *   Nesterov:  v ← μ·v + g;   w ← w − η·(g + μ·v)
 * </pre>
 */
public record Optimizer(Rule rule, double momentum, double weightDecay, boolean decoupled) {

    /** The update rules; {@link #code()} is the kernels' number for each. */
    public enum Rule {
        SGD(0), MOMENTUM(1), NESTEROV(2);
        private final int code;
        Rule(int code) { this.code = code; }
        public int code() { return code; }
    }

    public Optimizer {
        DescentException.require(rule != null, "optimizer rule is missing");
        DescentException.require(Double.isFinite(momentum) && momentum >= 0 && momentum < 1,
                "momentum must be in [0, 1) (got " + momentum + ")");
        DescentException.require(rule == Rule.SGD || momentum > 0,
                rule.name().toLowerCase(Locale.ROOT) + " needs a momentum in (0, 1), e.g. " + rule.name().toLowerCase(Locale.ROOT) + ":0.9");
        DescentException.require(Double.isFinite(weightDecay) && weightDecay >= 0,
                "weight decay must be finite and ≥ 0 (got " + weightDecay + ")");
    }

    public static final Optimizer SGD = new Optimizer(Rule.SGD, 0, 0, false);

    public static Optimizer momentum(double mu) { return new Optimizer(Rule.MOMENTUM, mu, 0, false); }
    public static Optimizer nesterov(double mu) { return new Optimizer(Rule.NESTEROV, mu, 0, false); }

    public Optimizer withWeightDecay(double lambda, boolean decoupledDecay) {
        return new Optimizer(rule, momentum, lambda, decoupledDecay);
    }

    /** Whether the rule keeps a velocity per parameter. */
    public boolean hasVelocity() { return rule != Rule.SGD; }

    /**
     * The reference step for one parameter, in double. {@code v[k]} is read and written when the
     * rule has a velocity. {@code decays} is false for the bias.
     */
    public double step(double w, double g, double[] v, int k, double lr, boolean decays) {
        double lambda = decays ? weightDecay : 0;
        if (!decoupled) g += lambda * w;
        double dir = g;
        if (rule != Rule.SGD) {
            double vk = momentum * v[k] + g;
            v[k] = vk;
            dir = rule == Rule.MOMENTUM ? vk : g + momentum * vk;
        }
        if (decoupled) dir += lambda * w;
        return w - lr * dir;
    }

    /** Parses {@code sgd}, {@code momentum[:μ]} or {@code nesterov[:μ]} (μ defaults to 0.9). */
    public static Optimizer parse(String s) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split(":");
        double mu = 0.9;
        if (p.length > 2) throw new DescentException.InvalidArgument("optimizer '" + s + "': use sgd, momentum[:μ] or nesterov[:μ]");
        if (p.length == 2) {
            try {
                mu = Double.parseDouble(p[1]);
            } catch (NumberFormatException e) {
                throw new DescentException.InvalidArgument("optimizer '" + s + "': momentum '" + p[1] + "' is not a number");
            }
        }
        return switch (p[0]) {
            case "sgd" -> {
                if (p.length == 2) throw new DescentException.InvalidArgument("optimizer 'sgd' takes no momentum: use momentum:" + p[1]);
                yield SGD;
            }
            case "momentum" -> momentum(mu);
            case "nesterov" -> nesterov(mu);
            default -> throw new DescentException.InvalidArgument("unknown optimizer '" + s + "': use sgd, momentum[:μ] or nesterov[:μ]");
        };
    }

    @Override
    public String toString() {
        String r = rule.name().toLowerCase(Locale.ROOT) + (rule == Rule.SGD ? "" : ":" + momentum);
        return weightDecay == 0 ? r : r + " +" + (decoupled ? "decoupled" : "L2") + " decay " + weightDecay;
    }
}
