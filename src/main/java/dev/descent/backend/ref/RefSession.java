package dev.descent.backend.ref;

import dev.descent.backend.spi.AbstractSession;
import dev.descent.backend.Gradient;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;

/**
 * The judge of every kernel: the hot path written as the plain loops of the maths, with every
 * sum in double and the parameters and velocities held in double between steps.
 */
final class RefSession extends AbstractSession {
    private final float[] x;
    private final float[] t;
    private final Objective obj;
    private final Optimizer opt;
    private final double[] w;
    private double b;
    private final double[] v;          // optimizer state, slot-major: slot k of parameter c at k·(d + 1) + c
    private int[] order = new int[0];
    private final double[] g;          // scratch gradient: d weights, then the bias
    private boolean diverged;          // an update made a parameter non-finite (in float); cleared by setParams / restoreState

    RefSession(Dataset data, Spec spec) {
        super(data, spec);
        this.x = data.features();
        this.t = data.targets();
        this.obj = spec.objective();
        this.opt = spec.optimizer();
        this.w = new double[d];
        this.v = new double[opt.slots() * (d + 1)];
        this.g = new double[d + 1];
    }

    @Override
    protected void doSetParams(Params p) {
        for (int j = 0; j < d; j++) w[j] = p.w(j);
        b = p.b();
        diverged = false;
        seedAverage();                                 // the average starts as what was set
    }

    /** Where the average of the iterates starts in v, when averaging. */
    private int avgAt() {
        return opt.averageSlot() * (d + 1);
    }

    /** Sets the average to the iterate, when averaging (after setParams and resetState). */
    private void seedAverage() {
        if (!opt.average()) return;
        System.arraycopy(w, 0, v, avgAt(), d);
        v[avgAt() + d] = b;
    }

    /** The reported parameters (the average when averaging, else the iterate) in float into out[o .. o + d]. */
    private void reported(float[] out, int o) {
        for (int j = 0; j < d; j++) out[o + j] = (float) (opt.average() ? v[avgAt() + j] : w[j]);
        out[o + d] = (float) (opt.average() ? v[avgAt() + d] : b);
    }

    @Override
    protected Params doParams() {
        float[] f = new float[d + 1];
        reported(f, 0);
        return Params.unpack(f, 0, d);
    }

    @Override
    protected void doResetState() {
        java.util.Arrays.fill(v, 0);
        seedAverage();
    }

    @Override
    protected double[] doSaveState() {
        double[] s = new double[d + 1 + v.length];
        System.arraycopy(w, 0, s, 0, d);
        s[d] = b;
        System.arraycopy(v, 0, s, d + 1, v.length);
        return s;
    }

    @Override
    protected void doRestoreState(double[] s) {
        System.arraycopy(s, 0, w, 0, d);
        b = s[d];
        System.arraycopy(s, d + 1, v, 0, v.length);
        diverged = false;
    }

    @Override
    protected void doSetOrder(int[] order) {
        this.order = order.clone();
    }

    private double margin(int row, double[] wv, double bv) {
        double m = bv;
        int o = row * d;
        for (int j = 0; j < d; j++) m += (double) x[o + j] * wv[j];
        return m;
    }

    /** Fills g with the mean gradient over order[from, from+count); returns the mean loss or NaN. */
    private double accumulate(int from, int count, boolean withLoss) {
        java.util.Arrays.fill(g, 0);
        double loss = 0;
        for (int p = from; p < from + count; p++) {
            int row = order[p];
            double ti = t == null ? 0 : t[row];
            double m = margin(row, w, b);
            double r = obj.dloss(m, ti, spec.lossParam());
            int o = row * d;
            for (int j = 0; j < d; j++) g[j] += r * x[o + j];
            g[d] += r;
            if (withLoss) loss += obj.loss(m, ti, spec.lossParam());
        }
        double inv = 1.0 / count;
        for (int j = 0; j <= d; j++) g[j] *= inv;
        if (!spec.bias()) g[d] = 0;
        return withLoss ? loss * inv : Double.NaN;
    }

    @Override
    protected Gradient doGradient(int from, int count, boolean withLoss) {
        double loss = accumulate(from, count, withLoss);
        float[] gw = new float[d];
        for (int j = 0; j < d; j++) gw[j] = (float) g[j];
        return new Gradient(gw, (float) g[d], loss);
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
        int np = d + 1;
        for (int j = 0; j < d; j++) {
            w[j] = opt.step(w[j], g[j], v, np, j, t, lr, true);
            finite &= Double.isFinite((float) w[j]);
        }
        if (spec.bias()) {
            b = opt.step(b, g[d], v, np, d, t, lr, false);
            finite &= Double.isFinite((float) b);
        }
        return finite;
    }

    @Override
    protected RunResult doRun(Run run) {
        if (diverged) return new RunResult(new float[0], new int[0], d, run.firstBatch());    // nothing applied, as on a device
        int[] rec = recordedBatches(run);
        float[] snaps = new float[rec.length * (d + 1)];
        int k = 0;
        int at = -1;
        int len = orderLength();
        for (int j = run.firstBatch(); j < run.firstBatch() + run.batches(); j++) {
            int from = j * run.batchSize();
            int count = Math.min(run.batchSize(), len - from);
            accumulate(from, count, false);
            boolean finite = update(run.rate().at(j - run.firstBatch()), updates() + (j - run.firstBatch()) + 1);
            if (j % run.recordEvery() == 0) {
                reported(snaps, (k++) * (d + 1));
            }
            if (!finite) {
                at = j;
                this.diverged = true;
                break;
            }
        }
        int[] recorded = java.util.Arrays.copyOf(rec, k);
        return new RunResult(java.util.Arrays.copyOf(snaps, k * (d + 1)), recorded, d, at);
    }

    @Override
    protected double[] doLosses(float[] snapshots, int count) {
        double[] out = new double[count];
        double[] ws = new double[d];
        for (int s = 0; s < count; s++) {
            int o = s * (d + 1);
            for (int j = 0; j < d; j++) ws[j] = snapshots[o + j];
            double bs = snapshots[o + d];
            double sum = 0;
            for (int i = 0; i < n; i++) sum += obj.loss(margin(i, ws, bs), t == null ? 0 : t[i], spec.lossParam());
            out[s] = sum / n;
        }
        return out;
    }

    @Override
    protected void doClose() {}
}
