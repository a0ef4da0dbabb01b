package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.backend.ref.RefBackend;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Example weights ({@link Dataset#withWeights}) on every backend and kernel path: the batch gradient and its loss,
 * runs of steps at batch 1, 10 and the whole data (plain SGD, which takes the lazy path on sparse rows, and
 * momentum), and the full-data loss of several snapshots, dense and sparse, against the double reference with
 * {@link Tolerance}'s bounds (which scale each row's terms by its weight). Weights are fresh random draws in
 * [0, 3) with every 7th row's exactly 0; the seed is in every message ({@code -Ddescent.seed=N} replays it).
 * Weights of 1 must give the unweighted bits exactly: a residual times 1 is itself.
 */
class WeightedConformanceTest {
    static {
        System.setProperty("descent.poison", "true");
    }

    private static final TestBackends.Cache OPEN = new TestBackends.Cache();
    private static final long SEED = Long.getLong("descent.seed", System.nanoTime());
    private static final Random RNG = new Random(SEED);

    @AfterAll
    static void closeAll() {
        OPEN.closeAll();
    }

    static float[] randomWeights(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i % 7 == 3 ? 0f : (float) (3 * RNG.nextDouble());
        return v;
    }

    /** Dense (d = 3 and 100) and sparse (d = 200, about 5% stored) data for the objective, weighted. */
    static List<Dataset> data(Objective obj, int n) {
        return List.of(BackendConformanceTest.random(obj, n, 3).withWeights(randomWeights(n)),
                BackendConformanceTest.random(obj, n, 100).withWeights(randomWeights(n)),
                SparseConformanceTest.randomSparse(obj, n, 200, 0.05).withWeights(randomWeights(n)));
    }

    static Stream<Arguments> backendObjective() {
        List<Arguments> a = new ArrayList<>();
        for (String b : TestBackends.deviceBackends()) for (Objective o : Objective.values()) a.add(Arguments.of(b, o));
        return a.stream();
    }

    /** Rows rows[from, from + count) as their own dataset, weights kept (for the loss's bound over a batch). */
    static Dataset pick(Dataset ds, int[] rows, int from, int count) {
        int d = ds.d();
        float[] t = ds.hasTargets() ? new float[count] : null, v = new float[count];
        for (int k = 0; k < count; k++) {
            if (t != null) t[k] = ds.t(rows[from + k]);
            v[k] = ds.weight(rows[from + k]);
        }
        boolean any = false;
        for (float f : v) any |= f > 0;
        if (!ds.isSparse()) {
            float[] x = new float[count * d];
            for (int k = 0; k < count; k++) System.arraycopy(ds.features(), rows[from + k] * d, x, k * d, d);
            Dataset s = new Dataset("batch", x, t, count, d);
            return any ? s.withWeights(v) : s;
        }
        SparseRows r = ds.rowsSparse();
        int[] rc = r.allCols();
        float[] rv = r.allVals();
        long[] off = new long[count + 1];
        List<Integer> cols = new ArrayList<>();
        List<Float> vals = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int i = rows[from + k];
            for (long q = r.rowOffsets()[i]; q < r.rowOffsets()[i + 1]; q++) {
                cols.add(rc[(int) q]);
                vals.add(rv[(int) q]);
            }
            off[k + 1] = cols.size();
        }
        float[] fv = new float[vals.size()];
        for (int q = 0; q < fv.length; q++) fv[q] = vals.get(q);
        Dataset s = Dataset.sparse(new SparseRows("batch", off, cols.stream().mapToInt(Integer::intValue).toArray(), fv, t, count, d));
        return any ? s.withWeights(v) : s;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendObjective")
    void weightedGradientsAndLossesMatchTheReference(String name, Objective obj) {
        Backend dev = OPEN.get(name);
        int n = 301;
        Spec spec = BackendConformanceTest.spec(obj);
        for (Dataset ds : data(obj, n)) {
            int d = ds.d();
            Params p = BackendConformanceTest.randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
            int[] rows = BatchOrder.SHUFFLE.order(n, 1, SEED);
            try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
                for (Session x : List.of(s, ref)) {
                    x.setOrder(rows);
                    x.setParams(p);
                }
                for (int[] fc : new int[][] {{3, 1}, {0, n}, {13, 77}}) {
                    Gradient g = s.gradient(fc[0], fc[1], true), r = ref.gradient(fc[0], fc[1], true);
                    double[] bound = Tolerance.gradient(ds, obj, p, rows, fc[0], fc[1], 4096);
                    String where = name + " " + obj + " " + ds + " batch [" + fc[0] + ", +" + fc[1] + ") seed " + SEED;
                    float[] rp = r.packed().packed(), gp = g.packed().packed();
                    for (int j = 0; j < rp.length; j++) assertEquals(rp[j], gp[j], bound[j], where + " gradient " + j);
                    assertEquals(r.loss(), g.loss(), Tolerance.loss(pick(ds, rows, fc[0], fc[1]), obj, p, 1), where + " loss");
                }
                int np = spec.heads() * (d + 1), k = 5;
                Params[] ps = new Params[k];
                float[] packed = new float[k * np];
                for (int i = 0; i < k; i++) {
                    ps[i] = BackendConformanceTest.randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
                    System.arraycopy(ps[i].packed(), 0, packed, i * np, np);
                }
                double[] got = s.losses(packed, k), want = ref.losses(packed, k);
                for (int i = 0; i < k; i++) {
                    assertEquals(want[i], got[i], Tolerance.loss(ds, obj, ps[i], 64), name + " " + obj + " " + ds + " snapshot " + i + " seed " + SEED);
                }
            }
        }
    }

    /** Runs of steps as BackendConformanceTest.runMatchesReferenceStepByStep, weighted: its bound times the largest weight (3). */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendObjective")
    void weightedRunsMatchTheReference(String name, Objective obj) {
        Backend dev = OPEN.get(name);
        int n = 203;
        for (Optimizer opt : List.of(Optimizer.SGD, Optimizer.SGD.withWeightDecay(0.1, false), Optimizer.momentum(0.9))) {
            Spec spec = BackendConformanceTest.spec(obj, opt);
            for (Dataset ds : data(obj, n)) {
                int d = ds.d();
                Params p = BackendConformanceTest.randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
                for (int batch : new int[] {1, 10, n}) {
                    int[] rows = BatchOrder.SHUFFLE.order(n, 2, SEED);
                    int steps = Math.min(40, (n + batch - 1) / batch);
                    double lr = obj == Objective.WAVE ? 0.01 : 0.05;
                    Rate rate = batch == 10 ? new Rate(lr, true, 3) : Rate.constant(lr);
                    try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
                        for (Session x : List.of(s, ref)) {
                            x.setOrder(rows);
                            x.setParams(p);
                            x.resetState();
                        }
                        RunResult a = s.run(new Run(batch, 0, steps, rate, 3));
                        RunResult r = ref.run(new Run(batch, 0, steps, rate, 3));
                        String where = name + " " + obj + " " + opt + " " + ds + " batch " + batch + " seed " + SEED;
                        assertFalse(a.diverged() || r.diverged(), where);
                        assertEquals(r.records(), a.records(), where);
                        double tol = 3 * 50.0 * steps * Tolerance.EPS * (d + batch + 2);
                        double[][] extra = BackendConformanceTest.budget(ds, spec, p, rows, batch, steps, rate);
                        for (int k = 0; k < r.records(); k++) {
                            BackendConformanceTest.assertClose(r.snapshot(k), a.snapshot(k), tol, extra == null ? null : extra[r.recordedBatches()[k]],
                                    where + " record " + k);
                        }
                    }
                }
            }
        }
    }

    /**
     * Weights of exactly 1 are no weights: the same gradient, run and losses, bit for bit, on dense and sparse rows,
     * one head and softmax (the kernels multiply each residual and loss by the weight, and x·1 = x).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.descent.backend.TestBackends#deviceBackends")
    void weightsOfOneGiveTheUnweightedBits(String name) {
        Backend dev = OPEN.get(name);
        int n = 257;
        for (Objective obj : List.of(Objective.LOGISTIC, Objective.SOFTMAX)) {
            Spec spec = BackendConformanceTest.spec(obj);
            float[] ones = new float[n];
            Arrays.fill(ones, 1f);
            for (Dataset plain : List.of(BackendConformanceTest.random(obj, n, 9), SparseConformanceTest.randomSparse(obj, n, 150, 0.05))) {
                Dataset weighted = plain.withWeights(ones);
                Params p = BackendConformanceTest.randomParams(plain.d(), spec, 1);
                int[] rows = BatchOrder.SHUFFLE.order(n, 2, SEED);
                float[][] got = new float[2][];
                double[][] losses = new double[2][];
                int at = 0;
                for (Dataset ds : List.of(plain, weighted)) {
                    try (Session s = dev.open(ds, spec)) {
                        s.setOrder(rows);
                        s.setParams(p);
                        s.resetState();
                        Gradient g = s.gradient(0, n, true);
                        s.run(new Run(1, 0, 50, Rate.constant(0.05), 7));
                        s.run(new Run(16, 4, 8, Rate.constant(0.05), 3));
                        float[] gp = g.packed().packed(), sp = s.params().packed();
                        float[] all = Arrays.copyOf(gp, gp.length + sp.length + 1);
                        System.arraycopy(sp, 0, all, gp.length, sp.length);
                        all[all.length - 1] = (float) g.loss();
                        got[at] = all;
                        losses[at++] = s.losses(s.params().packed(), 1);
                    }
                }
                String where = name + " " + obj + " " + plain + " seed " + SEED;
                for (int j = 0; j < got[0].length; j++) {
                    assertEquals(Float.floatToRawIntBits(got[0][j]), Float.floatToRawIntBits(got[1][j]), where + ": value " + j);
                }
                assertEquals(Double.doubleToRawLongBits(losses[0][0]), Double.doubleToRawLongBits(losses[1][0]), where + ": loss");
            }
        }
    }

    /** Weights the data cannot take are one line each, naming the row. */
    @Test
    void badWeightsAreOneLine() {
        Dataset ds = BackendConformanceTest.random(Objective.SQUARED, 4, 2);
        for (float[] w : new float[][] {{1, 1, 1}, {1, -1, 1, 1}, {1, Float.NaN, 1, 1}, {1, 1, 1, Float.POSITIVE_INFINITY}}) {
            DescentException e = assertThrows(DescentException.class, () -> ds.withWeights(w));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("weight"), e.getMessage());
        }
        assertTrue(ds.withWeights(new float[] {0, 2, 0, 0}).hasWeights());
        assertTrue(ds.withWeights(new float[4]).hasWeights());                 // all 0: allowed (a Spark partition may be)
    }
}
