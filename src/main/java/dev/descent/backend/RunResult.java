package dev.descent.backend;

import dev.descent.model.Params;

/**
 * What a {@link Run} produced: the recorded parameter snapshots ({@code records} of d+1 floats,
 * layout [w…, b]), the batch index of each, and the batch at which the parameters first became
 * non-finite ({@code -1} if they never did; no step after it was applied).
 */
public record RunResult(float[] snapshots, int[] recordedBatches, int d, int divergedBatch) {
    public int records() { return recordedBatches.length; }

    public Params snapshot(int k) { return Params.unpack(snapshots, k, d); }

    public boolean diverged() { return divergedBatch >= 0; }
}
