package dev.descent.sweep;

import dev.descent.model.Params;
import dev.descent.train.Divergence;
import dev.descent.train.History;

/**
 * What one configuration of a sweep came to, in the terms of {@code Trainer.Result}: the same
 * history points and parameters a single cpu-backend run of it would give (see {@link Sweep}),
 * with times measured on the sweep's clock.
 *
 * @param index      its position in the sweep, as added
 * @param group      the index of its group (same batch size and batch order) in {@link SweepResult#groups()}
 * @param history    the full-data loss every record; {@code seconds} is the sweep's training time
 *                   (loss evaluations excluded) when the point was reached, shared by every configuration
 * @param params     the final parameters; after a divergence the last recorded finite ones
 * @param divergence why and when it stopped early (null: it ran every epoch)
 * @param steps      optimizer steps applied (a diverged run: up to and including the diverging one)
 * @param examples   rows those steps read
 * @param halt       when successive halving stopped it (null: it was not halved out); its history, parameters,
 *                   steps and examples then end at that epoch, as a lone run of that many epochs would
 */
public record Outcome(int index, Config config, int group, History history, Params params, Divergence divergence, long steps,
                      long examples, Halt halt) {
    public boolean diverged() { return divergence != null; }

    /** Whether successive halving stopped it before the last epoch. */
    public boolean halted() { return halt != null; }

    /** The last recorded full-data loss (NaN after a divergence that left none). */
    public double finalLoss() { return history.lastLoss(); }
}
