package dev.descent.sweep;

import java.util.Locale;

/**
 * Why a configuration stopped early without diverging: successive halving ({@link Sweep.Builder#halving})
 * ranked it below the kept share of the configurations still running at the end of an epoch.
 *
 * @param epoch the epoch after which it stopped (its history, parameters, steps and examples end there)
 * @param rank  its rank (1 = lowest loss) among those still running at that point
 * @param of    how many were still running
 * @param kept  how many of them went on (the best ⌈of / η⌉)
 * @param loss  its last recorded full-data loss, the one it was ranked by
 */
public record Halt(int epoch, int rank, int of, int kept, double loss) {
    /** In words, for reports. */
    public String why() {
        return String.format(Locale.ROOT, "halved out after epoch %d: loss %.4e ranked %d of %d, the best %d went on", epoch, loss, rank, of, kept);
    }
}
