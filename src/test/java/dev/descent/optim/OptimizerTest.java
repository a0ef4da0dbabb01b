package dev.descent.optim;

import dev.descent.DescentException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OptimizerTest {
    private static final double EPS = 1e-15;

    @Test
    void sgdStepsAgainstTheGradient() {
        double[] v = new double[1];
        assertEquals(1.0 - 0.1 * 2.0, Optimizer.SGD.step(1.0, 2.0, v, v.length, 0, 1, 0.1, true), EPS);
    }

    @Test
    void momentumAccumulatesVelocity() {
        Optimizer o = Optimizer.momentum(0.9);
        double[] v = new double[1];
        double w = o.step(1.0, 2.0, v, v.length, 0, 1, 0.1, true);       // v = 2, w = 1 - 0.2
        assertEquals(0.8, w, EPS);
        assertEquals(2.0, v[0], EPS);
        w = o.step(w, 1.0, v, v.length, 0, 1, 0.1, true);                  // v = 0.9·2 + 1 = 2.8, w = 0.8 - 0.28
        assertEquals(2.8, v[0], EPS);
        assertEquals(0.52, w, 1e-12);
    }

    @Test
    void nesterovLooksAhead() {
        Optimizer o = Optimizer.nesterov(0.5);
        double[] v = {1.0};
        double w = o.step(2.0, 3.0, v, v.length, 0, 1, 0.1, true);         // v = 0.5 + 3 = 3.5; dir = 3 + 0.5·3.5 = 4.75
        assertEquals(3.5, v[0], EPS);
        assertEquals(2.0 - 0.475, w, 1e-12);
    }

    @Test
    void l2DecayAddsToTheGradientButSparesTheBias() {
        Optimizer o = Optimizer.SGD.withWeightDecay(0.5, false);
        double[] v = new double[2];
        assertEquals(2.0 - 0.1 * (1.0 + 0.5 * 2.0), o.step(2.0, 1.0, v, v.length, 0, 1, 0.1, true), EPS);
        assertEquals(2.0 - 0.1 * 1.0, o.step(2.0, 1.0, v, 2, 1, 1, 0.1, false), EPS);
    }

    @Test
    void decoupledDecayIsOutsideTheMomentum() {
        Optimizer o = Optimizer.momentum(0.9).withWeightDecay(0.5, true);
        double[] v = {1.0};
        double w = o.step(2.0, 1.0, v, v.length, 0, 1, 0.1, true);          // v = 0.9 + 1 = 1.9 (no decay inside); w = 2 - 0.1·(1.9 + 0.5·2)
        assertEquals(1.9, v[0], EPS);
        assertEquals(2.0 - 0.1 * (1.9 + 1.0), w, 1e-12);
        Optimizer l2 = Optimizer.momentum(0.9).withWeightDecay(0.5, false);
        double[] v2 = {1.0};
        l2.step(2.0, 1.0, v2, v2.length, 0, 1, 0.1, true);                   // v = 0.9 + (1 + 0.5·2) = 2.9
        assertEquals(2.9, v2[0], EPS);
    }

    @Test
    void adamFirstStepMovesEachWeightByTheLearningRate() {
        // t = 1: m = (1 − β1)g, v = (1 − β2)g², bias-corrected m̂/√v̂ = sign(g) (ε aside)
        Optimizer o = Optimizer.adam();
        double[] s = new double[2];
        double w = o.step(1.0, -3.0, s, 1, 0, 1, 0.01, true);
        assertEquals(1.0 + 0.01 * (3.0 / (3.0 + 1e-8)), w, 1e-15);
        assertEquals(0.1 * -3.0, s[0], 1e-15);
        assertEquals(0.001 * 9.0, s[1], 1e-15);
    }

    @Test
    void rmspropCenteredSubtractsTheSquaredMeanGradient() {
        Optimizer o = Optimizer.rmsprop(0.5, 0, 1e-8, true);
        double[] s = new double[3];
        double w = o.step(0.0, 2.0, s, 1, 0, 1, 0.1, true);        // s0 = 0.5·4 = 2, s2 = 0.5·2 = 1, a = √(2 − 1) + ε
        assertEquals(2.0, s[0], 1e-15);
        assertEquals(1.0, s[2], 1e-15);
        assertEquals(-0.1 * 2.0 / (1.0 + 1e-8), w, 1e-15);
    }

    @Test
    void l1SoftThresholdsWeightsButNotTheBias() {
        Optimizer o = Optimizer.SGD.withL1(0.5);
        double[] s = new double[2];
        assertEquals(1.0 - 0.1 * 2.0 - 0.05, o.step(1.0, 2.0, s, 2, 0, 1, 0.1, true), 1e-15);     // 0.8 shrunk by lr·λ₁ = 0.05
        assertEquals(0.0, o.step(0.02, 0.0, s, 2, 0, 1, 0.1, true), 0);                          // |w| below 0.05: exactly 0
        assertEquals(-0.03, o.step(-0.08, 0.0, s, 2, 0, 1, 0.1, true), 1e-15);
        assertEquals(0.02, o.step(0.02, 0.0, s, 2, 1, 1, 0.1, false), 0);                        // the bias is not penalized
        assertEquals(0.75f, Optimizer.SGD.withL1(0.5).stepFloat(1f, 2f, new float[1], 1, 0, 1, 0.1f, true), 1e-7f);
        assertThrows(DescentException.class, () -> Optimizer.SGD.withL1(-1));
    }

    @Test
    void averagingKeepsTheMeanOfTheIteratesInTheLastSlot() {
        Optimizer o = Optimizer.momentum(0.5).withAverage(true);
        assertEquals(2, o.slots());
        double[] s = new double[2];                           // velocity, then the average
        double w1 = o.step(1.0, 1.0, s, 1, 0, 1, 0.1, true);   // v = 1, w = 0.9; average 0.9
        double w2 = o.step(w1, 1.0, s, 1, 0, 2, 0.1, true);    // v = 1.5, w = 0.75; average (0.9 + 0.75) / 2
        assertEquals(0.75, w2, 1e-15);
        assertEquals((0.9 + 0.75) / 2, s[1], 1e-15);
        float[] f = new float[2];
        float g1 = o.stepFloat(1f, 1f, f, 1, 0, 1, 0.1f, true);
        o.stepFloat(g1, 1f, f, 1, 0, 2, 0.1f, true);
        assertEquals((0.9 + 0.75) / 2, f[1], 1e-6);
    }

    @Test
    void parsesAndRejects() {
        assertEquals(Optimizer.nesterov(0.8), Optimizer.parse("nesterov:0.8"));
        assertEquals(Optimizer.momentum(0.9), Optimizer.parse("momentum"));
        assertEquals(Optimizer.adam(), Optimizer.parse("adam"));
        assertEquals(Optimizer.adam(0.8, 0.99, 1e-6), Optimizer.parse("adam:0.8:0.99:1e-6"));
        assertEquals(Optimizer.adam().withWeightDecay(0.01, true), Optimizer.parse("adamw"));
        assertEquals(Optimizer.adagrad(1e-10), Optimizer.parse("adagrad"));
        assertEquals(Optimizer.rmsprop(0.9, 0.5, 1e-8, true), Optimizer.parse("rmsprop-centered:0.9:0.5"));
        for (String s : new String[] {"adam", "adamw", "adagrad", "rmsprop", "rmsprop-centered:0.9:0.5:1e-06", "momentum:0.5"}) {
            Optimizer o = Optimizer.parse(s);
            assertEquals(o.withWeightDecay(0, false), Optimizer.parse(o.withWeightDecay(0, false).toString()), "toString parses back: " + o);
        }
        for (String bad : new String[] {"adam:1.5", "adam:-0.1", "adam:0.9:1", "adam:0.9:0.999:0", "adagrad:-1", "rmsprop:1.2",
                "rmsprop:0.99:0.9:1e-8:3", "sgd:0.9", "lion", "adam:x",
                "adam:0.999999999", "rmsprop:0.999999999", "adam:0.9:0.999:1e-50"}) {     // 1.0f once in float; ε 0 in float
            DescentException e = assertThrows(DescentException.class, () -> Optimizer.parse(bad), bad);
            org.junit.jupiter.api.Assertions.assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("Exception"), e.getMessage());
        }
        assertThrows(DescentException.InvalidArgument.class, () -> Optimizer.parse("momentum:1.5"));
        assertThrows(DescentException.InvalidArgument.class, () -> Optimizer.parse("momentum:x"));
        assertThrows(DescentException.InvalidArgument.class, () -> Optimizer.SGD.withWeightDecay(-1, false));
    }
}
