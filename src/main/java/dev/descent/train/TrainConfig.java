package dev.descent.train;

import dev.descent.DescentException;
import dev.descent.data.BatchOrder;
import dev.descent.optim.Schedule;

/**
 * How to train: epochs, batch size, base learning rate and schedule, batch order and its seed,
 * and {@code period}: the full-data loss is recorded after the batch j of each epoch with
 * j·batchSize % period == 0, and once before training (seed 1's rule). period must be a multiple
 * of the batch size; 0 picks about 100 records per epoch.
 */
public record TrainConfig(int epochs, int batchSize, double lr, Schedule schedule, BatchOrder order, int period, long seed) {
    public TrainConfig {
        DescentException.require(epochs >= 1, "epochs must be ≥ 1 (got " + epochs + ")");
        DescentException.require(batchSize >= 1, "batch size must be ≥ 1 (got " + batchSize + ")");
        DescentException.requirePositive("learning rate", lr);
        DescentException.require(schedule != null, "schedule is missing");
        DescentException.require(order != null, "batch order is missing");
        DescentException.require(period >= 0, "period must be ≥ 0 (got " + period + "; 0 picks one)");
        DescentException.require(period == 0 || (period >= batchSize && period % batchSize == 0),
                "period " + period + " must be a positive multiple of the batch size " + batchSize
                        + " (the loss is recorded after whole batches)");
    }

    /** Seed 1's configuration: batches in order, ×0.1 per epoch from epoch 3. */
    public static TrainConfig seed1(int batchSize, double lr, int epochs, int period) {
        return new TrainConfig(epochs, batchSize, lr, Schedule.SEED1, BatchOrder.IN_ORDER, period, 0);
    }

    /** Checks the configuration against a dataset of n rows. */
    public void check(int n) {
        DescentException.require(batchSize <= n, "batch size " + batchSize + " is larger than the dataset's " + n
                + " rows: use 1.." + n);
    }

    /** Record every this many batches. */
    public int recordEvery(int n) {
        if (period > 0) return period / batchSize;
        int batches = dev.descent.backend.Batches.in(n, batchSize);
        return Math.max(1, batches / 100);
    }
}
