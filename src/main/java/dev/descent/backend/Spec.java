package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.optim.Optimizer;

/**
 * What a session trains: the objective with its parameter (ε of Huber and epsilon-insensitive; see
 * {@link Objective#defaultParam()}), whether the model has a bias, and the update rule.
 */
public record Spec(Objective objective, double lossParam, boolean bias, Optimizer optimizer) {
    public Spec {
        DescentException.require(objective != null, "objective is missing");
        DescentException.require(optimizer != null, "optimizer is missing");
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
        return objective.hasParam() && lossParam != objective.defaultParam() ? objective.cliName() + ":" + lossParam : objective.cliName();
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
