package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.optim.Rate;

/**
 * A run of consecutive optimizer steps over the current batch order: batch j covers order
 * positions [j·batchSize, min((j+1)·batchSize, orderLength)), for j = firstBatch … firstBatch +
 * batches − 1; step k = j − firstBatch uses learning rate {@code rate.at(k)}. The parameters are
 * recorded after every batch j with j % recordEvery == 0.
 */
public record Run(int batchSize, int firstBatch, int batches, Rate rate, int recordEvery) {
    public Run {
        DescentException.require(batchSize >= 1, "batch size must be ≥ 1 (got " + batchSize + ")");
        DescentException.require(firstBatch >= 0, "first batch must be ≥ 0 (got " + firstBatch + ")");
        DescentException.require(batches >= 0, "batch count must be ≥ 0 (got " + batches + ")");
        DescentException.require(recordEvery >= 1, "recordEvery must be ≥ 1 (got " + recordEvery + ")");
        DescentException.requirePositive("learning rate", rate.lr());
        DescentException.require(batches <= rate.length(), "a per-step schedule of " + rate.length() + " rates cannot cover a run of "
                + batches + " batches: give a rate for every step");
    }

    /** How many batches of this run get recorded. */
    public int records() {
        int first = Math.floorDiv(firstBatch + recordEvery - 1, recordEvery);   // first multiple ≥ firstBatch
        int last = Math.floorDiv(firstBatch + batches - 1, recordEvery);        // last multiple ≤ last batch
        return batches == 0 ? 0 : Math.max(0, last - first + 1);
    }
}
