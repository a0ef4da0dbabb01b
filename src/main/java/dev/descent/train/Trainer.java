package dev.descent.train;

import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.model.Params;
import dev.descent.optim.Rate;

/**
 * The training loop. Each epoch uploads its batch order once, runs its batches through
 * {@link Session#run} (one call per epoch, or a few when the epoch is long, for progress),
 * then evaluates every recorded snapshot's full-data loss in one {@link Session#losses} pass.
 * Stops at the first non-finite parameter (reported exactly by the device) or recorded loss.
 */
public final class Trainer {

    /** Progress callback: batches done of the total, across all epochs. */
    public interface Listener {
        void progress(long done, long total);

        Listener NONE = (done, total) -> {};
    }

    /** The outcome: the history, the final parameters (the last finite ones after a divergence), and the divergence if any. */
    /**
     * @param steps    optimizer steps applied (a diverged run: up to and including the diverging one)
     * @param examples rows those steps read
     */
    public record Result(History history, Params params, Divergence divergence, double seconds, long steps, long examples) {
        public boolean diverged() { return divergence != null; }
    }

    /** Values per chunk of an epoch above which the epoch is split for progress reports. */
    private static final long CHUNK_VALUES = 1L << 24;

    private Trainer() {}

    public static Result train(Session s, Params init, TrainConfig cfg, String label, Listener listener) {
        int n = s.data().n();
        int d = s.data().d();
        cfg.check(n);
        s.setParams(init);
        s.resetState();
        History h = new History(label);
        long start = System.nanoTime();

        double loss0 = s.losses(init.packed(), 1)[0];
        h.add(new History.Point(0, 0, 0, 0, loss0, 0));
        double trainSeconds = 0;
        Params lastFinite = init;
        int lfEpoch = 0, lfStep = 0;
        if (!Double.isFinite(loss0)) {
            return new Result(h, init, new Divergence(0, 0, "the initial loss", init, 0, 0), 0, 0, 0);
        }

        int bs = cfg.batchSize();
        int batches = dev.descent.backend.Batches.in(n, bs);
        int every = cfg.recordEvery(n);
        int chunk = (int) Math.max(every, Math.min(batches, CHUNK_VALUES / Math.max(1L, (long) bs * d) / every * every));
        long total = (long) batches * cfg.epochs();
        long done = 0;
        long step = 1;                               // global 1-based step number
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            Rate rate = cfg.schedule().rate(cfg.lr(), epoch, step);
            s.setOrder(cfg.order().order(n, epoch, cfg.seed()));
            for (int first = 0; first < batches; first += chunk) {
                int count = Math.min(chunk, batches - first);
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
                        h.add(new History.Epoch(epoch, rate.at(0), losses[k], (System.nanoTime() - t0) / 1e9));
                        return new Result(h, lastFinite, new Divergence(epoch, j + 1, what, lastFinite, lfEpoch, lfStep),
                                (System.nanoTime() - start) / 1e9, (long) (epoch - 1) * batches + j + 1, ex);
                    }
                    lastFinite = p;
                    lfEpoch = epoch;
                    lfStep = j + 1;
                }
                if (r.diverged()) {        // non-finite parameters at a batch that was not recorded
                    int j = r.divergedBatch();
                    h.add(new History.Epoch(epoch, rate.at(0), Double.NaN, (System.nanoTime() - t0) / 1e9));
                    return new Result(h, lastFinite, new Divergence(epoch, j + 1, "the parameters", lastFinite, lfEpoch, lfStep),
                            (System.nanoTime() - start) / 1e9, (long) (epoch - 1) * batches + j + 1, examplesThrough(epoch, j, n, bs));
                }
                trainSeconds += chunkSeconds;
                done += count;
                listener.progress(done, total);
            }
            step += batches;
            h.add(new History.Epoch(epoch, rate.at(0), h.lastLoss(), (System.nanoTime() - t0) / 1e9));
        }
        return new Result(h, s.params(), null, (System.nanoTime() - start) / 1e9, (long) batches * cfg.epochs(), (long) n * cfg.epochs());
    }

    /** Rows read from the start of training through batch {@code j} (0-based) of epoch {@code epoch} (1-based). */
    private static long examplesThrough(int epoch, int j, int n, int bs) {
        return (long) (epoch - 1) * n + Math.min((long) (j + 1) * bs, n);
    }
}
