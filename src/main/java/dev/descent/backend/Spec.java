package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.optim.Optimizer;

/** What a session trains: the objective, whether the model has a bias, and the update rule. */
public record Spec(Objective objective, boolean bias, Optimizer optimizer) {
    public Spec {
        DescentException.require(objective != null, "objective is missing");
        DescentException.require(optimizer != null, "optimizer is missing");
    }

    public static Spec of(Objective objective) {
        return new Spec(objective, objective.biasByDefault(), Optimizer.SGD);
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
        if (objective == Objective.LOGISTIC) {
            float[] t = data.targets();
            for (int i = 0; i < t.length; i++) {
                if (t[i] != 0f && t[i] != 1f) {
                    throw new DescentException.InvalidArgument("the logistic objective needs 0/1 labels, but row " + (i + 1)
                            + " of " + data.name() + " has target " + t[i]);
                }
            }
        }
    }
}
