package dev.descent.backend.cpu;

import dev.descent.backend.Gradient;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cpu backend's reductions run in a fixed block order whoever computes a block: gradients,
 * runs and losses are bit-identical on 1, 2 and 5 worker threads, for fresh random data and
 * batches that span many blocks (and a last, partial one).
 */
class CpuSessionTest {

    @Test
    void bitIdenticalForAnyThreadCount() {
        long seed = System.nanoTime();
        Dataset ds = Generators.classification(3 * CpuSession.BLOCK * 7 + 123, 19, 0.1, seed);
        Spec spec = new Spec(Objective.LOGISTIC, true, Optimizer.nesterov(0.9).withWeightDecay(1e-3, false));
        float[][] grads = new float[3][], runs = new float[3][], losses = new float[3][];
        int[] threads = {1, 2, 5};
        for (int k = 0; k < threads.length; k++) {
            ForkJoinPool pool = new ForkJoinPool(threads[k]);
            try (CpuSession s = new CpuSession(ds, spec, pool)) {
                s.setOrder(BatchOrder.SHUFFLE.order(ds.n(), 1, seed));
                float[] w0 = Generators.gaussian(new java.util.Random(seed), ds.d(), 0.3);
                s.setParams(new Params(w0, 0.1f));
                Gradient g = s.gradient(0, ds.n(), true);
                grads[k] = Arrays.copyOf(g.w(), ds.d() + 2);
                grads[k][ds.d()] = g.b();
                grads[k][ds.d() + 1] = (float) g.loss();
                RunResult r = s.run(new Run(CpuSession.BLOCK * 3 + 5, 0, 5, Rate.constant(0.2), 2));
                runs[k] = r.snapshots();
                double[] l = s.losses(r.snapshots(), r.records());
                losses[k] = new float[l.length * 2];
                for (int i = 0; i < l.length; i++) {
                    long bits = Double.doubleToRawLongBits(l[i]);
                    losses[k][2 * i] = Float.intBitsToFloat((int) (bits >>> 32));
                    losses[k][2 * i + 1] = Float.intBitsToFloat((int) bits);
                }
            } finally {
                pool.shutdown();
            }
        }
        for (int k = 1; k < threads.length; k++) {
            String where = "seed " + seed + ", " + threads[k] + " threads vs 1";
            assertArrayEquals(grads[0], grads[k], where + ": gradient");
            assertArrayEquals(runs[0], runs[k], where + ": run snapshots");
            assertArrayEquals(losses[0], losses[k], where + ": losses");
        }
        assertEquals(3, runs[0].length / (ds.d() + 1), "records at batches 0, 2, 4");
    }
}
