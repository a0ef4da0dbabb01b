package dev.descent.backend.cpu;

import dev.descent.backend.Gradient;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.Tolerance;
import dev.descent.backend.ref.RefBackend;
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

    /**
     * Large sparse batches (at least n/2 positions) walk their rows in storage order, each block of storage
     * rows into its own dense partial: on rcv1-shaped rows spanning several blocks, the full-batch gradient
     * has the same bits on 1, 2 and 5 threads and for a shuffled order as for the rows in order, a
     * REPLACEMENT batch (repeated rows) the same bits on any thread count, and both match the double
     * reference within the conformance bounds.
     */
    @Test
    void largeSparseBatchesSameBitsForAnyThreadCountAndRowOrder() {
        long seed = System.nanoTime();
        int n = 7 * CpuSession.BLOCK + 123, d = 700;
        Dataset ds = Dataset.sparse(Generators.sparse(n, d, 30, 0.1, seed));
        Spec spec = new Spec(Objective.LOGISTIC, true, Optimizer.SGD);
        float[] w0 = Generators.gaussian(new java.util.Random(seed), d, 1.0);
        Params p = new Params(w0, -0.2f);
        int[] inOrder = BatchOrder.IN_ORDER.order(n, 1, seed), shuffled = BatchOrder.SHUFFLE.order(n, 1, seed);
        int[] repeated = BatchOrder.REPLACEMENT.order(n, 1, seed);
        int[] threads = {1, 2, 5};
        float[][] full = new float[threads.length][], part = new float[threads.length][];
        for (int k = 0; k < threads.length; k++) {
            ForkJoinPool pool = new ForkJoinPool(threads[k]);
            try (CpuSession s = new CpuSession(ds, spec, pool); Session ref = new RefBackend().open(ds, spec)) {
                s.setParams(p);
                ref.setParams(p);
                String where = "seed " + seed + ", " + threads[k] + " threads";
                s.setOrder(inOrder);
                float[] a = packed(s.gradient(0, n, true));
                s.setOrder(shuffled);
                full[k] = packed(s.gradient(0, n, true));
                assertArrayEquals(a, full[k], where + ": shuffled full batch vs rows in order");
                s.setOrder(repeated);
                int from = n / 7, count = n / 2 + 11;
                part[k] = packed(s.gradient(from, count, true));
                if (k == 0) {
                    for (int[] rows : new int[][] {shuffled, repeated}) {
                        int f = rows == shuffled ? 0 : from, c = rows == shuffled ? n : count;
                        ref.setOrder(rows);
                        float[] r = packed(ref.gradient(f, c, true)), got = rows == shuffled ? full[k] : part[k];
                        double[] bound = Tolerance.gradient(ds, Objective.LOGISTIC, p, rows, f, c, 64);
                        for (int j = 0; j <= d; j++) assertEquals(r[j], got[j], bound[j], where + " batch [" + f + ", +" + c + ") parameter " + j);
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
        for (int k = 1; k < threads.length; k++) {
            assertArrayEquals(full[0], full[k], "seed " + seed + ", " + threads[k] + " threads vs 1: full batch");
            assertArrayEquals(part[0], part[k], "seed " + seed + ", " + threads[k] + " threads vs 1: REPLACEMENT batch");
        }
    }

    /** A gradient's weights, bias and loss as floats. */
    private static float[] packed(Gradient g) {
        int d = g.w().length;
        float[] a = Arrays.copyOf(g.w(), d + 2);
        a[d] = g.b();
        a[d + 1] = (float) g.loss();
        return a;
    }
}
