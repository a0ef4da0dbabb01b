package dev.descent.train;

import dev.descent.model.Params;

/**
 * Training stopped because the loss or a parameter became non-finite at {@code step} (1-based
 * batch) of {@code epoch}; {@code lastFinite} are the last recorded parameters whose loss was finite.
 */
public record Divergence(int epoch, int step, String what, Params lastFinite, int lastFiniteEpoch, int lastFiniteStep) {
    public String describe() {
        return "diverged: " + what + " became non-finite at epoch " + epoch + ", step " + step
                + "; kept the last finite parameters (epoch " + lastFiniteEpoch + ", step " + lastFiniteStep + "): " + lastFinite
                + ". Lower the learning rate.";
    }
}
