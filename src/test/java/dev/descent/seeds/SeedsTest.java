package dev.descent.seeds;

import dev.descent.util.NumpyFormat;
import dev.descent.backend.Backend;
import dev.descent.backend.ref.RefBackend;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed experiments' acceptance points, on the CPU reference (BackendConformanceTest repeats them per backend). */
class SeedsTest {

    static void checkSeed1(List<Seed1.Outcome> o) {
        assertEquals(5, o.size());
        Seed1.Outcome sgd = o.get(0);                                       // batch 1, lr 0.2
        assertFalse(sgd.result().diverged());
        assertEquals(2.0, sgd.result().params().w(0), 0.01);
        assertEquals(-3.4, sgd.result().params().w(1), 0.01);
        assertEquals(4.2, sgd.result().params().b(), 0.01);
        double floor = 0.01 * 0.01 / 2;                                     // σ²/2
        assertTrue(sgd.result().history().lastLoss() < 2 * floor, "loss " + sgd.result().history().lastLoss());
        assertTrue(sgd.result().history().lastLoss() > 0.5 * floor);
        assertTrue(sgd.lines().get(0).startsWith("Batch size 1, Learning rate 0.200000, Epoch 1, loss "));
        assertTrue(sgd.lines().get(3).matches("w: \\[\\[ 2\\.\\d{1,8} *-3\\.\\d{1,8} *]] b: 4\\.\\d+"), sgd.lines().get(3));

        Seed1.Outcome big = o.get(3);                                       // batch 10, lr 5
        assertTrue(big.result().diverged());
        assertTrue(big.lines().get(0).endsWith("loss nan"));
        assertTrue(big.lines().get(4).startsWith("diverged: "));

        Seed1.Outcome slow = o.get(4);                                      // batch 10, lr 0.002
        assertFalse(slow.result().diverged());
        assertTrue(slow.result().history().lastLoss() > 100 * floor, "too slow means far from the floor");
        assertTrue(slow.result().history().lastLoss() < slow.result().history().points().get(0).loss(), "but moving");
        assertTrue(o.get(2).result().history().lastLoss() < 2 * floor);   // batch 10, lr 0.2
    }

    static void checkSeed2(Seed2.Outcome o) {
        // what the tutorial's own numpy code prints (run on numpy 1.24, float64)
        assertEquals(-0.7585953506640727, o.surface().min(), 1e-12);
        assertEquals(-3.754847375016416, o.gradients().min(), 5e-4 * 3.75);
        assertEquals(2.258299626938598, o.gradients().max(), 5e-4 * 2.26);
        assertEquals(-0.192263417373473, o.gradients().mean(), 5e-4 * 0.19);
        assertEquals(-0.2269892365062868, o.walk().finalW(), 5e-4 * 0.227);
        assertEquals(-0.7584404973591298, o.walk().finalLoss(), 5e-4 * 0.758);
    }

    @Test
    void seedOneOnTheReference() {
        try (Backend b = new RefBackend()) {
            checkSeed1(Seed1.run(b, 1, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), null));
        }
    }

    @Test
    void seedTwoOnTheReference() {
        try (Backend b = new RefBackend()) {
            checkSeed2(Seed2.run(b, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), null));
        }
    }

    @Test
    void printsNumbersAsTheTutorialsNumpy() {
        assertEquals("[[ 1.99949276 -3.39981604]]", NumpyFormat.row(new float[] {1.99949276f, -3.39981604f}));
        assertEquals("[[ 0.9720636  -1.67973936]]", NumpyFormat.row(new float[] {0.9720636f, -1.67973936f}));
        assertEquals("[[ nan  nan]]", NumpyFormat.row(new float[] {Float.NaN, Float.NaN}));
        assertEquals("4.19997", NumpyFormat.scalar(4.19997f));
        assertEquals("1.42253", NumpyFormat.scalar(1.42253f));
        assertEquals("nan", NumpyFormat.scalar(Float.NaN));
        assertEquals("5.5937e-05", NumpyFormat.sci4(5.5937e-05));
        assertEquals("nan", NumpyFormat.sci4(Double.NaN));
    }
}
