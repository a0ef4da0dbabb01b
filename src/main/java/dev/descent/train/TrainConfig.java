package dev.descent.train;

import dev.descent.DescentException;
import dev.descent.data.BatchOrder;
import dev.descent.optim.Schedule;

/**
 * How to train: epochs, batch size, base learning rate and schedule, batch order and its seed,
 * and {@code period}: the full-data loss is recorded after the batch j of each epoch with
 * j·batchSize % period == 0, and once before training (seed 1's rule). period must be a multiple
 * of the batch size; 0 picks one, {@link #recordEvery}: about 100 records per epoch, fewer on large data.
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

    /**
     * The most stored values the default records of one epoch read together: each record is a full-data loss, a pass over
     * every stored value, so ~100 records an epoch cost ~100 passes beside training's one. Up to 2^26 / 100 values (671,088:
     * the seed problems, the small real files) a default epoch keeps its 100 records; larger data gets fewer, at least one.
     * On the rcv1-shaped 100k rows (7.5 M values) the history was 80% of an epoch's time at 100 records (2.10 s vs 0.37 s
     * with one record, session 8); it now takes 8.
     */
    public static final long RECORD_VALUES = 1L << 26;

    /** Default records per epoch for data of this many stored values: 100, or fewer so that they read at most {@link #RECORD_VALUES}. */
    public static int defaultRecords(long values) {
        return (int) Math.max(1, Math.min(100, RECORD_VALUES / Math.max(1, values)));
    }

    /** Record every this many batches on n rows holding this many stored values (n·d dense, the non-zeros sparse). */
    public int recordEvery(int n, long values) {
        return recordEvery(period, n, batchSize, values);
    }

    /** {@link #recordEvery(int, long)} for a period and batch size: period / bs, or for period 0 the batches of an epoch over {@link #defaultRecords}. */
    public static int recordEvery(int period, int n, int bs, long values) {
        if (period > 0) return period / bs;
        return Math.max(1, dev.descent.backend.Batches.in(n, bs) / defaultRecords(values));
    }
}
