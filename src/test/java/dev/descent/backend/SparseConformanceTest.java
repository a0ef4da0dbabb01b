package dev.descent.backend;

import dev.descent.backend.ref.RefBackend;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sparse-row (CSR) kernels against the double reference on the same sparse data, and against
 * the dense path on the same data densified, on every device backend (cpu; OpenCL, whose sparse
 * kernels are launched by both kernel families; CUDA where present). Fresh random data per run (the seed is
 * printed in every message; {@code -Ddescent.seed=N} replays it): rows of varying fill, some empty,
 * wide enough that most of a row is absent. Tolerances are {@link Tolerance}'s and
 * {@link BackendConformanceTest}'s derived bounds, which hold for sparse rows a fortiori (a margin
 * sums nnz + 1 terms, not d + 1).
 */
class SparseConformanceTest {
    static {
        System.setProperty("descent.poison", "true");
    }

    private static final TestBackends.Cache OPEN = new TestBackends.Cache();
    private static final long SEED = Long.getLong("descent.seed", System.nanoTime());
    private static final Random RNG = new Random(SEED);

    static Backend backend(String name) {
        return OPEN.get(name);
    }

    @AfterAll
    static void closeAll() {
        OPEN.closeAll();
    }

    /**
     * The backends with sparse kernels: OpenCL's two families launch the same kernels with work-groups
     * of one item (cpu) and of several (gpu: on PoCL 16 items, the barriers and the split of a row's
     * values between items that a GPU runs with 256).
     */
    static List<String> backends() {
        return List.of("cpu", "opencl:@cpu", "opencl:@gpu", "cuda");
    }

    /** n rows × d columns, each row holding about density·d values (every 17th row none), labels as the objective takes them. */
    static Dataset randomSparse(Objective obj, int n, int d, double density) {
        long[] off = new long[n + 1];
        List<Integer> cols = new ArrayList<>();
        List<Float> vals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % 17 != 5) {
                for (int j = 0; j < d; j++) {
                    if (RNG.nextDouble() < density) {
                        cols.add(j);
                        vals.add((float) (RNG.nextGaussian() * (obj == Objective.WAVE ? 1 : 2 / Math.sqrt(Math.max(1, density * d)))));
                    }
                }
            }
            off[i + 1] = cols.size();
        }
        float[] t = null;
        if (obj.needsTargets()) {
            t = new float[n];
            for (int i = 0; i < n; i++) {
                t[i] = obj.multiclass() ? RNG.nextInt(BackendConformanceTest.CLASSES) : obj.binaryLabels() ? RNG.nextInt(2) : (float) RNG.nextGaussian();
            }
        }
        int[] c = cols.stream().mapToInt(Integer::intValue).toArray();
        float[] v = new float[vals.size()];
        for (int k = 0; k < v.length; k++) v[k] = vals.get(k);
        return Dataset.sparse(new SparseRows("sparse(" + n + "x" + d + ", seed " + SEED + ")", off, c, v, t, n, d));
    }

    static Params randomParams(int d, Spec spec, double scale) {
        float[] p = new float[spec.heads() * (d + 1)];
        for (int c = 0; c < spec.heads(); c++) {
            for (int j = 0; j < d; j++) p[c * (d + 1) + j] = (float) (RNG.nextGaussian() * scale / Math.sqrt(d));
            if (spec.bias()) p[c * (d + 1) + d] = (float) (RNG.nextGaussian() * scale);
        }
        return Params.ofPacked(p, d, spec.heads());
    }

    static Stream<Arguments> backendObjective() {
        List<Arguments> a = new ArrayList<>();
        for (String b : backends()) for (Objective o : Objective.values()) a.add(Arguments.of(b, o));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendObjective")
    void gradientMatchesReferenceAndTheDensePath(String name, Objective obj) {
        Backend dev = backend(name);
        for (int d : new int[] {7, 1500}) {
            int n = d == 7 ? 301 : 5000;                     // 5000: a full batch of several blocks on the cpu backend
            Dataset sp = randomSparse(obj, n, d, d == 7 ? 0.4 : 0.01);
            Dataset dense = sp.dense();
            Spec spec = BackendConformanceTest.spec(obj);
            Params p = randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
            try (Session s = dev.open(sp, spec); Session sd = dev.open(dense, spec); Session ref = new RefBackend().open(sp, spec);
                 Session refDense = new RefBackend().open(dense, spec)) {
                for (BatchOrder order : BatchOrder.values()) {
                    int[] rows = order.order(n, 1, SEED);
                    for (Session x : List.of(s, sd, ref, refDense)) {
                        x.setOrder(rows);
                        x.setParams(p);
                    }
                    for (int[] fc : new int[][] {{0, 1}, {5, 1}, {0, n}, {13, 77}}) {
                        Gradient g = s.gradient(fc[0], fc[1], true), gd = sd.gradient(fc[0], fc[1], true);
                        Gradient r = ref.gradient(fc[0], fc[1], true), rd = refDense.gradient(fc[0], fc[1], true);
                        double[] bound = Tolerance.gradient(sp, obj, p, rows, fc[0], fc[1], 4096);
                        String where = name + " " + obj + " d=" + d + " " + order + " batch [" + fc[0] + ", +" + fc[1] + ") seed " + SEED;
                        float[] rp = r.packed().packed(), rdp = rd.packed().packed(), gp = g.packed().packed(), gdp = gd.packed().packed();
                        for (int j = 0; j < rp.length; j++) {
                            String at = where + " parameter " + j;
                            assertEquals(rdp[j], rp[j], 1e-12 * (1 + Math.abs(rdp[j])), at + ": sparse and dense reference");
                            assertEquals(rp[j], gp[j], bound[j], at + ": sparse device vs reference");
                            assertEquals(gdp[j], gp[j], 2 * bound[j], at + ": sparse vs dense on the device");
                        }
                        double lb = Tolerance.loss(BackendConformanceTest.subset(dense, rows, fc[0], fc[1]), obj, p, 1);
                        assertEquals(r.loss(), g.loss(), lb, where + " loss");
                        assertEquals(rd.loss(), r.loss(), 1e-12 * (1 + Math.abs(rd.loss())), where + " loss, sparse vs dense reference");
                    }
                }
            }
        }
    }

    /**
     * A large batch whose order repeats rows: a few rows many times each (and most rows not at all), a
     * whole order's length, and a REPLACEMENT order's full batch. Each repeat counts as a row of its
     * own. On the cpu backend these batches walk their rows in storage order (each row's residual times
     * its multiplicity, into its block of storage rows' partial); a small batch of the same order takes
     * the block path in batch order, and both must match the reference.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendObjective")
    void largeBatchWithRepeatedRowsMatchesReference(String name, Objective obj) {
        Backend dev = backend(name);
        int n = 2000, d = 300;
        Dataset sp = randomSparse(obj, n, d, 0.03);
        Spec spec = BackendConformanceTest.spec(obj);
        Params p = randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
        int[] few = new int[n];
        for (int q = 0; q < n; q++) few[q] = (q * 7 + q / 3) % 11 * 37;           // 11 rows, each about n/11 times
        try (Session s = dev.open(sp, spec); Session ref = new RefBackend().open(sp, spec)) {
            for (int[] rows : List.of(few, BatchOrder.REPLACEMENT.order(n, 4, SEED))) {
                for (Session x : List.of(s, ref)) {
                    x.setOrder(rows);
                    x.setParams(p);
                }
                for (int[] fc : new int[][] {{0, n}, {n / 2, n / 2}, {3, 40}}) {
                    Gradient g = s.gradient(fc[0], fc[1], true), r = ref.gradient(fc[0], fc[1], true);
                    double[] bound = Tolerance.gradient(sp, obj, p, rows, fc[0], fc[1], 4096);
                    String where = name + " " + obj + (rows == few ? " 11 rows repeated" : " REPLACEMENT") + " batch [" + fc[0] + ", +" + fc[1]
                            + ") seed " + SEED;
                    float[] rp = r.packed().packed(), gp = g.packed().packed();
                    for (int j = 0; j < rp.length; j++) assertEquals(rp[j], gp[j], bound[j], where + " parameter " + j);
                    double lb = Tolerance.loss(BackendConformanceTest.subset(sp.dense(), rows, fc[0], fc[1]), obj, p, 1);
                    assertEquals(r.loss(), g.loss(), lb, where + " loss");
                }
            }
        }
    }

    static Stream<Arguments> backendObjectiveOptimizer() {
        List<Optimizer> opts = List.of(Optimizer.SGD, Optimizer.SGD.withWeightDecay(0.1, false), Optimizer.SGD.withWeightDecay(0.2, true),
                Optimizer.momentum(0.9).withWeightDecay(0.05, false), Optimizer.adam(), Optimizer.SGD.withAverage(true),
                Optimizer.SGD.withWeightDecay(0.01, false).withL1(0.02));
        List<Arguments> a = new ArrayList<>();
        for (String b : backends())
            for (Objective o : Objective.values())
                for (Optimizer opt : opts) a.add(Arguments.of(b, o, opt));
        return a.stream();
    }

    /**
     * Runs of many steps (the lazy scaled-weight path for plain SGD, the dense update for the
     * rest) against the reference step by step, split in two runs, records included.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("backendObjectiveOptimizer")
    void runMatchesReferenceStepByStep(String name, Objective obj, Optimizer opt) {
        Backend dev = backend(name);
        int n = 157;
        for (int d : new int[] {5, 400}) {
            Dataset ds = randomSparse(obj, n, d, d == 5 ? 0.5 : 0.02);
            Spec spec = BackendConformanceTest.spec(obj, opt);
            Params p = randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
            for (int batch : new int[] {1, 10, n}) {
                BatchOrder order = batch == 10 ? BatchOrder.IN_ORDER : BatchOrder.SHUFFLE;
                int[] rows = order.order(n, 2, SEED);
                int steps = Math.min(40, (n + batch - 1) / batch);
                double lr = obj == Objective.WAVE ? 0.01 : 0.05;
                Rate rate = batch == 10 ? new Rate(lr, true, 3) : batch == 1 ? BackendConformanceTest.perStep(lr, steps) : Rate.constant(lr);
                try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
                    for (Session x : List.of(s, ref)) {
                        x.setOrder(rows);
                        x.setParams(p);
                        x.resetState();
                    }
                    int half = steps / 2;
                    RunResult a = s.run(new Run(batch, 0, half, rate, 3));
                    RunResult b = s.run(new Run(batch, half, steps - half, rate.skip(half), 3));
                    RunResult r = ref.run(new Run(batch, 0, steps, rate, 3));
                    String where = name + " " + obj + " " + opt + " d=" + d + " batch " + batch + " " + order + " seed " + SEED;
                    assertFalse(a.diverged() || b.diverged() || r.diverged(), where);
                    assertEquals(r.records(), a.records() + b.records(), where);
                    double tol = 50.0 * steps * Tolerance.EPS * (d + batch + 2);
                    double[][] extra = BackendConformanceTest.budget(ds, spec, p, rows, batch, steps, rate);
                    for (int k = 0; k < r.records(); k++) {
                        Params got = k < a.records() ? a.snapshot(k) : b.snapshot(k - a.records());
                        BackendConformanceTest.assertClose(r.snapshot(k), got, tol, extra == null ? null : extra[r.recordedBatches()[k]],
                                where + " record " + k);
                    }
                    BackendConformanceTest.assertClose(ref.params(), s.params(), tol, extra == null ? null : extra[steps - 1], where + " final");
                }
            }
        }
    }

    /**
     * Weight decay strong enough that the lazy path's scale falls under its fold threshold many
     * times (ηλ = 0.45: the scale halves each step), batch 1 and 4, against the reference and
     * against the same backend on the densified data (which updates every weight every step).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void lazyScaleFoldsAndMatchesTheDenseUpdate(String name) {
        Backend dev = backend(name);
        Dataset ds = randomSparse(Objective.SQUARED, 211, 300, 0.03);
        Spec spec = new Spec(Objective.SQUARED, true, Optimizer.SGD.withWeightDecay(0.45, false));
        Params p = randomParams(300, spec, 1);
        for (int batch : new int[] {1, 4}) {
            int[] rows = BatchOrder.SHUFFLE.order(211, 3, SEED);
            int steps = 50;
            try (Session s = dev.open(ds, spec); Session sd = dev.open(ds.dense(), spec); Session ref = new RefBackend().open(ds, spec)) {
                for (Session x : List.of(s, sd, ref)) {
                    x.setOrder(rows);
                    x.setParams(p);
                }
                RunResult a = s.run(new Run(batch, 0, steps, Rate.constant(1.0), 7));
                RunResult b = sd.run(new Run(batch, 0, steps, Rate.constant(1.0), 7));
                RunResult r = ref.run(new Run(batch, 0, steps, Rate.constant(1.0), 7));
                String where = name + " batch " + batch + " seed " + SEED;
                double tol = 50.0 * steps * Tolerance.EPS * (300 + batch + 2);
                for (int k = 0; k < r.records(); k++) {
                    BackendConformanceTest.assertClose(r.snapshot(k), a.snapshot(k), tol, where + " record " + k + " vs reference");
                    BackendConformanceTest.assertClose(b.snapshot(k), a.snapshot(k), 2 * tol, where + " record " + k + " vs dense");
                }
                BackendConformanceTest.assertClose(ref.params(), s.params(), tol, where + " final");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendObjective")
    void lossesOfManySnapshotsMatchReference(String name, Objective obj) {
        Backend dev = backend(name);
        int d = 800, n = 1200;
        Dataset ds = randomSparse(obj, n, d, 0.01);
        Spec spec = BackendConformanceTest.spec(obj);
        int np = spec.heads() * (d + 1);
        for (int k : new int[] {1, 5}) {
            Params[] ps = new Params[k];
            float[] packed = new float[k * np];
            for (int i = 0; i < k; i++) {
                ps[i] = randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
                System.arraycopy(ps[i].packed(), 0, packed, i * np, np);
            }
            try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
                double[] got = s.losses(packed, k), want = ref.losses(packed, k);
                for (int i = 0; i < k; i++) {
                    assertEquals(want[i], got[i], Tolerance.loss(ds, obj, ps[i], 64), name + " " + obj + " K=" + k + " snapshot " + i + " seed " + SEED);
                }
            }
        }
    }

    /** Same seed, same backend: bit-identical parameters and recorded losses, on the lazy and the dense update. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void sameInputGivesBitIdenticalResults(String name) {
        Backend dev = backend(name);
        Dataset ds = randomSparse(Objective.LOGISTIC, 500, 2000, 0.005);
        for (Optimizer opt : List.of(Optimizer.SGD.withWeightDecay(1e-3, false), Optimizer.momentum(0.9))) {
            Spec spec = new Spec(Objective.LOGISTIC, true, opt);
            int[] rows = BatchOrder.SHUFFLE.order(500, 1, SEED);
            float[][] out = new float[2][];
            double[][] losses = new double[2][];
            for (int rep = 0; rep < 2; rep++) {
                try (Session s = dev.open(ds, spec)) {
                    s.setOrder(rows);
                    s.setParams(Params.zeros(2000));
                    RunResult r = s.run(new Run(1, 0, 500, Rate.constant(0.1), 50));
                    s.step(0, 64, 0.1);
                    s.step(0, 500, 0.1);                     // a full batch: on the cpu backend the rows in storage order
                    out[rep] = s.params().packed();
                    losses[rep] = s.losses(r.snapshots(), r.records());
                }
            }
            assertArrayEquals(out[0], out[1], name + " " + opt);
            assertArrayEquals(losses[0], losses[1], name + " " + opt);
            assertEquals(0, Arrays.stream(losses[0]).filter(l -> !Double.isFinite(l)).count());
        }
    }

    static Stream<String> backendsAndReference() {
        return Stream.concat(backends().stream(), Stream.of("ref"));
    }

    /**
     * Rows cut into several segments (as data with more than 2³¹−8 stored values are; here a limit of a
     * few hundred pairs stands for it) train to the same bits as the rows in one array, on every backend
     * and path: the lazy batch-1 and mini-batch runs (one and three heads), the dense-update run
     * (momentum), a full batch (the cpu backend's rows in storage order), gradients and losses, and on a
     * device the streamed session (rows gathered from the segments a chunk at a time).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backendsAndReference")
    void segmentedRowsGiveTheSameBitsAsOneArray(String name) {
        Backend dev = name.equals("ref") ? new RefBackend() : backend(name);
        int n = 640, d = 900;
        for (Objective obj : List.of(Objective.LOGISTIC, Objective.SOFTMAX)) {
            Dataset whole = randomSparse(obj, n, d, 0.02);
            long limit = 40 + RNG.nextInt(400);
            Dataset cut = Dataset.sparse(whole.rowsSparse().resegment(limit));
            String where = name + " " + obj + " limit " + limit + " (" + cut.rowsSparse().segments() + " segments) seed " + SEED;
            assertTrue(cut.rowsSparse().segments() > 3, where);
            for (Optimizer opt : List.of(Optimizer.SGD.withWeightDecay(1e-3, false), Optimizer.momentum(0.9))) {
                Spec spec = BackendConformanceTest.spec(obj, opt);
                int[] rows = BatchOrder.SHUFFLE.order(n, 1, SEED);
                Params p = randomParams(d, spec, 0.5);
                float[][] out = new float[2][];
                double[][] losses = new double[2][];
                for (int v = 0; v < 2; v++) {
                    Dataset ds = v == 0 ? whole : cut;
                    Streaming st = name.startsWith("opencl") || name.equals("cuda") ? new Streaming(ds.bytes() / 3, 0) : Streaming.AUTO;
                    try (Session s = dev.open(ds, spec); Session streamed = dev.open(ds, spec, st)) {
                        List<Float> got = new ArrayList<>();
                        for (Session x : List.of(s, streamed)) {
                            x.setOrder(rows);
                            x.setParams(p);
                            x.resetState();
                            RunResult r1 = x.run(new Run(1, 0, 300, Rate.constant(0.05), 60));
                            RunResult r7 = x.run(new Run(7, 40, 30, Rate.constant(0.05), 10));
                            x.step(0, n, 0.1);
                            Gradient g = x.gradient(0, n, true);
                            for (float f : x.params().packed()) got.add(f);
                            for (float f : g.packed().packed()) got.add(f);
                            got.add((float) g.loss());
                            for (float f : r1.snapshots()) got.add(f);
                            for (float f : r7.snapshots()) got.add(f);
                        }
                        out[v] = new float[got.size()];
                        for (int k = 0; k < out[v].length; k++) out[v][k] = got.get(k);
                        losses[v] = s.losses(out[v], 1);
                    }
                }
                assertArrayEquals(out[0], out[1], where + " " + opt);
                assertArrayEquals(losses[0], losses[1], where + " " + opt + " losses");
            }
        }
    }

    /**
     * The lazy batch-1 run (the cpu backend, and run_steps_sparse with one work-item) skips its per-value
     * finiteness check while a bound on max |u| says no weight can overflow: runs that blow up slowly (squared loss, rates around the edge, with and without weight decay,
     * whose scale folds) still stop at the very step whose weights first hold a value that is not finite
     * (every step recorded: all snapshots before it finite, its own not), and runs that do not diverge end finite.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void lazyBatchOneStopsAtTheFirstStepWithAWeightNotFinite(String name) {
        Backend dev = backend(name);
        long seed = System.nanoTime();
        java.util.Random rng = new java.util.Random(seed);
        int n = 300, d = 40;
        long[] off = new long[n + 1];
        java.util.List<Integer> cols = new java.util.ArrayList<>();
        java.util.List<Float> vals = new java.util.ArrayList<>();
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                if (rng.nextInt(7) == 0) {
                    cols.add(j);
                    vals.add((float) (rng.nextGaussian() * 2));
                }
            }
            off[i + 1] = cols.size();
            t[i] = (float) rng.nextGaussian();
        }
        int[] c = cols.stream().mapToInt(Integer::intValue).toArray();
        float[] v = new float[vals.size()];
        for (int q = 0; q < v.length; q++) v[q] = vals.get(q);
        Dataset ds = Dataset.sparse(new dev.descent.data.SparseRows("blow-up", off, c, v, t, n, d));
        int steps = 1200, slow = 0, calm = 0;
        int[] order = rng.ints(steps, 0, n).toArray();                     // rows drawn with replacement
        for (double lr : new double[] {0.02, 0.08, 0.2, 0.4, 1.6}) {
            for (double lambda : new double[] {0, 0.05 / lr}) {
                Spec spec = new Spec(Objective.SQUARED, true, Optimizer.SGD.withWeightDecay(lambda, false));
                try (Session s = dev.open(ds, spec)) {
                    s.setOrder(order);
                    s.setParams(Params.zeros(d));
                    RunResult r = s.run(new Run(1, 0, steps, Rate.constant(lr), 1));
                    String where = name + " seed " + seed + ", lr " + lr + ", weight decay " + lambda;
                    int last = r.diverged() ? r.divergedBatch() : steps - 1;
                    assertEquals(last + 1, r.records(), where + ": a record per step up to the last");
                    for (int k = 0; k <= last; k++) {
                        boolean finite = r.snapshot(k).isFinite();
                        assertEquals(!(r.diverged() && k == last), finite, where + ": step " + k + (r.diverged() ? " of a run stopped at " + last : ""));
                    }
                    if (r.diverged() && last >= 20) slow++;
                    if (!r.diverged()) calm++;
                }
            }
        }
        assertTrue(slow >= 1 && calm >= 1, name + " seed " + seed + ": the rates cover slow blow-ups (" + slow + ") and calm runs (" + calm + ")");
    }
}
