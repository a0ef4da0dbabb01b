package dev.descent.sweep;

import dev.descent.backend.Batches;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import dev.descent.train.Divergence;
import dev.descent.train.History;
import dev.descent.train.TrainConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sweep engine on the CPU: K models over one dense dataset, in float32 with the cpu backend's
 * arithmetic, so that each configuration's parameters are those of the same configuration trained
 * alone by {@code Trainer.train} on {@code Backends.open("cpu")}.
 *
 * <p><b>Groups and shards.</b> Configurations with the same batch size and batch order form a group:
 * they visit the same rows in the same order, so each step reads each batch row once for all of
 * them. A group's models are held in shards, each a parameter-major (d + 1, k) block of k models
 * (see {@link LaneKernels} for why that layout), or k contiguous models [k][d + 1] that each run the
 * cpu backend's own row loops on each row while it is in L1 (see {@link Shard}): without the Vector
 * API a small-batch group of wide rows (d ≥ {@link #MODEL_MAJOR_D}), with it a shard of fewer than
 * {@link #MIN_BLOCK_LANES} models of wide rows at any batch. A small-batch group (batches of at most
 * {@link #BLOCK} rows) is cut into up to one shard per thread and each shard runs a whole epoch on
 * one thread, reading the data once per shard; a larger batch keeps one shard and cuts each step's
 * rows into blocks of {@link #BLOCK} across the threads (full-batch GD: Xᵀ·R blocked by rows, each
 * row's K margins and K residual updates done while the row is in L1).
 *
 * <p><b>Reduction order</b>, per model, as {@code CpuSession}: one block's gradient is summed in
 * float in row order (the row kernels' own order inside a row), a larger batch's blocks are added
 * in double in block order, the mean is (float)(sum·(1/count)); the update is
 * {@link Optimizer#stepFloat}; batch-1 plain SGD without decay takes CpuSession's one-pass path
 * (w ← w − (η·r)·x). Recorded losses are summed in double per block of {@link #BLOCK} rows, blocks
 * added in order. No step of one model reads another model's numbers, so which shard or thread holds
 * a model changes nothing: the result is the same for any thread count, run to run.
 *
 * <p><b>Early stop.</b> A model whose parameters become non-finite leaves its shard at once (the
 * shard is compacted) and costs nothing afterwards; one whose recorded loss is non-finite is found
 * when the epoch's records are evaluated and leaves then.
 */
final class Engine {
    /** Positions per block of a batch and rows per block of a loss sum: CpuSession.BLOCK (the unit of its reduction order). */
    static final int BLOCK = 2048;
    /** A small-batch group is not cut into shards of fewer models than this. */
    static final int MIN_SHARD_LANES = 4;
    /**
     * A shard of wide rows (d ≥ {@link #MODEL_MAJOR_D}) with fewer models than this goes model-major
     * even where the block loops run, at any batch: a block of {@link BlockOps#width()} lanes with most
     * of them empty does more work than the few models alone along d (full batch, one model, d = 64,
     * 1M rows, 2 threads: 64 → 35 ms an epoch, session 22). Narrow rows stay on the blocks (one model at
     * d = 2, full batch: 11 ms on a block, 17.5 model-major).
     */
    static final int MIN_BLOCK_LANES = 4;
    /**
     * Small-batch shards of models with at least this many features are held model-major (see
     * {@link Shard}): measured with SweepBench, batch-1 SGD on 2 cores, the parameter-major lane
     * loops win at small d and lose at large d. -Ddescent.sweep.modelMajorD=N moves the line.
     */
    static final int MODEL_MAJOR_D = Integer.getInteger("descent.sweep.modelMajorD", 16);
    /** The cpu backend's row kernels, copied (RowOps), for the model-major path. */
    private static final RowOps ROW = RowOps.forCpuBackend();

    private final Dataset data;
    private final float[] x, t;
    private final float[] wt;                     // example weights, or null: a row's residuals and loss times its weight (as CpuSession)
    private final int n, d, np, obj, heads;
    private final long values;                      // stored values: the default record count's rule
    private final float objP;
    private final boolean bias;
    final LaneKernels kern;
    /** The block loops (Vector API), or null: then the lane loops of {@link #kern} and, for wide rows, the model-major path. */
    final BlockOps blocks;
    private final ForkJoinPool pool;
    /** The device's sessions when the sweep runs on a device backend (then every group is one {@link DeviceShard}), else null. */
    private final Sessions sessions;
    final int threads;
    private final Config[] cfgs;
    private final int period;

    // per configuration
    private final List<History.Point>[] points;
    private final List<History.Epoch>[] epochLog;
    private final Divergence[] div;
    private final Params[] lastFinite, finalParams;
    private final int[] lfEpoch, lfStep, groupOf;
    private final long[] steps, examples;
    private final boolean[] done;
    private final Rate[] rates;
    private final Halt[] halts;
    /** Successive halving: keep the best ⌈k / eta⌉ after every {@link #halvingEvery} epochs (eta 0: off). */
    private final int eta, halvingEvery;
    private final List<Group> groups = new ArrayList<>();
    double lossSeconds;

    /** One model's place in a shard. */
    private record Lane(int cfg, Optimizer opt, float[] state, boolean fast) {}

    /** What the run needs of a shard, on the CPU ({@link Shard}) or on a device ({@link DeviceShard}). */
    private interface Part {
        /** Models still here. */
        int k();
        /** The configuration of model l. */
        int cfg(int l);
        /** Every batch of this epoch, for every model still here: records to {@link #snaps}, divergences to {@link #diverged}. */
        void runEpoch(int epoch);
        /** This epoch's records so far. */
        List<Snapshot> snaps();
        /** {cfg, epoch, batch} of each model whose parameters became non-finite this epoch. */
        List<int[]> diverged();
        /** The models' parameters now (the averages for averaging optimizers), as a record at batch j. */
        Snapshot snapshot(int epoch, int j);
        /** Model l's parameters now. */
        Params params(int l);
        /** Drops the models marked in out. */
        void remove(boolean[] out);
    }

    /** A model's parameters at a recorded batch: (d + 1, stride) parameter-major, k models, averaged columns substituted. */
    private record Snapshot(int epoch, int batch, int[] cfgs, float[] w, int k, int stride) {}

    /** The parameter-major stride of k models: whole blocks with {@link #blocks}, else k. */
    private int strideOf(int k) {
        return blocks != null ? blocks.stride(k) : k;
    }

    @SuppressWarnings("unchecked")
    Engine(Dataset data, int objective, float objParam, boolean bias, int heads, List<Config> configs, int period, int threads, ForkJoinPool pool,
           Sessions sessions, int eta, int halvingEvery) {
        this.data = data;
        this.eta = eta;
        this.halvingEvery = halvingEvery;
        this.sessions = sessions;
        this.x = sessions != null ? null : data.features();       // on sessions the rows are theirs (sparse ones too)
        this.t = sessions != null ? null : data.targets();
        this.wt = sessions != null ? null : data.weights();
        this.n = data.n();
        this.values = data.stored();
        this.d = data.d();
        this.heads = heads;                                       // > 1 (softmax) only on sessions
        this.np = heads * (d + 1);
        this.obj = objective;
        this.objP = objParam;
        this.bias = bias;
        this.kern = LaneKernels.forCpuBackend(d);
        this.blocks = BlockOps.get(d, kern.vectorLanes);
        this.pool = pool;
        this.threads = threads;
        this.cfgs = configs.toArray(new Config[0]);
        this.period = period;
        int K = cfgs.length;
        points = new List[K];
        epochLog = new List[K];
        div = new Divergence[K];
        lastFinite = new Params[K];
        finalParams = new Params[K];
        lfEpoch = new int[K];
        lfStep = new int[K];
        groupOf = new int[K];
        steps = new long[K];
        examples = new long[K];
        done = new boolean[K];
        rates = new Rate[K];
        halts = new Halt[K];
        for (int c = 0; c < K; c++) {
            points[c] = new ArrayList<>();
            epochLog[c] = new ArrayList<>();
        }
        buildGroups();
    }

    // ------------------------------------------------------------------------------ groups and shards

    private final class Group {
        final int bs, batches, every;
        final BatchOrder order;
        final List<Part> shards = new ArrayList<>();
        int[] rows;                               // this epoch's batch order
        final int configs;

        Group(int bs, BatchOrder order, List<Integer> members) {
            this.bs = bs;
            this.order = order;
            this.batches = Batches.in(n, bs);
            this.every = TrainConfig.recordEvery(period, n, bs, values);
            this.configs = members.size();
            List<Lane> lanes = new ArrayList<>();
            for (int c : members) {
                Optimizer o = cfgs[c].optimizer();
                boolean fast = o.rule() == Optimizer.Rule.SGD && (float) o.weightDecay() == 0f && o.l1() == 0 && !o.average();
                lanes.add(new Lane(c, o, new float[o.slots() * np], fast));
            }
            if (sessions != null) {                                       // a device: one shard of all the group's models
                shards.add(new DeviceShard(this, lanes));
                return;
            }
            lanes.sort((a, b) -> Boolean.compare(b.fast, a.fast));       // fast lanes first, as each shard wants them
            int minLanes = blocks != null ? Math.max(MIN_SHARD_LANES, blocks.width()) : MIN_SHARD_LANES;
            // batch-1 runs on wide rows: as many shards as threads, up to one per block they fill, as a half-empty block
            // costs a whole one (20 models on 2 threads: two shards of one block, 207 -> 173 ms an epoch at d = 64, 1M
            // rows); a batch of several rows keeps whole blocks together, where a block pair shares each x broadcast (20
            // models at batch 100, d = 64: one shard of two blocks 123-128 ms, two of one block 149-157)
            boolean perBlock = blocks != null && bs == 1 && !blocks.narrow();
            int shardCount = bs > BLOCK ? 1 : Math.max(1, Math.min(threads, perBlock ? (lanes.size() + minLanes - 1) / minLanes
                    : lanes.size() / minLanes));
            List<List<Lane>> split = new ArrayList<>();
            for (int s = 0; s < shardCount; s++) split.add(new ArrayList<>());
            for (int i = 0; i < lanes.size(); i++) split.get(i % shardCount).add(lanes.get(i));   // round robin keeps the mix even
            for (List<Lane> l : split) shards.add(new Shard(this, l));
        }

        String describe() {
            if (sessions != null) return "batch " + bs + ", " + order.cliName() + ": " + configs + " configuration" + (configs == 1 ? "" : "s")
                    + (sessions.lanesFit(bs, configs) ? " " + sessions.lanesShape(bs)
                            : sessions.lanesFit(bs) ? " trained alone one after another on the device (below " + sessions.lanesFrom(bs)
                                    + " models a lane launch costs more than their lone runs)"
                            : " one after another on the device (no lane kernel reads these rows: sparse, several heads or streamed)")
                    + ", records every " + every + " batch" + (every == 1 ? "" : "es");
            int[] sizes = shards.stream().mapToInt(Part::k).toArray();
            return "batch " + bs + ", " + order.cliName() + ": " + configs + " configuration" + (configs == 1 ? "" : "s") + " in "
                    + shards.size() + " shard" + (shards.size() == 1 ? "" : "s") + " " + Arrays.toString(sizes)
                    + (bs > BLOCK ? ", rows in blocks of " + BLOCK + " across threads" : ", one thread per shard")
                    + (!shards.isEmpty() && ((Shard) shards.get(0)).mm ? ", model-major"
                            : !shards.isEmpty() && ((Shard) shards.get(0)).blocked ? ", blocks of " + blocks.width() + " models"
                            + (stepsInRuns(bs) ? " (plain SGD at constant rates: runs of steps, " + (blocks.narrow() ? "a block's weights in registers)"
                            : "each step's update and the next row's margin in one pass)") : "") : "")
                    + ", records every " + every + " batch" + (every == 1 ? "" : "es");
        }
    }

    private void buildGroups() {
        Map<BatchOrder, Map<Integer, List<Integer>>> byKey = new EnumMap<>(BatchOrder.class);
        for (int c = 0; c < cfgs.length; c++) {
            byKey.computeIfAbsent(cfgs[c].order(), o -> new java.util.TreeMap<>()).computeIfAbsent(cfgs[c].batchSize(), b -> new ArrayList<>()).add(c);
        }
        for (var e : byKey.entrySet()) {
            for (var g : e.getValue().entrySet()) {
                for (int c : g.getValue()) groupOf[c] = groups.size();
                groups.add(new Group(g.getKey(), e.getKey(), g.getValue()));
            }
        }
    }

    List<String> describeGroups() {
        return groups.stream().map(Group::describe).toList();
    }

    /**
     * A shard: k models of one group, fast (plain batch-1-able SGD) lanes first. Parameter-major,
     * (np, k), for small d: the lane loops of {@link LaneKernels}. Model-major, [k][np] (mm), for a
     * small-batch group with d ≥ {@link #MODEL_MAJOR_D} without the Vector API and for a shard of fewer
     * than {@link #MIN_BLOCK_LANES} models with it (see there): each batch row is read once and, while it is
     * in L1, each model in turn runs the cpu backend's own row loops ({@link RowOps}) on its own
     * contiguous parameters, so the bits are the lone run's by construction and there are no
     * per-feature lane loops or 2L accumulator rows. Snapshots are parameter-major either way.
     */
    private final class Shard implements Part {
        final Group group;
        final boolean mm;                         // model-major: w[l·np + j]; else parameter-major: w[j·kp + l]
        final boolean blocked;                    // parameter-major on the block loops (BlockOps), kp whole blocks
        Lane[] lanes;
        int k, kFast, kp;                         // models, the plain-SGD ones (first), the parameter-major stride
        float[] w;                                // parameters, (np, kp) or [k][np]
        final float[] g;                          // the batch's gradient, laid out as w
        final float[] m, r, lr, z, acc;           // (kp) margins, residuals, rates, finiteness sums; margin scratch
        final boolean[] bad;
        float[][] blockG = new float[0][];        // multi-block batches: each block's float partial (np, kp)
        final List<Snapshot> snaps = new ArrayList<>();
        final List<int[]> diverged = new ArrayList<>();   // {cfg, epoch, batch} of each parameter divergence

        @Override public int k() { return k; }
        @Override public int cfg(int l) { return lanes[l].cfg; }
        @Override public List<Snapshot> snaps() { return snaps; }
        @Override public List<int[]> diverged() { return diverged; }

        Shard(Group group, List<Lane> lanes) {
            this.group = group;
            this.lanes = lanes.toArray(new Lane[0]);
            this.k = lanes.size();
            this.mm = d >= MODEL_MAJOR_D && (blocks == null ? group.bs <= BLOCK : k < MIN_BLOCK_LANES);
            this.blocked = !mm && blocks != null;
            this.kp = blocked ? blocks.stride(k) : k;
            for (Lane l : lanes) if (l.fast) kFast++;
            int k0 = kp;
            w = new float[np * k0];
            g = new float[np * k0];
            m = new float[blocked ? blocks.gradientScratch(k0) : k0];
            r = new float[m.length];
            lr = new float[k0];
            z = new float[k0];
            acc = new float[kern.scratch(k0)];
            bad = new boolean[k0];
            for (int l = 0; l < k; l++) {
                Params p = cfgs[this.lanes[l].cfg].init();
                float[] pk = p == null ? new float[np] : p.packed();
                for (int j = 0; j < np; j++) w[at(j, l)] = pk[j];
                seedAverage(l);
            }
        }

        /** Where parameter j of lane l is in w and g. */
        private int at(int j, int l) {
            return mm ? l * np + j : j * kp + l;
        }

        /** As CpuSession.seedAverage: an averaging optimizer's mean starts at the initial parameters. */
        private void seedAverage(int l) {
            Lane lane = lanes[l];
            if (!lane.opt.average()) return;
            int a = lane.opt.averageSlot() * np;
            for (int j = 0; j < np; j++) lane.state[a + j] = w[at(j, l)];
        }

        @Override
        public void runEpoch(int epoch) {
            Group gr = group;
            long t0 = (long) (epoch - 1) * gr.batches;
            boolean varying = false;                     // a per-step or 1/√t rate: each batch's rate afresh, else once an epoch
            for (Lane lane : lanes) varying |= rates[lane.cfg].steps() != null || rates[lane.cfg].inverseSqrt();
            boolean stale = true;
            // batch-1 plain SGD of the squared loss: runs of steps up to each record (BlockOps.sgdRun)
            boolean runs = blocked && !varying && stepsInRuns(gr.bs);
            for (int j = 0; j < gr.batches && k > 0; j++) {
                int from = Batches.from(j, gr.bs), cnt = Batches.count(j, gr.bs, n);
                if (stale || varying) for (int l = 0; l < k; l++) lr[l] = (float) rates[lanes[l].cfg].at(j);
                stale = false;
                boolean anyBad;
                if (runs && kFast == k) {
                    int last = Math.min(gr.batches - 1, (j + gr.every - 1) / gr.every * gr.every);   // the next recorded step
                    j = blocks.sgdRun(x, t, wt, gr.rows, j, last + 1, w, kp, lr, k, bias) - 1;   // the last step applied
                    anyBad = false;
                    for (int l = 0; l < k; l++) anyBad |= bad[l] = !finite(l);
                } else {
                    anyBad = step(gr.rows, from, cnt, t0 + j + 1);
                }
                if (j % gr.every == 0) snaps.add(snapshot(epoch, j));   // non-finite ones too: a lone run records them
                if (anyBad) {
                    for (int l = 0; l < k; l++) if (bad[l]) diverged.add(new int[] {lanes[l].cfg, epoch, j});
                    remove(bad);
                    stale = true;                        // the lanes moved
                }
            }
        }

        /** Whether lane l's parameters are all finite. */
        private boolean finite(int l) {
            for (int j = 0; j < np; j++) if (!Float.isFinite(w[at(j, l)])) return false;
            return true;
        }

        /** One step of every model on order positions [from, from + cnt); true when some model's parameters became non-finite (see bad). */
        private boolean step(int[] rows, int from, int cnt, long update) {
            boolean one = cnt == 1;
            int l0 = one ? kFast : 0;                    // on one row the fast lanes need no gradient buffer
            Arrays.fill(bad, 0, k, false);
            if (cnt > BLOCK) {
                blockGradient(rows, from, cnt);
            } else if (mm) {
                modelMajorGradient(rows, from, cnt, one);
            } else if (blocked) {
                blockRows(rows, from, cnt, one && kFast > 0, l0);   // sgd: one row
            } else {
                Arrays.fill(g, 0, np * kp, 0f);
                for (int q = from; q < from + cnt; q++) {
                    int row = rows[q];
                    kern.margins(x, row * d, w, kp, m, acc);
                    float ti = t == null ? 0f : t[row];
                    float v = weight(row);
                    for (int l = 0; l < k; l++) r[l] = v * dev.descent.backend.cpu.FloatLosses.dloss(obj, objP, m[l], ti);
                    if (one) sgdOne(row);
                    if (l0 < k) kern.axpy(g, r, x, row * d, l0, k);
                }
                mean(l0, cnt);
            }
            boolean any = false;
            for (int l = 0; l < l0; l++) any |= bad[l];
            int l1 = l0;
            if (blocked && l0 == 0 && kFast > 0) {          // plain SGD lanes on the block loops, the others one by one
                blocks.sgdUpdate(w, g, lr, kp, kFast, bias, bad);
                for (int l = 0; l < kFast; l++) any |= bad[l];
                l1 = kFast;
            }
            for (int l = l1; l < k; l++) any |= bad[l] = !update(l, update);
            return any;
        }

        /**
         * The block loops' row pass over order positions [from, from + cnt): with {@code sgd} (one row) its
         * margins and residuals, CpuSession.sgdOne for the fast lanes and r·x for lanes [l0, k); else the
         * batch's {@link BlockOps#gradientRows}; then the one-block mean. Its own small method so that the JIT
         * compiles it with the vector calls inlined (inside step's much larger body it ran out of inlining
         * budget and the vectors went through their boxed Java fallback, several times slower).
         */
        private void blockRows(int[] rows, int from, int cnt, boolean sgd, int l0) {
            boolean grad = l0 < k;
            if (grad) Arrays.fill(g, 0, np * kp, 0f);
            if (sgd) {
                int row = rows[from], o = row * d;
                blocks.margins(x, o, w, kp, m);
                blocks.residuals(obj, objP, m, t == null ? 0f : t[row], r, kp);
                if (wt != null) BlockOps.scale(r, kp, wt[row]);
                blocks.sgd(w, kp, lr, r, x, o, kFast, bias, bad);
                if (grad) blocks.axpy(g, r, x, o, l0, kp);
            } else {
                blocks.gradientRows(obj, objP, x, t, wt, rows, from, from + cnt, w, kp, g, l0, m, r);
            }
            if (grad) mean(l0, cnt);
        }

        /** CpuSession's one-block mean of a parameter-major gradient, lanes [l0, k). */
        private void mean(int l0, int cnt) {
            if (blocked) blocks.mean(g, np, kp, l0, k, 1.0 / cnt);
            else BlockOps.scalarMean(g, np, kp, l0, k, 1.0 / cnt);    // the lane loops (no Vector API: no BlockOps)
        }

        /**
         * The model-major step's row pass: per row, per model, CpuSession.partial's margin, residual
         * and r·x (the bias's residual summed in float from 0, in row order), or for a fast lane on
         * one row CpuSession.sgdOne; then the one-block mean. g is [k][np].
         */
        private void modelMajorGradient(int[] rows, int from, int cnt, boolean one) {
            int l0 = one ? kFast : 0;
            Arrays.fill(g, l0 * np, k * np, 0f);
            modelMajorRows(rows, from, from + cnt, g, l0);
            double inv = 1.0 / cnt;                         // CpuSession's one-block mean
            for (int i = l0 * np, e = k * np; i < e; i++) g[i] = (float) (g[i] * inv);
        }

        /**
         * Order positions [from, to) model-major, row by row: every model's margin and residual, then CpuSession.sgdOne for
         * lanes below l0 (one row) and for the others r·x and the bias's residual added to their float partial in gb
         * ([k][np]). Also one block of a larger batch ({@link #blockGradient}): a few models go model-major at any batch
         * (fewer than {@link #MIN_BLOCK_LANES} on the block loops), where a block of 16 lanes for one model did 16 models'
         * work (full batch, d = 64, 1M rows, 2 threads: 64 ms an epoch against the lone run's 19).
         */
        private void modelMajorRows(int[] rows, int from, int to, float[] gb, int l0) {
            for (int q = from; q < to; q++) {
                int row = rows[q], o = row * d;
                float ti = t == null ? 0f : t[row], v = weight(row);
                for (int l = 0; l < k; l++) {
                    int so = l * np;
                    float ri = v * dev.descent.backend.cpu.FloatLosses.dloss(obj, objP, ROW.margin(x, o, w, so, d), ti);
                    if (l < l0) {
                        bad[l] = !sgdOneModelMajor(o, so, lr[l] * ri);
                    } else {
                        ROW.axpy(gb, so, ri, x, o, d);
                        gb[so + d] += ri;
                    }
                }
            }
        }

        /** CpuSession.sgdOne on the model at w[so …]: w ← w − step·x; false when a parameter is non-finite. */
        private boolean sgdOneModelMajor(int o, int so, float step) {
            boolean finite = ROW.sgd(w, so, step, x, o, d);
            if (bias) w[so + d] = w[so + d] - step;
            return finite && Float.isFinite(w[so + d]);
        }

        /** CpuSession.sgdOne for the fast lanes (lane loops): w ← w − (η·r)·x in one pass; bad[l] when a parameter is non-finite. */
        private void sgdOne(int row) {
            int kf = kFast, o = row * d, bb = d * kp;
            if (kf == 0) return;
            for (int l = 0; l < kf; l++) {
                z[l] = 0f;
                r[l] = lr[l] * r[l];                   // the step; r is not needed again for these lanes
            }
            for (int j = 0; j < d; j++) LaneKernels.OPS.sgdRow(w, j * kp, r, x[o + j], z, kf);   // z: 0 exactly while every weight is finite
            if (bias) for (int l = 0; l < kf; l++) w[bb + l] = w[bb + l] - r[l];
            for (int l = 0; l < kf; l++) bad[l] = !(z[l] == 0f && Float.isFinite(w[bb + l]));
        }

        /** The gradient of a batch over several blocks: each block's float partial on some thread, then the blocks in order in double. */
        private void blockGradient(int[] rows, int from, int cnt) {
            int blocksN = (cnt + BLOCK - 1) / BLOCK, size = np * kp;
            if (blockG.length < blocksN || blockG[0].length < size) {
                blockG = new float[blocksN][size];
            }
            AtomicInteger next = new AtomicInteger();
            Runnable work = () -> {
                int scratch = blocked ? blocks.gradientScratch(kp) : kp;
                float[] ms = new float[scratch], rr = new float[scratch], aa = new float[kern.scratch(kp)];
                for (int b; (b = next.getAndIncrement()) < blocksN; ) {
                    float[] gb = blockG[b];
                    Arrays.fill(gb, 0, size, 0f);
                    int q0 = from + b * BLOCK, e = Math.min(from + cnt, q0 + BLOCK);
                    if (blocked) {
                        blocks.gradientRows(obj, objP, x, t, wt, rows, q0, e, w, kp, gb, 0, ms, rr);
                        continue;
                    }
                    if (mm) {
                        modelMajorRows(rows, q0, e, gb, 0);
                        continue;
                    }
                    for (int q = q0; q < e; q++) {
                        int row = rows[q], o = row * d;
                        float ti = t == null ? 0f : t[row];
                        kern.margins(x, o, w, k, ms, aa);
                        float v = weight(row);
                        for (int l = 0; l < k; l++) rr[l] = v * dev.descent.backend.cpu.FloatLosses.dloss(obj, objP, ms[l], ti);
                        kern.axpy(gb, rr, x, o, 0, k);
                    }
                }
            };
            inParallel(work);
            double inv = 1.0 / cnt;
            for (int i = 0; i < size; i++) {
                double s = 0;
                for (int b = 0; b < blocksN; b++) s += blockG[b][i];
                g[i] = (float) (s * inv);
            }
        }

        /** CpuSession.update for lane l: Optimizer.stepFloat on each parameter (the bias only with a bias); false once one is non-finite. */
        private boolean update(int l, long t) {
            Lane lane = lanes[l];
            Optimizer o = lane.opt;
            float[] st = lane.state;
            float rate = lr[l];
            boolean finite = true;
            for (int j = 0; j < np; j++) {
                boolean weight = j < d;
                if (!weight && !bias) continue;
                int i = at(j, l);
                float nw = o.stepFloat(w[i], g[i], st, np, j, t, rate, weight);
                w[i] = nw;
                finite &= Float.isFinite(nw);
            }
            return finite;
        }

        @Override
        public Snapshot snapshot(int epoch, int j) {
            int sk = strideOf(k);
            float[] s;
            if (mm) {
                s = new float[np * sk];
                for (int l = 0; l < k; l++) for (int q = 0; q < np; q++) s[q * sk + l] = w[l * np + q];
            } else if (sk == kp) {
                s = Arrays.copyOf(w, np * kp);
            } else {
                s = new float[np * sk];
                for (int q = 0; q < np; q++) System.arraycopy(w, q * kp, s, q * sk, k);
            }
            int[] ids = new int[k];
            for (int l = 0; l < k; l++) {
                Lane lane = lanes[l];
                ids[l] = lane.cfg;
                if (lane.opt.average()) {
                    int a = lane.opt.averageSlot() * np;
                    for (int q = 0; q < np; q++) s[q * sk + l] = lane.state[a + q];
                }
            }
            return new Snapshot(epoch, j, ids, s, k, sk);
        }

        @Override
        public Params params(int l) {
            Lane lane = lanes[l];
            float[] p = new float[np];
            if (lane.opt.average()) System.arraycopy(lane.state, lane.opt.averageSlot() * np, p, 0, np);
            else for (int j = 0; j < np; j++) p[j] = w[at(j, l)];
            return Params.ofPacked(p, d, heads);
        }

        /** Drops the lanes marked in out: the shard is rebuilt with the others, in their order. */
        @Override
        public void remove(boolean[] out) {
            int keep = 0;
            for (int l = 0; l < k; l++) if (!out[l]) keep++;
            if (keep == k) return;
            int nkp = mm ? keep : blocked ? blocks.stride(keep) : Math.max(1, keep);
            float[] nw = new float[np * Math.max(1, nkp)];
            Lane[] nl = new Lane[keep];
            int q = 0, fast = 0;
            for (int l = 0; l < k; l++) {
                if (out[l]) continue;
                for (int j = 0; j < np; j++) nw[mm ? q * np + j : j * nkp + q] = w[at(j, l)];
                nl[q++] = lanes[l];
                if (lanes[l].fast) fast++;
            }
            w = nw;
            lanes = nl;
            k = keep;
            kp = mm ? keep : nkp;
            kFast = fast;
        }
    }

    /** Whether a shard of this batch size on the block loops steps in runs (BlockOps.sgdRun) when every model is plain SGD at a constant rate. */
    private boolean stepsInRuns(int bs) {
        return blocks != null && bs == 1 && obj == 0 && blocks.runs();
    }

    /** Row {@code row}'s example weight: 1 without weights (as CpuSession: a residual times 1 keeps its bits). */
    private float weight(int row) {
        return wt == null ? 1f : wt[row];
    }

    /** Runs work on the calling thread and on each of the pool's threads − 1 workers at once; returns when every copy has. */
    private void inParallel(Runnable work) {
        if (threads < 2) {
            work.run();
            return;
        }
        List<Future<?>> f = new ArrayList<>();
        for (int i = 0; i < threads - 1; i++) f.add(pool.submit(work));
        try {
            work.run();
        } finally {
            join(f);                                     // the others finish before anything (an exception too) goes on
        }
    }

    private static void join(List<? extends Future<?>> fs) {
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("sweep interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                if (e.getCause() instanceof Error er) throw er;
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    // ------------------------------------------------------------------------------ the run

    /** Trains every configuration for {@code epochs} epochs; returns the outcomes in configuration order. */
    List<Outcome> run(int epochs, long seed) {
        List<Snapshot> init = new ArrayList<>();
        for (Group gr : groups) for (Part s : gr.shards) init.add(s.snapshot(0, -1));
        long i0 = System.nanoTime();
        double[][] l0 = losses(init);
        lossSeconds += (System.nanoTime() - i0) / 1e9;       // the initial losses count as loss evaluation too
        boolean[] kill = new boolean[cfgs.length];
        for (int i = 0; i < init.size(); i++) {
            Snapshot s = init.get(i);
            for (int l = 0; l < s.k; l++) {
                int c = s.cfgs[l];
                Params p = column(s, l);
                lastFinite[c] = p;
                points[c].add(new History.Point(0, 0, 0, 0, l0[i][l], 0));
                if (!Double.isFinite(l0[i][l])) {
                    div[c] = new Divergence(0, 0, "the initial loss", p, 0, 0);
                    done[c] = kill[c] = true;
                }
            }
        }
        removeKilled(kill);
        double trainSeconds = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long e0 = System.nanoTime();
            Map<BatchOrder, int[]> orders = new EnumMap<>(BatchOrder.class);
            for (Group gr : groups) {
                int ep = epoch;
                gr.rows = orders.computeIfAbsent(gr.order, o -> o.order(n, ep, seed));
                long first = (long) (epoch - 1) * gr.batches + 1;
                for (Part s : gr.shards) {
                    for (int l = 0; l < s.k(); l++) rates[s.cfg(l)] = cfgs[s.cfg(l)].schedule().rate(cfgs[s.cfg(l)].lr(), epoch, first);
                }
            }
            List<Part> small = new ArrayList<>();
            for (Group gr : groups) {
                if (gr.bs > BLOCK || sessions != null) continue;       // a device's shards run one at a time, below
                for (Part s : gr.shards) if (s.k() > 0) small.add(s);
            }
            // The calling thread takes shards too (inParallel): the pool has threads − 1 workers, and invokeAll from outside
            // the pool left the caller waiting, so two shards ran one after the other on the one worker (session 20: batch
            // 100, d = 64, K = 64 trained in 280-290 ms an epoch, twice a shard's 140 ms on its own thread).
            AtomicInteger nextShard = new AtomicInteger();
            int ep = epoch;
            inParallel(() -> {
                for (int i; (i = nextShard.getAndIncrement()) < small.size(); ) small.get(i).runEpoch(ep);
            });
            for (Group gr : groups) if (gr.bs > BLOCK || sessions != null) for (Part s : gr.shards) if (s.k() > 0) s.runEpoch(epoch);
            double epochTrain = (System.nanoTime() - e0) / 1e9;
            long l0n = System.nanoTime();
            List<Snapshot> recs = new ArrayList<>();
            for (Group gr : groups) for (Part s : gr.shards) recs.addAll(s.snaps());
            double[][] ls = losses(recs);
            lossSeconds += (System.nanoTime() - l0n) / 1e9;
            double epochSeconds = (System.nanoTime() - e0) / 1e9;
            Arrays.fill(kill, false);
            int at = 0;
            for (Group gr : groups) {
                for (Part s : gr.shards) {
                    for (Snapshot snap : s.snaps()) {
                        double[] loss = ls[at++];
                        for (int l = 0; l < snap.k; l++) {
                            int c = snap.cfgs[l];
                            if (done[c]) continue;
                            int j = snap.batch;
                            long ex = examplesThrough(epoch, j, gr.bs);
                            double sec = trainSeconds + epochTrain * (j + 1) / gr.batches;
                            points[c].add(new History.Point(epoch, j + 1, ex, (double) ex / n, loss[l], sec));
                            Params p = column(snap, l);
                            if (!Double.isFinite(loss[l]) || !p.isFinite()) {          // Trainer's order: the point, then the stop
                                epochLog[c].add(new History.Epoch(epoch, rates[c].at(0), loss[l], epochSeconds));
                                String what = p.isFinite() ? "the loss" : "the parameters";
                                stop(c, new Divergence(epoch, j + 1, what, lastFinite[c], lfEpoch[c], lfStep[c]), epoch, j, gr);
                                kill[c] = true;
                                continue;
                            }
                            lastFinite[c] = p;
                            lfEpoch[c] = epoch;
                            lfStep[c] = j + 1;
                        }
                    }
                    s.snaps().clear();
                    for (int[] e : s.diverged()) {
                        int c = e[0], j = e[2];
                        if (done[c]) continue;
                        epochLog[c].add(new History.Epoch(epoch, rates[c].at(0), Double.NaN, epochSeconds));
                        stop(c, new Divergence(epoch, j + 1, "the parameters", lastFinite[c], lfEpoch[c], lfStep[c]), epoch, j, gr);
                    }
                    s.diverged().clear();
                }
            }
            removeKilled(kill);
            trainSeconds += epochTrain;
            for (int c = 0; c < cfgs.length; c++) {
                if (done[c]) continue;
                List<History.Point> ps = points[c];
                epochLog[c].add(new History.Epoch(epoch, rates[c].at(0), ps.get(ps.size() - 1).loss(), epochSeconds));
            }
            if (eta > 0 && epoch < epochs && epoch % halvingEvery == 0) halve(epoch, kill);
        }
        for (Group gr : groups) {
            for (Part s : gr.shards) {
                for (int l = 0; l < s.k(); l++) {
                    int c = s.cfg(l);
                    finalParams[c] = s.params(l);
                    steps[c] = (long) gr.batches * epochs;
                    examples[c] = (long) n * epochs;
                }
            }
        }
        List<Outcome> out = new ArrayList<>();
        for (int c = 0; c < cfgs.length; c++) {
            History h = History.of(cfgs[c].name(), points[c], epochLog[c]);
            Params p = div[c] != null ? lastFinite[c] : finalParams[c];
            out.add(new Outcome(c, cfgs[c], groupOf[c], h, p, div[c], steps[c], examples[c], halts[c]));
        }
        return out;
    }

    /**
     * Successive halving after {@code epoch}: of the k configurations still running, the best ⌈k / η⌉ by their last
     * recorded loss (ties by index) go on; the others stop here with their parameters now, as lone runs of
     * {@code epoch} epochs would end.
     */
    private void halve(int epoch, boolean[] kill) {
        List<Integer> running = new ArrayList<>();
        for (int c = 0; c < cfgs.length; c++) if (!done[c]) running.add(c);
        int k = running.size(), keep = (k + eta - 1) / eta;
        if (keep >= k) return;
        running.sort((a, b) -> {
            int by = Double.compare(points[a].get(points[a].size() - 1).loss(), points[b].get(points[b].size() - 1).loss());
            return by != 0 ? by : Integer.compare(a, b);
        });
        Arrays.fill(kill, false);
        for (int r = keep; r < k; r++) {
            int c = running.get(r);
            halts[c] = new Halt(epoch, r + 1, k, keep, points[c].get(points[c].size() - 1).loss());
            kill[c] = true;
        }
        for (Group gr : groups) {
            for (Part s : gr.shards) {
                for (int l = 0; l < s.k(); l++) {
                    int c = s.cfg(l);
                    if (!kill[c]) continue;
                    finalParams[c] = s.params(l);
                    done[c] = true;
                    steps[c] = (long) gr.batches * epoch;
                    examples[c] = (long) n * epoch;
                }
            }
        }
        removeKilled(kill);
    }

    private void stop(int c, Divergence dv, int epoch, int j, Group gr) {
        div[c] = dv;
        done[c] = true;
        steps[c] = (long) (epoch - 1) * gr.batches + j + 1;
        examples[c] = examplesThrough(epoch, j, gr.bs);
    }

    private void removeKilled(boolean[] kill) {
        for (Group gr : groups) {
            for (Part s : gr.shards) {
                boolean[] out = new boolean[s.k()];
                boolean any = false;
                for (int l = 0; l < s.k(); l++) any |= out[l] = kill[s.cfg(l)];
                if (any) s.remove(out);
            }
        }
    }

    /** Rows read from the start through batch j (0-based) of epoch (1-based): Trainer's count. */
    private long examplesThrough(int epoch, int j, int bs) {
        return (long) (epoch - 1) * n + Math.min((long) (j + 1) * bs, n);
    }

    private Params column(Snapshot s, int l) {
        float[] p = new float[np];
        for (int j = 0; j < np; j++) p[j] = s.w[j * s.stride + l];
        return Params.ofPacked(p, d, heads);
    }

    /**
     * The mean full-data loss of every model of every snapshot, in one pass over the rows: blocks of
     * {@link #BLOCK} rows on the threads, each block evaluating all snapshots while its rows are in
     * cache; per model the loss is summed in double in row order within a block and the blocks in
     * order (CpuSession.doLosses). With the block loops ({@link BlockOps}) a block's rows go in runs
     * of {@link #lossRun} rows (about 8 KiB), each run through every snapshot while both are in L1,
     * every block of models taking its margins and losses on vectors. Without them, wide rows
     * (d ≥ {@link #MODEL_MAJOR_D}) take each model's margin with the row kernel ({@link RowOps}) on a
     * model-major copy of the snapshot, narrow rows the lane loops. The same bits every way.
     */
    private double[][] losses(List<Snapshot> snaps) {
        if (sessions != null) return deviceLosses(snaps);
        int rowBlocks = (n + BLOCK - 1) / BLOCK, S = snaps.size();
        double[][] sums = new double[S][];
        int maxK = 1;
        for (int s = 0; s < S; s++) {
            sums[s] = new double[rowBlocks * snaps.get(s).k];
            maxK = Math.max(maxK, snaps.get(s).stride);
        }
        int mk = maxK, run = lossRun();
        boolean wide = blocks == null && d >= MODEL_MAJOR_D;      // wide rows: each model's margin by the row kernel itself, on a [k][np] copy
        float[][] byModel = new float[wide ? S : 0][];
        for (int s = 0; s < byModel.length; s++) {
            Snapshot snap = snaps.get(s);
            int k = snap.k;
            float[] wm = byModel[s] = new float[k * np];
            for (int l = 0; l < k; l++) for (int j = 0; j < np; j++) wm[l * np + j] = snap.w[j * snap.stride + l];
        }
        // tasks: a block of rows × a range of snapshots, so that fewer blocks than threads (n < threads · BLOCK) still
        // keep every thread busy; a model's sum is one task's, in row order, whichever range its snapshot falls in
        int ranges = threads < 2 ? 1 : Math.max(1, Math.min(S, (4 * threads + rowBlocks - 1) / rowBlocks));
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            float[] mm = new float[blocks != null ? blocks.gradientScratch(mk) : mk], aa = new float[kern.scratch(mk)];
            for (int task; (task = next.getAndIncrement()) < rowBlocks * ranges; ) {
                int b = task / ranges, sr = task % ranges, s0 = (int) ((long) S * sr / ranges), s1 = (int) ((long) S * (sr + 1) / ranges);
                int a = b * BLOCK, e = Math.min(n, a + BLOCK);
                if (blocks != null) {
                    for (int a2 = a; a2 < e; a2 += run) {
                        int e2 = Math.min(e, a2 + run);
                        for (int s = s0; s < s1; s++) {
                            Snapshot snap = snaps.get(s);
                            int o = b * snap.k;
                            blocks.lossRows(obj, objP, x, t, wt, a2, e2, snap.w, snap.stride, snap.k, sums[s], o, mm);
                        }
                    }
                    continue;
                }
                for (int s = s0; s < s1; s++) {
                    Snapshot snap = snaps.get(s);
                    int k = snap.k, o = b * k;
                    double[] sum = sums[s];
                    if (wide) {
                        float[] wm = byModel[s];
                        for (int i = a; i < e; i++) {
                            float ti = t == null ? 0f : t[i], v = weight(i);
                            for (int l = 0; l < k; l++) sum[o + l] += v * dev.descent.backend.cpu.FloatLosses.loss(obj, objP, ROW.margin(x, i * d, wm, l * np, d), ti);
                        }
                        continue;
                    }
                    for (int i = a; i < e; i++) {
                        kern.margins(x, i * d, snap.w, k, mm, aa);
                        float ti = t == null ? 0f : t[i], v = weight(i);
                        for (int l = 0; l < k; l++) sum[o + l] += v * dev.descent.backend.cpu.FloatLosses.loss(obj, objP, mm[l], ti);
                    }
                }
            }
        };
        inParallel(work);
        double[][] out = new double[S][];
        for (int s = 0; s < S; s++) {
            int k = snaps.get(s).k;
            out[s] = new double[k];
            for (int l = 0; l < k; l++) {
                double sum = 0;
                for (int b = 0; b < rowBlocks; b++) sum += sums[s][b * k + l];
                out[s][l] = sum / n;
            }
        }
        return out;
    }

    /** The losses on the device: every model of every snapshot packed, one {@link dev.descent.backend.Session#losses} call (the lone run's kernel). */
    private double[][] deviceLosses(List<Snapshot> snaps) {
        int count = 0;
        for (Snapshot s : snaps) count += s.k;
        float[] packed = new float[count * np];
        int at = 0;
        for (Snapshot s : snaps) for (int l = 0; l < s.k; l++, at++) for (int j = 0; j < np; j++) packed[at * np + j] = s.w[j * s.stride + l];
        double[] all = count == 0 ? new double[0] : sessions.losses(packed, count);
        double[][] out = new double[snaps.size()][];
        at = 0;
        for (int i = 0; i < snaps.size(); i++) {
            out[i] = java.util.Arrays.copyOfRange(all, at, at + snaps.get(i).k);
            at += snaps.get(i).k;
        }
        return out;
    }

    /**
     * A group's models on a device: each model's training state is held on the host in
     * {@link dev.descent.backend.Session#saveState}'s layout between epochs. An epoch runs either in one
     * lane launch for all of them ({@link dev.descent.backend.spi.LaneRunner}: the batch rows read once per work-group), or,
     * where the device has no lane kernel for the batch, one model after another on a session of its
     * optimizer (restoreState, one {@link Run} of the epoch, saveState). Both give each model the bits of
     * its lone run on that device. Records are one snapshot per model and recorded batch.
     */
    private final class DeviceShard implements Part {
        final Group group;
        Lane[] lanes;
        double[][] saved;
        final List<Snapshot> snaps = new ArrayList<>();
        final List<int[]> diverged = new ArrayList<>();

        DeviceShard(Group group, List<Lane> lanes) {
            this.group = group;
            this.lanes = lanes.toArray(new Lane[0]);
            this.saved = new double[this.lanes.length][];
            for (int l = 0; l < this.lanes.length; l++) {
                Params init = cfgs[this.lanes[l].cfg].init();
                saved[l] = Sessions.fresh(this.lanes[l].opt, init != null ? init : Params.zeros(d, heads));
            }
        }

        @Override public int k() { return lanes.length; }
        @Override public int cfg(int l) { return lanes[l].cfg; }
        @Override public List<Snapshot> snaps() { return snaps; }
        @Override public List<int[]> diverged() { return diverged; }

        @Override
        public void runEpoch(int epoch) {
            Group gr = group;
            int k = lanes.length;
            RunResult[] rr = new RunResult[k];
            if (sessions.lanesFit(gr.bs, k)) {
                Optimizer[] opts = new Optimizer[k];
                Rate[] rs = new Rate[k];
                for (int l = 0; l < k; l++) {
                    opts[l] = lanes[l].opt;
                    rs[l] = rates[lanes[l].cfg];
                }
                rr = sessions.runLanes(gr.rows, gr.bs, gr.batches, gr.every, opts, rs, saved);
            } else {
                for (int l = 0; l < k; l++) {
                    rr[l] = sessions.runAlone(lanes[l].opt, gr.rows, new Run(gr.bs, 0, gr.batches, rates[lanes[l].cfg], gr.every), saved[l]);
                }
            }
            boolean[] out = new boolean[k];
            for (int l = 0; l < k; l++) {
                RunResult r = rr[l];
                for (int q = 0; q < r.records(); q++) {
                    snaps.add(new Snapshot(epoch, r.recordedBatches()[q], new int[] {lanes[l].cfg},
                            java.util.Arrays.copyOfRange(r.snapshots(), q * np, (q + 1) * np), 1, 1));
                }
                if (r.diverged()) {
                    diverged.add(new int[] {lanes[l].cfg, epoch, r.divergedBatch()});
                    out[l] = true;
                }
            }
            remove(out);
        }

        @Override
        public Snapshot snapshot(int epoch, int j) {
            int k = lanes.length;
            float[] w = new float[np * Math.max(1, k)];
            int[] ids = new int[k];
            for (int l = 0; l < k; l++) {
                ids[l] = lanes[l].cfg;
                float[] p = params(l).packed();
                for (int q = 0; q < np; q++) w[q * k + l] = p[q];
            }
            return new Snapshot(epoch, j, ids, w, k, Math.max(1, k));
        }

        @Override
        public Params params(int l) {
            Optimizer o = lanes[l].opt;
            int from = o.average() ? np * (1 + o.averageSlot()) : 0;
            float[] p = new float[np];
            for (int q = 0; q < np; q++) p[q] = (float) saved[l][from + q];
            return Params.ofPacked(p, d, heads);
        }

        @Override
        public void remove(boolean[] out) {
            List<Lane> keep = new ArrayList<>();
            List<double[]> st = new ArrayList<>();
            for (int l = 0; l < lanes.length; l++) {
                if (out[l]) continue;
                keep.add(lanes[l]);
                st.add(saved[l]);
            }
            lanes = keep.toArray(new Lane[0]);
            saved = st.toArray(new double[0][]);
        }
    }

    /** Rows per run of the loss pass: about 8 KiB of rows, so a run and one snapshot stay in L1 together. */
    private int lossRun() {
        return Math.max(1, Math.min(BLOCK, 2048 / Math.max(1, d)));
    }
}
