package dev.descent.spark;

import dev.descent.DescentException;
import dev.descent.backend.Gradient;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.data.BatchOrder;
import dev.descent.model.Params;
import dev.descent.optim.Rate;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * Data-parallel training of one descent model over an RDD of {@link Row}s: every job is one pass of
 * {@code mapPartitionsWithIndex} in which each partition works in its own descent session, resident on
 * its executor from the first job to {@link #close} (so a partition's rows are read and uploaded once,
 * whatever the number of steps); the driver combines the partitions' results in partition order, in
 * double, weighted by their row counts, so a run is bit-identical run to run whatever order the tasks
 * finish in (Spark's {@code treeAggregate} merges in no fixed order, which is why it is not used).
 *
 * <ul>
 * <li>{@link #gd}: full-batch gradient descent, one job per step: the mean gradient over every row, then
 *     the step w ← w − η·g on the driver.
 * <li>{@link #sgd}: mini-batch SGD, one job per step: each partition takes its share of the batch (its
 *     rows × batch / n, at least 1) from its own shuffled order, the gradients weighted by their rows.
 * <li>{@link #localSgd}: local SGD with periodic model averaging: each job runs {@code steps} steps of the
 *     settings' optimizer on every partition from the current model ({@code Session.run}), then the
 *     driver averages the partitions' models weighted by their rows.
 * </ul>
 * The model is one output's weights and bias, packed as descent packs them: [w_0 … w_{d−1}, b].
 */
public final class DistributedTrainer implements AutoCloseable, Serializable {
    private final transient JavaRDD<Row> rows;
    private final Settings settings;
    private final String id = UUID.randomUUID().toString();
    private final int d;
    private transient long n = -1;
    private transient boolean closed;

    /** A test seam: a task of the given partition and job fails on its first attempt (Spark retries it). */
    static volatile FaultAt faultAt;

    interface FaultAt extends Serializable {
        boolean failAt(int partition, long job);
    }

    private transient long jobs;

    public DistributedTrainer(JavaRDD<Row> rows, int features, Settings settings) {
        DescentException.require(features >= 1, "features must be ≥ 1 (got " + features + ")");
        this.rows = rows;
        this.d = features;
        this.settings = settings;
    }

    /** Result of one partition's work: its index, rows, a packed vector (a gradient or a model) and a loss. */
    record Part(int index, long rows, float[] values, double loss, String device) implements Serializable {}

    /** The loss (the objective's mean over every row) of the last job that computed one, NaN before. */
    private double lastLoss = Double.NaN;
    private String device = "";

    public double lastLoss() {
        return lastLoss;
    }

    /** The backend and device of the partitions' sessions (as the last job's first partition reported them). */
    public String device() {
        return device;
    }

    /** Partitions uploaded into sessions in this JVM (in local mode, every executor's): one per partition, retries included. */
    public int uploadsInThisJvm() {
        return Resident.uploads(id);
    }

    /** Full-batch GD from {@code init}: {@code steps} steps at rate {@code lr}; returns the model. */
    public float[] gd(float[] init, int steps, double lr) {
        return stepwise(init, steps, lr, 0, 0);
    }

    /** Mini-batch SGD from {@code init}: {@code steps} steps of about {@code batch} rows at rate {@code lr}, orders from {@code seed}. */
    public float[] sgd(float[] init, int steps, int batch, double lr, long seed) {
        DescentException.require(batch >= 1, "the batch size must be ≥ 1 (got " + batch + ")");
        return stepwise(init, steps, lr, batch, seed);
    }

    private float[] stepwise(float[] init, int steps, double lr, int batch, long seed) {
        open();
        DescentException.requirePositive("learning rate", lr);
        float[] w = check(init);
        long total = rows();
        int dd = d;
        for (int k = 0; k < steps; k++) {
            float[] wk = w;
            int step = k;
            List<Part> parts = job((p, s, pr) -> {
                s.setParams(Params.ofPacked(wk, dd, 1));
                int from = 0, count = pr;
                if (batch > 0) {                                 // this partition's share of the batch, from its order of the epoch
                    count = (int) Math.max(1, Math.min(pr, Math.round((double) batch * pr / total)));
                    int perEpoch = Math.max(1, pr / count);
                    int epoch = step / perEpoch;
                    Resident.setOrder(s, BatchOrder.SHUFFLE.order(pr, epoch + 1, seed * 1_000_003L + p), false);
                    from = (step % perEpoch) * count;
                } else {
                    Resident.setOrder(s, BatchOrder.IN_ORDER.order(pr, 1, 0), true);   // uploaded once, not every step
                }
                Gradient g = s.gradient(from, count, true);
                return new Share(count, g.packed().packed(), g.loss());
            });
            double[] g = combine(parts);
            lastLoss = g[d + 1];
            float[] next = new float[d + 1];
            for (int j = 0; j <= d; j++) next[j] = (float) (w[j] - (float) lr * (float) g[j]);  // descent's SGD step, in float
            if (!settings.bias()) next[d] = 0;
            for (float v : next) {
                if (!Float.isFinite(v)) throw new DescentException("training diverged at step " + (k + 1) + " (a parameter became non-finite): lower the learning rate (" + lr + ")");
            }
            w = next;
        }
        return w;
    }

    /** The objective's mean over every row at the model {@code w} (one job, no update). */
    public double loss(float[] w) {
        open();
        float[] wk = check(w);
        int dd = d;
        List<Part> parts = job((p, s, pr) -> {
            s.setParams(Params.ofPacked(wk, dd, 1));
            Resident.setOrder(s, BatchOrder.IN_ORDER.order(pr, 1, 0), true);
            return new Share(pr, new float[dd + 1], s.gradient(0, pr, true).loss());
        });
        lastLoss = combine(parts)[d + 1];
        return lastLoss;
    }

    /**
     * Local SGD: {@code rounds} jobs; in each, every partition runs {@code localSteps} steps of batches of
     * {@code batch} rows (its own shuffled order from {@code seed}) with the settings' optimizer at rate
     * {@code lr}, starting from the current model and a fresh optimizer state; then the models are averaged.
     */
    public float[] localSgd(float[] init, int rounds, int localSteps, int batch, double lr, long seed) {
        open();
        DescentException.requirePositive("learning rate", lr);
        DescentException.require(localSteps >= 1 && batch >= 1, "local steps and batch must be ≥ 1 (got " + localSteps + ", " + batch + ")");
        float[] w = check(init);
        int dd = d;
        for (int r = 0; r < rounds; r++) {
            float[] wr = w;
            int round = r;
            List<Part> parts = job((p, s, pr) -> {
                s.setParams(Params.ofPacked(wr, dd, 1));
                s.resetState();
                int b = Math.min(batch, pr), perEpoch = (pr + b - 1) / b;
                int done = 0, epoch = round * ((localSteps + perEpoch - 1) / perEpoch);
                while (done < localSteps) {
                    Resident.setOrder(s, BatchOrder.SHUFFLE.order(pr, ++epoch, seed * 1_000_003L + p), false);
                    int now = Math.min(perEpoch, localSteps - done);
                    RunResult res = s.run(new Run(b, 0, now, Rate.constant(lr), Integer.MAX_VALUE));
                    if (res.diverged()) throw new DescentException("local SGD diverged on partition " + p + " in round " + (round + 1) + ": lower the learning rate (" + lr + ")");
                    done += now;
                }
                return new Share(pr, s.params().packed(), Double.NaN);
            });
            double[] avg = combine(parts);
            float[] next = new float[d + 1];
            for (int j = 0; j <= d; j++) next[j] = (float) avg[j];
            w = next;
        }
        return w;
    }

    /** The weighted mean over the parts in partition order, in double: d + 1 values, then the mean loss. */
    private double[] combine(List<Part> parts) {
        parts.sort(Comparator.comparingInt(Part::index));
        double[] sum = new double[d + 2];
        long rows = 0;
        for (Part p : parts) {
            for (int j = 0; j <= d; j++) sum[j] += p.rows() * (double) p.values()[j];
            sum[d + 1] += p.rows() * p.loss();
            rows += p.rows();
        }
        for (int j = 0; j < sum.length; j++) sum[j] /= rows;
        if (!parts.isEmpty()) device = parts.get(0).device();
        return sum;
    }

    /** A partition's answer in one job: the rows it weighs with, d + 1 values (a gradient or a model), a loss. */
    record Share(long rows, float[] values, double loss) {}

    /** What a partition does in one job, with its resident session and row count. */
    interface Work extends Serializable {
        Share apply(int partition, Session session, int rows);
    }

    private List<Part> job(Work work) {
        String trainer = id;
        Settings s = settings;
        int features = d;
        FaultAt fault = faultAt;
        long job = jobs++;
        List<Part> out = new ArrayList<>(rows.mapPartitionsWithIndex((Integer p, Iterator<Row> it) -> {
            Resident.Part part = Resident.part(trainer, p, it, features, s);
            TaskContext tc = TaskContext.get();
            if (fault != null && tc != null && tc.attemptNumber() == 0 && fault.failAt(p, job)) {
                throw new IllegalStateException("fault injected into partition " + p + ", job " + job + " (attempt 0)");
            }
            Share r;
            synchronized (part.session()) {              // two attempts of one task may overlap (speculation): one call at a time
                r = work.apply(p, part.session(), part.rows());
            }
            return List.of(new Part(p, r.rows(), r.values(), r.loss(), part.device())).iterator();
        }, true).collect());
        return out;
    }

    private long rows() {
        if (n < 0) n = rows.count();
        return n;
    }

    private float[] check(float[] init) {
        DescentException.require(init != null && init.length == d + 1, "the initial model needs d + 1 = " + (d + 1)
                + " values (weights, then the bias), got " + (init == null ? 0 : init.length));
        return init.clone();
    }

    private void open() {
        if (closed) throw new IllegalStateException("this trainer is closed");
    }

    /** Closes the partitions' sessions on every executor (one job) and in this JVM. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        String trainer = id;
        try {
            rows.foreachPartition(it -> Resident.close(trainer));
        } finally {
            Resident.close(trainer);
        }
    }
}
