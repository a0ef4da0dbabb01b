package dev.descent.model;

import dev.descent.backend.Gradient;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.ref.RefBackend;
import dev.descent.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectiveTest {

    /** Central differences have error O(h²·ℓ''') + O(ε·ℓ/h); h = 1e-5 keeps both near 1e-9 away from the kinks. */
    @ParameterizedTest
    @EnumSource(value = Objective.class, names = "SOFTMAX", mode = EnumSource.Mode.EXCLUDE)
    void derivativeMatchesCentralDifferences(Objective obj) {
        Random rng = new Random(System.nanoTime());
        double h = 1e-5;
        int checked = 0;
        for (int k = 0; k < 1000; k++) {
            double m = rng.nextGaussian() * 3;
            double t = obj.binaryLabels() ? rng.nextInt(2) : rng.nextGaussian();
            // hinge and epsilon-insensitive have kinks (z = 1, |m − t| = ε): no derivative there, and none to check
            if (Math.abs(obj.dloss(m + h, t) - obj.dloss(m - h, t)) > 1e-2) continue;
            // within h of a jump of the second derivative (squared hinge and modified Huber at z = 1, Huber at |m − t| = δ)
            // the central difference is off by O(h·jump), about 2e-6 here: not a point where it can judge the derivative
            if (Math.abs(obj.dloss(m + h, t) - 2 * obj.dloss(m, t) + obj.dloss(m - h, t)) > 1e-8) continue;
            double fd = (obj.loss(m + h, t) - obj.loss(m - h, t)) / (2 * h);
            double an = obj.dloss(m, t);
            assertEquals(fd, an, 1e-6 * Math.max(1, Math.abs(an)), obj + " at m=" + m + " t=" + t);
            checked++;
        }
        assertTrue(checked >= 900, obj + ": only " + checked + " of 1000 points were away from the loss's kinks");
    }

    /** Softmax: each residual r_c against the central difference of the loss in m_c (the loss is smooth: no kinks). */
    @Test
    void softmaxResidualsAreTheLossGradient() {
        Random rng = new Random(System.nanoTime());
        double h = 1e-5;
        for (int trial = 0; trial < 500; trial++) {
            int k = 2 + rng.nextInt(9), y = rng.nextInt(k);
            double[] m = new double[k];
            for (int c = 0; c < k; c++) m[c] = rng.nextGaussian() * 3;
            double[] r = m.clone();
            double l = Objective.softmaxResiduals(r, k, y);
            assertEquals(Objective.softmaxLoss(m, k, y), l, 1e-12 * Math.max(1, l));
            double sum = 0;
            for (int c = 0; c < k; c++) {
                double[] up = m.clone(), down = m.clone();
                up[c] += h;
                down[c] -= h;
                double fd = (Objective.softmaxLoss(up, k, y) - Objective.softmaxLoss(down, k, y)) / (2 * h);
                assertEquals(fd, r[c], 1e-6, "class " + c + " of " + k + ", label " + y);
                sum += r[c];
            }
            assertEquals(0, sum, 1e-12, "the residuals of a row sum to 0 (probabilities sum to 1)");
        }
    }

    @Test
    void softmaxIsStableForHugeMargins() {
        assertEquals(0.0, Objective.softmaxLoss(new double[] {1000, -1000, 0}, 3, 0), 1e-12);
        assertEquals(2000.0, Objective.softmaxLoss(new double[] {1000, -1000, 0}, 3, 1), 1e-9);
        double[] r = {1e6, 0, -1e6};
        Objective.softmaxResiduals(r, 3, 2);
        assertEquals(1.0, r[0], 0);
        assertEquals(-1.0, r[2], 0);
    }

    @Test
    void softmaxNamesEachBadClassCountInOneLine() {
        assertEquals(3.0, Objective.parseParam("softmax:3"));
        assertEquals(0.0, Objective.parseParam("softmax"));                // k from the labels
        for (String bad : new String[] {"softmax:1", "softmax:0", "softmax:-2", "softmax:65", "softmax:2.5", "softmax:x"}) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(dev.descent.DescentException.class, () -> Objective.parseParam(bad));
            assertTrue(!e.getMessage().contains("\n") && (e.getMessage().contains("class") || e.getMessage().contains("k =")), bad + ": " + e.getMessage());
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.descent.DescentException.class,
                () -> Spec.softmax(1, true, dev.descent.optim.Optimizer.SGD));
        assertTrue(e.getMessage().contains("at least 2 classes"), e.getMessage());
        Dataset ds = new Dataset("labels", new float[] {1, 2, 3}, new float[] {0, 3, 1}, 3, 1);
        e = org.junit.jupiter.api.Assertions.assertThrows(dev.descent.DescentException.class,
                () -> Spec.softmax(3, true, dev.descent.optim.Optimizer.SGD).check(ds));
        assertEquals("softmax over 3 classes needs labels 0..2, but row 2 of labels has target 3.0: give softmax:4 or more classes", e.getMessage());
        Dataset frac = new Dataset("fractions", new float[] {1, 2}, new float[] {0, 0.5f}, 2, 1);
        e = org.junit.jupiter.api.Assertions.assertThrows(dev.descent.DescentException.class,
                () -> Spec.softmax(2, true, dev.descent.optim.Optimizer.SGD).check(frac));
        assertEquals("softmax over 2 classes needs labels 0..1, but row 2 of fractions has target 0.5", e.getMessage());
    }

    @Test
    void logisticIsStableForHugeMargins() {
        assertEquals(1000.0, Objective.LOGISTIC.loss(1000, 0), 1e-9);
        assertEquals(0.0, Objective.LOGISTIC.loss(1000, 1), 1e-9);
        assertEquals(1000.0, Objective.LOGISTIC.loss(-1000, 1), 1e-9);
        assertEquals(-1.0, Objective.LOGISTIC.dloss(-1000, 1), 1e-12);
        assertTrue(Double.isFinite(Objective.LOGISTIC.dloss(1e6, 0)));
    }

    @Test
    void scikitLearnsMarginLossesOnLabelsZeroOne() {
        // label 1 is y = +1, label 0 is y = −1; z = y·m
        assertEquals(0.5, Objective.HINGE.loss(0.5, 1), 0);
        assertEquals(-1.0, Objective.HINGE.dloss(1.0, 1), 0);           // z = 1 still counts (z <= 1, as scikit-learn)
        assertEquals(0.0, Objective.HINGE.dloss(1.5, 1), 0);
        assertEquals(1.0, Objective.HINGE.dloss(-0.5, 0), 0);           // y = −1, z = 0.5
        assertEquals(2.25, Objective.SQUARED_HINGE.loss(-0.5, 1), 1e-15);
        assertEquals(-3.0, Objective.SQUARED_HINGE.dloss(-0.5, 1), 1e-15);
        assertEquals(8.0, Objective.MODIFIED_HUBER.loss(-2, 1), 0);      // z < −1: −4z
        assertEquals(-4.0, Objective.MODIFIED_HUBER.dloss(-2, 1), 0);
        assertEquals(0.25, Objective.MODIFIED_HUBER.loss(0.5, 1), 1e-15);
        assertEquals(0.005, Objective.HUBER.loss(0.1, 0), 1e-15);         // |e| = ε: quadratic
        assertEquals(0.1 * 2 - 0.005, Objective.HUBER.loss(2, 0), 1e-15);
        assertEquals(-1.0, Objective.HUBER.dloss(-3, 0, 1.0), 0);
        assertEquals(0.4, Objective.EPSILON_INSENSITIVE.loss(0.5, 0), 1e-15);
        assertEquals(0.0, Objective.EPSILON_INSENSITIVE.dloss(0.05, 0), 0);
        assertEquals(-1.0, Objective.EPSILON_INSENSITIVE.dloss(-0.5, 0), 0);
    }

    @Test
    void waveLossIsTheTutorials() {
        double y = 0.7;
        assertEquals((-y * y + y * y * y) * Math.exp(-y * y), Objective.WAVE.loss(y, 0), 1e-15);
        double tut = ((-2 * y + 3 * y * y) * Math.exp(-y * y)) + ((-y * y + y * y * y) * (-2 * y * Math.exp(-y * y)));
        assertEquals(tut, Objective.WAVE.dloss(y, 0), 1e-15);
    }

    /** The session's batch gradient against central differences of the mean batch loss in each parameter. */
    @ParameterizedTest
    @EnumSource(Objective.class)
    void batchGradientMatchesFiniteDifferencesOfTheMeanLoss(Objective obj) {
        Random rng = new Random(System.nanoTime());
        int n = 37, d = 5;
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextGaussian() * 0.5);
        float[] t = null;
        if (obj.needsTargets()) {
            t = new float[n];
            for (int i = 0; i < n; i++) t[i] = obj.multiclass() ? rng.nextInt(4) : obj.binaryLabels() ? rng.nextInt(2) : (float) rng.nextGaussian();
        }
        Dataset ds = new Dataset("fd", x, t, n, d);
        Spec spec = obj.multiclass() ? Spec.softmax(4, true, dev.descent.optim.Optimizer.SGD) : Spec.of(obj);
        int np = d + 1, k = spec.heads();
        float[] p0 = new float[k * np];
        for (int c = 0; c < k; c++) {
            for (int j = 0; j < d; j++) p0[c * np + j] = (float) (rng.nextGaussian() * 0.5);
            p0[c * np + d] = obj.biasByDefault() ? (float) rng.nextGaussian() * 0.3f : 0f;
        }
        Params params = Params.ofPacked(p0, d, k);
        try (Session s = new RefBackend().open(ds, spec)) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            s.setOrder(order);
            s.setParams(params);
            Gradient g = s.gradient(0, n, true);
            float[] an = g.packed().packed();
            double h = 1e-3;   // parameters are float32: the step must dwarf their rounding
            for (int j = 0; j < p0.length; j++) {
                if (j % np == d && !obj.biasByDefault()) continue;
                if (crossesAKink(obj, spec.lossParam(), ds, p0, j, 2 * h)) continue;     // no derivative there to check
                float[] pp = p0.clone(), pm = p0.clone();
                pp[j] += (float) h;
                pm[j] -= (float) h;
                double lp = s.losses(pp, 1)[0], lm = s.losses(pm, 1)[0];
                double fd = (lp - lm) / ((double) pp[j] - pm[j]);
                assertEquals(fd, an[j], 1e-4 * Math.max(1, Math.abs(an[j])), obj + " parameter " + j);
            }
            assertEquals(s.losses(p0, 1)[0], g.loss(), 1e-12);
        }
    }

    /**
     * Whether moving parameter j (one head: d weights, then the bias) by up to ±h moves some row's
     * margin across a jump of the derivative (hinge at z = 1, epsilon-insensitive at |m − t| = ε):
     * a central difference there measures the jump, not the gradient.
     */
    static boolean crossesAKink(Objective obj, double eps, Dataset ds, float[] p, int j, double h) {
        if (obj != Objective.HINGE && obj != Objective.EPSILON_INSENSITIVE) return false;
        int d = ds.d();
        for (int i = 0; i < ds.n(); i++) {
            double m = p[d];
            for (int c = 0; c < d; c++) m += (double) ds.x(i, c) * p[c];
            double reach = h * (j < d ? Math.abs(ds.x(i, j)) : 1);
            double t = ds.t(i);
            double[] kinks = obj == Objective.HINGE ? new double[] {2 * t - 1} : new double[] {t - eps, t + eps};
            for (double k : kinks) if (Math.abs(m - k) <= reach) return true;
        }
        return false;
    }
}
