package dev.descent.backend.cpu;

import dev.descent.backend.Gradient;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Spec;
import dev.descent.backend.spi.AbstractSession;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fast CPU session: float32 as the devices compute, the same update rule
 * ({@code kernels/common/rules.h}) and losses ({@code objectives.h}) written in Java, on every
 * core for large batches.
 *
 * <p><b>Fixed-order reductions.</b> A batch is cut into blocks of {@link #BLOCK} positions (sparse rows: see {@link #block}),
 * whatever the thread count. Each block's partial gradient is summed in float in row order (the
 * margin with four accumulators in a fixed pattern); the blocks' partials are then added in
 * block order in double. Which thread computed a block changes nothing, so a run is
 * bit-identical run to run and for any number of cores. Batches of one block stay on the calling
 * thread and allocate nothing, so a run of small-batch steps allocates only its snapshots.
 *
 * <p><b>Large sparse batches</b> (at least n / {@link #STORAGE_ORDER_SHARE} positions) walk their rows in
 * storage order instead ({@link #gradientInStorageOrder}): each row's residual times its multiplicity in
 * the batch, added into the dense partial of its block of storage rows; the same bits for any thread count
 * and any order of the batch's rows.
 */
final class CpuSession extends AbstractSession {
    /** The per-row loops: on the Vector API where the JVM offers it, else scalar (see {@link RowKernels}). */
    static final RowKernels K = RowKernels.get();
    /** Positions per block of a batch; the unit of work and of the fixed reduction order. */
    static final int BLOCK = 2048;
    /** Batches of fewer values than this (rows × d) run on the calling thread. */
    private static final long PARALLEL_VALUES = 1L << 17;
    /** Sparse rows: a batch is cut into at most this many blocks (each holds a dense npar partial, and d may be in the millions). */
    static final int SPARSE_BLOCKS = 16;
    /**
     * Sparse rows: a batch of at least n / this many positions takes its gradient in storage order (see
     * {@link #gradientInStorageOrder}); smaller batches the blocks in batch order.
     */
    static final int STORAGE_ORDER_SHARE = 2;

    private final float[] x;                 // dense rows, or null when sparse
    private final SparseRows csr;            // sparse rows (CSR), or null when dense
    private final long[] off;                // their global row offsets
    private final int[][] colSeg;            // their segments (SparseRows): a row's pairs at off − segBase of its segment's arrays
    private final float[][] valSeg;
    private final long[] segBase;
    private final float[] t;
    private final float[] wt;                // example weights, or null: a row's residuals and loss are multiplied by its weight
    private final int obj;
    private final float objP;                // the loss's parameter (Huber's ε)
    private final Optimizer opt;
    private final int rule;
    private final float lambda;
    private final boolean bias;
    private final float[] p;                 // parameters, per head d weights then the bias (npar = heads·(d + 1))
    private final float[] v;                 // optimizer state, slot-major: slot k of parameter c at k·npar + c
    private final float[] g;                 // the batch's mean gradient, laid out as p
    private double[] blockSums = new double[0];     // per block: npar gradient sums, then the loss sum
    private final float[] scratch;           // npar float partials for the single-thread path
    private int[] order = new int[0];
    private boolean diverged;                // as a device's status: set by a non-finite step, cleared by setParams / restoreState
    private final ForkJoinPool pool;
    private final int workers;
    private float[][] partials;              // a large sparse batch's dense partial per block of storage rows, made on first use
    private int[] multiplicity;              // (n) how often each row occurs in a large sparse batch

    CpuSession(Dataset data, Spec spec, ForkJoinPool pool) {
        super(data, spec);
        SparseRows csr = this.csr = data.rowsSparse();
        this.x = csr == null ? data.features() : null;
        this.off = csr == null ? null : csr.rowOffsets();
        this.colSeg = csr == null ? null : csr.colSegments();
        this.valSeg = csr == null ? null : csr.valSegments();
        this.segBase = csr == null ? null : csr.segmentStarts();
        this.t = data.targets();
        this.wt = data.weights();
        this.obj = spec.objective().code();
        this.objP = (float) spec.lossParam();
        this.opt = spec.optimizer();
        this.rule = opt.rule().code();
        this.lambda = (float) opt.weightDecay();
        this.bias = spec.bias();
        this.p = new float[npar];
        this.v = new float[opt.slots() * npar];
        this.g = new float[npar];
        this.pool = pool;
        this.workers = pool.getParallelism();
        this.scratch = new float[npar];
    }

    // ------------------------------------------------------------------------------ state

    @Override
    protected void doSetParams(Params params) {
        float[] w = params.packed();
        System.arraycopy(w, 0, p, 0, npar);
        seedAverage();                                   // the average starts as what was set
        diverged = false;
    }

    /** Where the average of the iterates starts in v, when averaging. */
    private int avgAt() {
        return opt.averageSlot() * npar;
    }

    /** Sets the average to the iterate, when averaging (after setParams and resetState). */
    private void seedAverage() {
        if (opt.average()) System.arraycopy(p, 0, v, avgAt(), npar);
    }

    @Override
    protected Params doParams() {
        return opt.average() ? Params.unpack(v, opt.averageSlot(), d, heads) : Params.unpack(p, 0, d, heads);
    }

    @Override
    protected void doResetState() {
        Arrays.fill(v, 0f);
        seedAverage();
    }

    @Override
    protected double[] doSaveState() {
        double[] s = new double[npar + v.length];
        for (int i = 0; i < npar; i++) s[i] = p[i];
        for (int i = 0; i < v.length; i++) s[npar + i] = v[i];
        return s;
    }

    @Override
    protected void doRestoreState(double[] s) {
        for (int i = 0; i < npar; i++) p[i] = (float) s[i];
        for (int i = 0; i < v.length; i++) v[i] = (float) s[npar + i];
        diverged = false;
    }

    @Override
    protected void doSetOrder(int[] o) {
        order = o.clone();
    }

    // ------------------------------------------------------------------------------ the maths, in float

    static float loss(int obj, float p, float m, float t) {
        return FloatLosses.loss(obj, p, m, t);
    }

    static float dloss(int obj, float p, float m, float t) {
        return FloatLosses.dloss(obj, p, m, t);
    }

    /**
     * e^x for x ≤ 0 (softmax's m − max m), in plain double arithmetic: x = n·ln 2 + r with |r| ≤ ln 2 / 2,
     * e^r by its Taylor polynomial of degree 10 (relative error below 1e-11, far under float's 6e-8),
     * times 2^n. About 3× faster than {@link Math#exp} here, and the same bits on every JVM and CPU
     * (Math.exp may differ by an ulp between platforms). Below −745, 0 (as double underflows).
     */
    static double expNonPositive(double x) {
        if (!(x >= -745)) return x != x ? x : 0;           // NaN stays NaN; −∞ and the far left are 0
        double n = Math.rint(x * 1.4426950408889634);
        double r = x - n * 0.6931471805599453;
        double p = 1 + r * (1 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040
                + r * (1.0 / 40320 + r * (1.0 / 362880 + r / 3628800)))))))));
        return n < -1022 ? p * 0x1p-1022 * Double.longBitsToDouble((long) (n + 1022 + 1023) << 52)
                : p * Double.longBitsToDouble((long) (n + 1023) << 52);
    }

    /** descent_softmax_residuals of objectives.h: k margins become residuals in place; returns the loss when asked, else 0. */
    static float softmaxResiduals(float[] m, int k, float t, boolean withLoss) {
        int y = (int) t;
        float mx = m[0];
        for (int c = 1; c < k; c++) mx = Math.max(mx, m[c]);
        float zy = m[y] - mx, s = 0f;
        for (int c = 0; c < k; c++) {
            m[c] = (float) expNonPositive(m[c] - mx);
            s += m[c];
        }
        float inv = 1f / s;
        for (int c = 0; c < k; c++) m[c] = c == y ? m[c] * inv - 1f : m[c] * inv;
        return withLoss ? (float) Math.log(s) - zy : 0f;
    }

    /** descent_softmax_loss of objectives.h. */
    static float softmaxLoss(float[] m, int k, float t) {
        float mx = m[0];
        for (int c = 1; c < k; c++) mx = Math.max(mx, m[c]);
        float s = 0f;
        for (int c = 0; c < k; c++) s += (float) expNonPositive(m[c] - mx);
        return (float) Math.log(s) - (m[(int) t] - mx);
    }

    /** Row {@code row}'s example weight: 1 without weights (a residual times 1 keeps its bits). */
    private float weight(int row) {
        return wt == null ? 1f : wt[row];
    }

    /** x·w[so .. so + d) + w[so + d] (the head's bias) of a row: the row kernels on dense rows; on sparse rows the stored values in their order, then the bias. */
    private float margin(int row, float[] w, int so) {
        if (x != null) return K.margin(x, row * d, w, so, d);
        return w[so + d] + sparseDot(row, w, so);
    }

    /** Σ x·w[so + col] over a sparse row's stored values (descent_sparse_dot in sparse.h). */
    private float sparseDot(int row, float[] w, int so) {
        int s = seg(row);
        long b = segBase[s];
        return sparseDot(valSeg[s], colSeg[s], (int) (off[row] - b), (int) (off[row + 1] - b), w, so);
    }

    /** The segment of a sparse row (nearly always the one). */
    private int seg(int row) {
        return colSeg.length == 1 ? 0 : csr.segmentOf(row);
    }

    /**
     * Σ vals[q]·w[so + cols[q]] for q in [a, e), in a fixed order: four accumulators take the values
     * a, a+1, a+2, a+3 of each group of four, then the tail joins the first; summed (s0 + s1) + (s2 + s3).
     * Four chains instead of one hide the add latency of a row's gathers (the same as descent_sparse_dot).
     */
    static float sparseDot(float[] vals, int[] cols, int a, int e, float[] w, int so) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int q = a;
        for (; q + 3 < e; q += 4) {
            s0 += vals[q] * w[so + cols[q]];
            s1 += vals[q + 1] * w[so + cols[q + 1]];
            s2 += vals[q + 2] * w[so + cols[q + 2]];
            s3 += vals[q + 3] * w[so + cols[q + 3]];
        }
        for (; q < e; q++) s0 += vals[q] * w[so + cols[q]];
        return (s0 + s1) + (s2 + s3);
    }

    /** acc[ao .. ao + d) += r·x of a row (sparse rows: at their stored columns only). */
    private void axpy(float[] acc, int ao, float r, int row) {
        if (x != null) {
            K.axpy(acc, ao, r, x, row * d, d);
            return;
        }
        int s = seg(row);
        int[] cols = colSeg[s];
        float[] vals = valSeg[s];
        long b = segBase[s];
        sparseAxpy(acc, ao, r, vals, cols, (int) (off[row] - b), (int) (off[row + 1] - b));
    }

    /**
     * Sums r·x and r (and the loss when asked) over order positions [from, to) into {@code acc}
     * (npar floats, zeroed here), at the parameters {@code w} (npar); returns the loss sum.
     */
    private float partial(int from, int to, float[] w, float[] acc, boolean withLoss) {
        Arrays.fill(acc, 0f);
        if (heads > 1) return softmaxPartial(from, to, w, acc, withLoss);
        float loss = 0f, rb = 0f;
        for (int q = from; q < to; q++) {
            int row = order[q];
            float ti = t == null ? 0f : t[row];
            float m = margin(row, w, 0), v = weight(row);
            float r = v * dloss(obj, objP, m, ti);
            axpy(acc, 0, r, row);
            rb += r;
            if (withLoss) loss += v * loss(obj, objP, m, ti);
        }
        acc[d] = rb;
        return loss;
    }

    /** {@link #partial} for softmax: per row the heads' margins and residuals, then one r·x per head. */
    private float softmaxPartial(int from, int to, float[] w, float[] acc, boolean withLoss) {
        float[] m = new float[heads];
        int np = d + 1;
        float loss = 0f;
        for (int q = from; q < to; q++) {
            int row = order[q];
            for (int c = 0; c < heads; c++) m[c] = margin(row, w, c * np);
            float v = weight(row);
            loss += v * softmaxResiduals(m, heads, t[row], withLoss);
            for (int c = 0; c < heads; c++) {
                m[c] *= v;
                axpy(acc, c * np, m[c], row);
                acc[c * np + d] += m[c];
            }
        }
        return loss;
    }

    /** The mean gradient over order[from, from + count) into g; the mean loss when asked, else NaN. */
    private double gradientInto(int from, int count, boolean withLoss) {
        if (inStorageOrder(count)) return gradientInStorageOrder(from, count, withLoss);
        int bl = block(count), blocks = (count + bl - 1) / bl;
        if (blocks == 1) {                                   // one block: its float sums, no allocation
            float l = partial(from, from + count, p, g, withLoss);
            double inv = 1.0 / count;
            for (int j = 0; j < npar; j++) g[j] = (float) (g[j] * inv);
            if (!bias) zeroBiases(g);
            return withLoss ? l * inv : Double.NaN;
        }
        long need = (long) blocks * (npar + 1);                  // the blocks' sums, sized for this batch (a batch-1 run needs none)
        if (need > Integer.MAX_VALUE - 8) {
            throw new dev.descent.DescentException("a batch of " + count + " rows of a model of " + npar + " parameters needs " + blocks + " block sums of "
                    + (npar + 1) + " values, over one Java array: use a smaller batch");
        }
        if (blockSums.length < need) blockSums = new double[(int) need];
        if (values(count) < PARALLEL_VALUES || workers < 2) {
            float[] s = scratch;
            for (int k = 0; k < blocks; k++) {
                int a = from + k * bl, e = Math.min(from + count, a + bl);
                float l = partial(a, e, p, s, withLoss);
                int o = k * (npar + 1);
                for (int j = 0; j < npar; j++) blockSums[o + j] = s[j];
                blockSums[o + npar] = l;
            }
        } else {
            parallelBlocks(from, count, blocks, withLoss);
        }
        double[] acc = new double[npar + 1];                 // the blocks in block order, whoever computed them
        inColumnSpans(npar + 1, workers >= 2 && (long) blocks * npar >= PARALLEL_VALUES, (a, e) -> sumBlocks(acc, blocks, a, e));
        finish(acc, count);
        return withLoss ? acc[npar] / count : Double.NaN;
    }

    /**
     * Whether a batch of {@code count} takes {@link #gradientInStorageOrder}: sparse rows and a batch of at
     * least 1/{@link #STORAGE_ORDER_SHARE} of n.
     */
    private boolean inStorageOrder(int count) {
        return x == null && (long) count * STORAGE_ORDER_SHARE >= n;
    }

    /**
     * The mean gradient of a large sparse batch, its rows walked in storage order. (1) Each row's
     * multiplicity in the batch (the order may repeat rows). (2) Over the fixed blocks of storage rows that
     * {@link #block} gives for n, in parallel ({@link #storageBlock}): each row of the batch gets its
     * residuals (the margins of {@link #margin}, as the block path) times its multiplicity and is added at
     * once into its block's dense partial, while its values are still in L1, in row order in float; each
     * block also sums its residuals and its loss in double. (3) Each column adds the blocks' partials in
     * block order in double ({@link #sumPartials}). One streaming pass over the batch's stored values;
     * the blocks depend on n alone, so the same bits for any core count and any order of the batch's rows.
     */
    private double gradientInStorageOrder(int from, int count, boolean withLoss) {
        if (multiplicity == null) multiplicity = new int[n];
        int[] mult = multiplicity;
        Arrays.fill(mult, 0);
        for (int q = from; q < from + count; q++) mult[order[q]]++;
        int bl = block(n), blocks = (n + bl - 1) / bl, hs = heads + 1, np = d + 1;
        if (partials == null) partials = new float[blocks][npar];
        double[] sums = new double[blocks * hs];             // per row block: the heads' residual sums, then the loss sum
        boolean parallel = workers >= 2 && values(count) >= PARALLEL_VALUES;
        AtomicInteger nextBlock = new AtomicInteger();
        Runnable rowsPass = () -> {
            float[] m = new float[heads];
            for (int k; (k = nextBlock.getAndIncrement()) < blocks; ) storageBlock(k, bl, mult, m, sums, withLoss);
        };
        if (parallel) inParallel(rowsPass);
        else rowsPass.run();
        double inv = 1.0 / count;
        inColumnSpans(npar, parallel && (long) blocks * npar >= PARALLEL_VALUES, (a, e) -> sumPartials(blocks, a, e, inv));
        double loss = 0;
        for (int c = 0; c < heads; c++) {
            double b = 0;
            for (int k = 0; k < blocks; k++) b += sums[k * hs + c];
            g[c * np + d] = bias ? (float) (b * inv) : 0f;
        }
        for (int k = 0; k < blocks; k++) loss += sums[k * hs + heads];
        return withLoss ? loss * inv : Double.NaN;
    }

    /**
     * Storage rows [k·bl, (k+1)·bl) of {@link #gradientInStorageOrder}: the dense partial of block k
     * (zeroed here) gets multiplicity × residual × x of each of its rows in the batch, in row order; into
     * sums[k·(heads + 1) …] go its residual sums per head and its loss sum.
     */
    private void storageBlock(int k, int bl, int[] mult, float[] m, double[] sums, boolean withLoss) {
        float[] acc = partials[k];
        Arrays.fill(acc, 0f);
        int hs = heads + 1, np = d + 1;
        double loss = 0;
        double[] rs = new double[heads];
        int s = -1;
        int[] cols = null;
        float[] vals = null;
        long b = 0;
        for (int i = k * bl, e = Math.min(n, i + bl); i < e; i++) {
            int mu = mult[i];
            if (mu == 0) continue;
            if (s < 0 || i >= csr.segmentRows()[s + 1]) {     // rows go up: the segment changes at most segments − 1 times
                s = seg(i);
                cols = colSeg[s];
                vals = valSeg[s];
                b = segBase[s];
            }
            int a = (int) (off[i] - b), ae = (int) (off[i + 1] - b);
            float ti = t == null ? 0f : t[i], v = weight(i), l;
            if (heads > 1) {
                for (int c = 0; c < heads; c++) m[c] = p[c * np + d] + sparseDot(vals, cols, a, ae, p, c * np);
                l = v * softmaxResiduals(m, heads, ti, withLoss);
                for (int c = 0; c < heads; c++) {
                    float rc = mu * (v * m[c]);
                    sparseAxpy(acc, c * np, rc, vals, cols, a, ae);
                    rs[c] += rc;
                }
            } else {
                float mi = p[d] + sparseDot(vals, cols, a, ae, p, 0), rc = mu * (v * dloss(obj, objP, mi, ti));
                sparseAxpy(acc, 0, rc, vals, cols, a, ae);
                rs[0] += rc;
                l = withLoss ? v * loss(obj, objP, mi, ti) : 0f;
            }
            if (withLoss) loss += (double) mu * l;
        }
        for (int c = 0; c < heads; c++) sums[k * hs + c] = rs[c];
        sums[k * hs + heads] = loss;
    }

    /** acc[ao + cols[q]] += r·vals[q] for q in [a, e): a sparse row's r·x (its columns are distinct). */
    private static void sparseAxpy(float[] acc, int ao, float r, float[] vals, int[] cols, int a, int e) {
        for (int q = a; q < e; q++) acc[ao + cols[q]] += r * vals[q];
    }

    /** g[a .. e) = inv × the blocks' partials of those columns added in block order in double (the biases are set after). */
    private void sumPartials(int blocks, int a, int e, double inv) {
        double[] acc = new double[e - a];
        for (int k = 0; k < blocks; k++) {
            float[] pk = partials[k];
            for (int j = a; j < e; j++) acc[j - a] += pk[j];
        }
        for (int j = a; j < e; j++) g[j] = (float) (acc[j - a] * inv);
    }

    /** acc[a .. e) = the blocks' sums of those columns, added in block order. */
    private void sumBlocks(double[] acc, int blocks, int a, int e) {
        for (int k = 0; k < blocks; k++) {
            int o = k * (npar + 1);
            for (int j = a; j < e; j++) acc[j] += blockSums[o + j];
        }
    }

    private void finish(double[] acc, int count) {
        double inv = 1.0 / count;
        for (int j = 0; j < npar; j++) g[j] = (float) (acc[j] * inv);
        if (!bias) zeroBiases(g);
    }

    private void zeroBiases(float[] a) {
        for (int c = 0; c < heads; c++) a[c * (d + 1) + d] = 0f;
    }

    /**
     * Positions per block of a batch of {@code count}: {@link #BLOCK} on dense rows; on sparse rows at
     * least that, and few enough that the blocks' dense partials stay at most {@link #SPARSE_BLOCKS}.
     * A function of the count and the layout only, so the reduction order never depends on threads.
     */
    private int block(int count) {
        return x != null ? BLOCK : Math.max(BLOCK, (count + SPARSE_BLOCKS - 1) / SPARSE_BLOCKS);
    }

    /** Feature values a batch of {@code count} rows reads: count·d dense, about count·nnz/n sparse. */
    private long values(long count) {
        return x != null ? count * d : count * Math.max(1, off[n] / n);
    }

    /** Each block's partial into blockSums[k·(npar + 1) …], blocks taken by the workers in any order. */
    private void parallelBlocks(int from, int count, int blocks, boolean withLoss) {
        int bl = block(count);
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            float[] s = new float[npar];
            for (int k; (k = next.getAndIncrement()) < blocks; ) {
                int a = from + k * bl, e = Math.min(from + count, a + bl);
                float l = partial(a, e, p, s, withLoss);
                int o = k * (npar + 1);
                for (int j = 0; j < npar; j++) blockSums[o + j] = s[j];
                blockSums[o + npar] = l;
            }
        };
        inParallel(work);
    }

    /** A range [a, e) of columns. */
    private interface ColumnSpan {
        void run(int a, int e);
    }

    /**
     * span over columns [0, end): at once on this thread, or (wide models) in ranges of 4,096 columns taken by the
     * workers; each column is computed whole by one thread, so the bits do not depend on which.
     */
    private void inColumnSpans(int end, boolean parallel, ColumnSpan span) {
        if (!parallel) {
            span.run(0, end);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        int width = 4096;
        inParallel(() -> {
            for (int a; (a = next.getAndAdd(width)) < end; ) span.run(a, Math.min(end, a + width));
        });
    }

    private void inParallel(Runnable work) {
        java.util.concurrent.ForkJoinTask<?>[] tasks = new java.util.concurrent.ForkJoinTask<?>[workers - 1];
        for (int i = 0; i < tasks.length; i++) tasks[i] = pool.submit(work);
        work.run();                                          // the calling thread takes part
        for (java.util.concurrent.ForkJoinTask<?> task : tasks) task.join();
    }

    /** Update number t of the state (≥ 1) with the gradient in g (rules.h's descent_step); returns whether the parameters stay finite. */
    private boolean update(float lr, long t) {
        boolean finite = true;
        int np = d + 1;
        for (int j = 0; j < npar; j++) {
            boolean weight = j % np < d;
            if (!weight && !bias) continue;
            float nw = opt.stepFloat(p[j], g[j], v, npar, j, t, lr, weight);
            p[j] = nw;
            finite &= Float.isFinite(nw);
        }
        return finite;
    }

    /** Batch 1 with plain SGD and no decay: w ← w − lr·r·x in one pass, no gradient buffer. */
    private boolean sgdOne(int q, float lr) {
        int row = order[q];
        float ti = t == null ? 0f : t[row];
        float step = lr * (weight(row) * dloss(obj, objP, margin(row, p, 0), ti));
        int big = 0;                         // the largest |w| written, as bits (see NON_FINITE_BITS): an int max vectorizes
        if (x != null) {
            int o = row * d;
            for (int j = 0; j < d; j++) {
                float nw = p[j] - step * x[o + j];
                p[j] = nw;
                big = Math.max(big, Float.floatToRawIntBits(nw) & 0x7fffffff);
            }
        } else {                             // sparse: only the stored columns move
            int s = seg(row);
            int[] cols = colSeg[s];
            float[] vals = valSeg[s];
            long b = segBase[s];
            for (int q2 = (int) (off[row] - b), e = (int) (off[row + 1] - b); q2 < e; q2++) {
                float nw = p[cols[q2]] - step * vals[q2];
                p[cols[q2]] = nw;
                big = Math.max(big, Float.floatToRawIntBits(nw) & 0x7fffffff);
            }
        }
        if (bias) p[d] = p[d] - step;
        return big < NON_FINITE_BITS && Float.isFinite(p[d]);
    }

    // ------------------------------------------------------------------------------ the session's calls

    @Override
    protected Gradient doGradient(int from, int count, boolean withLoss) {
        double loss = gradientInto(from, count, withLoss);
        return new Gradient(Params.ofPacked(g, d, heads), loss);
    }

    @Override
    protected boolean doDiverged() {
        return diverged;
    }

    @Override
    protected void doStep(int from, int count, double lr) {
        step(from, count, (float) lr, updates() + 1);
    }

    /** Update number t, skipped after a divergence (as the devices skip it); false once the parameters are non-finite. */
    private boolean step(int from, int count, float lr, long t) {
        if (diverged) return false;
        boolean finite;
        if (count == 1 && heads == 1 && rule == 0 && lambda == 0f && opt.l1() == 0 && !opt.average()) {
            finite = sgdOne(from, lr);
        } else {
            gradientInto(from, count, false);
            finite = update(lr, t);
        }
        diverged = !finite;
        return finite;
    }

    @Override
    protected RunResult doRun(Run run) {
        int[] rec = recordedBatches(run);
        float[] snaps = new float[rec.length * npar];
        if (diverged) return new RunResult(new float[0], new int[0], d, heads, run.firstBatch());    // nothing applied, as on a device
        if (lazySparse(run)) return heads == 1 && run.batchSize() == 1 ? runLazyOne(run, rec, snaps) : runLazy(run, rec, snaps);
        int k = 0, at = -1, len = orderLength(), bs = run.batchSize(), every = run.recordEvery();
        int untilRecord = Math.floorMod(-run.firstBatch(), every);          // batches before the next recorded one
        for (int j = run.firstBatch(); j < run.firstBatch() + run.batches(); j++) {
            int from = j * bs;
            boolean finite = step(from, Math.min(bs, len - from), (float) run.rate().at(j - run.firstBatch()),
                    updates() + (j - run.firstBatch()) + 1);
            if (untilRecord == 0) {
                System.arraycopy(opt.average() ? v : p, opt.average() ? avgAt() : 0, snaps, (k++) * npar, npar);
                untilRecord = every;
            }
            untilRecord--;
            if (!finite) {
                at = j;
                break;
            }
        }
        return recorded(snaps, rec, k, at);
    }

    /**
     * A run of plain SGD on sparse rows with the weights held as s·u: weight decay multiplies the
     * scale (w ← (1 − ηλ)·w is s ← (1 − ηλ)·s), and a step's gradient moves only the columns its
     * rows store (u_c ← u_c − η·g_c / s). Per step: the batch's residuals at s·u, their sums per
     * column in {@code scratch} (kept all 0 between steps), then one pass over the batch's stored
     * columns applying and clearing them. O(nnz of the batch) per step; the scale is folded into
     * the weights at the end of the run (and when it falls under {@link #LAZY_FOLD_BELOW}), and
     * each record is s·u. The same arithmetic as {@code run_steps_sparse} in kernels/common/sparse.h.
     */
    private RunResult runLazy(Run run, int[] rec, float[] snaps) {
        int np = d + 1, k = 0, at = -1, len = orderLength(), bs = run.batchSize(), every = run.recordEvery();
        int untilRecord = Math.floorMod(-run.firstBatch(), every);
        float[] acc = scratch;
        Arrays.fill(acc, 0f);
        float[] r = new float[Math.min(bs, len) * heads];
        float[] m = new float[heads];
        float s = 1f;
        for (int j = run.firstBatch(); j < run.firstBatch() + run.batches(); j++) {
            int from = j * bs, cnt = Math.min(bs, len - from);
            float lr = (float) run.rate().at(j - run.firstBatch());
            for (int q = 0; q < cnt; q++) {                   // residuals at the current weights s·u
                int row = order[from + q];
                for (int c = 0; c < heads; c++) m[c] = s * sparseDot(row, p, c * np) + p[c * np + d];
                float v = weight(row);
                if (heads > 1) {
                    softmaxResiduals(m, heads, t[row], false);
                    for (int c = 0; c < heads; c++) r[q * heads + c] = v * m[c];
                } else {
                    r[q] = v * dloss(obj, objP, m[0], t == null ? 0f : t[row]);
                }
            }
            float decay = 1f - lr * lambda, s2 = s * decay;
            if (Math.abs(s2) < LAZY_FOLD_BELOW) {            // fold s into u before it loses precision
                foldScale(s);
                s2 = decay;
            }
            float inv = 1f / cnt, f = lr * inv / s2;       // u_c ← u_c − (Σ r·x)_c · η/(|B|·s')
            int big = 0;                                   // the largest |u| written, as bits: ≥ NON_FINITE_BITS once one is not finite
            if (cnt == 1 && heads == 1) {                  // one row: its r·x straight into the weights, no sums to gather
                int row = order[from];
                float fr = f * r[0];
                int sg = seg(row);
                int[] cols = colSeg[sg];
                float[] vals = valSeg[sg];
                long b = segBase[sg];
                for (int e = (int) (off[row] - b), end = (int) (off[row + 1] - b); e < end; e++) {
                    int i = cols[e];
                    float nu = p[i] - fr * vals[e];
                    p[i] = nu;
                    big = Math.max(big, Float.floatToRawIntBits(nu) & 0x7fffffff);
                }
                acc[d] = r[0];
            } else {
                for (int q = 0; q < cnt; q++) {               // the batch's sums per touched column, and per bias
                    int row = order[from + q];
                    for (int c = 0; c < heads; c++) {
                        float rc = r[q * heads + c];
                        axpy(acc, c * np, rc, row);
                        acc[c * np + d] += rc;
                    }
                }
                for (int q = 0; q < cnt; q++) {               // apply each touched column once, and clear it
                    int row = order[from + q];
                    int sg = seg(row);
                    int[] cols = colSeg[sg];
                    long b = segBase[sg];
                    for (int e = (int) (off[row] - b), end = (int) (off[row + 1] - b); e < end; e++) {
                        for (int c = 0, i = cols[e]; c < heads; c++, i += np) {
                            float gs = acc[i];
                            if (gs != 0f) {
                                float nu = p[i] - gs * f;
                                p[i] = nu;
                                acc[i] = 0f;
                                big = Math.max(big, Float.floatToRawIntBits(nu) & 0x7fffffff);
                            }
                        }
                    }
                }
            }
            for (int c = 0; c < heads; c++) {
                int i = c * np + d;
                if (bias) {
                    float nb = p[i] - lr * (acc[i] * inv);
                    p[i] = nb;
                    big = Math.max(big, Float.floatToRawIntBits(nb) & 0x7fffffff);
                }
                acc[i] = 0f;
            }
            boolean bad = big >= NON_FINITE_BITS;
            s = s2;
            if (untilRecord == 0) {
                int o = (k++) * npar;
                for (int i = 0; i < npar; i++) snaps[o + i] = i % np < d ? s * p[i] : p[i];
                untilRecord = every;
            }
            untilRecord--;
            if (bad) {
                at = j;
                break;
            }
        }
        return lazyEnd(s, snaps, rec, k, at);
    }

    /**
     * {@link #runLazy} for one head and batch 1, the common case of sparse SGD, as one tight loop: per
     * step one pass over the row's stored values for the margin s·(u·x) + b and one to move them
     * (u_c ← u_c − (η·r/s')·x_c), the same arithmetic as runLazy's one-row branch.
     *
     * <p>The finiteness check of the moved weights is skipped while it provably cannot fire: {@code bound}
     * is an upper bound on max |u| (exact at the start, then each step adds |η·r/s'|·max|x| with a rounding
     * margin, a fold multiplies it by the scale), and while it stays under {@link #UNCHECKED_BELOW} no
     * moved weight can be ±∞ or NaN. Past that (or when a step's factor is not finite) the step checks
     * every written value as before, after a tighter bound from the weights themselves. The weights and
     * the step a divergence is reported at are the same; the check was a sixth of the step's work.
     */
    private RunResult runLazyOne(Run run, int[] rec, float[] snaps) {
        final float[] p = this.p, t = this.t;
        final int[] order = this.order;
        final long[] off = this.off;
        final boolean oneSegment = colSeg.length == 1;
        int[] cols = colSeg[0];
        float[] vals = valSeg[0];
        long b = 0;
        final Rate rate = run.rate();
        int k = 0, at = -1, every = run.recordEvery(), first = run.firstBatch();
        int untilRecord = Math.floorMod(-first, every);
        float s = 1f;
        final double vmax = maxAbsStoredValue();
        double bound = maxAbsWeight();
        for (int j = first; j < first + run.batches(); j++) {
            float lr = (float) rate.at(j - first);
            int row = order[j];
            if (!oneSegment) {
                int sg = csr.segmentOf(row);
                cols = colSeg[sg];
                vals = valSeg[sg];
                b = segBase[sg];
            }
            int a = (int) (off[row] - b), e = (int) (off[row + 1] - b);
            float m = s * sparseDot(vals, cols, a, e, p, 0) + p[d];
            float r = weight(row) * dloss(obj, objP, m, t == null ? 0f : t[row]);
            float decay = 1f - lr * lambda, s2 = s * decay;
            if (Math.abs(s2) < LAZY_FOLD_BELOW) {
                foldScale(s);
                bound *= Math.abs(s) * ROUNDING_MARGIN;
                s2 = decay;
            }
            float fr = (lr * 1f / s2) * r;
            int big = 0;                                   // the largest |u| written, as bits: ≥ NON_FINITE_BITS once one is not finite
            double grown = (bound + Math.abs(fr) * vmax) * ROUNDING_MARGIN;
            if (!(grown < UNCHECKED_BELOW)) {
                bound = maxAbsWeight();                    // near the edge (or a factor that is not finite): the weights' own max
                grown = (bound + Math.abs(fr) * vmax) * ROUNDING_MARGIN;
            }
            if (grown < UNCHECKED_BELOW) {
                for (int q = a; q < e; q++) {
                    int c = cols[q];
                    p[c] = p[c] - fr * vals[q];
                }
                bound = grown;
            } else {
                for (int q = a; q < e; q++) {
                    int c = cols[q];
                    float nu = p[c] - fr * vals[q];
                    p[c] = nu;
                    big = Math.max(big, Float.floatToRawIntBits(nu) & 0x7fffffff);
                }
                bound = Math.max(bound, Float.intBitsToFloat(big));   // the others did not move
            }
            if (bias) {
                float nb = p[d] - lr * (r * 1f);
                p[d] = nb;
                big = Math.max(big, Float.floatToRawIntBits(nb) & 0x7fffffff);
            }
            s = s2;
            if (untilRecord == 0) {
                int o = (k++) * npar;
                for (int i = 0; i < d; i++) snaps[o + i] = s * p[i];
                snaps[o + d] = p[d];
                untilRecord = every;
            }
            untilRecord--;
            if (big >= NON_FINITE_BITS) {
                at = j;
                break;
            }
        }
        return lazyEnd(s, snaps, rec, k, at);
    }

    /**
     * {@link #runLazyOne} moves weights without checking them while its bound on max |u| stays under this:
     * far below Float.MAX_VALUE (3.4·10³⁸), so no moved weight can overflow.
     */
    static final double UNCHECKED_BELOW = 1e37;
    /** (1 + 2⁻²²) ≥ (1 + 2⁻²⁴)²: a bound through a float product then a float sum, each rounded once. */
    private static final double ROUNDING_MARGIN = 1 + 0x1p-22;

    /** max |u| over the weights of every head (not the biases); NaN when one is not finite. */
    private double maxAbsWeight() {
        int big = 0, np = d + 1;
        for (int i = 0; i < npar; i++) if (i % np < d) big = Math.max(big, Float.floatToRawIntBits(p[i]) & 0x7fffffff);
        return big >= NON_FINITE_BITS ? Double.NaN : Float.intBitsToFloat(big);
    }

    /**
     * The bits of +∞ without the sign: a float whose |bits| reach this is ±∞ or NaN. A running integer
     * max of |bits| checks a loop's writes with a one-cycle dependency, where a float sum of (u − u) chains
     * the add's latency through every value.
     */
    static final int NON_FINITE_BITS = 0x7f800000;

    /** A run's result with its first k records (a divergence at batch {@code at} cuts them short). */
    private RunResult recorded(float[] snaps, int[] rec, int k, int at) {
        return new RunResult(k == rec.length ? snaps : Arrays.copyOf(snaps, k * npar), k == rec.length ? rec : Arrays.copyOf(rec, k), d, heads, at);
    }

    /** The end of a lazy run: the scale folded into the weights, the divergence noted, the records returned. */
    private RunResult lazyEnd(float s, float[] snaps, int[] rec, int k, int at) {
        foldScale(s);
        diverged = at >= 0;
        return recorded(snaps, rec, k, at);
    }

    /** w = s·u for every weight (biases are not scaled). */
    private void foldScale(float s) {
        if (s == 1f) return;
        int np = d + 1;
        for (int i = 0; i < npar; i++) if (i % np < d) p[i] = s * p[i];
    }

    /** The mean loss of each snapshot over all n rows: fixed row blocks, each summed in double, blocks added in order. */
    @Override
    protected double[] doLosses(float[] snapshots, int count) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        double[] sums = new double[blocks * count];
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            float[] m = new float[heads];
            for (int k; (k = next.getAndIncrement()) < blocks; ) {
                int a = k * BLOCK, e = Math.min(n, a + BLOCK);
                for (int s = 0; s < count; s++) {
                    int so = s * npar;
                    float[] w = snapshots;
                    double sum = 0;
                    for (int i = a; i < e; i++) {
                        if (heads > 1) {
                            for (int c = 0; c < heads; c++) m[c] = margin(i, w, so + c * (d + 1));
                            sum += weight(i) * softmaxLoss(m, heads, t[i]);
                        } else {
                            sum += weight(i) * loss(obj, objP, margin(i, w, so), t == null ? 0f : t[i]);
                        }
                    }
                    sums[k * count + s] = sum;
                }
            }
        };
        if (values(n) * count * heads < PARALLEL_VALUES || workers < 2) work.run();
        else inParallel(work);
        double[] out = new double[count];
        for (int s = 0; s < count; s++) {
            double sum = 0;
            for (int k = 0; k < blocks; k++) sum += sums[k * count + s];
            out[s] = sum / n;
        }
        return out;
    }

    @Override
    protected void doClose() {}
}
