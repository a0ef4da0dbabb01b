package dev.descent.backend.ref;

import dev.descent.backend.spi.AbstractSession;
import dev.descent.backend.Gradient;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;

/**
 * The judge of every kernel: the hot path written as the plain loops of the maths, with every
 * sum in double and the parameters and velocities held in double between steps.
 */
final class RefSession extends AbstractSession {
    private final float[] x;           // dense rows, or null when sparse
    private final SparseRows csr;      // sparse rows (CSR), or null when dense
    private final float[] t;
    private final float[] wt;          // example weights, or null (each row weighs 1)
    private final Objective obj;
    private final Optimizer opt;
    private final int np;              // d + 1: one head's weights and bias
    private final double[] w;          // parameters, per head d weights then the bias (npar = heads·(d + 1))
    private final double[] v;          // optimizer state, slot-major: slot k of parameter c at k·npar + c
    private int[] order = new int[0];
    private final double[] g;          // scratch gradient, laid out as w
    private final double[] m;          // one row's margins (softmax: one per head)
    private boolean diverged;          // an update made a parameter non-finite (in float); cleared by setParams / restoreState

    RefSession(Dataset data, Spec spec) {
        super(data, spec);
        SparseRows csr = this.csr = data.rowsSparse();
        this.x = csr == null ? data.features() : null;
        this.t = data.targets();
        this.wt = data.weights();
        this.obj = spec.objective();
        this.opt = spec.optimizer();
        this.np = d + 1;
        this.w = new double[npar];
        this.v = new double[opt.slots() * npar];
        this.g = new double[npar];
        this.m = new double[heads];
    }

    @Override
    protected void doSetParams(Params p) {
        float[] f = p.packed();
        for (int j = 0; j < npar; j++) w[j] = f[j];
        diverged = false;
        seedAverage();                                 // the average starts as what was set
    }

    /** Where the average of the iterates starts in v, when averaging. */
    private int avgAt() {
        return opt.averageSlot() * npar;
    }

    /** Sets the average to the iterate, when averaging (after setParams and resetState). */
    private void seedAverage() {
        if (opt.average()) System.arraycopy(w, 0, v, avgAt(), npar);
    }

    /** The reported parameters (the average when averaging, else the iterate) in float into out[o .. o + npar). */
    private void reported(float[] out, int o) {
        for (int j = 0; j < npar; j++) out[o + j] = (float) (opt.average() ? v[avgAt() + j] : w[j]);
    }

    @Override
    protected Params doParams() {
        float[] f = new float[npar];
        reported(f, 0);
        return Params.ofPacked(f, d, heads);
    }

    @Override
    protected void doResetState() {
        java.util.Arrays.fill(v, 0);
        seedAverage();
    }

    @Override
    protected double[] doSaveState() {
        double[] s = new double[npar + v.length];
        System.arraycopy(w, 0, s, 0, npar);
        System.arraycopy(v, 0, s, npar, v.length);
        return s;
    }

    @Override
    protected void doRestoreState(double[] s) {
        System.arraycopy(s, 0, w, 0, npar);
        System.arraycopy(s, npar, v, 0, v.length);
        diverged = false;
    }

    @Override
    protected void doSetOrder(int[] order) {
        this.order = order.clone();
    }

    /** The margins of a row under parameters wv (from offset wo) into m: one per head (sparse rows: their stored values only). */
    private void margins(int row, double[] wv, int wo) {
        for (int c = 0; c < heads; c++) {
            int h = wo + c * np;
            double s = wv[h + d];
            if (x != null) {
                int o = row * d;
                for (int j = 0; j < d; j++) s += (double) x[o + j] * wv[h + j];
            } else {
                int sg = csr.segmentOf(row);
                int[] cols = csr.colSegments()[sg];
                float[] vals = csr.valSegments()[sg];
                long b = csr.segmentStart(sg);
                for (int q = (int) (csr.rowOffsets()[row] - b), e = (int) (csr.rowOffsets()[row + 1] - b); q < e; q++) {
                    s += (double) vals[q] * wv[h + cols[q]];
                }
            }
            m[c] = s;
        }
    }

    /** g[h .. h + d) += r·x of the row (sparse rows: at their stored columns). */
    private void addRow(int row, double r, int h) {
        if (x != null) {
            int o = row * d;
            for (int j = 0; j < d; j++) g[h + j] += r * x[o + j];
        } else {
            int sg = csr.segmentOf(row);
            int[] cols = csr.colSegments()[sg];
            float[] vals = csr.valSegments()[sg];
            long b = csr.segmentStart(sg);
            for (int q = (int) (csr.rowOffsets()[row] - b), e = (int) (csr.rowOffsets()[row + 1] - b); q < e; q++) g[h + cols[q]] += r * vals[q];
        }
    }

    /** The loss of a row whose margins are in m, times its example weight. */
    private double rowLoss(int row) {
        if (heads > 1) return weight(row) * Objective.softmaxLoss(m, heads, (int) t[row]);
        return weight(row) * obj.loss(m[0], t == null ? 0 : t[row], spec.lossParam());
    }

    /** Row {@code row}'s example weight (1 without weights). */
    private double weight(int row) {
        return wt == null ? 1 : wt[row];
    }

    /** Fills g with the mean gradient over order[from, from+count); returns the mean loss or NaN. */
    private double accumulate(int from, int count, boolean withLoss) {
        java.util.Arrays.fill(g, 0);
        double loss = 0;
        for (int p = from; p < from + count; p++) {
            int row = order[p];
            margins(row, w, 0);
            double v = weight(row);                     // the example weight multiplies the row's residuals and loss
            if (heads > 1) {
                double l = Objective.softmaxResiduals(m, heads, (int) t[row]);      // m now holds the residuals
                if (withLoss) loss += v * l;
            } else {
                double ti = t == null ? 0 : t[row];
                if (withLoss) loss += v * obj.loss(m[0], ti, spec.lossParam());
                m[0] = obj.dloss(m[0], ti, spec.lossParam());
            }
            for (int c = 0; c < heads; c++) {
                double r = v * m[c];
                int h = c * np;
                addRow(row, r, h);
                g[h + d] += r;
            }
        }
        double inv = 1.0 / count;
        for (int j = 0; j < npar; j++) g[j] *= inv;
        if (!spec.bias()) for (int c = 0; c < heads; c++) g[c * np + d] = 0;
        return withLoss ? loss * inv : Double.NaN;
    }

    @Override
    protected Gradient doGradient(int from, int count, boolean withLoss) {
        double loss = accumulate(from, count, withLoss);
        float[] f = new float[npar];
        for (int j = 0; j < npar; j++) f[j] = (float) g[j];
        return new Gradient(Params.ofPacked(f, d, heads), loss);
    }

    @Override
    protected void doStep(int from, int count, double lr) {
        if (diverged) return;                          // as the devices: nothing applies after a divergence
        accumulate(from, count, false);
        diverged = !update(lr, updates() + 1);
    }

    @Override
    protected boolean doDiverged() {
        return diverged;
    }

    /** Applies update number t of the optimizer with the gradient in g; returns whether every parameter is still finite. */
    private boolean update(double lr, long t) {
        boolean finite = true;
        for (int j = 0; j < npar; j++) {
            boolean weight = j % np < d;
            if (!weight && !spec.bias()) continue;
            w[j] = opt.step(w[j], g[j], v, npar, j, t, lr, weight);
            finite &= Double.isFinite((float) w[j]);
        }
        return finite;
    }

    @Override
    protected RunResult doRun(Run run) {
        if (diverged) return new RunResult(new float[0], new int[0], d, heads, run.firstBatch());    // nothing applied, as on a device
        int[] rec = recordedBatches(run);
        float[] snaps = new float[rec.length * npar];
        int k = 0;
        int at = -1;
        int len = orderLength();
        for (int j = run.firstBatch(); j < run.firstBatch() + run.batches(); j++) {
            int from = j * run.batchSize();
            int count = Math.min(run.batchSize(), len - from);
            accumulate(from, count, false);
            boolean finite = update(run.rate().at(j - run.firstBatch()), updates() + (j - run.firstBatch()) + 1);
            if (j % run.recordEvery() == 0) {
                reported(snaps, (k++) * npar);
            }
            if (!finite) {
                at = j;
                this.diverged = true;
                break;
            }
        }
        int[] recorded = java.util.Arrays.copyOf(rec, k);
        return new RunResult(java.util.Arrays.copyOf(snaps, k * npar), recorded, d, heads, at);
    }

    @Override
    protected double[] doLosses(float[] snapshots, int count) {
        double[] out = new double[count];
        double[] ws = new double[npar];
        for (int s = 0; s < count; s++) {
            for (int j = 0; j < npar; j++) ws[j] = snapshots[s * npar + j];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                margins(i, ws, 0);
                sum += rowLoss(i);
            }
            out[s] = sum / n;
        }
        return out;
    }

    @Override
    protected void doClose() {}
}
