package dev.descent.sweep;

import dev.descent.backend.cpu.FloatLosses;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * {@link BlockOps} on the JDK's Vector API, vector lanes along the models (loaded by
 * {@link BlockOps#get} only when the JVM resolved jdk.incubator.vector).
 *
 * <p><b>Why the bits are the lone run's.</b> The cpu backend's vector margin (VectorRowKernels, L
 * lanes) keeps 2L float partial sums: sum i (i &lt; L) takes x_j·w_j fused for j ≡ i (mod 2L) over the
 * whole 2L chunks and then j = twoChunks + i from one more L chunk; sum L + i takes j ≡ L + i; the
 * result is b + (Σ_i (a_i + a_{L+i}) in lane order, then the tail x_j·w_j not fused). Each partial sum
 * is its own chain of fused multiply-adds, so here each chain is one vector over a block of models
 * (a register, not memory), computed chain pair by chain pair and added in the same order. The scalar
 * kernel's four sums s_{j mod 4} (not fused) are four vector registers. Products commute exactly
 * (x·w = w·x in IEEE), and nothing adds across lanes.
 */
final class VectorBlockOps implements BlockOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int V = S.length(), DV = D.length();
    private final int d, L;                 // L: the cpu row kernels' lanes, 0 for the scalar kernel
    private final int twoChunks, chunks, fusedAxpy;

    VectorBlockOps(int d, int rowLanes) {
        this.d = d;
        this.L = rowLanes;
        this.twoChunks = L == 0 ? 0 : d / (2 * L) * (2 * L);
        this.chunks = L == 0 ? 0 : d / L * L;
        this.fusedAxpy = L == 0 ? 0 : d / L * L;
    }

    @Override
    public int width() {
        return V;
    }

    /** Narrow rows always; wide ones unless -Ddescent.sweep.wideRuns=false (the step-by-step path, for A/B timing). */
    @Override
    public boolean runs() {
        return narrow() || Boolean.parseBoolean(System.getProperty("descent.sweep.wideRuns", "true"));
    }

    @Override
    public boolean narrow() {
        return d <= 4 && (L == 0 ? d < 4 : d < L);
    }

    @Override
    public int sgdRun(float[] x, float[] t, float[] wt, int[] rows, int from, int to, float[] w, int kp, float[] lr, int kf, boolean bias) {
        int full = padded(w, kp, lr, kf);
        if (!narrow()) return wideRun(x, t, wt, rows, from, to, w, kp, lr, full, bias);
        float[] start = w.clone();                       // (d + 1)·kp floats: the run restarts from it when a block stops early
        int end = to;
        while (true) {
            int stop = end;                              // blocks after one that stopped go no further than it
            for (int b = 0; b < full; b += 2 * V) stop = Math.min(stop, blocksRun(x, t, wt, rows, from, stop, w, kp, lr, b, b + V < full, bias));
            if (stop == end) return end;
            System.arraycopy(start, 0, w, 0, start.length);    // those before it ran further: all again, to where it stopped
            end = stop;
        }
    }

    /**
     * Lanes [0, kf) rounded up to whole blocks, the run's lanes: a last block shared with padding lanes runs whole, its
     * padding at rate 0 from weights and bias 0, which stay 0 (each step's step is 0·r, each update w − 0·x, for finite
     * rows), so they neither change a model nor end a run. Lane by lane (the scalar loops this replaced) eight models took
     * 8× a block's time: batch 1, K = 8, 1M rows, 82 ms an epoch at d = 2 and 660 at d = 64 against 21 and 225 for K = 64.
     */
    private int padded(float[] w, int kp, float[] lr, int kf) {
        int full = (kf + V - 1) / V * V;
        if (full == kf) return full;
        Arrays.fill(lr, kf, full, 0f);
        for (int j = 0; j <= d; j++) Arrays.fill(w, j * kp + kf, j * kp + full, 0f);
        return full;
    }

    /**
     * Block [b, b + V)'s steps at positions [from, to), and with {@code two} block [b + V, b + 2V)'s beside it, row by row,
     * their weights and biases in registers: exactly margins (the tail order: b + (((0 + x_0·w_0) + x_1·w_1) + …)),
     * residuals (m − t, times the weight) and sgd (step = lr·r, w_j − step·x_j, the bias − step). Each step's chain of
     * dependent operations waits on the previous step's weights; two independent chains side by side keep the vector
     * units busy while the other waits. Without {@code two} the second chain runs on zeros at rate 0 and is not stored
     * (an odd last block). A step whose weights' sum is not finite in either block ends the run; returns the exclusive
     * position reached.
     */
    private int blocksRun(float[] x, float[] t, float[] wt, int[] rows, int from, int to, float[] w, int kp, float[] lr, int b, boolean two,
                          boolean bias) {
        int c = b + V;
        FloatVector zero = FloatVector.zero(S), rate = FloatVector.fromArray(S, lr, b), rate2 = two ? FloatVector.fromArray(S, lr, c) : zero;
        FloatVector w0 = FloatVector.fromArray(S, w, b), v0 = two ? FloatVector.fromArray(S, w, c) : zero;
        FloatVector w1 = d > 1 ? FloatVector.fromArray(S, w, kp + b) : zero, v1 = two && d > 1 ? FloatVector.fromArray(S, w, kp + c) : zero;
        FloatVector w2 = d > 2 ? FloatVector.fromArray(S, w, 2 * kp + b) : zero, v2 = two && d > 2 ? FloatVector.fromArray(S, w, 2 * kp + c) : zero;
        FloatVector w3 = d > 3 ? FloatVector.fromArray(S, w, 3 * kp + b) : zero, v3 = two && d > 3 ? FloatVector.fromArray(S, w, 3 * kp + c) : zero;
        FloatVector bv = FloatVector.fromArray(S, w, d * kp + b), bu = two ? FloatVector.fromArray(S, w, d * kp + c) : zero;
        int p = from;
        while (p < to) {
            int row = rows[p++], o = row * d;
            float x0 = x[o], x1 = d > 1 ? x[o + 1] : 0f, x2 = d > 2 ? x[o + 2] : 0f, x3 = d > 3 ? x[o + 3] : 0f, ti = t[row];
            FloatVector s = zero.add(w0.mul(x0)), u = zero.add(v0.mul(x0));
            if (d > 1) {
                s = s.add(w1.mul(x1));
                u = u.add(v1.mul(x1));
            }
            if (d > 2) {
                s = s.add(w2.mul(x2));
                u = u.add(v2.mul(x2));
            }
            if (d > 3) {
                s = s.add(w3.mul(x3));
                u = u.add(v3.mul(x3));
            }
            FloatVector r = bv.add(s).sub(ti), q = bu.add(u).sub(ti);
            if (wt != null) {
                r = r.mul(wt[row]);
                q = q.mul(wt[row]);
            }
            FloatVector step = rate.mul(r), step2 = rate2.mul(q);
            w0 = w0.sub(step.mul(x0));
            v0 = v0.sub(step2.mul(x0));
            FloatVector z = zero.add(w0), y = zero.add(v0);
            if (d > 1) {
                z = z.add(w1 = w1.sub(step.mul(x1)));
                y = y.add(v1 = v1.sub(step2.mul(x1)));
            }
            if (d > 2) {
                z = z.add(w2 = w2.sub(step.mul(x2)));
                y = y.add(v2 = v2.sub(step2.mul(x2)));
            }
            if (d > 3) {
                z = z.add(w3 = w3.sub(step.mul(x3)));
                y = y.add(v3 = v3.sub(step2.mul(x3)));
            }
            if (bias) {
                bv = bv.sub(step);
                bu = bu.sub(step2);
            }
            if (!z.add(bv).add(y.add(bu)).test(VectorOperators.IS_FINITE).allTrue()) break;
        }
        w0.intoArray(w, b);
        if (d > 1) w1.intoArray(w, kp + b);
        if (d > 2) w2.intoArray(w, 2 * kp + b);
        if (d > 3) w3.intoArray(w, 3 * kp + b);
        bv.intoArray(w, d * kp + b);
        if (two) {
            v0.intoArray(w, c);
            if (d > 1) v1.intoArray(w, kp + c);
            if (d > 2) v2.intoArray(w, 2 * kp + c);
            if (d > 3) v3.intoArray(w, 3 * kp + c);
            bu.intoArray(w, d * kp + c);
        }
        return p;
    }

    /**
     * Wide rows (not {@link #narrow}), row after row: each step's update of a block and the next row's margin in one pass over
     * the block's weights (w_j ← w_j − step·x_j, stored, then x'_j·w_j into the margin's chains in the row kernel's order: the
     * margin {@link #margins} would take after {@link #sgd}), so the (d + 1)·kp weights are read once a step, not twice, and the
     * per-step calls are gone. Lanes [0, full): whole blocks (see {@link #padded}). Stops after a step that left a lane's
     * parameters not finite (screened by the next margins, see {@link #margin}, then checked lane by lane); returns the
     * exclusive position reached.
     */
    private int wideRun(float[] x, float[] t, float[] wt, int[] rows, int from, int to, float[] w, int kp, float[] lr, int full, boolean bias) {
        float[] m = new float[kp];                   // the next row's margins: per call, as one instance serves every shard's thread
        int bb = d * kp;
        margins(x, rows[from] * d, w, kp, m);
        int p = from;
        while (p < to) {
            int row = rows[p++], o = row * d, oq = p < to ? rows[p] * d : o;    // the last step's "next row" is its own (unused)
            float ti = t[row], v = wt == null ? 1f : wt[row];
            boolean finite = true;
            for (int b = 0; b < full; ) {
                boolean two = L > 0 && b + 2 * V <= full;      // two blocks in one pass share the row's broadcasts
                if (!(two ? pairStep(x, o, oq, ti, v, w, kp, b, lr, m, bias)
                        : L == 0 ? scalarStep(x, o, oq, ti, v, w, kp, b, lr, m, bias) : vectorStep(x, o, oq, ti, v, w, kp, b, lr, m, bias))) {
                    for (int l = 0; l < (two ? 2 * V : V); l++) finite &= allFinite(w, kp, b + l) && Float.isFinite(w[bb + b + l]);   // lane by lane
                }
                b += two ? 2 * V : V;
            }
            if (!finite) break;
        }
        return p;
    }

    /**
     * Block b's step on row o (residual, step and bias from m, t, v and lr) and, in the same pass, {@link #vectorOrder}'s margin
     * of row oq on the new weights and bias, into m; returns {@link #margin}'s screen. No vector leaves the method: one
     * returned, or carried through both loops, was boxed and each add allocated (JDK 17; the run was 5× slower).
     */
    private boolean vectorStep(float[] x, int o, int oq, float ti, float v, float[] w, int kp, int b, float[] lr, float[] m, boolean bias) {
        FloatVector step = step(m, b, ti, v, lr), nb = bias(w, d * kp + b, step, bias), zero = FloatVector.zero(S), s = zero;
        int stride = 2 * L;
        if (d >= L) {
            for (int i = 0; i < L; i++) {
                FloatVector a = zero, c = zero;
                for (int j = i; j < twoChunks; j += stride) {
                    int q = j * kp + b, u = (j + L) * kp + b;
                    FloatVector wj = updated(w, q, step, x[o + j]);
                    FloatVector wu = updated(w, u, step, x[o + j + L]);
                    a = FloatVector.broadcast(S, x[oq + j]).fma(wj, a);
                    c = FloatVector.broadcast(S, x[oq + j + L]).fma(wu, c);
                }
                int j = twoChunks + i;
                if (j < chunks) {
                    int q = j * kp + b;
                    FloatVector wj = updated(w, q, step, x[o + j]);
                    a = FloatVector.broadcast(S, x[oq + j]).fma(wj, a);
                }
                s = s.add(a.add(c));
            }
        }
        for (int j = chunks; j < d; j++) {
            int q = j * kp + b;
            FloatVector wj = updated(w, q, step, x[o + j]);
            s = s.add(FloatVector.broadcast(S, x[oq + j]).mul(wj));
        }
        return margin(nb.add(s), m, b);
    }

    /** {@link #vectorStep} for blocks b and b + V in one pass: each x value broadcast once for both, two chains side by side. */
    private boolean pairStep(float[] x, int o, int oq, float ti, float v, float[] w, int kp, int b, float[] lr, float[] m, boolean bias) {
        int b2 = b + V;
        FloatVector step = step(m, b, ti, v, lr), nb = bias(w, d * kp + b, step, bias), zero = FloatVector.zero(S), s = zero;
        FloatVector step2 = step(m, b2, ti, v, lr), nb2 = bias(w, d * kp + b2, step2, bias), s2 = zero;
        int stride = 2 * L;
        if (d >= L) {
            for (int i = 0; i < L; i++) {
                FloatVector a = zero, c = zero, a2 = zero, c2 = zero;
                for (int j = i; j < twoChunks; j += stride) {
                    int q = j * kp + b, u = (j + L) * kp + b;
                    float xj = x[o + j], xu = x[o + j + L];
                    FloatVector yj = FloatVector.broadcast(S, x[oq + j]), yu = FloatVector.broadcast(S, x[oq + j + L]);
                    FloatVector wj = updated(w, q, step, xj);
                    FloatVector wu = updated(w, u, step, xu);
                    FloatVector vj = updated(w, q + V, step2, xj);
                    FloatVector vu = updated(w, u + V, step2, xu);
                    a = yj.fma(wj, a);
                    c = yu.fma(wu, c);
                    a2 = yj.fma(vj, a2);
                    c2 = yu.fma(vu, c2);
                }
                int j = twoChunks + i;
                if (j < chunks) {
                    int q = j * kp + b;
                    float xj = x[o + j];
                    FloatVector yj = FloatVector.broadcast(S, x[oq + j]);
                    FloatVector wj = updated(w, q, step, xj);
                    FloatVector vj = updated(w, q + V, step2, xj);
                    a = yj.fma(wj, a);
                    a2 = yj.fma(vj, a2);
                }
                s = s.add(a.add(c));
                s2 = s2.add(a2.add(c2));
            }
        }
        for (int j = chunks; j < d; j++) {
            int q = j * kp + b;
            float xj = x[o + j];
            FloatVector yj = FloatVector.broadcast(S, x[oq + j]);
            FloatVector wj = updated(w, q, step, xj);
            FloatVector vj = updated(w, q + V, step2, xj);
            s = s.add(yj.mul(wj));
            s2 = s2.add(yj.mul(vj));
        }
        return margin(nb.add(s), m, b) & margin(nb2.add(s2), m, b2);
    }

    /** w[q … q + V) − step·x (the product not fused), stored back; returns it. */
    private static FloatVector updated(float[] w, int q, FloatVector step, float x) {
        FloatVector nw = FloatVector.fromArray(S, w, q).sub(step.mul(x));
        nw.intoArray(w, q);
        return nw;
    }

    /** Block b's step lr·r, r = (m − t)·v (residuals, then the example weight: times 1 keeps the bits). */
    private static FloatVector step(float[] m, int b, float ti, float v, float[] lr) {
        return FloatVector.fromArray(S, lr, b).mul(FloatVector.fromArray(S, m, b).sub(ti).mul(v));
    }

    /** The block's bias at w[i] after the step (stored), or as it is without a bias. */
    private static FloatVector bias(float[] w, int i, FloatVector step, boolean bias) {
        FloatVector nb = FloatVector.fromArray(S, w, i);
        if (!bias) return nb;
        nb = nb.sub(step);
        nb.intoArray(w, i);
        return nb;
    }

    /**
     * Stores the next row's margins; whether they are finite in every lane. A lane with a weight or bias not finite has a
     * margin not finite whatever the row (x·∞ is ±∞, 0·∞ NaN, and both stay so through the sums), so a finite margin screens
     * the lane's parameters without a pass of its own; a margin that overflowed with finite parameters is told apart lane by
     * lane by the caller.
     */
    private static boolean margin(FloatVector mn, float[] m, int b) {
        mn.intoArray(m, b);
        return mn.test(VectorOperators.IS_FINITE).allTrue();
    }

    /** {@link #vectorStep} in {@link #scalarOrder}'s order (four unfused sums by j mod 4, the tail into the first). */
    private boolean scalarStep(float[] x, int o, int oq, float ti, float v, float[] w, int kp, int b, float[] lr, float[] m, boolean bias) {
        FloatVector step = step(m, b, ti, v, lr), nb = bias(w, d * kp + b, step, bias);
        FloatVector zero = FloatVector.zero(S), s0 = zero, s1 = zero, s2 = zero, s3 = zero;
        int j = 0;
        for (; j + 3 < d; j += 4) {
            int q = j * kp + b;
            FloatVector w0 = updated(w, q, step, x[o + j]);
            FloatVector w1 = updated(w, q + kp, step, x[o + j + 1]);
            FloatVector w2 = updated(w, q + 2 * kp, step, x[o + j + 2]);
            FloatVector w3 = updated(w, q + 3 * kp, step, x[o + j + 3]);
            s0 = s0.add(FloatVector.broadcast(S, x[oq + j]).mul(w0));
            s1 = s1.add(FloatVector.broadcast(S, x[oq + j + 1]).mul(w1));
            s2 = s2.add(FloatVector.broadcast(S, x[oq + j + 2]).mul(w2));
            s3 = s3.add(FloatVector.broadcast(S, x[oq + j + 3]).mul(w3));
        }
        for (; j < d; j++) {
            FloatVector wj = updated(w, j * kp + b, step, x[o + j]);
            s0 = s0.add(FloatVector.broadcast(S, x[oq + j]).mul(wj));
        }
        return margin(nb.add(s0.add(s1).add(s2.add(s3))), m, b);
    }

    @Override
    public void margins(float[] x, int o, float[] w, int kp, float[] out) {
        for (int b = 0; b < kp; b += V) {
            FloatVector s = L == 0 ? scalarOrder(x, o, w, kp, b) : vectorOrder(x, o, w, kp, b);
            s.intoArray(out, b);
        }
    }

    /** VectorRowKernels.margin for the block at lanes [b, b + V). */
    private FloatVector vectorOrder(float[] x, int o, float[] w, int kp, int b) {
        FloatVector s = FloatVector.zero(S);
        int step = 2 * L;
        if (d >= L) {
            for (int i = 0; i < L; i++) {
                FloatVector a = FloatVector.zero(S), c = FloatVector.zero(S);
                for (int j = i; j < twoChunks; j += step) {
                    a = FloatVector.broadcast(S, x[o + j]).fma(FloatVector.fromArray(S, w, j * kp + b), a);
                    c = FloatVector.broadcast(S, x[o + j + L]).fma(FloatVector.fromArray(S, w, (j + L) * kp + b), c);
                }
                int j = twoChunks + i;
                if (j < chunks) a = FloatVector.broadcast(S, x[o + j]).fma(FloatVector.fromArray(S, w, j * kp + b), a);
                s = s.add(a.add(c));
            }
        }
        for (int j = chunks; j < d; j++) s = s.add(FloatVector.broadcast(S, x[o + j]).mul(FloatVector.fromArray(S, w, j * kp + b)));
        return FloatVector.fromArray(S, w, d * kp + b).add(s);
    }

    /** RowKernels.SCALAR.margin for the block at lanes [b, b + V). */
    private FloatVector scalarOrder(float[] x, int o, float[] w, int kp, int b) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int j = 0;
        for (; j + 3 < d; j += 4) {
            s0 = s0.add(FloatVector.broadcast(S, x[o + j]).mul(FloatVector.fromArray(S, w, j * kp + b)));
            s1 = s1.add(FloatVector.broadcast(S, x[o + j + 1]).mul(FloatVector.fromArray(S, w, (j + 1) * kp + b)));
            s2 = s2.add(FloatVector.broadcast(S, x[o + j + 2]).mul(FloatVector.fromArray(S, w, (j + 2) * kp + b)));
            s3 = s3.add(FloatVector.broadcast(S, x[o + j + 3]).mul(FloatVector.fromArray(S, w, (j + 3) * kp + b)));
        }
        for (; j < d; j++) s0 = s0.add(FloatVector.broadcast(S, x[o + j]).mul(FloatVector.fromArray(S, w, j * kp + b)));
        return FloatVector.fromArray(S, w, d * kp + b).add(s0.add(s1).add(s2.add(s3)));
    }

    @Override
    public void residuals(int obj, float p, float[] m, float t, float[] r, int kp) {
        residualsAt(obj, p, m, 0, t, r, kp);
    }

    /** {@link #residuals} of the kp margins at m[o …) into r[o …). */
    private static void residualsAt(int obj, float p, float[] m, int o, float t, float[] r, int kp) {
        if (obj == 0) {                          // FloatLosses.dloss's squared loss: m − t
            FloatVector tv = FloatVector.broadcast(S, t);
            for (int b = o, e = o + kp; b < e; b += V) FloatVector.fromArray(S, m, b).sub(tv).intoArray(r, b);
            return;
        }
        for (int l = o, e = o + kp; l < e; l++) r[l] = FloatLosses.dloss(obj, p, m[l], t);
    }

    @Override
    public void sgd(float[] w, int kp, float[] lr, float[] r, float[] x, int o, int kf, boolean bias, boolean[] bad) {
        int full = kf / V * V, bb = d * kp;
        for (int b = 0; b < full; b += V) {
            FloatVector step = FloatVector.fromArray(S, lr, b).mul(FloatVector.fromArray(S, r, b)), z = FloatVector.zero(S);
            for (int j = 0; j < d; j++) {
                int i = j * kp + b;
                FloatVector nw = FloatVector.fromArray(S, w, i).sub(step.mul(x[o + j]));
                nw.intoArray(w, i);
                z = z.add(nw);                           // finite when every weight is (one add, not two); checked exactly when not
            }
            FloatVector nb = FloatVector.fromArray(S, w, bb + b);
            if (bias) {
                nb = nb.sub(step);
                nb.intoArray(w, bb + b);
            }
            if (z.add(nb).test(VectorOperators.IS_FINITE).allTrue()) continue;     // bad[] is false already (the engine clears it)
            float[] zs = z.toArray();                    // (one instance serves the shards on every thread: no shared scratch)
            for (int l = 0; l < V; l++) bad[b + l] = !(Float.isFinite(zs[l]) || allFinite(w, kp, b + l)) || !Float.isFinite(w[bb + b + l]);
        }
        for (int l = full; l < kf; l++) bad[l] = !laneStep(w, kp, l, lr[l] * r[l], x, o, bias);   // a block shared with other lanes
    }

    /** CpuSession.sgdOne for lane l alone: w_j − step·x_j, the bias − step; whether its parameters stayed finite. */
    private boolean laneStep(float[] w, int kp, int l, float step, float[] x, int o, boolean bias) {
        boolean finite = true;
        for (int j = 0; j < d; j++) {
            int i = j * kp + l;
            float nw = w[i] - step * x[o + j];
            w[i] = nw;
            finite &= Float.isFinite(nw);
        }
        int bb = d * kp + l;
        if (bias) w[bb] = w[bb] - step;
        return finite && Float.isFinite(w[bb]);
    }

    /** Whether lane l's d weights are all finite (a lane whose sum overflowed). */
    private boolean allFinite(float[] w, int kp, int l) {
        for (int j = 0; j < d; j++) if (!Float.isFinite(w[j * kp + l])) return false;
        return true;
    }

    @Override
    public void axpy(float[] g, float[] r, float[] x, int o, int l0, int kp) {
        int bb = d * kp;
        for (int b = l0 / V * V; b < kp; b += V) {
            FloatVector rv = FloatVector.fromArray(S, r, b);
            for (int j = 0; j < d; j++) {
                int i = j * kp + b;
                FloatVector gv = FloatVector.fromArray(S, g, i), xv = FloatVector.broadcast(S, x[o + j]);
                (j < fusedAxpy ? xv.fma(rv, gv) : gv.add(rv.mul(xv))).intoArray(g, i);
            }
            FloatVector.fromArray(S, g, bb + b).add(rv).intoArray(g, bb + b);
        }
    }

    /** The upper half of a float vector: the lanes of the second double vector a float vector widens into. */
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(S, -1L << DV);

    /**
     * Each float widened, multiplied by inv in double and rounded back: the scalar loop's operations on vectors (same bits).
     * Every vector here is of the preferred shape (a float vector's halves widened to two double vectors, rounded back into
     * its lower and upper half): a vector of another shape reaching {@code FloatVector.intoArray} makes that method's type
     * profile polymorphic, and the JIT then no longer intrinsifies the stores of callers it did not prove exact (session 20:
     * with a 256-bit float species here, margins4x2's eight margin stores went through the Java fallback, boxed, lane by
     * lane; -XX:+PrintIntrinsics "VectorSupport::store failed to inline"). The likely reason too why this mean measured
     * slower than the scalar loop at d = 2 in session 19: with one shape the vectors win there as well (d = 2, K = 256,
     * batch 100, 1M rows: 50-58 against 85-95 ms an epoch), so every d takes them.
     */
    @Override
    public void mean(float[] g, int np, int kp, int l0, int k, double inv) {
        for (int j = 0; j < np; j++) {
            int b = j * kp, l = l0;
            for (; l + V <= k; l += V) {
                FloatVector f = FloatVector.fromArray(S, g, b + l);
                FloatVector lo = (FloatVector) ((DoubleVector) f.convertShape(VectorOperators.F2D, D, 0)).mul(inv).convertShape(VectorOperators.D2F, S, 0);
                FloatVector hi = (FloatVector) ((DoubleVector) f.convertShape(VectorOperators.F2D, D, 1)).mul(inv).convertShape(VectorOperators.D2F, S, -1);
                lo.blend(hi, UPPER).intoArray(g, b + l);
            }
            for (; l < k; l++) g[b + l] = (float) (g[b + l] * inv);
        }
    }

    @Override
    public int rowWidth() {
        return d;
    }

    /** Rows {@link #gradientRows} takes together: four rows' margins share each weight load, their r·x each load and store of g. */
    private static final int TILE = 4;

    @Override
    public int gradientScratch(int kp) {
        return 2 * TILE * kp;
    }

    /**
     * Eight rows at a time on the vector kernel's order (two {@link #margins4}, then each row's residuals, then
     * {@link #axpy8x2} or {@link #axpy4x4}), four for the rest; the scalar kernel's order and the last rows one at a time.
     * More than {@link #CHUNK} lanes go chunk by chunk, each chunk over all the tiles: a chunk's weights and gradient
     * (2·(d + 1)·64 floats, 33 KiB at d = 64) stay in L1 while the rows, read again per chunk, come from L2; the whole
     * width at once (K = 256: 133 KiB) went to L2 for every tile. Each model's operations and their order are unchanged.
     */
    @Override
    public void gradientRows(int obj, float p, float[] x, float[] t, float[] wt, int[] rows, int from, int to, float[] w, int kp,
                             float[] g, int l0, float[] m, float[] r) {
        int q = from;
        if (L > 0) for (int cb = l0 / V * V; cb < kp; cb += CHUNK) q = tiles(obj, p, x, t, wt, rows, from, to, w, kp, g, cb, Math.min(kp, cb + CHUNK), m, r);
        BlockOps.super.gradientRows(obj, p, x, t, wt, rows, q, to, w, kp, g, l0, m, r);
    }

    /** Lanes per chunk of {@link #gradientRows}: four blocks. */
    private static final int CHUNK = 4 * V;

    /** {@link #gradientRows}' whole tiles of rows from position {@code from} for the blocks [cb, ce); returns the position after them. */
    private int tiles(int obj, float p, float[] x, float[] t, float[] wt, int[] rows, int from, int to, float[] w, int kp, float[] g,
                      int cb, int ce, float[] m, float[] r) {
        int q = from;
        for (; q + 2 * TILE <= to; q += 2 * TILE) {
            int o0 = rows[q] * d, o1 = rows[q + 1] * d, o2 = rows[q + 2] * d, o3 = rows[q + 3] * d;
            int o4 = rows[q + 4] * d, o5 = rows[q + 5] * d, o6 = rows[q + 6] * d, o7 = rows[q + 7] * d;
            margins4(x, o0, o1, o2, o3, w, kp, cb, ce, m, 0);
            margins4(x, o4, o5, o6, o7, w, kp, cb, ce, m, TILE * kp);
            tileResiduals(obj, p, t, wt, rows, q, 2 * TILE, m, r, kp, cb, ce);
            int b = cb;
            for (; b + 3 * V < ce; b += 4 * V) {
                axpy4x4(g, r, x, o0, o1, o2, o3, kp, b, 0);
                axpy4x4(g, r, x, o4, o5, o6, o7, kp, b, TILE * kp);
            }
            for (; b + V < ce; b += 2 * V) axpy8x2(g, r, x, o0, o1, o2, o3, o4, o5, o6, o7, kp, b);
            if (b < ce) {
                axpy4(g, r, x, o0, o1, o2, o3, kp, b, 0);
                axpy4(g, r, x, o4, o5, o6, o7, kp, b, TILE * kp);
            }
        }
        for (; q + TILE <= to; q += TILE) {
            int o0 = rows[q] * d, o1 = rows[q + 1] * d, o2 = rows[q + 2] * d, o3 = rows[q + 3] * d;
            margins4(x, o0, o1, o2, o3, w, kp, cb, ce, m, 0);
            tileResiduals(obj, p, t, wt, rows, q, TILE, m, r, kp, cb, ce);
            int b = cb;
            for (; b + 3 * V < ce; b += 4 * V) axpy4x4(g, r, x, o0, o1, o2, o3, kp, b, 0);
            for (; b + V < ce; b += 2 * V) axpy4x2(g, r, x, o0, o1, o2, o3, kp, b);
            if (b < ce) axpy4(g, r, x, o0, o1, o2, o3, kp, b, 0);
        }
        return q;
    }

    /**
     * Residuals of the n rows at order positions q … for lanes [cb, ce) (margins at m[i·kp + l]) to r[i·kp + l], times each
     * row's example weight.
     */
    private static void tileResiduals(int obj, float p, float[] t, float[] wt, int[] rows, int q, int n, float[] m, float[] r, int kp,
                                      int cb, int ce) {
        for (int i = 0; i < n; i++) {
            int row = rows[q + i];
            residualsAt(obj, p, m, i * kp + cb, t == null ? 0f : t[row], r, ce - cb);
            if (wt != null) {
                FloatVector v = FloatVector.broadcast(S, wt[row]);
                for (int b = i * kp + cb, e = i * kp + ce; b < e; b += V) FloatVector.fromArray(S, r, b).mul(v).intoArray(r, b);
            }
        }
    }

    /** {@link #margins4x2} over pairs of blocks (where L = V), then {@link #margins4} block by block: the blocks [cb, ce), margins to m[mo …). */
    private void margins4(float[] x, int o0, int o1, int o2, int o3, float[] w, int kp, int cb, int ce, float[] m, int mo) {
        int b = cb;
        if (L == V) for (; b + V < ce; b += 2 * V) margins4x2(x, o0, o1, o2, o3, w, kp, b, m, mo);
        for (; b < ce; b += V) margins4(x, o0, o1, o2, o3, w, kp, b, m, mo);
    }

    /**
     * {@link #margins4} for the two blocks at lanes [b, b + V) and [b + V, b + 2V) side by side (only where L = V): each
     * x value broadcast once for both blocks' chains (a, c for the first, e, f for the second), each weight vector loaded
     * once for the four rows; every chain's operations in margins4's order, so the same bits. Margins to m[i·kp + b …)
     * as margins4.
     *
     * <p>The first two chunk pairs of each chain are written out rather than looped ({@code first}, {@code second}; the
     * loop takes the third pair on): at 32 ≤ d &lt; 96 the loop ran once or twice per chain, and the JIT's range-check
     * predicates and index arithmetic, paid before each such short loop, cost more than its 16 FMAs (one thread, four
     * rows × 32 models in L1: d = 64 250 → 186-197 ns a call, d = 32 181 → 121; at d = 128 and 200 unchanged). A chain
     * starts with a multiply where margins4 adds to +0: the two differ only when the product is a zero (−0 against +0),
     * and the sign of such a zero cannot reach the margin: the sum s it is added to starts at +0 and is never −0, so
     * s + (±0) is the same float.
     */
    private void margins4x2(float[] x, int o0, int o1, int o2, int o3, float[] w, int kp, int b, float[] m, int mo) {
        FloatVector zero = FloatVector.zero(S), s0 = zero, s1 = zero, s2 = zero, s3 = zero, t0 = zero, t1 = zero, t2 = zero, t3 = zero;
        int b2 = b + V;
        if (d >= V) {
            boolean first = twoChunks > 0, second = twoChunks > 2 * V;
            for (int i = 0; i < V; i++) {
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, c0 = zero, c1 = zero, c2 = zero, c3 = zero;
                FloatVector e0 = zero, e1 = zero, e2 = zero, e3 = zero, f0 = zero, f1 = zero, f2 = zero, f3 = zero;
                if (first) {
                    int q = i * kp + b, u = (i + V) * kp + b;
                    FloatVector wj = FloatVector.fromArray(S, w, q), vj = FloatVector.fromArray(S, w, q + V);
                    FloatVector x0 = FloatVector.broadcast(S, x[o0 + i]), x1 = FloatVector.broadcast(S, x[o1 + i]);
                    FloatVector x2 = FloatVector.broadcast(S, x[o2 + i]), x3 = FloatVector.broadcast(S, x[o3 + i]);
                    a0 = x0.mul(wj); e0 = x0.mul(vj); a1 = x1.mul(wj); e1 = x1.mul(vj);
                    a2 = x2.mul(wj); e2 = x2.mul(vj); a3 = x3.mul(wj); e3 = x3.mul(vj);
                    wj = FloatVector.fromArray(S, w, u); vj = FloatVector.fromArray(S, w, u + V);
                    x0 = FloatVector.broadcast(S, x[o0 + i + V]); x1 = FloatVector.broadcast(S, x[o1 + i + V]);
                    x2 = FloatVector.broadcast(S, x[o2 + i + V]); x3 = FloatVector.broadcast(S, x[o3 + i + V]);
                    c0 = x0.mul(wj); f0 = x0.mul(vj); c1 = x1.mul(wj); f1 = x1.mul(vj);
                    c2 = x2.mul(wj); f2 = x2.mul(vj); c3 = x3.mul(wj); f3 = x3.mul(vj);
                }
                if (second) {
                    int j = i + 2 * V;
                    int q = j * kp + b, u = (j + V) * kp + b;
                    FloatVector wj = FloatVector.fromArray(S, w, q), vj = FloatVector.fromArray(S, w, q + V);
                    FloatVector x0 = FloatVector.broadcast(S, x[o0 + j]), x1 = FloatVector.broadcast(S, x[o1 + j]);
                    FloatVector x2 = FloatVector.broadcast(S, x[o2 + j]), x3 = FloatVector.broadcast(S, x[o3 + j]);
                    a0 = x0.fma(wj, a0); e0 = x0.fma(vj, e0); a1 = x1.fma(wj, a1); e1 = x1.fma(vj, e1);
                    a2 = x2.fma(wj, a2); e2 = x2.fma(vj, e2); a3 = x3.fma(wj, a3); e3 = x3.fma(vj, e3);
                    wj = FloatVector.fromArray(S, w, u); vj = FloatVector.fromArray(S, w, u + V);
                    x0 = FloatVector.broadcast(S, x[o0 + j + V]); x1 = FloatVector.broadcast(S, x[o1 + j + V]);
                    x2 = FloatVector.broadcast(S, x[o2 + j + V]); x3 = FloatVector.broadcast(S, x[o3 + j + V]);
                    c0 = x0.fma(wj, c0); f0 = x0.fma(vj, f0); c1 = x1.fma(wj, c1); f1 = x1.fma(vj, f1);
                    c2 = x2.fma(wj, c2); f2 = x2.fma(vj, f2); c3 = x3.fma(wj, c3); f3 = x3.fma(vj, f3);
                }
                for (int j = i + 4 * V; j < twoChunks; j += 2 * V) {
                    int q = j * kp + b, u = (j + V) * kp + b;
                    FloatVector wj = FloatVector.fromArray(S, w, q), vj = FloatVector.fromArray(S, w, q + V);
                    FloatVector x0 = FloatVector.broadcast(S, x[o0 + j]), x1 = FloatVector.broadcast(S, x[o1 + j]);
                    FloatVector x2 = FloatVector.broadcast(S, x[o2 + j]), x3 = FloatVector.broadcast(S, x[o3 + j]);
                    a0 = x0.fma(wj, a0); e0 = x0.fma(vj, e0); a1 = x1.fma(wj, a1); e1 = x1.fma(vj, e1);
                    a2 = x2.fma(wj, a2); e2 = x2.fma(vj, e2); a3 = x3.fma(wj, a3); e3 = x3.fma(vj, e3);
                    wj = FloatVector.fromArray(S, w, u); vj = FloatVector.fromArray(S, w, u + V);
                    x0 = FloatVector.broadcast(S, x[o0 + j + V]); x1 = FloatVector.broadcast(S, x[o1 + j + V]);
                    x2 = FloatVector.broadcast(S, x[o2 + j + V]); x3 = FloatVector.broadcast(S, x[o3 + j + V]);
                    c0 = x0.fma(wj, c0); f0 = x0.fma(vj, f0); c1 = x1.fma(wj, c1); f1 = x1.fma(vj, f1);
                    c2 = x2.fma(wj, c2); f2 = x2.fma(vj, f2); c3 = x3.fma(wj, c3); f3 = x3.fma(vj, f3);
                }
                int j = twoChunks + i;
                if (j < chunks) {
                    FloatVector wj = FloatVector.fromArray(S, w, j * kp + b), vj = FloatVector.fromArray(S, w, j * kp + b2);
                    FloatVector x0 = FloatVector.broadcast(S, x[o0 + j]), x1 = FloatVector.broadcast(S, x[o1 + j]);
                    FloatVector x2 = FloatVector.broadcast(S, x[o2 + j]), x3 = FloatVector.broadcast(S, x[o3 + j]);
                    a0 = x0.fma(wj, a0); e0 = x0.fma(vj, e0); a1 = x1.fma(wj, a1); e1 = x1.fma(vj, e1);
                    a2 = x2.fma(wj, a2); e2 = x2.fma(vj, e2); a3 = x3.fma(wj, a3); e3 = x3.fma(vj, e3);
                }
                s0 = s0.add(a0.add(c0));
                s1 = s1.add(a1.add(c1));
                s2 = s2.add(a2.add(c2));
                s3 = s3.add(a3.add(c3));
                t0 = t0.add(e0.add(f0));
                t1 = t1.add(e1.add(f1));
                t2 = t2.add(e2.add(f2));
                t3 = t3.add(e3.add(f3));
            }
        }
        for (int j = chunks; j < d; j++) {
            FloatVector wj = FloatVector.fromArray(S, w, j * kp + b), vj = FloatVector.fromArray(S, w, j * kp + b2);
            FloatVector x0 = FloatVector.broadcast(S, x[o0 + j]), x1 = FloatVector.broadcast(S, x[o1 + j]);
            FloatVector x2 = FloatVector.broadcast(S, x[o2 + j]), x3 = FloatVector.broadcast(S, x[o3 + j]);
            s0 = s0.add(x0.mul(wj));
            t0 = t0.add(x0.mul(vj));
            s1 = s1.add(x1.mul(wj));
            t1 = t1.add(x1.mul(vj));
            s2 = s2.add(x2.mul(wj));
            t2 = t2.add(x2.mul(vj));
            s3 = s3.add(x3.mul(wj));
            t3 = t3.add(x3.mul(vj));
        }
        FloatVector bv = FloatVector.fromArray(S, w, d * kp + b), bu = FloatVector.fromArray(S, w, d * kp + b2);
        int m0 = mo + b, m1 = mo + b2;
        bv.add(s0).intoArray(m, m0);
        bv.add(s1).intoArray(m, kp + m0);
        bv.add(s2).intoArray(m, 2 * kp + m0);
        bv.add(s3).intoArray(m, 3 * kp + m0);
        bu.add(t0).intoArray(m, m1);
        bu.add(t1).intoArray(m, kp + m1);
        bu.add(t2).intoArray(m, 2 * kp + m1);
        bu.add(t3).intoArray(m, 3 * kp + m1);
    }

    /**
     * {@link #vectorOrder} for rows o0…o3 and the block at lanes [b, b + V), each weight vector loaded once for the four rows'
     * chains; row i's margins to m[i·kp + b …).
     */
    private void margins4(float[] x, int o0, int o1, int o2, int o3, float[] w, int kp, int b, float[] m, int mo) {
        FloatVector zero = FloatVector.zero(S), s0 = zero, s1 = zero, s2 = zero, s3 = zero;
        int step = 2 * L;
        if (d >= L) {
            for (int i = 0; i < L; i++) {
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, c0 = zero, c1 = zero, c2 = zero, c3 = zero;
                for (int j = i; j < twoChunks; j += step) {
                    FloatVector wj = FloatVector.fromArray(S, w, j * kp + b), wu = FloatVector.fromArray(S, w, (j + L) * kp + b);
                    a0 = FloatVector.broadcast(S, x[o0 + j]).fma(wj, a0);
                    a1 = FloatVector.broadcast(S, x[o1 + j]).fma(wj, a1);
                    a2 = FloatVector.broadcast(S, x[o2 + j]).fma(wj, a2);
                    a3 = FloatVector.broadcast(S, x[o3 + j]).fma(wj, a3);
                    c0 = FloatVector.broadcast(S, x[o0 + j + L]).fma(wu, c0);
                    c1 = FloatVector.broadcast(S, x[o1 + j + L]).fma(wu, c1);
                    c2 = FloatVector.broadcast(S, x[o2 + j + L]).fma(wu, c2);
                    c3 = FloatVector.broadcast(S, x[o3 + j + L]).fma(wu, c3);
                }
                int j = twoChunks + i;
                if (j < chunks) {
                    FloatVector wj = FloatVector.fromArray(S, w, j * kp + b);
                    a0 = FloatVector.broadcast(S, x[o0 + j]).fma(wj, a0);
                    a1 = FloatVector.broadcast(S, x[o1 + j]).fma(wj, a1);
                    a2 = FloatVector.broadcast(S, x[o2 + j]).fma(wj, a2);
                    a3 = FloatVector.broadcast(S, x[o3 + j]).fma(wj, a3);
                }
                s0 = s0.add(a0.add(c0));
                s1 = s1.add(a1.add(c1));
                s2 = s2.add(a2.add(c2));
                s3 = s3.add(a3.add(c3));
            }
        }
        for (int j = chunks; j < d; j++) {
            FloatVector wj = FloatVector.fromArray(S, w, j * kp + b);
            s0 = s0.add(FloatVector.broadcast(S, x[o0 + j]).mul(wj));
            s1 = s1.add(FloatVector.broadcast(S, x[o1 + j]).mul(wj));
            s2 = s2.add(FloatVector.broadcast(S, x[o2 + j]).mul(wj));
            s3 = s3.add(FloatVector.broadcast(S, x[o3 + j]).mul(wj));
        }
        FloatVector bv = FloatVector.fromArray(S, w, d * kp + b);
        int m0 = mo + b;
        bv.add(s0).intoArray(m, m0);
        bv.add(s1).intoArray(m, kp + m0);
        bv.add(s2).intoArray(m, 2 * kp + m0);
        bv.add(s3).intoArray(m, 3 * kp + m0);
    }

    /**
     * {@link #axpy} of rows o0…o3 (residuals at r[i·kp + b …)) for the block at lanes [b, b + V): each g vector loaded and
     * stored once for the four rows, their operations on it in row order.
     */
    private void axpy4(float[] g, float[] r, float[] x, int o0, int o1, int o2, int o3, int kp, int b, int ro) {
        int c = ro + b;
        FloatVector r0 = FloatVector.fromArray(S, r, c), r1 = FloatVector.fromArray(S, r, kp + c);
        FloatVector r2 = FloatVector.fromArray(S, r, 2 * kp + c), r3 = FloatVector.fromArray(S, r, 3 * kp + c);
        int j = 0;
        for (; j < fusedAxpy; j++) {
            int i = j * kp + b;
            FloatVector gv = FloatVector.fromArray(S, g, i);
            gv = FloatVector.broadcast(S, x[o0 + j]).fma(r0, gv);
            gv = FloatVector.broadcast(S, x[o1 + j]).fma(r1, gv);
            gv = FloatVector.broadcast(S, x[o2 + j]).fma(r2, gv);
            gv = FloatVector.broadcast(S, x[o3 + j]).fma(r3, gv);
            gv.intoArray(g, i);
        }
        for (; j < d; j++) {
            int i = j * kp + b;
            FloatVector gv = FloatVector.fromArray(S, g, i);
            gv = gv.add(r0.mul(x[o0 + j])).add(r1.mul(x[o1 + j])).add(r2.mul(x[o2 + j])).add(r3.mul(x[o3 + j]));
            gv.intoArray(g, i);
        }
        int bb = d * kp + b;
        FloatVector.fromArray(S, g, bb).add(r0).add(r1).add(r2).add(r3).intoArray(g, bb);
    }

    /**
     * {@link #axpy4} for the two blocks at lanes [b, b + V) and [b + V, b + 2V) side by side: each x value broadcast once
     * for both; each sum's operations in axpy4's order (row order), so the same bits.
     */
    private void axpy4x2(float[] g, float[] r, float[] x, int o0, int o1, int o2, int o3, int kp, int b) {
        int b2 = b + V;
        FloatVector r0 = FloatVector.fromArray(S, r, b), r1 = FloatVector.fromArray(S, r, kp + b);
        FloatVector r2 = FloatVector.fromArray(S, r, 2 * kp + b), r3 = FloatVector.fromArray(S, r, 3 * kp + b);
        FloatVector q0 = FloatVector.fromArray(S, r, b2), q1 = FloatVector.fromArray(S, r, kp + b2);
        FloatVector q2 = FloatVector.fromArray(S, r, 2 * kp + b2), q3 = FloatVector.fromArray(S, r, 3 * kp + b2);
        int j = 0;
        for (; j < fusedAxpy; j++) {
            int i = j * kp + b;
            FloatVector gv = FloatVector.fromArray(S, g, i), hv = FloatVector.fromArray(S, g, i + V);
            FloatVector x0 = FloatVector.broadcast(S, x[o0 + j]), x1 = FloatVector.broadcast(S, x[o1 + j]);
            FloatVector x2 = FloatVector.broadcast(S, x[o2 + j]), x3 = FloatVector.broadcast(S, x[o3 + j]);
            gv = x0.fma(r0, gv);
            hv = x0.fma(q0, hv);
            gv = x1.fma(r1, gv);
            hv = x1.fma(q1, hv);
            gv = x2.fma(r2, gv);
            hv = x2.fma(q2, hv);
            gv = x3.fma(r3, gv);
            hv = x3.fma(q3, hv);
            gv.intoArray(g, i);
            hv.intoArray(g, i + V);
        }
        for (; j < d; j++) {
            int i = j * kp + b;
            FloatVector gv = FloatVector.fromArray(S, g, i), hv = FloatVector.fromArray(S, g, i + V);
            gv.add(r0.mul(x[o0 + j])).add(r1.mul(x[o1 + j])).add(r2.mul(x[o2 + j])).add(r3.mul(x[o3 + j])).intoArray(g, i);
            hv.add(q0.mul(x[o0 + j])).add(q1.mul(x[o1 + j])).add(q2.mul(x[o2 + j])).add(q3.mul(x[o3 + j])).intoArray(g, i + V);
        }
        int bb = d * kp + b;
        FloatVector.fromArray(S, g, bb).add(r0).add(r1).add(r2).add(r3).intoArray(g, bb);
        FloatVector.fromArray(S, g, bb + V).add(q0).add(q1).add(q2).add(q3).intoArray(g, bb + V);
    }

    /**
     * {@link #axpy4} for the four blocks at lanes [b, b + 4V) side by side (residuals at r[ro + i·kp + b …)): each x value
     * broadcast once for all four blocks, each sum's operations in axpy4's order (row order), so the same bits. Per
     * multiply-add it issues half the broadcasts of {@link #axpy4x2} and a third fewer instructions in all (that loop was
     * bound by issuing them, not by the FMA units); it needs 16 residual vectors in registers, so four rows, not eight.
     */
    private void axpy4x4(float[] g, float[] r, float[] x, int o0, int o1, int o2, int o3, int kp, int b, int ro) {
        int c0 = ro + b, c1 = c0 + V, c2 = c0 + 2 * V, c3 = c0 + 3 * V, k2 = 2 * kp, k3 = 3 * kp;
        FloatVector r0 = FloatVector.fromArray(S, r, c0), r1 = FloatVector.fromArray(S, r, kp + c0);
        FloatVector r2 = FloatVector.fromArray(S, r, k2 + c0), r3 = FloatVector.fromArray(S, r, k3 + c0);
        FloatVector q0 = FloatVector.fromArray(S, r, c1), q1 = FloatVector.fromArray(S, r, kp + c1);
        FloatVector q2 = FloatVector.fromArray(S, r, k2 + c1), q3 = FloatVector.fromArray(S, r, k3 + c1);
        FloatVector p0 = FloatVector.fromArray(S, r, c2), p1 = FloatVector.fromArray(S, r, kp + c2);
        FloatVector p2 = FloatVector.fromArray(S, r, k2 + c2), p3 = FloatVector.fromArray(S, r, k3 + c2);
        FloatVector u0 = FloatVector.fromArray(S, r, c3), u1 = FloatVector.fromArray(S, r, kp + c3);
        FloatVector u2 = FloatVector.fromArray(S, r, k2 + c3), u3 = FloatVector.fromArray(S, r, k3 + c3);
        int j = 0;
        for (; j < fusedAxpy; j++) {
            int i = j * kp + b;
            FloatVector x0 = FloatVector.broadcast(S, x[o0 + j]), x1 = FloatVector.broadcast(S, x[o1 + j]);
            FloatVector x2 = FloatVector.broadcast(S, x[o2 + j]), x3 = FloatVector.broadcast(S, x[o3 + j]);
            FloatVector gv = FloatVector.fromArray(S, g, i), hv = FloatVector.fromArray(S, g, i + V);
            FloatVector iv = FloatVector.fromArray(S, g, i + 2 * V), jv = FloatVector.fromArray(S, g, i + 3 * V);
            gv = x0.fma(r0, gv);
            hv = x0.fma(q0, hv);
            iv = x0.fma(p0, iv);
            jv = x0.fma(u0, jv);
            gv = x1.fma(r1, gv);
            hv = x1.fma(q1, hv);
            iv = x1.fma(p1, iv);
            jv = x1.fma(u1, jv);
            gv = x2.fma(r2, gv);
            hv = x2.fma(q2, hv);
            iv = x2.fma(p2, iv);
            jv = x2.fma(u2, jv);
            gv = x3.fma(r3, gv);
            hv = x3.fma(q3, hv);
            iv = x3.fma(p3, iv);
            jv = x3.fma(u3, jv);
            gv.intoArray(g, i);
            hv.intoArray(g, i + V);
            iv.intoArray(g, i + 2 * V);
            jv.intoArray(g, i + 3 * V);
        }
        for (; j < d; j++) {
            int i = j * kp + b;
            float x0 = x[o0 + j], x1 = x[o1 + j], x2 = x[o2 + j], x3 = x[o3 + j];
            FloatVector.fromArray(S, g, i).add(r0.mul(x0)).add(r1.mul(x1)).add(r2.mul(x2)).add(r3.mul(x3)).intoArray(g, i);
            FloatVector.fromArray(S, g, i + V).add(q0.mul(x0)).add(q1.mul(x1)).add(q2.mul(x2)).add(q3.mul(x3)).intoArray(g, i + V);
            FloatVector.fromArray(S, g, i + 2 * V).add(p0.mul(x0)).add(p1.mul(x1)).add(p2.mul(x2)).add(p3.mul(x3)).intoArray(g, i + 2 * V);
            FloatVector.fromArray(S, g, i + 3 * V).add(u0.mul(x0)).add(u1.mul(x1)).add(u2.mul(x2)).add(u3.mul(x3)).intoArray(g, i + 3 * V);
        }
        int bb = d * kp + b;
        FloatVector.fromArray(S, g, bb).add(r0).add(r1).add(r2).add(r3).intoArray(g, bb);
        FloatVector.fromArray(S, g, bb + V).add(q0).add(q1).add(q2).add(q3).intoArray(g, bb + V);
        FloatVector.fromArray(S, g, bb + 2 * V).add(p0).add(p1).add(p2).add(p3).intoArray(g, bb + 2 * V);
        FloatVector.fromArray(S, g, bb + 3 * V).add(u0).add(u1).add(u2).add(u3).intoArray(g, bb + 3 * V);
    }

    /**
     * {@link #axpy4x2} of eight rows (residuals at r[i·kp + b …)): each g vector loaded and stored once for the eight rows, their
     * operations on it in row order, so the same bits as two axpy4x2 calls. Against axpy4x2 it halves the g loads, stores and
     * loop overhead per multiply-add: the loop was bound by issuing its instructions, not by the FMA units.
     */
    private void axpy8x2(float[] g, float[] r, float[] x, int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7, int kp, int b) {
        int b2 = b + V;
        FloatVector r0 = FloatVector.fromArray(S, r, b), r1 = FloatVector.fromArray(S, r, kp + b);
        FloatVector r2 = FloatVector.fromArray(S, r, 2 * kp + b), r3 = FloatVector.fromArray(S, r, 3 * kp + b);
        FloatVector r4 = FloatVector.fromArray(S, r, 4 * kp + b), r5 = FloatVector.fromArray(S, r, 5 * kp + b);
        FloatVector r6 = FloatVector.fromArray(S, r, 6 * kp + b), r7 = FloatVector.fromArray(S, r, 7 * kp + b);
        FloatVector q0 = FloatVector.fromArray(S, r, b2), q1 = FloatVector.fromArray(S, r, kp + b2);
        FloatVector q2 = FloatVector.fromArray(S, r, 2 * kp + b2), q3 = FloatVector.fromArray(S, r, 3 * kp + b2);
        FloatVector q4 = FloatVector.fromArray(S, r, 4 * kp + b2), q5 = FloatVector.fromArray(S, r, 5 * kp + b2);
        FloatVector q6 = FloatVector.fromArray(S, r, 6 * kp + b2), q7 = FloatVector.fromArray(S, r, 7 * kp + b2);
        int j = 0;
        for (; j < fusedAxpy; j++) {
            int i = j * kp + b;
            FloatVector gv = FloatVector.fromArray(S, g, i), hv = FloatVector.fromArray(S, g, i + V);
            FloatVector x0 = FloatVector.broadcast(S, x[o0 + j]), x1 = FloatVector.broadcast(S, x[o1 + j]);
            gv = x0.fma(r0, gv);
            hv = x0.fma(q0, hv);
            gv = x1.fma(r1, gv);
            hv = x1.fma(q1, hv);
            FloatVector x2 = FloatVector.broadcast(S, x[o2 + j]), x3 = FloatVector.broadcast(S, x[o3 + j]);
            gv = x2.fma(r2, gv);
            hv = x2.fma(q2, hv);
            gv = x3.fma(r3, gv);
            hv = x3.fma(q3, hv);
            FloatVector x4 = FloatVector.broadcast(S, x[o4 + j]), x5 = FloatVector.broadcast(S, x[o5 + j]);
            gv = x4.fma(r4, gv);
            hv = x4.fma(q4, hv);
            gv = x5.fma(r5, gv);
            hv = x5.fma(q5, hv);
            FloatVector x6 = FloatVector.broadcast(S, x[o6 + j]), x7 = FloatVector.broadcast(S, x[o7 + j]);
            gv = x6.fma(r6, gv);
            hv = x6.fma(q6, hv);
            gv = x7.fma(r7, gv);
            hv = x7.fma(q7, hv);
            gv.intoArray(g, i);
            hv.intoArray(g, i + V);
        }
        for (; j < d; j++) {
            int i = j * kp + b;
            float x0 = x[o0 + j], x1 = x[o1 + j], x2 = x[o2 + j], x3 = x[o3 + j], x4 = x[o4 + j], x5 = x[o5 + j], x6 = x[o6 + j], x7 = x[o7 + j];
            FloatVector.fromArray(S, g, i).add(r0.mul(x0)).add(r1.mul(x1)).add(r2.mul(x2)).add(r3.mul(x3))
                    .add(r4.mul(x4)).add(r5.mul(x5)).add(r6.mul(x6)).add(r7.mul(x7)).intoArray(g, i);
            FloatVector.fromArray(S, g, i + V).add(q0.mul(x0)).add(q1.mul(x1)).add(q2.mul(x2)).add(q3.mul(x3))
                    .add(q4.mul(x4)).add(q5.mul(x5)).add(q6.mul(x6)).add(q7.mul(x7)).intoArray(g, i + V);
        }
        int bb = d * kp + b;
        FloatVector.fromArray(S, g, bb).add(r0).add(r1).add(r2).add(r3).add(r4).add(r5).add(r6).add(r7).intoArray(g, bb);
        FloatVector.fromArray(S, g, bb + V).add(q0).add(q1).add(q2).add(q3).add(q4).add(q5).add(q6).add(q7).intoArray(g, bb + V);
    }

    @Override
    public void sgdUpdate(float[] w, float[] g, float[] lr, int kp, int kf, boolean bias, boolean[] bad) {
        int full = kf / V * V, rows = bias ? d + 1 : d;
        FloatVector zero = FloatVector.zero(S);
        for (int b = 0; b < full; b += V) {
            FloatVector rate = FloatVector.fromArray(S, lr, b), z = zero;
            for (int j = 0; j < rows; j++) {
                int i = j * kp + b;
                FloatVector wv = FloatVector.fromArray(S, w, i);
                FloatVector nw = wv.sub(rate.mul(FloatVector.fromArray(S, g, i).add(zero.mul(wv))));
                nw.intoArray(w, i);
                z = z.add(nw.sub(nw));
            }
            if (z.eq(0f).allTrue()) {
                for (int l = 0; l < V; l++) bad[b + l] = false;
                continue;
            }
            float[] zs = z.toArray();                    // (one instance serves the shards on every thread: no shared scratch)
            for (int l = 0; l < V; l++) bad[b + l] = !(zs[l] == 0f);
        }
        for (int l = full; l < kf; l++) {
            boolean finite = true;
            for (int j = 0; j < rows; j++) {
                int i = j * kp + l;
                float nw = w[i] - lr[l] * (g[i] + 0f * w[i]);
                w[i] = nw;
                finite &= Float.isFinite(nw);
            }
            bad[l] = !finite;
        }
    }

    @Override
    public void addLosses(int obj, float p, float[] m, int mo, float t, double[] sum, int so, int k) {
        int l = 0;
        if (obj == 0) {                          // FloatLosses.loss's squared loss: 0.5·e·e, e = m − t; then to double
            FloatVector tv = FloatVector.broadcast(S, t), half = FloatVector.broadcast(S, 0.5f);
            for (; l + V <= k; l += V) {
                FloatVector e = FloatVector.fromArray(S, m, mo + l).sub(tv), f = half.mul(e).mul(e);
                for (int part = 0; part < V / DV; part++) {
                    int i = so + l + part * DV;
                    DoubleVector.fromArray(D, sum, i).add(f.convertShape(VectorOperators.F2D, D, part)).intoArray(sum, i);
                }
            }
        }
        for (; l < k; l++) sum[so + l] += FloatLosses.loss(obj, p, m[mo + l], t);
    }

    /** Four rows at a time on the vector kernel's order ({@link #margins4}), then each row's losses in row order. */
    @Override
    public void lossRows(int obj, float p, float[] x, float[] t, float[] wt, int from, int to, float[] w, int kp, int k,
                         double[] sum, int so, float[] m) {
        int i = from;
        if (L > 0) {
            for (; i + TILE <= to; i += TILE) {
                int o0 = i * d;
                margins4(x, o0, o0 + d, o0 + 2 * d, o0 + 3 * d, w, kp, 0, kp, m, 0);
                for (int q = 0; q < TILE; q++) {
                    int row = i + q;
                    rowLosses(obj, p, m, q * kp, t == null ? 0f : t[row], wt == null ? 1f : wt[row], wt != null, sum, so, k);
                }
            }
        }
        BlockOps.super.lossRows(obj, p, x, t, wt, i, to, w, kp, k, sum, so, m);
    }
}
