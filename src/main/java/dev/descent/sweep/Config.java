package dev.descent.sweep;

import dev.descent.DescentException;
import dev.descent.data.BatchOrder;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;

/**
 * One configuration of a sweep: what a single training run would take as its
 * {@code TrainConfig} and {@code Spec} optimizer, less what the sweep shares (data, objective,
 * bias, epochs, seed, record period).
 *
 * @param label     a name for reports (null: {@link #name()} makes one from the values)
 * @param lr        base learning rate, &gt; 0
 * @param schedule  the rate over epochs and steps
 * @param optimizer the update rule with its constants and weight decay
 * @param batchSize rows per step (1 = SGD; the dataset's n = full-batch GD)
 * @param order     the batch order; configurations with the same batch size and order share a group
 * @param init      the initial parameters (null: zeros)
 */
public record Config(String label, double lr, Schedule schedule, Optimizer optimizer, int batchSize, BatchOrder order, Params init) {
    public Config {
        DescentException.requirePositive("learning rate", lr);
        DescentException.require(schedule != null, "schedule is missing");
        DescentException.require(optimizer != null, "optimizer is missing");
        DescentException.require(batchSize >= 1, "batch size must be ≥ 1 (got " + batchSize + ")");
        DescentException.require(order != null, "batch order is missing");
    }

    /** The label, or one made from the values: e.g. {@code adam:0.9:0.999:1.0E-8 lr 0.01 batch 10}. */
    public String name() {
        if (label != null) return label;
        return optimizer + " lr " + lr + " batch " + batchSize + (schedule instanceof Schedule.Constant ? "" : " " + schedule)
                + (order == BatchOrder.SHUFFLE ? "" : " " + order.cliName());
    }

    /** A constant rate, shuffled batches, zero initial parameters. */
    public static Config of(double lr, int batchSize, Optimizer optimizer) {
        return new Config(null, lr, new Schedule.Constant(), optimizer, batchSize, BatchOrder.SHUFFLE, null);
    }

    public Config withSchedule(Schedule s) { return new Config(label, lr, s, optimizer, batchSize, order, init); }
    public Config withOrder(BatchOrder o) { return new Config(label, lr, schedule, optimizer, batchSize, o, init); }
    public Config withInit(Params p) { return new Config(label, lr, schedule, optimizer, batchSize, order, p); }
    public Config withLabel(String l) { return new Config(l, lr, schedule, optimizer, batchSize, order, init); }
}
