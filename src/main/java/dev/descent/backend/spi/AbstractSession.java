package dev.descent.backend.spi;

import dev.descent.backend.Batches;
import dev.descent.backend.Gradient;
import dev.descent.backend.RunResult;
import dev.descent.backend.Run;
import dev.descent.backend.Spec;
import dev.descent.backend.Session;
import dev.descent.DescentException;
import dev.descent.data.Dataset;
import dev.descent.model.Params;

/**
 * Argument checks and bookkeeping every backend shares, so a backend only moves bytes and
 * launches kernels. Subclasses implement the {@code do*} methods on validated arguments.
 */
public abstract class AbstractSession implements Session {
    protected final Dataset data;
    protected final Spec spec;
    protected final int n;
    protected final int d;
    /** The model's heads: 1, or softmax's k classes. */
    protected final int heads;
    /** Parameters of the model, heads × (d + 1): per head d weights and a bias (the layout of {@link Params#packed}). */
    protected final int npar;
    private int orderLength;
    private boolean closed;
    private long updates;                 // optimizer updates since the state was reset (Adam's t); saved with the state

    protected AbstractSession(Dataset data, Spec spec) {
        spec.check(data);
        this.data = data;
        this.spec = spec;
        this.n = data.n();
        this.d = data.d();
        this.heads = spec.heads();
        this.npar = heads * (d + 1);
    }

    private float maxAbsStored = -1;

    /**
     * max |x| over every stored value of sparse rows (NaN when one is not finite), computed once: the lazy batch-1
     * runs bound their weights' growth with it (CpuSession.runLazyOne; run_steps_sparse's DESCENT_UNCHECKED_BELOW in
     * sparse.h, where a streamed chunk's values are among them).
     */
    protected final float maxAbsStoredValue() {
        if (maxAbsStored < 0) maxAbsStored = data.rowsSparse().maxAbsValue();
        return maxAbsStored;
    }

    @Override public final Dataset data() { return data; }
    @Override public final Spec spec() { return spec; }
    @Override public final int orderLength() { return orderLength; }

    @Override
    public final void setParams(Params p) {
        open();
        DescentException.require(p.d() == d, "parameters have d = " + p.d() + " but dataset " + data.name()
                + " has d = " + d + ": give " + d + " weights");
        DescentException.require(p.k() == heads, "parameters have " + p.k() + " head(s) but this " + spec.objectiveName() + " model has "
                + heads + ": give " + heads + " × (d + 1) values");
        for (int c = 0; c < heads; c++) {
            DescentException.require(spec.bias() || p.b(c) == 0f, "this model has no bias, but the parameters set b = " + p.b(c));
        }
        doSetParams(p);
    }

    @Override
    public final Params params() {
        open();
        return doParams();
    }

    @Override
    public final void resetState() {
        open();
        doResetState();
        updates = 0;
    }

    /** Values of a {@link #saveState}: npar parameters, slots × npar optimizer state, the update count. */
    protected final int stateLength() {
        return npar * (1 + spec.optimizer().slots()) + 1;
    }

    @Override
    public final double[] saveState() {
        open();
        double[] s = java.util.Arrays.copyOf(doSaveState(), stateLength());
        s[s.length - 1] = updates;
        return s;
    }

    @Override
    public final void restoreState(double[] state) {
        open();
        int len = stateLength();
        DescentException.require(state != null && state.length == len, "a saved state of this session has " + len
                + " values (parameters, " + spec.optimizer().slots() + " state slot(s) per parameter and the update count for d = " + d
                + " and optimizer " + spec.optimizer() + "), got " + (state == null ? 0 : state.length));
        // the parameters must be finite; the optimizer state may hold what a session itself reached (an AdaGrad sum
        // overflowing to infinity beside finite weights), so that every saveState result restores
        for (int i = 0; i < npar; i++) {
            DescentException.require(Double.isFinite(state[i]), "a saved state holds a non-finite parameter at position " + i + ": it cannot be restored");
        }
        double t = state[len - 1];
        DescentException.require(t >= 0 && t == Math.rint(t) && t < 0x1p53, "a saved state's update count must be a whole number ≥ 0 (got " + t + ")");
        for (int c = 0; c < heads; c++) {
            double b = state[c * (d + 1) + d];
            DescentException.require(spec.bias() || b == 0, "this model has no bias, but the saved state has b = " + b);
        }
        doRestoreState(java.util.Arrays.copyOf(state, len - 1));
        updates = (long) t;
    }

    /**
     * Optimizer updates applied since the state was last reset (or restored): the next one is number
     * {@code updates() + 1}, which Adam's bias correction needs. Steps and runs count, diverged or not.
     */
    protected final long updates() {
        return updates;
    }

    @Override
    public final void setOrder(int[] order) {
        open();
        DescentException.require(order.length >= 1, "batch order is empty: give at least one row index");
        for (int i = 0; i < order.length; i++) {
            if (order[i] < 0 || order[i] >= n) {
                throw new DescentException.InvalidArgument("batch order position " + i + " holds row " + order[i]
                        + ", outside the dataset's 0.." + (n - 1));
            }
        }
        doSetOrder(order);
        orderLength = order.length;
    }

    @Override
    public final Gradient gradient(int from, int count, boolean withLoss) {
        checkRange(from, count);
        return doGradient(from, count, withLoss);
    }

    @Override
    public final void step(int from, int count, double lr) {
        checkRange(from, count);
        DescentException.requirePositive("learning rate", lr);
        doStep(from, count, lr);
        updates++;
    }

    @Override
    public final boolean diverged() {
        open();
        return doDiverged();
    }

    @Override
    public final RunResult run(Run run) {
        open();
        requireOrder();
        int nb = batchesIn(run.batchSize());
        DescentException.require(run.batchSize() <= orderLength, "batch size " + run.batchSize()
                + " is larger than the batch order (" + orderLength + " rows): use at most " + orderLength);
        DescentException.require(run.firstBatch() + run.batches() <= nb, "run covers batches " + run.firstBatch() + ".."
                + (run.firstBatch() + run.batches() - 1) + " but the order holds only " + nb + " batches of " + run.batchSize());
        if (run.batches() == 0) return new RunResult(new float[0], new int[0], d, heads, -1);
        RunResult r = doRun(run);
        updates += run.batches();
        return r;
    }

    @Override
    public final double[] losses(float[] snapshots, int count) {
        open();
        DescentException.require(count >= 0 && snapshots.length >= (long) count * npar,
                count + " snapshots need " + (long) count * npar + " floats, got " + snapshots.length);
        if (count == 0) return new double[0];
        return doLosses(snapshots, count);
    }

    @Override
    public final void close() {
        if (closed) return;
        closed = true;
        onCallingThread();
        doClose();
    }

    /**
     * Called on the calling thread before every call reaches the backend (sessions may be used from
     * any thread, one call at a time): a backend whose driver state is per thread makes it current
     * here (CUDA: the backend's context).
     */
    protected void onCallingThread() {}

    /** Number of batches of the given size in the current order (the last one may be short). */
    protected final int batchesIn(int batchSize) {
        return Batches.in(orderLength, batchSize);
    }

    /** The indices of the batches a run records, in order. */
    protected static int[] recordedBatches(Run run) {
        int[] rec = new int[run.records()];
        int k = 0;
        for (int j = run.firstBatch(); j < run.firstBatch() + run.batches(); j++) {
            if (j % run.recordEvery() == 0) rec[k++] = j;
        }
        return rec;
    }

    protected final boolean isClosed() { return closed; }

    /** Below this scale a lazy run folds the scale into the weights (an O(d) pass) and starts again at 1. */
    public static final float LAZY_FOLD_BELOW = 1e-3f;

    /**
     * Whether a run on sparse rows can keep its weights as s·u (Bottou's scaled-weight trick), so that
     * a step costs O(nnz of its batch) instead of O(d): plain SGD (weight decay, coupled or decoupled,
     * is then the same), no L1, no averaging, and every step's η·λ ≤ ½ (so the scale shrinks by at
     * most half a step and never reaches 0). Other rules update every parameter at every step, as
     * their maths does (a momentum or a moment decays even where the gradient is 0).
     */
    protected final boolean lazySparse(Run run) {
        var o = spec.optimizer();
        if (!data.isSparse() || o.rule() != dev.descent.optim.Optimizer.Rule.SGD || o.l1() != 0 || o.average()) return false;
        double lambda = o.weightDecay();
        if (lambda == 0) return true;
        for (int k = 0; k < run.batches(); k++) {
            if (run.rate().at(k) * lambda > 0.5) return false;
        }
        return true;
    }

    private void checkRange(int from, int count) {
        open();
        requireOrder();
        DescentException.require(count >= 1, "batch size must be ≥ 1 (got " + count + ")");
        DescentException.require(from >= 0 && (long) from + count <= orderLength, "batch [" + from + ", " + (from + count)
                + ") lies outside the batch order of " + orderLength + " rows");
    }

    private void requireOrder() {
        if (orderLength == 0) throw new IllegalStateException("no batch order set: call setOrder first");
    }

    private void open() {
        if (closed) throw new IllegalStateException("session is closed");
        onCallingThread();
    }

    protected abstract void doSetParams(Params p);
    protected abstract Params doParams();
    protected abstract void doResetState();
    /** Parameters (npar), then the optimizer state slot-major (slots × npar), widened to double. */
    protected abstract double[] doSaveState();
    /** Sets what {@link #doSaveState} returns (validated: finite, the right length). */
    protected abstract void doRestoreState(double[] state);
    protected abstract void doSetOrder(int[] order);
    protected abstract Gradient doGradient(int from, int count, boolean withLoss);
    protected abstract void doStep(int from, int count, double lr);
    /** Whether an update since the last setParams / restoreState made a parameter non-finite. */
    protected abstract boolean doDiverged();
    protected abstract RunResult doRun(Run run);
    protected abstract double[] doLosses(float[] snapshots, int count);
    protected abstract void doClose();
}
