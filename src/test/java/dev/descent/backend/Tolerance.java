package dev.descent.backend;

import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;

/**
 * Error bounds for float32 kernels against the double reference, from the standard bound for a
 * float sum of k terms: |fl(Σ a) − Σ a| ≤ γ_k Σ|a|, γ_k = kε/(1 − kε), ε = 2⁻²⁴.
 * A margin is a sum of d + 1 products, so |Δm_i| ≤ γ_{d+1} M_i with M_i = |b| + Σ_j |x_ij w_j|, and
 * the residual moves by at most |ℓ''| |Δm_i| plus its own rounding. The gradient sums |B| such
 * products in a tree no deeper than |B| + 2 levels per thread plus the partials. A safety factor 4
 * covers the transcendental functions (exp, log1p: a few ulp). Example weights v multiply a row's
 * residual and loss: its terms scale by v, plus the product's own rounding (ε·v·|r|).
 */
public final class Tolerance {
    private Tolerance() {}

    static final double EPS = Math.ulp(1.0f) / 2;

    static double gamma(long k) {
        double ke = k * EPS;
        return ke / (1 - ke);
    }

    /** Per-parameter bounds for the mean gradient over rows[from, from+count) at p: d weights, then the bias (per head, as {@link Params#packed}). */
    public static double[] gradient(Dataset ds, Objective obj, Params p, int[] rows, int from, int count, int parts) {
        if (p.k() > 1) return softmaxGradient(ds, p, rows, from, count, parts);
        int d = ds.d();
        double[] bound = new double[d + 1];
        double gm = gamma(d + 1);
        double gs = gamma(count + parts + 2);
        for (int q = from; q < from + count; q++) {
            int i = rows[q];
            double m = p.b(), mAbs = Math.abs(p.b());
            for (int j = 0; j < d; j++) {
                m += (double) ds.x(i, j) * p.w(j);
                mAbs += Math.abs((double) ds.x(i, j) * p.w(j));
            }
            double t = ds.t(i);
            double r = obj.dloss(m, t);
            double h = 1e-4 * Math.max(1, Math.abs(m));
            double r2 = Math.abs(obj.dloss(m + h, t) - obj.dloss(m - h, t)) / (2 * h) + 1e-3;
            double v = ds.weight(i);
            double dr = v * (r2 * gm * mAbs + 8 * EPS * (Math.abs(r) + Math.abs(t) + Math.abs(m))) + (ds.hasWeights() ? EPS * v * Math.abs(r) : 0);
            r *= v;
            for (int j = 0; j < d; j++) {
                double xa = Math.abs(ds.x(i, j));
                bound[j] += dr * xa + gs * Math.abs(r) * xa;
            }
            bound[d] += dr + gs * Math.abs(r);
        }
        for (int j = 0; j <= d; j++) bound[j] = 4 * bound[j] / count + Double.MIN_NORMAL;
        return bound;
    }

    /**
     * Softmax's k margins each carry |Δm_e| ≤ γ_{d+1} M_e; the residuals r_c = p_c − [c = y] move by
     * at most ½ max_e |Δm_e| (the softmax Jacobian diag(p) − ppᵀ has rows of L1 norm 2p_c(1 − p_c) ≤ ½)
     * plus their own rounding (exp, the k-term sum, the division: 8k ε); the loss by at most
     * Σ_e |r_e| |Δm_e| ≤ 2 max_e |Δm_e| plus the rounding of its log and sum.
     */
    static double[] softmaxGradient(Dataset ds, Params p, int[] rows, int from, int count, int parts) {
        int d = ds.d(), k = p.k(), np = d + 1;
        double[] bound = new double[k * np], m = new double[k];
        double gm = gamma(d + 1), gs = gamma(count + parts + 2);
        for (int q = from; q < from + count; q++) {
            int i = rows[q];
            double dm = softmaxMargins(ds, p, i, m, gm);
            Objective.softmaxResiduals(m, k, (int) ds.t(i));
            double v = ds.weight(i);
            for (int c = 0; c < k; c++) {
                double r = v * Math.abs(m[c]), dr = v * (0.5 * dm + 8 * k * EPS) + (ds.hasWeights() ? EPS * r : 0);
                for (int j = 0; j < d; j++) {
                    double xa = Math.abs(ds.x(i, j));
                    bound[c * np + j] += dr * xa + gs * r * xa;
                }
                bound[c * np + d] += dr + gs * r;
            }
        }
        for (int j = 0; j < bound.length; j++) bound[j] = 4 * bound[j] / count + Double.MIN_NORMAL;
        return bound;
    }

    /** Row i's k margins into m; returns the largest bound γ·M_e on their float error. */
    private static double softmaxMargins(Dataset ds, Params p, int i, double[] m, double gm) {
        double worst = 0;
        for (int c = 0; c < p.k(); c++) {
            double s = p.b(c), a = Math.abs(p.b(c));
            for (int j = 0; j < ds.d(); j++) {
                s += (double) ds.x(i, j) * p.w(c, j);
                a += Math.abs((double) ds.x(i, j) * p.w(c, j));
            }
            m[c] = s;
            worst = Math.max(worst, gm * a);
        }
        return worst;
    }

    /** The bound for a mean full-data loss at p. */
    public static double loss(Dataset ds, Objective obj, Params p, int parts) {
        int d = ds.d(), n = ds.n();
        if (p.k() > 1) {
            double sum = 0, gm = gamma(d + 1), gs = gamma(n / Math.max(1, parts) + parts + 16);
            double[] m = new double[p.k()];
            for (int i = 0; i < n; i++) {
                double dm = softmaxMargins(ds, p, i, m, gm), top = 0;
                for (double v : m) top = Math.max(top, Math.abs(v));
                double l = Objective.softmaxLoss(m, p.k(), (int) ds.t(i));
                double v = ds.weight(i);
                sum += v * (2 * dm + (gs + 8 * p.k() * EPS) * (Math.abs(l) + top)) + (ds.hasWeights() ? EPS * v * Math.abs(l) : 0);
            }
            return 4 * sum / n + Double.MIN_NORMAL;
        }
        double sum = 0, gm = gamma(d + 1), gs = gamma(n / Math.max(1, parts) + parts + 16);
        for (int i = 0; i < n; i++) {
            double m = p.b(), mAbs = Math.abs(p.b());
            for (int j = 0; j < d; j++) {
                m += (double) ds.x(i, j) * p.w(j);
                mAbs += Math.abs((double) ds.x(i, j) * p.w(j));
            }
            double t = ds.t(i);
            double l = obj.loss(m, t);
            double v = ds.weight(i);
            sum += v * (Math.abs(obj.dloss(m, t)) * gm * mAbs + (gs + 8 * EPS) * Math.abs(l) + 8 * EPS * Math.abs(t * m))
                    + (ds.hasWeights() ? EPS * v * Math.abs(l) : 0);
        }
        return 4 * sum / n + Double.MIN_NORMAL;
    }
}
