package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.optim.Optimizer;

/**
 * What a session trains: the objective with its parameter (ε of Huber and epsilon-insensitive, see
 * {@link Objective#defaultParam()}; the number of classes k of softmax), whether the model has a
 * bias, and the update rule.
 */
public record Spec(Objective objective, double lossParam, boolean bias, Optimizer optimizer) {
    public Spec {
        DescentException.require(objective != null, "objective is missing");
        DescentException.require(optimizer != null, "optimizer is missing");
        if (objective == Objective.SOFTMAX) Objective.checkClasses(lossParam);
        DescentException.require(Double.isFinite(lossParam) && (objective.hasParam() ? lossParam > 0 : lossParam == 0),
                objective.hasParam() ? objective.cliName() + "'s ε must be > 0 (got " + lossParam + ")"
                        : objective.cliName() + " takes no parameter (got " + lossParam + ")");
    }

    /** The objective with its default parameter. */
    public Spec(Objective objective, boolean bias, Optimizer optimizer) {
        this(objective, objective == null ? 0 : objective.defaultParam(), bias, optimizer);
    }

    /** {@code name[:ε]} as the CLI takes it. */
    public String objectiveName() {
        if (objective == Objective.SOFTMAX) return objective.cliName() + ":" + heads();
        return objective.hasParam() && lossParam != objective.defaultParam() ? objective.cliName() + ":" + lossParam : objective.cliName();
    }

    public static Spec of(Objective objective) {
        return new Spec(objective, objective.biasByDefault(), Optimizer.SGD);
    }

    /** Softmax over k classes. */
    public static Spec softmax(int k, boolean bias, Optimizer optimizer) {
        return new Spec(Objective.SOFTMAX, k, bias, optimizer);
    }

    /** The model's outputs: softmax's k classes, else 1. */
    public int heads() {
        return objective.heads(lossParam);
    }

    /** Checks that the dataset suits the objective (targets present or absent, labels 0/1). */
    public void check(Dataset data) {
        if (objective.needsTargets() && !data.hasTargets()) {
            throw new DescentException.InvalidArgument("the " + objective.cliName() + " objective needs targets, but dataset "
                    + data.name() + " has none: name its target column");
        }
        if (!objective.needsTargets() && data.hasTargets()) {
            throw new DescentException.InvalidArgument("the " + objective.cliName() + " objective takes no targets, but dataset "
                    + data.name() + " has them: load it without a target column (--target none)");
        }
        if (objective.multiclass()) {
            float[] t = data.targets();
            int k = heads();
            for (int i = 0; i < t.length; i++) {
                if (t[i] != Math.rint(t[i]) || t[i] < 0 || t[i] >= k) {
                    throw new DescentException.InvalidArgument("softmax over " + k + " classes needs labels 0.." + (k - 1) + ", but row " + (i + 1)
                            + " of " + data.name() + " has target " + t[i] + (t[i] == Math.rint(t[i]) && t[i] >= k ? ": give softmax:" + ((int) t[i] + 1)
                            + " or more classes" : ""));
                }
            }
        }
        if (objective.binaryLabels()) {
            float[] t = data.targets();
            for (int i = 0; i < t.length; i++) {
                if (t[i] != 0f && t[i] != 1f) {
                    throw new DescentException.InvalidArgument("the " + objective.cliName() + " objective needs 0/1 labels, but row " + (i + 1)
                            + " of " + data.name() + " has target " + t[i]);
                }
            }
        }
    }
}
