package dev.descent.spark;

import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Batches;
import dev.descent.backend.Probe;
import dev.descent.backend.Run;
import dev.descent.backend.Session;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.model.Params;
import dev.descent.optim.Rate;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Spark in local mode ({@code local[2,3]}: two task threads, a failed task retried up to 3 times):
 * distributed GD over 1, 2 and 3 uneven partitions against one descent session's GD on all the rows,
 * within the float32 bound; bit-identical reruns; one upload per partition; an injected task failure
 * that Spark retries leaves the result unchanged; mini-batch SGD and local SGD. Fresh random data per
 * run (seed printed).
 */
class DistributedTrainerTest {
    private static final long SEED = Long.getLong("descent.seed", System.nanoTime());
    private static final int N = 1200, D = 5;
    private static final float U = 0x1p-24f;
    private static JavaSparkContext sc;
    private static float[] x, t;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2,3]").setAppName("descent-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"));
        sc.setLogLevel("ERROR");
        Random rng = new Random(SEED);
        x = new float[N * D];
        t = new float[N];
        double[] w = {1, -2, 0.5, 3, -1};
        for (int i = 0; i < N; i++) {
            double y = 0.3;
            for (int j = 0; j < D; j++) {
                x[i * D + j] = (float) rng.nextGaussian();
                y += w[j] * x[i * D + j];
            }
            t[i] = (float) (y + 0.1 * rng.nextGaussian());
        }
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
        DistributedTrainer.faultAt = null;
    }

    static void assumeBackend(String name) {
        Probe p = Backends.probe(name);
        Assumptions.assumeTrue(p.available(), name + " unavailable: " + p.detail());
    }

    /** The rows cut into partitions of the given sizes, partition i holding the i-th run of rows. */
    static JavaRDD<Row> rdd(int... sizes) {
        List<List<Row>> chunks = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            List<Row> c = new ArrayList<>();
            for (int i = at; i < at + s; i++) c.add(new Row(java.util.Arrays.copyOfRange(x, i * D, i * D + D), t[i]));
            chunks.add(c);
            at += s;
        }
        assertEquals(N, at);
        return sc.parallelize(chunks, sizes.length).flatMap(List::iterator);
    }

    /** The rows of {@code xs} as sparse rows (their non-zero values), cut into partitions of the given sizes. */
    static JavaRDD<Row> sparseRdd(float[] xs, int... sizes) {
        List<List<Row>> chunks = new ArrayList<>();
        int at = 0;
        for (int s : sizes) {
            List<Row> c = new ArrayList<>();
            for (int i = at; i < at + s; i++) {
                int k = 0;
                for (int j = 0; j < D; j++) if (xs[i * D + j] != 0) k++;
                int[] cols = new int[k];
                float[] vals = new float[k];
                k = 0;
                for (int j = 0; j < D; j++) if (xs[i * D + j] != 0) { cols[k] = j; vals[k++] = xs[i * D + j]; }
                c.add(Row.sparse(cols, vals, t[i]));
            }
            chunks.add(c);
            at += s;
        }
        return sc.parallelize(chunks, sizes.length).flatMap(List::iterator);
    }

    /** One session on all rows: {@code steps} full-batch steps from zero. */
    static float[] oneSession(String backend, int steps, double lr) {
        return oneSession(backend, x, steps, lr);
    }

    static float[] oneSession(String backend, float[] xs, int steps, double lr) {
        try (Backend b = Backends.open(backend); Session s = b.open(new Dataset("all", xs, t, N, D), Settings.of(backend, "squared").spec())) {
            s.setOrder(BatchOrder.IN_ORDER.order(N, 1, 0));
            s.setParams(Params.zeros(D));
            for (int k = 0; k < steps; k++) s.step(0, N, lr);
            return s.params().packed();
        }
    }

    /**
     * The float32 bound between two GD runs whose mean gradients are summed in different orders: per step and
     * parameter, each mean is within γ·Σ|r·x|/n of the exact one (γ = (n + d + 2)·u), and each update rounds by
     * u·|w| (twice: a fused or an unfused multiply-add); GD at this rate contracts, so the steps' errors add.
     */
    static double[] bound(float[] w, int steps, double lr) {
        return bound(x, w, steps, lr);
    }

    static double[] bound(float[] x, float[] w, int steps, double lr) {
        double[] a = new double[D + 1];
        for (int i = 0; i < N; i++) {
            double m = w[D];
            for (int j = 0; j < D; j++) m += w[j] * x[i * D + j];
            double r = Math.abs(m - t[i]) + 1;                // + 1: the residuals were larger on the way
            for (int j = 0; j < D; j++) a[j] += r * Math.abs(x[i * D + j]) / N;
            a[D] += r / N;
        }
        double gamma = (N + D + 2) * U;
        double[] b = new double[D + 1];
        for (int j = 0; j <= D; j++) b[j] = steps * (2 * lr * gamma * a[j] + 4 * U * (Math.abs(w[j]) + 1));
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cpu", "opencl"})
    void gdOverUnevenPartitionsEqualsOneSessionAndRerunsBitForBit(String backend) {
        assumeBackend(backend);
        int steps = 25;
        double lr = 0.1;
        float[] want = oneSession(backend, steps, lr);
        double[] tol = bound(want, steps, lr);
        for (int[] sizes : new int[][] {{N}, {300, 900}, {100, 650, 450}}) {
            JavaRDD<Row> data = rdd(sizes).cache();
            float[] a, b;
            try (DistributedTrainer tr = new DistributedTrainer(data, D, Settings.of(backend, "squared"))) {
                a = tr.gd(new float[D + 1], steps, lr);
                assertEquals(sizes.length, tr.uploadsInThisJvm(), "one upload per partition for " + steps + " steps");
                assertTrue(Double.isFinite(tr.lastLoss()) && tr.device().startsWith(backend.equals("cpu") ? "cpu" : "opencl"), tr.device());
            }
            try (DistributedTrainer tr = new DistributedTrainer(data, D, Settings.of(backend, "squared"))) {
                b = tr.gd(new float[D + 1], steps, lr);
            }
            String where = backend + " partitions " + java.util.Arrays.toString(sizes) + " seed " + SEED;
            assertArrayEquals(a, b, where + ": rerun");
            for (int j = 0; j <= D; j++) assertEquals(want[j], a[j], tol[j], where + ": parameter " + j + " vs one session");
        }
    }

    /**
     * Sparse rows (a third of the values not stored) train in sparse sessions: GD over uneven partitions equals one
     * dense session on the same rows (zeros where nothing is stored) within the float32 bound, one upload per partition.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cpu", "opencl"})
    void sparseRowsTrainInSparseSessionsAndEqualTheDenseRun(String backend) {
        assumeBackend(backend);
        float[] xs = x.clone();
        for (int i = 0; i < N; i++) for (int j = 0; j < D; j++) if ((i * 7 + j) % 3 == 0) xs[i * D + j] = 0;
        int steps = 25;
        double lr = 0.1;
        float[] want = oneSession(backend, xs, steps, lr);
        double[] tol = bound(xs, want, steps, lr);
        for (int[] sizes : new int[][] {{N}, {100, 650, 450}}) {
            float[] a;
            try (DistributedTrainer tr = new DistributedTrainer(sparseRdd(xs, sizes).cache(), D, Settings.of(backend, "squared"))) {
                a = tr.gd(new float[D + 1], steps, lr);
                assertEquals(sizes.length, tr.uploadsInThisJvm(), "one upload per partition");
            }
            String where = backend + " sparse rows, partitions " + java.util.Arrays.toString(sizes) + " seed " + SEED;
            for (int j = 0; j <= D; j++) assertEquals(want[j], a[j], tol[j], where + ": parameter " + j + " vs one dense session");
        }
    }

    @Test
    void aFailedTaskThatSparkRetriesLeavesTheResultUnchanged() {
        JavaRDD<Row> data = rdd(400, 500, 300).cache();
        float[] clean, faulty;
        try (DistributedTrainer tr = new DistributedTrainer(data, D, Settings.of("cpu", "squared"))) {
            clean = tr.gd(new float[D + 1], 10, 0.1);
        }
        DistributedTrainer.faultAt = (p, job) -> p == 1 && (job == 0 || job == 4);   // before and after its session exists
        try (DistributedTrainer tr = new DistributedTrainer(data, D, Settings.of("cpu", "squared"))) {
            faulty = tr.gd(new float[D + 1], 10, 0.1);
            assertEquals(3, tr.uploadsInThisJvm(), "a retried task reuses its partition's session");
        } finally {
            DistributedTrainer.faultAt = null;
        }
        assertArrayEquals(clean, faulty, "seed " + SEED);
    }

    @Test
    void localSgdOnOnePartitionIsSessionRunAndOnThreeItLearns() {
        int rounds = 3, local = 40, batch = 8;
        double lr = 0.02;
        float[] one;
        try (DistributedTrainer tr = new DistributedTrainer(rdd(N), D, Settings.of("cpu", "squared"))) {
            one = tr.localSgd(new float[D + 1], rounds, local, batch, lr, 5);
        }
        float[] direct;                                        // the same runs on one session: the average of one model is the model
        try (Backend b = Backends.open("cpu"); Session s = b.open(new Dataset("all", x, t, N, D), Settings.of("cpu", "squared").spec())) {
            float[] w = new float[D + 1];
            int perEpoch = Batches.in(N, batch);
            for (int r = 0; r < rounds; r++) {
                s.setParams(Params.ofPacked(w, D, 1));
                s.resetState();
                int done = 0, epoch = r * ((local + perEpoch - 1) / perEpoch);
                while (done < local) {
                    s.setOrder(BatchOrder.SHUFFLE.order(N, ++epoch, 5 * 1_000_003L));
                    int now = Math.min(perEpoch, local - done);
                    s.run(new Run(batch, 0, now, Rate.constant(lr), Integer.MAX_VALUE));
                    done += now;
                }
                w = s.params().packed();
            }
            direct = w;
        }
        assertArrayEquals(direct, one, "seed " + SEED);

        JavaRDD<Row> three = rdd(200, 600, 400).cache();
        float[] a, b;
        try (DistributedTrainer tr = new DistributedTrainer(three, D, Settings.of("cpu", "squared"))) {
            a = tr.localSgd(new float[D + 1], rounds, local, batch, lr, 5);
        }
        try (DistributedTrainer tr = new DistributedTrainer(three, D, Settings.of("cpu", "squared"))) {
            b = tr.localSgd(new float[D + 1], rounds, local, batch, lr, 5);
            float[] sgd = tr.sgd(new float[D + 1], 60, 32, 0.05, 9);
            float[] gd = tr.gd(new float[D + 1], 1, 1e-9);            // one tiny step: its loss is the start's
            double start = tr.lastLoss();
            tr.gd(sgd, 1, 1e-9);
            assertTrue(tr.lastLoss() < 0.2 * start, "mini-batch SGD: loss " + tr.lastLoss() + " from " + start);
            tr.gd(a, 1, 1e-9);
            assertTrue(tr.lastLoss() < 0.5 * start, "local SGD: loss " + tr.lastLoss() + " from " + start);
            assertEquals(D + 1, gd.length);
        }
        assertArrayEquals(a, b, "local SGD rerun, seed " + SEED);
    }

    @Test
    void aTaskScheduledWithAGpuOpensCudaOnItsAddress() {
        assertEquals("cuda:3", Resident.backendFor("auto", java.util.Map.of("gpu", new String[] {"3", "5"})));
        assertEquals("cuda:0", Resident.backendFor("cuda", java.util.Map.of("gpu", new String[] {"0"})));
        assertEquals("opencl", Resident.backendFor("opencl", java.util.Map.of("gpu", new String[] {"1"})));   // named: kept
        assertEquals("auto", Resident.backendFor("auto", java.util.Map.of()));
        assertEquals("cpu", Resident.backendFor("cpu", null));
    }

    @Test
    void badInputIsOneLine() {
        var e = assertThrows(DescentException.class, () -> Settings.of("cpu", "no-such-loss"));
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        e = assertThrows(DescentException.class, () -> Settings.of("cpu", "softmax"));
        assertTrue(e.getMessage().contains("softmax"), e.getMessage());
        try (DistributedTrainer tr = new DistributedTrainer(rdd(N), D, Settings.of("cpu", "squared"))) {
            e = assertThrows(DescentException.class, () -> tr.gd(new float[D], 1, 0.1));
            assertTrue(e.getMessage().contains("d + 1"), e.getMessage());
            e = assertThrows(DescentException.class, () -> tr.gd(new float[D + 1], 1, -1));
            assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        }
    }
}
