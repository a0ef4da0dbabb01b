package dev.descent.train;

import dev.descent.DescentException;
import dev.descent.backend.Batches;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.model.Params;
import dev.descent.optim.Rate;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The training loop. Each epoch uploads its batch order once, runs its batches through
 * {@link Session#run} (one call per epoch, or a few when the epoch is long, for progress or a
 * checkpoint), then evaluates every recorded snapshot's full-data loss in one
 * {@link Session#losses} pass. Stops at the first non-finite parameter (reported exactly by the
 * device) or recorded loss.
 *
 * <p>Between two calls of {@code run} the loop's whole position is a {@link State}: handed to a
 * checkpoint callback every {@link Options#checkpointEvery} steps, and accepted back by
 * {@link Options#resume}, after which training continues bit-identically to a run that was never
 * stopped (the batch order is a pure function of seed and epoch, the rate of epoch and step, and
 * the session's exact state travels in the {@code State}).
 */
public final class Trainer {

    /** Progress callback: batches done of the total, across all epochs. */
    public interface Listener {
        void progress(long done, long total);

        Listener NONE = (done, total) -> {};
    }

    /**
     * The outcome: the history, the final parameters (the last finite ones after a divergence),
     * the divergence if any, and whether the run stopped early on request ({@link Options#stop}).
     *
     * @param steps    optimizer steps applied (a diverged run: up to and including the diverging one)
     * @param examples rows those steps read
     */
    public record Result(History history, Params params, Divergence divergence, double seconds, long steps, long examples,
                         boolean interrupted) {
        public Result(History history, Params params, Divergence divergence, double seconds, long steps, long examples) {
            this(history, params, divergence, seconds, steps, examples, false);
        }

        public boolean diverged() { return divergence != null; }
    }

    /**
     * Where a run stands between two device calls: about to run batch {@code nextBatch} (0-based)
     * of {@code epoch} (1-based; epochs + 1 once every epoch is done).
     *
     * @param trainSeconds  training time so far (loss evaluations excluded), as the history counts it
     * @param epochSeconds  wall time spent in the current epoch so far
     * @param lastFinite    the last recorded finite parameters, with the epoch and step they were recorded at
     * @param session       {@link Session#saveState()}: parameters and optimizer state, exact
     */
    public record State(int epoch, int nextBatch, double trainSeconds, double epochSeconds, History history,
                        Params lastFinite, int lastFiniteEpoch, int lastFiniteStep, double[] session) {
        public State {
            history = history.copy();
            session = session.clone();
        }

        @Override public History history() { return history.copy(); }
        @Override public double[] session() { return session.clone(); }

        /** Optimizer steps done before this point, with {@code batches} batches per epoch. */
        public long stepsDone(int batches) {
            return (long) (epoch - 1) * batches + nextBatch;
        }
    }

    /**
     * How to run beyond the configuration.
     *
     * @param checkpointEvery steps between checkpoints (0: none); checkpoints also fall on an interrupt
     * @param checkpoint      receives each checkpoint's state
     * @param stop            polled between device calls; true stops the run early (a checkpoint is
     *                        written first when checkpointing)
     * @param resume          a state to continue from instead of the initial parameters, or null
     */
    public record Options(Listener listener, long checkpointEvery, Consumer<State> checkpoint, BooleanSupplier stop, State resume) {
        public Options {
            DescentException.require(checkpointEvery >= 0, "checkpoint interval must be ≥ 0 steps (got " + checkpointEvery + ")");
            DescentException.require(checkpointEvery == 0 || checkpoint != null, "a checkpoint interval needs a checkpoint callback");
            if (listener == null) listener = Listener.NONE;
            if (stop == null) stop = () -> false;
        }

        public static Options listener(Listener l) {
            return new Options(l, 0, null, () -> false, null);
        }
    }

    /** Values per chunk of an epoch above which the epoch is split for progress reports. */
    private static final long CHUNK_VALUES = 1L << 24;

    private Trainer() {}

    public static Result train(Session s, Params init, TrainConfig cfg, String label, Listener listener) {
        return train(s, init, cfg, label, Options.listener(listener));
    }

    public static Result train(Session s, Params init, TrainConfig cfg, String label, Options opt) {
        int n = s.data().n();
        int d = s.data().d();
        cfg.check(n);
        int bs = cfg.batchSize();
        int batches = Batches.in(n, bs);
        long start = System.nanoTime();

        History h;
        double trainSeconds;
        Params lastFinite;
        int lfEpoch, lfStep, firstEpoch, firstBatch;
        double epochSecondsBefore;
        State r0 = opt.resume();
        if (r0 == null) {
            s.setParams(init);
            s.resetState();
            h = new History(label);
            double loss0 = s.losses(init.packed(), 1)[0];
            h.add(new History.Point(0, 0, 0, 0, loss0, 0));
            if (!Double.isFinite(loss0)) {
                return new Result(h, init, new Divergence(0, 0, "the initial loss", init, 0, 0), 0, 0, 0);
            }
            trainSeconds = 0;
            lastFinite = init;
            lfEpoch = 0;
            lfStep = 0;
            firstEpoch = 1;
            firstBatch = 0;
            epochSecondsBefore = 0;
        } else {
            DescentException.require(r0.epoch() >= 1 && r0.nextBatch() >= 0 && (r0.nextBatch() < batches || r0.nextBatch() == 0),
                    "a saved position (epoch " + r0.epoch() + ", batch " + r0.nextBatch() + ") does not fit " + batches
                            + " batches per epoch: it belongs to another dataset or batch size");
            DescentException.require(r0.epoch() <= cfg.epochs() + 1, "the saved run is already at epoch " + r0.epoch()
                    + ", past this run's " + cfg.epochs() + " epochs: ask for at least " + (r0.epoch() - 1) + " epochs");
            s.restoreState(r0.session());
            h = r0.history();
            trainSeconds = r0.trainSeconds();
            lastFinite = r0.lastFinite();
            lfEpoch = r0.lastFiniteEpoch();
            lfStep = r0.lastFiniteStep();
            firstEpoch = r0.epoch();
            firstBatch = r0.nextBatch();
            epochSecondsBefore = r0.epochSeconds();
        }

        int every = cfg.recordEvery(n, s.data().stored());
        // values a step reads: its rows' features (sparse: the stored values, on average) per head, and on sparse rows
        // an update that may touch every parameter; a sparse run cut by d instead would stop for a full-data loss every few steps
        long perRow = s.data().isSparse() ? Math.max(1, (s.data().stored() + n - 1) / n) : d;
        long perStep = bs * perRow * s.spec().heads() + (s.data().isSparse() ? (long) s.spec().heads() * (d + 1) : 0);
        int chunk = (int) Math.max(every, Math.min(batches, CHUNK_VALUES / Math.max(1L, perStep) / every * every));
        long total = (long) batches * cfg.epochs();
        long done = Math.min(total, (long) (firstEpoch - 1) * batches + firstBatch);
        long ckEvery = opt.checkpointEvery();
        for (int epoch = firstEpoch; epoch <= cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double before = epoch == firstEpoch ? epochSecondsBefore : 0;
            long step = (long) (epoch - 1) * batches + 1;          // global 1-based number of the epoch's first step
            Rate rate = cfg.schedule().rate(cfg.lr(), epoch, step);
            s.setOrder(cfg.order().order(n, epoch, cfg.seed()));
            int first = epoch == firstEpoch ? firstBatch : 0;
            while (first < batches) {
                if (opt.stop().getAsBoolean()) {
                    State st = new State(epoch, first, trainSeconds, before + (System.nanoTime() - t0) / 1e9, h, lastFinite,
                            lfEpoch, lfStep, s.saveState());
                    if (opt.checkpoint() != null) opt.checkpoint().accept(st);
                    return new Result(h, s.params(), null, (System.nanoTime() - start) / 1e9, st.stepsDone(batches),
                            examplesThrough(epoch, first - 1, n, bs), true);
                }
                int count = Math.min(chunk, batches - first);
                if (ckEvery > 0) {
                    long doneSteps = (long) (epoch - 1) * batches + first;
                    count = (int) Math.min(count, ckEvery - doneSteps % ckEvery);
                }
                long c0 = System.nanoTime();
                RunResult r = s.run(new Run(bs, first, count, rate.skip(first), every));
                double chunkSeconds = (System.nanoTime() - c0) / 1e9;
                double[] losses = s.losses(r.snapshots(), r.records());
                for (int k = 0; k < r.records(); k++) {
                    int j = r.recordedBatches()[k];
                    long ex = examplesThrough(epoch, j, n, bs);
                    double at = trainSeconds + chunkSeconds * (j + 1 - first) / count;
                    h.add(new History.Point(epoch, j + 1, ex, (double) ex / n, losses[k], at));
                    Params p = r.snapshot(k);
                    boolean finite = Double.isFinite(losses[k]) && p.isFinite();
                    if (!finite) {
                        String what = p.isFinite() ? "the loss" : "the parameters";
                        h.add(new History.Epoch(epoch, rate.at(0), losses[k], before + (System.nanoTime() - t0) / 1e9));
                        return new Result(h, lastFinite, new Divergence(epoch, j + 1, what, lastFinite, lfEpoch, lfStep),
                                (System.nanoTime() - start) / 1e9, (long) (epoch - 1) * batches + j + 1, ex);
                    }
                    lastFinite = p;
                    lfEpoch = epoch;
                    lfStep = j + 1;
                }
                if (r.diverged()) {        // non-finite parameters at a batch that was not recorded
                    int j = r.divergedBatch();
                    h.add(new History.Epoch(epoch, rate.at(0), Double.NaN, before + (System.nanoTime() - t0) / 1e9));
                    return new Result(h, lastFinite, new Divergence(epoch, j + 1, "the parameters", lastFinite, lfEpoch, lfStep),
                            (System.nanoTime() - start) / 1e9, (long) (epoch - 1) * batches + j + 1, examplesThrough(epoch, j, n, bs));
                }
                trainSeconds += chunkSeconds;
                done += count;
                first += count;
                opt.listener().progress(done, total);
                long doneSteps = (long) (epoch - 1) * batches + first;
                if (first == batches) {
                    h.add(new History.Epoch(epoch, rate.at(0), h.lastLoss(), before + (System.nanoTime() - t0) / 1e9));
                }
                if (ckEvery > 0 && (doneSteps % ckEvery == 0 || doneSteps == total)) {
                    boolean endOfEpoch = first == batches;
                    opt.checkpoint().accept(new State(endOfEpoch ? epoch + 1 : epoch, endOfEpoch ? 0 : first, trainSeconds,
                            endOfEpoch ? 0 : before + (System.nanoTime() - t0) / 1e9, h, lastFinite, lfEpoch, lfStep, s.saveState()));
                }
            }
        }
        return new Result(h, s.params(), null, (System.nanoTime() - start) / 1e9, (long) batches * cfg.epochs(),
                (long) n * cfg.epochs());
    }

    /** Rows read from the start of training through batch {@code j} (0-based) of epoch {@code epoch} (1-based). */
    private static long examplesThrough(int epoch, int j, int n, int bs) {
        return (long) (epoch - 1) * n + Math.min((long) (j + 1) * bs, n);
    }
}
