package dev.descent.sweep;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link BlockOps#sgdRun} against its definition: each step exactly {@link BlockOps#margins}, {@link BlockOps#residuals}, the
 * example weight and {@link BlockOps#sgd}, for every row order the cpu backend has (the scalar kernel's, L = 0, which the
 * sweep meets only under -Ddescent.cpu.scalar, and the vector kernel's for 4, 8 and 16 lanes, whatever this processor's
 * width), narrow rows (weights in registers) and wide ones (the update and the next margin in one pass), whole blocks and a
 * last block shared with padding, one lane diverging. Fresh random rows, weights and rates each run; bit for bit.
 */
class BlockRunTest {
    @Test
    void aRunIsItsStepsOneAfterAnother() {
        long seed = System.nanoTime();
        Random rng = new Random(seed);
        for (int lanes : new int[] {0, 4, 8, 16})
        for (int d : new int[] {1, 3, 5, 9, 16, 33, 64, 67}) {
            BlockOps ops = BlockOps.get(d, lanes);
            assumeTrue(ops != null, "no Vector API in this JVM: the sweep keeps its lane loops (the test JVM adds jdk.incubator.vector)");
            int v = ops.width();
            for (int kf : new int[] {3 * v, 2 * v + 3}) {
                String where = "seed " + seed + ", lanes " + lanes + ", d " + d + ", " + kf + " models";
                int n = 57, kp = ops.stride(kf), bad = rng.nextInt(kf);
                boolean bias = rng.nextBoolean(), weighted = rng.nextBoolean();
                float[] x = new float[n * d], t = new float[n], wt = weighted ? new float[n] : null, lr = new float[kp];
                for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
                for (int i = 0; i < n; i++) t[i] = (float) rng.nextGaussian();
                if (weighted) for (int i = 0; i < n; i++) wt[i] = i % 7 == 3 ? 0f : (float) (2 * rng.nextDouble());
                for (int l = 0; l < kf; l++) lr[l] = l == bad ? 5e3f : (float) (0.05 * rng.nextDouble() / d);
                int[] rows = new int[n];
                for (int i = 0; i < n; i++) rows[i] = rng.nextInt(n);
                float[] w = new float[(d + 1) * kp];
                for (int j = 0; j <= d; j++) for (int l = 0; l < kf; l++) w[j * kp + l] = (float) (0.1 * rng.nextGaussian());
                float[] ref = w.clone(), m = new float[kp], r = new float[kp];
                boolean[] flags = new boolean[kp];
                int p = 0, runs = 0;
                boolean stopped = false;
                while (p < n && !stopped) {                  // as the engine: a run, then its exact check of every lane
                    int to = Math.min(n, p + 1 + rng.nextInt(20));
                    int end = ops.sgdRun(x, t, wt, rows, p, to, w, kp, lr, kf, bias);
                    assertTrue(end > p && end <= to, where + ": run [" + p + ", " + to + ") ended at " + end);
                    runs++;
                    for (; p < end; p++) {
                        int row = rows[p];
                        ops.margins(x, row * d, ref, kp, m);
                        ops.residuals(0, 0f, m, t[row], r, kp);
                        if (weighted) for (int l = 0; l < kp; l++) r[l] *= wt[row];
                        Arrays.fill(flags, false);               // the engine clears them before a step
                        ops.sgd(ref, kp, lr, r, x, row * d, kf, bias, flags);
                        for (int l = 0; l < kf; l++) stopped |= flags[l];
                        assertTrue(!stopped || p == end - 1, where + ": lane non-finite at step " + p + " but the run went on to " + end);
                    }
                    for (int i = 0; i < w.length; i++) {
                        assertEquals(Float.floatToRawIntBits(ref[i]), Float.floatToRawIntBits(w[i]),
                                where + ": after the run to " + end + ", parameter " + i / kp + " of lane " + i % kp + ": steps one by one "
                                        + ref[i] + ", the run " + w[i]);
                    }
                }
                assertTrue(stopped, where + ": the lane at rate 5e3 diverged (" + runs + " runs)");
            }
        }
    }
}
