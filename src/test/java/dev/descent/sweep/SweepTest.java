package dev.descent.sweep;

import dev.descent.DescentException;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import dev.descent.train.History;
import dev.descent.train.Trainer;
import dev.descent.backend.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each configuration of a sweep ends exactly where the same configuration ends trained alone on the
 * cpu backend ({@code Trainer.train} over {@code Session.run}): final parameters, every recorded
 * loss and the divergence, bit for bit, on fresh random data (the seed is in every message).
 */
class SweepTest {

    /** Optimizers, decays, schedules, orders and batch sizes 1, 10 and full (over two blocks of 2048). */
    /** A fresh seed, or {@code -Ddescent.seed=N} to replay one a message printed. */
    private static long seed() {
        return Long.getLong("descent.seed", System.nanoTime());
    }

    private static List<Config> mixed(Dataset ds, long seed) {
        int n = ds.n();
        Random rng = new Random(seed);
        Params init = new Params(Generators.gaussian(rng, ds.d(), 0.2), 0.05f);
        List<Config> cs = new ArrayList<>();
        for (int bs : new int[] {1, 10, n}) {
            double s = bs == 1 ? 0.01 : bs == 10 ? 0.05 : 0.3;
            cs.add(Config.of(s, bs, Optimizer.SGD));
            cs.add(Config.of(s * 0.3, bs, Optimizer.SGD));
            cs.add(Config.of(s, bs, Optimizer.SGD.withWeightDecay(1e-2, false)));
            cs.add(Config.of(s, bs, Optimizer.momentum(0.9)).withInit(init));
            cs.add(Config.of(s, bs, Optimizer.nesterov(0.8).withWeightDecay(1e-3, true)));
            cs.add(Config.of(s * 0.2, bs, Optimizer.adam()));
            cs.add(Config.of(s * 0.2, bs, Optimizer.adamw()).withSchedule(new Schedule.InverseSqrt()));
            cs.add(Config.of(s, bs, Optimizer.SGD.withAverage(true)).withSchedule(new Schedule.StepDecay(2, 0.5)));
            cs.add(Config.of(s, bs, Optimizer.SGD.withL1(1e-3)).withOrder(BatchOrder.IN_ORDER));
            cs.add(Config.of(s, bs, Optimizer.rmsprop(0.99, 0, 1e-8, false)).withOrder(BatchOrder.REPLACEMENT));
        }
        return cs;
    }

    private static void assertSameAsAlone(Sweep sweep, SweepResult r, int i, int epochs, long seed, String where) {
        assertSameAsAlone(sweep, r, i, epochs, seed, where, "cpu");
    }

    private static void assertSameAsAlone(Sweep sweep, SweepResult r, int i, int epochs, long seed, String where, String backend) {
        Outcome o = r.get(i);
        Trainer.Result solo = sweep.alone(i, epochs, seed, backend);
        String w = where + ", configuration " + i + " (" + o.config().name() + ")";
        assertEquals(solo.diverged(), o.diverged(), w + ": divergence");
        if (solo.diverged()) {
            assertEquals(solo.divergence().epoch(), o.divergence().epoch(), w + ": divergence epoch");
            assertEquals(solo.divergence().step(), o.divergence().step(), w + ": divergence step");
            assertEquals(solo.divergence().what(), o.divergence().what(), w + ": divergence cause");
        }
        assertEquals(solo.steps(), o.steps(), w + ": steps");
        assertEquals(solo.examples(), o.examples(), w + ": examples");
        float[] a = solo.params().packed(), b = o.params().packed();
        for (int j = 0; j < a.length; j++) {
            assertEquals(Float.floatToRawIntBits(a[j]), Float.floatToRawIntBits(b[j]),
                    w + ": parameter " + j + " alone " + a[j] + ", in the sweep " + b[j]);
        }
        List<History.Point> pa = solo.history().points(), pb = o.history().points();
        assertEquals(pa.size(), pb.size(), w + ": recorded points");
        for (int k = 0; k < pa.size(); k++) {
            assertEquals(pa.get(k).epoch(), pb.get(k).epoch(), w + ": point " + k + " epoch");
            assertEquals(pa.get(k).step(), pb.get(k).step(), w + ": point " + k + " step");
            assertEquals(pa.get(k).examples(), pb.get(k).examples(), w + ": point " + k + " examples");
            assertEquals(Double.doubleToRawLongBits(pa.get(k).loss()), Double.doubleToRawLongBits(pb.get(k).loss()),
                    w + ": point " + k + " loss alone " + pa.get(k).loss() + ", in the sweep " + pb.get(k).loss());
        }
        assertEquals(solo.history().epochs().size(), o.history().epochs().size(), w + ": epochs");
        for (int e = 0; e < solo.history().epochs().size(); e++) {
            assertEquals(solo.history().epochs().get(e).lr(), o.history().epochs().get(e).lr(), w + ": epoch " + e + " rate");
        }
    }

    @Test
    void everyConfigurationEqualsItsRunAloneOnTheCpuBackendBitForBit() {
        long seed = seed();
        int epochs = 3;
        for (int d : new int[] {2, 19, 50}) {     // on 16 vector lanes, 50: pairs of chunks, an odd chunk and a tail; 19: a chunk and a tail; 2: a tail only
            Dataset ds = Generators.regression(2 * Engine.BLOCK + 301, d, 0.3, seed + d);
            Sweep sweep = Sweep.builder(ds, Objective.SQUARED).period(0).addAll(mixed(ds, seed)).build();
            SweepResult r = sweep.run(epochs, seed);
            assertTrue(r.groups().size() >= 3, "seed " + seed + ": groups " + r.groups());
            for (int i = 0; i < sweep.configs().size(); i++) assertSameAsAlone(sweep, r, i, epochs, seed, "seed " + seed + ", d " + d);
        }
    }

    /**
     * Whole blocks of plain-SGD models (the block loops' vector update, not only their lane-by-lane
     * remainder) at batch 1, 10 and full, beside momentum lanes, with one model diverging inside a full
     * block; d = 27 has whole 2L chunks, one more L chunk and a tail of the vector row order; on 16 lanes d = 64 is
     * the two chunk pairs margins4x2 writes out, d = 100 a third pair in its loop and a tail.
     */
    @Test
    void wholeBlocksOfPlainSgdModelsEqualTheirRunsAlone() {
        long seed = seed();
        for (int d : new int[] {27, 64, 100}) {
            Dataset ds = Generators.regression(2 * Engine.BLOCK + 45, d, 0.3, seed + d);
            List<Config> cs = new ArrayList<>();
            // Models per group: 36 at batch 1 and 10 (two shards of 18, each a block pair; 20 at batch 1 would be two
            // shards of one block: Engine's perBlock), 40 at batch 100 (two shards of
            // 20, each a block pair: eight-row tiles, then one of four), 256 at full batch (one shard of 16 blocks, padded to
            // 17: BlockOps.stride; chunks of four blocks, then one)
            for (int bs : new int[] {1, 10, 100, ds.n()}) {
                double s = bs == 1 ? 0.002 : bs == 10 ? 0.01 : bs == 100 ? 0.03 : 0.1;
                int plain = bs == 100 ? 38 : bs == ds.n() ? 254 : 34;
                cs.add(Config.of(1e15, bs, Optimizer.SGD).withLabel("too large, batch " + bs));   // first: lane 0, a whole block
                for (int i = 0; i < plain; i++) cs.add(Config.of(s * (1 + 0.1 * i / (plain / 17)), bs, Optimizer.SGD));
                cs.add(Config.of(s, bs, Optimizer.momentum(0.9)));
            }
            Sweep sweep = Sweep.builder(ds, Objective.SQUARED).period(0).threads(2).addAll(cs).build();
            SweepResult r = sweep.run(2, seed);
            assertTrue(r.groups().stream().anyMatch(g -> g.contains("blocks of")) || LaneKernels.OPS == LaneOps.SCALAR,
                    "seed " + seed + ": the block loops ran: " + r.groups());
            for (int i = 0; i < cs.size(); i++) {
                assertEquals(cs.get(i).label() != null, r.get(i).diverged(), "seed " + seed + ", d " + d + ": " + cs.get(i).name() + " diverged?");
                assertSameAsAlone(sweep, r, i, 2, seed, "seed " + seed + ", d " + d);
            }
        }
    }

    @Test
    void logisticAndHuberConfigurationsEqualTheirRunsAlone() {
        long seed = seed();
        Dataset cls = Generators.classification(1500, 33, 0.2, seed);
        Sweep s1 = Sweep.builder(cls, Objective.LOGISTIC).period(1500).addAll(List.of(
                Config.of(0.5, 1, Optimizer.SGD), Config.of(0.1, 10, Optimizer.momentum(0.9)), Config.of(0.05, 100, Optimizer.adam()),
                Config.of(1.0, 1500, Optimizer.SGD), Config.of(0.2, 300, Optimizer.nesterov(0.5)), Config.of(0.02, 1, Optimizer.adagrad(1e-10)))).build();
        SweepResult r1 = s1.run(2, seed);
        for (int i = 0; i < s1.configs().size(); i++) assertSameAsAlone(s1, r1, i, 2, seed, "seed " + seed + ", logistic");
        Dataset reg = Generators.regression(900, 8, 0.5, seed);
        Sweep s2 = Sweep.builder(reg, Objective.HUBER).lossParam(0.3).bias(false).addAll(List.of(
                Config.of(0.1, 1, Optimizer.SGD), Config.of(0.1, 30, Optimizer.nesterov(0.9)), Config.of(0.02, 900, Optimizer.rmsprop(0.9, 0.5, 1e-8, true)))).build();
        SweepResult r2 = s2.run(2, seed);
        for (int i = 0; i < s2.configs().size(); i++) assertSameAsAlone(s2, r2, i, 2, seed, "seed " + seed + ", huber without bias");
    }

    @Test
    void aDivergingConfigurationStopsAloneAndLeavesTheOthersUntouched() {
        long seed = seed();
        Dataset ds = Generators.regression(3000, 6, 0.3, seed);
        List<Config> cs = new ArrayList<>();
        for (int bs : new int[] {1, 10, 3000}) {
            cs.add(Config.of(0.01, bs, Optimizer.SGD));
            cs.add(Config.of(1e15, bs, Optimizer.SGD).withLabel("too large, batch " + bs));
            cs.add(Config.of(0.01, bs, Optimizer.momentum(0.9)));
            cs.add(Config.of(1e13, bs, Optimizer.momentum(0.9)).withLabel("too large with momentum, batch " + bs));
        }
        Sweep sweep = Sweep.builder(ds, Objective.SQUARED).addAll(cs).build();
        SweepResult r = sweep.run(3, seed);
        for (int i = 0; i < cs.size(); i++) {
            boolean large = cs.get(i).label() != null;
            assertEquals(large, r.get(i).diverged(), "seed " + seed + ": " + cs.get(i).name() + " diverged?");
            if (large) {
                assertTrue(r.get(i).steps() < 3L * ((3000 + cs.get(i).batchSize() - 1) / cs.get(i).batchSize()), "seed " + seed + ": stopped early");
                assertTrue(r.get(i).params().isFinite(), "seed " + seed + ": the last finite parameters are kept");
            }
            assertSameAsAlone(sweep, r, i, 3, seed, "seed " + seed);
        }
        // the same sweep without the diverging configurations gives the others the same bits
        List<Config> calm = cs.stream().filter(c -> c.label() == null).toList();
        SweepResult r2 = Sweep.builder(ds, Objective.SQUARED).addAll(calm).run(3, seed);
        for (int i = 0, q = 0; i < cs.size(); i++) {
            if (cs.get(i).label() != null) continue;
            assertEquals(r.get(i).params(), r2.get(q++).params(), "seed " + seed + ": " + cs.get(i).name() + " with and without diverging neighbours");
        }
    }

    @Test
    void twoSweepsAreBitIdenticalForAnyThreadCount() {
        long seed = seed();
        Dataset ds = Generators.classification(2 * Engine.BLOCK + 77, 11, 0.2, seed);
        List<Config> cs = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int bs = new int[] {1, 10, ds.n()}[i % 3];
            Optimizer o = new Optimizer[] {Optimizer.SGD, Optimizer.momentum(0.9), Optimizer.adam()}[i / 3 % 3];
            cs.add(Config.of(0.002 * (1 + i), bs, o));
        }
        SweepResult[] rs = new SweepResult[3];
        int[] threads = {1, 2, 3};
        for (int k = 0; k < 3; k++) rs[k] = Sweep.builder(ds, Objective.LOGISTIC).threads(threads[k]).addAll(cs).run(2, seed);
        SweepResult again = Sweep.builder(ds, Objective.LOGISTIC).threads(2).addAll(cs).run(2, seed);
        for (int i = 0; i < cs.size(); i++) {
            for (int k = 1; k < 3; k++) {
                String w = "seed " + seed + ", " + threads[k] + " threads vs 1, configuration " + i;
                assertEquals(rs[0].get(i).params(), rs[k].get(i).params(), w);
                assertEquals(losses(rs[0].get(i)), losses(rs[k].get(i)), w);
            }
            assertEquals(rs[1].get(i).params(), again.get(i).params(), "seed " + seed + ": run to run, configuration " + i);
        }
    }

    private static List<Double> losses(Outcome o) {
        return o.history().points().stream().map(History.Point::loss).toList();
    }

    /**
     * On a device backend each configuration ends where it ends trained alone on that device, bit for
     * bit: small batches through the lane launch (OpenCL's CPU kernels), the full batch and the other
     * kernel families one model after another; every optimizer, averaging, 1/√t, the three orders and
     * a diverging model in one sweep.
     */
    @ParameterizedTest
    @ValueSource(strings = {"opencl:@cpu", "opencl:@cpu width 8", "opencl:@cpu width 16", "opencl:@gpu", "cuda"})
    void onADeviceEveryConfigurationEqualsItsRunAloneThereBitForBit(String spec) {
        withLaneWidth(spec, this::everyConfigurationEqualsItsRunAlone);
    }

    /**
     * Runs {@code test} on the backend of {@code spec}; "B width W" runs it on B with OpenCL's CPU vector sweeps built
     * W lanes wide (8 or 16, whatever the device prefers), so both widths run on every machine.
     */
    private static void withLaneWidth(String spec, java.util.function.Consumer<String> test) {
        String[] parts = spec.split(" width ");
        String old = System.getProperty("descent.opencl.laneWidth");
        if (parts.length > 1) System.setProperty("descent.opencl.laneWidth", parts[1]);
        try {
            TestBackends.open(parts[0]).close();          // skips (or fails when required) where the backend cannot start
            test.accept(parts[0]);
        } finally {
            if (old == null) System.clearProperty("descent.opencl.laneWidth"); else System.setProperty("descent.opencl.laneWidth", old);
        }
    }

    private void everyConfigurationEqualsItsRunAlone(String backend) {
        long seed = seed();
        Dataset ds = Generators.regression(1203, 61, 0.3, seed);          // batch 1203 × 61 values: past the lane launch on a CPU device
        List<Config> cs = new ArrayList<>(mixed(ds, seed));
        cs.add(Config.of(1e15, 10, Optimizer.SGD).withLabel("too large, batch 10"));
        cs.add(Config.of(1e13, 1, Optimizer.momentum(0.9)).withLabel("too large with momentum, batch 1"));
        cs.add(Config.of(1e30, ds.n(), Optimizer.SGD).withLabel("too large, full batch"));
        Sweep sweep = Sweep.builder(ds, Objective.SQUARED).period(0).backend(backend).addAll(cs).build();
        SweepResult r = sweep.run(2, seed);
        System.out.println(backend + ": " + r.kernels() + "; " + r.groups());
        assertTrue(r.groups().stream().anyMatch(g -> g.contains("one launch per epoch")), "seed " + seed + ": the lane launch ran: " + r.groups());
        assertTrue(r.groups().stream().anyMatch(g -> g.contains("in one launch pair per step for all the models")),
                "seed " + seed + ": and the stepped lanes (the full batch): " + r.groups());
        for (int i = 0; i < cs.size(); i++) {
            if (cs.get(i).label() != null) assertTrue(r.get(i).diverged(), "seed " + seed + ": " + cs.get(i).name() + " diverged");
            assertSameAsAlone(sweep, r, i, 2, seed, "seed " + seed + ", " + backend, backend);
        }
    }

    /**
     * Batch-1 plain SGD on a device (OpenCL's CPU kernels vectorize it 8 or 16 models at a time):
     * 19 models (two full vectors of 8 and a padded one, or one of 16 and a padded one), L2 decay, 1/√t, one
     * diverging, for d below 4, between 4 and 16 and past 16 (dot_cpu's three partial-sum shapes), with and
     * without a bias, each bit-identical to its run alone on the same device.
     */
    @ParameterizedTest
    @ValueSource(strings = {"opencl:@cpu width 8", "opencl:@cpu width 16", "opencl:@gpu", "cuda"})
    void batchOnePlainSgdOnADeviceEqualsItsRunsAlone(String spec) {
        withLaneWidth(spec, this::batchOnePlainSgdEqualsItsRunsAlone);
    }

    private void batchOnePlainSgdEqualsItsRunsAlone(String backend) {
        long seed = seed();
        for (int d : new int[] {2, 7, 37}) {
            boolean bias = d != 7;
            Dataset ds = d == 7 ? Generators.classification(611, d, 0.2, seed + d) : Generators.regression(611, d, 0.3, seed + d);
            List<Config> cs = new ArrayList<>();
            for (int i = 0; i < 19; i++) {
                double lr = 0.002 * (1 + i) / d;
                Config c = Config.of(lr, 1, i % 5 == 3 ? Optimizer.SGD.withWeightDecay(1e-2, false) : Optimizer.SGD);
                if (i == 7) c = Config.of(1e14, 1, Optimizer.SGD).withLabel("too large");
                if (i == 11) c = c.withSchedule(new Schedule.InverseSqrt());
                cs.add(c);
            }
            Objective obj = d == 7 ? Objective.LOGISTIC : Objective.SQUARED;
            Sweep sweep = Sweep.builder(ds, obj).bias(bias).period(0).backend(backend).addAll(cs).build();
            SweepResult r = sweep.run(2, seed);
            for (int i = 0; i < cs.size(); i++) {
                if (cs.get(i).label() != null && obj == Objective.SQUARED) assertTrue(r.get(i).diverged(), "seed " + seed + ", d " + d + ": diverged");
                assertSameAsAlone(sweep, r, i, 2, seed, "seed " + seed + ", d " + d + ", " + backend, backend);
            }
        }
    }

    /**
     * Successive halving (η = 2 every epoch, 4 epochs, 16 configurations over three batch sizes): 8, 4
     * and 2 go on after epochs 1, 2 and 3; each halted configuration's outcome is its lone run of that many
     * epochs, each survivor's its lone run of all 4, bit for bit, on the cpu backend and on OpenCL.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl:@cpu"})
    void successiveHalvingStopsTheWorseHalfAndTheRestAreUntouched(String backend) {
        if (!backend.equals("cpu")) TestBackends.open(backend).close();
        long seed = seed();
        Dataset ds = Generators.regression(700, 5, 0.3, seed);
        List<Config> cs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int bs = new int[] {1, 10, 700}[i % 3];
            cs.add(Config.of(0.0005 * (1 + i) * (bs == 700 ? 50 : bs == 10 ? 5 : 1), bs, i % 4 == 1 ? Optimizer.momentum(0.9) : Optimizer.SGD));
        }
        Sweep sweep = Sweep.builder(ds, Objective.SQUARED).period(0).backend(backend).halving(2, 1).addAll(cs).build();
        SweepResult r = sweep.run(4, seed);
        int[] stoppedAfter = new int[5];
        for (int i = 0; i < cs.size(); i++) {
            Outcome o = r.get(i);
            assertFalse(o.diverged(), "seed " + seed + ": " + o.config().name());
            int epochs = o.halted() ? o.halt().epoch() : 4;
            if (o.halted()) {
                stoppedAfter[epochs]++;
                assertTrue(o.halt().why().contains("halved out after epoch " + epochs), o.halt().why());
            }
            assertSameAsAlone(sweep, r, i, epochs, seed, "seed " + seed + ", " + backend + ", halving", backend);
        }
        assertEquals(8, stoppedAfter[1], "seed " + seed + ": halved out after epoch 1");
        assertEquals(4, stoppedAfter[2], "seed " + seed + ": after epoch 2");
        assertEquals(2, stoppedAfter[3], "seed " + seed + ": after epoch 3");
        // the survivors ranked best at every rung: each halted one's last loss is no better than the loss of every survivor at that epoch
        for (Outcome o : r.outcomes()) {
            if (!o.halted()) continue;
            assertEquals(o.halt().of() - o.halt().kept(), o.halt().of() / 2, "seed " + seed + ": half of " + o.halt().of() + " stop");
            assertTrue(o.halt().rank() > o.halt().kept(), "seed " + seed + ": rank " + o.halt().rank());
        }
    }

    /**
     * The stepped lanes' kernel scratch on a CPU device (sweep_rowsw_cpu: per part and block of lanes their weights and
     * sums) counts in the refusal: models whose parameters, parts and records fit a 4 MiB device but not with that scratch
     * are refused in one line that names it, before anything runs; a quarter of them train.
     */
    @Test
    void theSweepKernelsScratchCountsInTheDeviceMemoryRefusal() {
        TestBackends.open("opencl:@cpu").close();
        Dataset ds = Generators.regression(2000, 40, 0.1, 3);      // 80,000 values a batch: past the one-item lanes
        String old = System.getProperty("descent.opencl.maxAllocBytes");
        System.setProperty("descent.opencl.maxAllocBytes", Long.toString(4 << 20));
        try {
            List<Config> cs = new ArrayList<>();
            for (int i = 0; i < SCRATCH_MODELS; i++) cs.add(Config.of(1e-3 * (1 + i % 7), ds.n(), Optimizer.SGD));
            DescentException e = assertThrows(DescentException.class,
                    () -> Sweep.builder(ds, Objective.SQUARED).period(0).backend("opencl:@cpu").addAll(cs).run(1, 1));
            assertOneLine(e, "a sweep of " + SCRATCH_MODELS + " models at batch 2000 needs");
            assertTrue(e.getMessage().contains("gradient parts, the kernel's scratch and"), e.getMessage());
            SweepResult r = Sweep.builder(ds, Objective.SQUARED).period(0).backend("opencl:@cpu").addAll(cs.subList(0, SCRATCH_MODELS / 4)).run(1, 1);
            assertEquals(SCRATCH_MODELS / 4, r.outcomes().size());
        } finally {
            if (old == null) System.clearProperty("descent.opencl.maxAllocBytes"); else System.setProperty("descent.opencl.maxAllocBytes", old);
        }
    }

    private static final int SCRATCH_MODELS = 1600;   // ~1.7 KB a model without the scratch (2.8 MB), ~4.4 KB with it (7 MB)

    /** More models than the device holds: one line with the bytes needed against those the device has. */
    @Test
    void tooManyModelsForTheDeviceIsOneLine() {
        TestBackends.open("opencl:@cpu").close();
        Dataset ds = Generators.regression(1000, 8, 0.1, 3);
        List<Config> cs = new ArrayList<>();
        for (int i = 0; i < 4096; i++) cs.add(Config.of(1e-3 * (1 + i % 7), 1, Optimizer.SGD));
        String old = System.getProperty("descent.opencl.maxAllocBytes");
        // a 4 MiB device: the rows and a session fit (NVIDIA's OpenCL takes 1 MiB of it for partials), 4,096 models' records do not
        System.setProperty("descent.opencl.maxAllocBytes", Long.toString(4 << 20));
        try {
            DescentException e = assertThrows(DescentException.class,
                    () -> Sweep.builder(ds, Objective.SQUARED).backend("opencl:@cpu").addAll(cs).run(1, 1));
            assertOneLine(e, "a sweep of 4096 models at batch 1 needs");
            assertTrue(e.getMessage().contains("but ") && e.getMessage().contains("MiB"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("descent.opencl.maxAllocBytes"); else System.setProperty("descent.opencl.maxAllocBytes", old);
        }
    }

    @Test
    void badInputIsOneLine() {
        Dataset ds = Generators.regression(100, 3, 0.1, 1);
        assertOneLine(assertThrows(DescentException.class, () -> Sweep.builder(ds, Objective.SQUARED).build()),
                "at least one configuration");
        assertOneLine(assertThrows(DescentException.class, () -> Sweep.builder(ds, Objective.SQUARED)
                .add(Config.of(0.1, 10, Optimizer.SGD)).add(Config.of(0.1, 101, Optimizer.SGD)).build()), "batch size 101 is larger than the dataset's 100 rows");
        assertOneLine(assertThrows(DescentException.class, () -> Sweep.builder(ds, Objective.SQUARED).period(15)
                .add(Config.of(0.1, 10, Optimizer.SGD)).build()), "period 15 must be a positive multiple");
        assertOneLine(assertThrows(DescentException.class, () -> Sweep.builder(ds, Objective.SOFTMAX)
                .add(Config.of(0.1, 10, Optimizer.SGD)).build()), "softmax");
        assertOneLine(assertThrows(DescentException.class, () -> Config.of(-1, 10, Optimizer.SGD)), "learning rate");
        // more configurations than the heap holds: the bytes needed against those available
        Dataset wide = new Dataset("wide", new float[2 * 100_000], new float[2], 2, 100_000);
        long per = Sweep.bytesNeeded(2, 100_000, wide.stored(), List.of(Config.of(0.1, 1, Optimizer.adam())), 0);
        int k = (int) Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / per + 1);
        List<Config> many = java.util.Collections.nCopies(k, Config.of(0.1, 1, Optimizer.adam()));
        DescentException e = assertThrows(DescentException.class, () -> Sweep.builder(wide, Objective.SQUARED).addAll(many).build());
        assertOneLine(e, "a sweep of " + k + " configurations over 100000 features needs");
        assertTrue(e.getMessage().contains("available"), e.getMessage());
    }

    private static void assertOneLine(DescentException e, String part) {
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
    }

    /** Softmax (3 classes) sweeps one model after another through the backend's sessions, each as its lone run, bit for bit. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl:@cpu"})
    void softmaxSweepsOneModelAfterAnotherEachAsAlone(String backend) {
        if (!backend.equals("cpu")) TestBackends.open(backend).close();
        long seed = seed();
        Dataset ds = Generators.multiclass(500, 6, 3, 0.3, seed);
        List<Config> cs = List.of(Config.of(0.1, 1, Optimizer.SGD), Config.of(0.05, 20, Optimizer.momentum(0.9)),
                Config.of(0.01, 500, Optimizer.adam()), Config.of(50, 1, Optimizer.SGD.withAverage(true)));
        Sweep sweep = Sweep.builder(ds, Objective.SOFTMAX).lossParam(3).period(0).backend(backend).addAll(cs).build();
        SweepResult r = sweep.run(2, seed);
        assertEquals(3, r.get(0).params().k(), "three heads");
        for (int i = 0; i < cs.size(); i++) assertSameAsAlone(sweep, r, i, 2, seed, "seed " + seed + ", softmax, " + backend, backend);
    }

    /**
     * On the one-model-after-another path a model's state goes through saveState / restoreState between epochs:
     * AdaGrad's sum of squared gradients overflowing to infinity beside finite weights (features of 1e20) must
     * restore, and the model must end as its lone run does.
     */
    @Test
    void anOptimizerStateThatOverflowsStillRestoresBetweenEpochs() {
        long seed = seed();
        Dataset base = Generators.multiclass(300, 3, 3, 0.3, seed);
        float[] x = base.features().clone();
        for (int i = 0; i < x.length; i++) x[i] *= 1e20f;
        Dataset ds = new Dataset("huge", x, base.targets(), base.n(), base.d());
        List<Config> cs = List.of(Config.of(0.1, 10, Optimizer.adagrad(1e-10)), Config.of(0.1, 10, Optimizer.SGD));
        Sweep sweep = Sweep.builder(ds, Objective.SOFTMAX).lossParam(3).period(0).addAll(cs).build();
        SweepResult r = sweep.run(3, seed);
        assertSameAsAlone(sweep, r, 0, 3, seed, "seed " + seed + ", AdaGrad overflowing");
        assertSameAsAlone(sweep, r, 1, 3, seed, "seed " + seed + ", SGD beside it");
    }

    /**
     * Sparse rows train through the backend's sessions, one model after another: each configuration
     * (batch 1, 10 and full; SGD, momentum, Adam, averaging; one diverging) equals its lone run on the
     * same backend bit for bit, on the cpu backend and on OpenCL.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl:@cpu"})
    void sparseRowsSweepOneModelAfterAnotherEachAsAlone(String backend) {
        if (!backend.equals("cpu")) TestBackends.open(backend).close();
        long seed = seed();
        Dataset sp = Dataset.sparse(Generators.sparse(400, 300, 7, 0.1, seed));
        List<Config> cs = List.of(Config.of(0.5, 1, Optimizer.SGD), Config.of(0.2, 10, Optimizer.momentum(0.9)),
                Config.of(0.05, 10, Optimizer.adam()), Config.of(1.0, 400, Optimizer.SGD.withAverage(true)),
                Config.of(1e30, 1, Optimizer.SGD).withLabel("too large"));
        Sweep sweep = Sweep.builder(sp, Objective.SQUARED).period(0).backend(backend).addAll(cs).build();
        SweepResult r = sweep.run(2, seed);
        assertTrue(r.get(4).diverged(), "seed " + seed + ": the too-large rate diverged");
        for (int i = 0; i < cs.size(); i++) assertSameAsAlone(sweep, r, i, 2, seed, "seed " + seed + ", sparse, " + backend, backend);
    }

    /**
     * Example weights (every 7th row 0, the others in [0, 3)): each configuration of a sweep on weighted rows ends where
     * it ends alone on the same backend, bit for bit: on the cpu backend its lane loops, whole blocks of plain-SGD models
     * (d = 19, 24 lanes), the model-major path (d = 37) and the full batch over two blocks; on OpenCL the lane launch
     * (sweep_sgd1_cpu's eight models a vector, sweep_steps_cpu, sweep_steps_block); on CUDA its thread and block kernels.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl:@cpu", "opencl:@gpu", "cuda"})
    void weightedRowsSweepAsTheyTrainAlone(String backend) {
        if (!backend.equals("cpu")) TestBackends.open(backend).close();
        long seed = seed();
        Random rng = new Random(seed);
        for (int d : new int[] {3, 19, 37}) {
            int n = backend.equals("cpu") ? 2 * Engine.BLOCK + 77 : 611;
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = i % 7 == 3 ? 0f : (float) (3 * rng.nextDouble());
            Dataset ds = Generators.regression(n, d, 0.3, seed + d).withWeights(v);
            List<Config> cs = new ArrayList<>();
            for (int i = 0; i < 20; i++) cs.add(Config.of(0.001 * (1 + i) / d, 1, i % 4 == 1 ? Optimizer.SGD.withWeightDecay(1e-2, false) : Optimizer.SGD));
            cs.add(Config.of(0.01, 1, Optimizer.momentum(0.9)));
            cs.add(Config.of(0.02, 10, Optimizer.SGD));
            cs.add(Config.of(0.005, 10, Optimizer.adam()));
            cs.add(Config.of(0.2, n, Optimizer.SGD));
            cs.add(Config.of(1e15, 10, Optimizer.SGD).withLabel("too large"));
            Sweep sweep = Sweep.builder(ds, Objective.SQUARED).period(0).backend(backend).addAll(cs).build();
            SweepResult r = sweep.run(2, seed);
            assertTrue(r.get(cs.size() - 1).diverged(), "seed " + seed + ", d " + d + ": the too-large rate diverged");
            for (int i = 0; i < cs.size(); i++) assertSameAsAlone(sweep, r, i, 2, seed, "seed " + seed + ", weighted, d " + d + ", " + backend, backend);
        }
    }

    /**
     * Batch 1, every model plain SGD at a constant rate: the cpu backend's shards step in runs, on narrow rows (d = 1 to 4)
     * with a block's weights in registers, on wide ones (9, 64) each step's update and the next row's margin in one pass.
     * 37, 29 and 8 models (pairs of whole blocks, an odd block, and a last block shared with padding lanes that run at rate
     * 0, for 8 and 16 vector lanes), one diverging in the middle of a run, with and without a bias, example weights, one
     * and two threads: each bit-identical to its run alone, records (every 7th step) included. BlockRunTest checks the
     * runs step by step.
     */
    @Test
    void plainSgdRunsAsAlone() {
        long seed = seed();
        Random rng = new Random(seed);
        for (int d : new int[] {1, 2, 3, 4, 9, 64}) {
            int n = 333;
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = i % 5 == 2 ? 0f : (float) (2 * rng.nextDouble());
            Dataset ds = Generators.regression(n, d, 0.3, seed + d);
            if (d % 2 == 0) ds = ds.withWeights(v);
            for (int models : new int[] {37, 29, 8})
            for (int threads : new int[] {1, 2}) {
                List<Config> cs = new ArrayList<>();
                int large = Math.min(20, models - 3);
                for (int i = 0; i < models; i++) cs.add(Config.of(i == large ? 3e4 : 0.002 * (1 + i), 1, Optimizer.SGD));
                Sweep sweep = Sweep.builder(ds, Objective.SQUARED).bias(d != 3).period(7).threads(threads).addAll(cs).build();
                SweepResult r = sweep.run(2, seed);
                String how = d <= 4 ? "registers" : "one pass";
                assertTrue(r.groups().stream().anyMatch(g -> g.contains(how)) || LaneKernels.OPS == LaneOps.SCALAR,
                        "seed " + seed + ": the run loop ran: " + r.groups());
                assertTrue(r.get(large).diverged(), "seed " + seed + ", d " + d + ": the large rate diverged");
                for (int i = 0; i < cs.size(); i++) {
                    assertSameAsAlone(sweep, r, i, 2, seed, "seed " + seed + ", d " + d + ", " + models + " models, threads " + threads);
                }
            }
        }
    }

    @Test
    void theRowKernelsOrderIsTheCpuBackendsOne() {
        // the test JVM runs with jdk.incubator.vector, so the cpu backend and the sweep use the vector order
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && !Boolean.getBoolean("descent.cpu.scalar");
        assertEquals(vector, LaneKernels.cpuVectorLanes() > 0);
        String device;
        try (var b = dev.descent.backend.Backends.open("cpu")) {
            device = b.device();
        }
        assertTrue(device.contains(vector ? "vector, " + 32 * LaneKernels.cpuVectorLanes() + "-bit" : "scalar"), device);
        SweepResult r = Sweep.builder(Generators.regression(50, 2, 0.1, 1), Objective.SQUARED).add(Config.of(0.1, 1, Optimizer.SGD)).run(1, 1);
        assertNotNull(r.kernels());
        System.out.println("cpu backend: " + device + "; sweep reproduces: " + r.kernels());
        assertNull(r.get(0).divergence());
    }
}
