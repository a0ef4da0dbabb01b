package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.TestBackends;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints of a run on sparse rows: a run split at checkpoints ends where an unsplit one does,
 * a run resumed from a mid-epoch checkpoint file (written and read back) ends bit-identical to the
 * uninterrupted run, history included; and the data fingerprint tells sparse data apart by every
 * array (offsets, columns, values, targets) while the dense one is unchanged.
 */
class SparseResumeTest {
    /** rcv1-shaped rows, narrower so that the test is quick: 3000 × 2000, about 20 stored per row, 0/1 labels. */
    private static Dataset data(long seed) {
        return Dataset.sparse(Generators.sparse(3000, 2000, 20, 0.01, seed));
    }

    private static Backend open(String backend) {
        return backend.equals("cpu") ? Backends.open("cpu") : TestBackends.open(backend);     // a device backend skips when absent
    }

    @ParameterizedTest(name = "{0} {1} batch {2}")
    @CsvSource({"cpu, sgd, 1", "cpu, momentum:0.9, 8", "cpu, adam, 32", "opencl:@cpu, sgd, 1", "opencl:@cpu, momentum:0.9, 8"})
    void resumedMidEpochEndsBitIdentical(String backend, String optimizer, int batch, @TempDir Path dir) {
        Dataset ds = data(3);
        Spec spec = new Spec(Objective.LOGISTIC, true, Optimizer.parse(optimizer));
        TrainConfig cfg = new TrainConfig(3, batch, 0.5, Schedule.parse("step:2:0.5"), BatchOrder.SHUFFLE, 0, 11);
        Params init = Params.zeros(ds.d());
        String label = "sparse " + optimizer + " batch " + batch;
        try (Backend b = open(backend)) {
            Trainer.Result ref;
            try (Session s = b.open(ds, spec)) {
                ref = Trainer.train(s, init, cfg, label, Trainer.Listener.NONE);
            }
            // the same run, cut at a checkpoint every 37 steps: each state saved through a file
            List<Path> files = new ArrayList<>();
            List<Trainer.State> states = new ArrayList<>();
            Trainer.Result split;
            try (Session s = b.open(ds, spec)) {
                split = Trainer.train(s, init, cfg, label, new Trainer.Options(null, 37, st -> {
                    Path f = dir.resolve("ck-" + files.size());
                    Checkpoint.write(f, Map.of("data", Checkpoint.dataChecksum(ds)), b.name(), st);
                    files.add(f);
                    states.add(st);
                }, null, null));
            }
            assertEquals(ref.params(), split.params(), backend + ": a run cut at checkpoints ends elsewhere than an uncut one");
            int mid = -1;
            for (int i = states.size() / 2; i < states.size() && mid < 0; i++) if (states.get(i).nextBatch() > 0) mid = i;
            assertTrue(mid >= 0, "no mid-epoch checkpoint among " + states.size());
            Checkpoint.Contents c = Checkpoint.read(files.get(mid));
            assertEquals(Checkpoint.dataChecksum(ds), c.config().get("data"));
            Trainer.Result resumed;
            try (Session s = b.open(ds, spec)) {
                resumed = Trainer.train(s, init, cfg, label, new Trainer.Options(null, 0, null, null, c.state()));
            }
            assertEquals(ref.params(), resumed.params(), backend + ": resumed at epoch " + c.state().epoch() + ", batch "
                    + c.state().nextBatch() + ", the run ends elsewhere than the uninterrupted one");
            assertEquals(losses(ref.history()), losses(resumed.history()), "the resumed history's losses");
        }
    }

    private static List<Double> losses(History h) {
        return h.points().stream().map(History.Point::loss).toList();
    }

    @Test
    void sparseFingerprintCoversEveryArrayAndDenseKeepsItsOwn() {
        // 3 rows × 4: {0: 1, 2: 2}, {3: 3}, {0: 4, 1: 5}
        long[] off = {0, 2, 3, 5};
        int[] cols = {0, 2, 3, 0, 1};
        float[] vals = {1, 2, 3, 4, 5}, t = {0, 1, 0};
        String base = Checkpoint.dataChecksum(sparse(off, cols, vals, t, 4));
        assertTrue(base.startsWith("3×4 sparse 5 stored crc32c "), base);
        assertEquals(base, Checkpoint.dataChecksum(sparse(off.clone(), cols.clone(), vals.clone(), t.clone(), 4)), "the same data");
        assertNotEquals(base, Checkpoint.dataChecksum(sparse(off, cols, new float[] {1, 2, Math.nextUp(3f), 4, 5}, t, 4)), "a value's last bit");
        assertNotEquals(base, Checkpoint.dataChecksum(sparse(off, new int[] {0, 2, 2, 0, 1}, vals, t, 4)), "a column");
        assertNotEquals(base, Checkpoint.dataChecksum(sparse(new long[] {0, 3, 3, 5}, cols, vals, t, 4)), "the row offsets");
        assertNotEquals(base, Checkpoint.dataChecksum(sparse(off, cols, vals, new float[] {0, 0, 0}, 4)), "a label");
        assertNotEquals(base, Checkpoint.dataChecksum(sparse(off, cols, vals, null, 4)), "no labels");
        assertNotEquals(base, Checkpoint.dataChecksum(sparse(off, cols, vals, t, 5)), "the width");

        // dense: the fingerprint old checkpoints hold, as before sparse data existed; a dense copy never matches the sparse one
        Dataset small = data(2).rows(0, 40), dense = small.dense();
        assertEquals(legacyDense(dense), Checkpoint.dataChecksum(dense));
        assertNotEquals(Checkpoint.dataChecksum(small), Checkpoint.dataChecksum(dense));
    }

    private static Dataset sparse(long[] off, int[] cols, float[] vals, float[] t, int d) {
        return Dataset.sparse(new dev.descent.data.SparseRows("x", off, cols, vals, t, off.length - 1, d));
    }

    /** The dense fingerprint as written before sparse data (a copy of the old code): CRC-32C of the features' then the targets' little-endian bits. */
    private static String legacyDense(Dataset ds) {
        var crc = new java.util.zip.CRC32C();
        var buf = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float[] a : new float[][] {ds.features(), ds.targets() == null ? new float[0] : ds.targets()}) {
            for (int i = 0; i < a.length; ) {
                buf.clear();
                int m = Math.min(a.length - i, buf.capacity() / 4);
                buf.asFloatBuffer().put(a, i, m);
                crc.update(buf.array(), 0, 4 * m);
                i += m;
            }
        }
        return String.format("%d×%d crc32c %08x%s", ds.n(), ds.d(), crc.getValue(), ds.hasTargets() ? "" : " no targets");
    }
}
