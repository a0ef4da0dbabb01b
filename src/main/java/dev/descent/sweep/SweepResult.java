package dev.descent.sweep;

import java.util.List;

/**
 * A finished sweep.
 *
 * @param outcomes one per configuration, in the order they were added
 * @param groups   the groups the configurations were trained in, in words (batch size, order,
 *                 configurations, shards), as the engine ran them
 * @param kernels  on the cpu backend, the row-kernel order the sweep reproduced ("scalar" or "vector, L lanes"); on a
 *                 device backend, the backend and its device
 * @param backend  the backend the models trained on ("cpu", or a device selector such as "opencl:@cpu")
 * @param threads  worker threads used
 * @param seconds  wall time of the whole sweep, loss evaluations included
 * @param lossSeconds of which evaluating the recorded losses (the initial ones included)
 * @param openSeconds of which opening the backend and the first session (a device context, kernels, the rows' upload; 0 where
 *                    the cpu backend's own engine trains, which opens nothing): training is what remains
 */
public record SweepResult(List<Outcome> outcomes, List<String> groups, String kernels, String backend, int threads, double seconds,
                          double lossSeconds, double openSeconds) {
    public SweepResult {
        outcomes = List.copyOf(outcomes);
        groups = List.copyOf(groups);
    }

    /** Seconds spent training: the whole less the losses and the opening. */
    public double trainSeconds() { return seconds - lossSeconds - openSeconds; }

    public Outcome get(int i) { return outcomes.get(i); }

    /** The configuration with the lowest final loss among those that did not diverge, or null if all did. */
    public Outcome best() {
        Outcome b = null;
        for (Outcome o : outcomes) {
            if (!o.diverged() && Double.isFinite(o.finalLoss()) && (b == null || o.finalLoss() < b.finalLoss())) b = o;
        }
        return b;
    }
}
