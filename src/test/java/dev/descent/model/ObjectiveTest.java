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
    @EnumSource(Objective.class)
    void derivativeMatchesCentralDifferences(Objective obj) {
        Random rng = new Random(System.nanoTime());
        double h = 1e-5;
        for (int k = 0; k < 1000; k++) {
            double m = rng.nextGaussian() * 3;
            double t = obj.binaryLabels() ? rng.nextInt(2) : rng.nextGaussian();
            // hinge and epsilon-insensitive have kinks (z = 1, |m − t| = ε): no derivative there, and none to check
            if (Math.abs(obj.dloss(m + h, t) - obj.dloss(m - h, t)) > 1e-2) continue;
            double fd = (obj.loss(m + h, t) - obj.loss(m - h, t)) / (2 * h);
            double an = obj.dloss(m, t);
            assertEquals(fd, an, 1e-6 * Math.max(1, Math.abs(an)), obj + " at m=" + m + " t=" + t);
        }
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
            for (int i = 0; i < n; i++) t[i] = obj.binaryLabels() ? rng.nextInt(2) : (float) rng.nextGaussian();
        }
        Dataset ds = new Dataset("fd", x, t, n, d);
        float[] w = new float[d];
        for (int j = 0; j < d; j++) w[j] = (float) (rng.nextGaussian() * 0.5);
        float b = obj.biasByDefault() ? (float) rng.nextGaussian() * 0.3f : 0f;
        try (Session s = new RefBackend().open(ds, Spec.of(obj))) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            s.setOrder(order);
            s.setParams(new Params(w, b));
            Gradient g = s.gradient(0, n, true);
            double h = 1e-3;   // parameters are float32: the step must dwarf their rounding
            for (int j = 0; j <= d; j++) {
                if (j == d && !obj.biasByDefault()) break;
                float[] wp = w.clone(), wm = w.clone();
                float bp = b, bm = b;
                if (j < d) { wp[j] += (float) h; wm[j] -= (float) h; } else { bp += (float) h; bm -= (float) h; }
                double hp = j < d ? wp[j] - w[j] : bp - b, hm = j < d ? w[j] - wm[j] : b - bm;
                double lp = s.losses(new Params(wp, bp).packed(), 1)[0];
                double lm = s.losses(new Params(wm, bm).packed(), 1)[0];
                double fd = (lp - lm) / (hp + hm);
                double an = j < d ? g.w()[j] : g.b();
                assertEquals(fd, an, 1e-4 * Math.max(1, Math.abs(an)), obj + " parameter " + j);
            }
            assertEquals(s.losses(new Params(w, b).packed(), 1)[0], g.loss(), 1e-12);
        }
    }
}
