package dev.descent.backend;

import dev.descent.model.Params;

/**
 * What a {@link Run} produced: the recorded parameter snapshots ({@code records} of k·(d+1)
 * floats, packed as {@link Params}: [w…, b] per head, k heads), the batch index of each, and the
 * batch at which the parameters first became non-finite ({@code -1} if they never did; no step
 * after it was applied).
 */
public record RunResult(float[] snapshots, int[] recordedBatches, int d, int k, int divergedBatch) {
    public int records() { return recordedBatches.length; }

    public Params snapshot(int i) { return Params.unpack(snapshots, i, d, k); }

    public boolean diverged() { return divergedBatch >= 0; }
}
