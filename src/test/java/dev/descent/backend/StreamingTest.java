package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.backend.ref.RefBackend;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
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
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data larger than the device: a tiny device-memory cap forces the session to stream its rows in
 * chunks (dense and sparse, every device backend), and every result (runs of each launch shape,
 * records, gradients, steps, losses) must be bit-identical to a resident session with the same
 * chunk rows, and match the double reference within the conformance bounds.
 */
class StreamingTest {
    static {
        System.setProperty("descent.poison", "true");
    }

    private static final TestBackends.Cache OPEN = new TestBackends.Cache();
    private static final long SEED = Long.getLong("descent.seed", System.nanoTime());
    private static final Random RNG = new Random(SEED);
    private static final int CHUNK = 64;

    static Backend backend(String name) {
        return OPEN.get(name);
    }

    @AfterAll
    static void closeAll() {
        OPEN.closeAll();
    }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (String b : List.of("opencl:@cpu", "opencl:@gpu", "cuda"))
            for (boolean sparse : new boolean[] {false, true})
                for (Optimizer opt : List.of(Optimizer.SGD.withWeightDecay(0.05, false), Optimizer.momentum(0.9), Optimizer.adam()))
                    a.add(Arguments.of(b, sparse, opt));
        return a.stream();
    }

    static Dataset data(boolean sparse) {
        if (!sparse) return BackendConformanceTest.random(Objective.LOGISTIC, 301, 13);
        // cut into three segments: a chunk in storage order uploads straight from one segment, or is gathered when it spans two
        Dataset whole = SparseConformanceTest.randomSparse(Objective.LOGISTIC, 301, 500, 0.02);
        return Dataset.sparse(whole.rowsSparse().resegment(whole.rowsSparse().nnz() / 3 + 1));
    }

    @ParameterizedTest(name = "{0} sparse={1} {2}")
    @MethodSource("cases")
    void streamedEqualsResidentBitForBitAndMatchesReference(String name, boolean sparse, Optimizer opt) {
        Backend dev = backend(name);
        Dataset ds = data(sparse);
        boolean weighted = opt.rule() == Optimizer.Rule.MOMENTUM;            // the momentum cases stream example weights too
        if (weighted) ds = ds.withWeights(WeightedConformanceTest.randomWeights(ds.n()));
        Spec spec = new Spec(Objective.LOGISTIC, true, opt);
        Params p = SparseConformanceTest.randomParams(ds.d(), spec, 1);
        int n = ds.n();
        int[] rows = new int[2 * n];                       // a shuffled epoch, then one in order (chunks of consecutive rows upload without a gather)
        System.arraycopy(BatchOrder.SHUFFLE.order(n, 1, SEED), 0, rows, 0, n);
        System.arraycopy(BatchOrder.IN_ORDER.order(n, 2, SEED), 0, rows, n, n);
        long cap = Math.max(ds.bytes() / 3, CHUNK * rowBytes(ds));   // a third of the rows' bytes (at least a chunk): it must stream
        long cap2 = 2 * chunkBytes(ds, CHUNK);                          // room for two chunks: one uploads while the other is computed on
        for (int batch : new int[] {1, 7, 100, n}) {
            String where = name + (sparse ? " sparse " : " dense ") + (weighted ? "weighted " : "") + opt + " batch " + batch + " seed " + SEED;
            int batches = Math.min(60, (rows.length + batch - 1) / batch);
            Rate rate = batch == 1 ? BackendConformanceTest.perStep(0.05, batches) : new Rate(0.05, true, 2);
            try (Session resident = dev.open(ds, spec, Streaming.chunks(CHUNK));
                 Session streamed = dev.open(ds, spec, new Streaming(cap, CHUNK, 1));
                 Session streamed2 = dev.open(ds, spec, new Streaming(cap2, CHUNK, 2));
                 Session ref = new RefBackend().open(ds, spec)) {
                assertFalse(resident.streamed(), where);
                assertTrue(streamed.streamed() && streamed2.streamed(), where + ": caps under the data's bytes must stream");
                assertTrue(streamed.residency().startsWith("streamed in chunks of " + CHUNK + " rows"), streamed.residency());
                assertFalse(streamed.residency().contains("two on the device"), streamed.residency());
                assertTrue(streamed2.residency().startsWith("streamed in chunks of " + CHUNK + " rows, two on the device"), streamed2.residency());
                List<float[]> out = new ArrayList<>();
                for (Session s : List.of(resident, streamed, ref, streamed2)) {
                    s.setOrder(rows);
                    s.setParams(p);
                    s.resetState();
                    int half = batches / 2;
                    RunResult a = s.run(new Run(batch, 0, half, rate, 5));
                    RunResult b = s.run(new Run(batch, half, batches - half, rate.skip(half), 5));
                    assertFalse(a.diverged() || b.diverged(), where);
                    Gradient g = s.gradient(0, n, true);
                    Gradient g2 = s.gradient(11, 150, true);
                    s.step(3, 50, 0.05);
                    double[] l = s.losses(a.snapshots(), a.records());
                    float[] all = concat(a.snapshots(), b.snapshots(), g.packed().packed(), new float[] {(float) g.loss()}, g2.packed().packed(),
                            s.params().packed(), toFloats(l));
                    out.add(all);
                }
                assertArrayEquals(out.get(0), out.get(1), where + ": streamed vs resident with the same chunk rows");
                assertArrayEquals(out.get(0), out.get(3), where + ": streamed through two slots vs resident with the same chunk rows");
                if (opt.rule() != Optimizer.Rule.ADAM) {           // adaptive rules' float-vs-double budget is the conformance suite's
                    float[] want = out.get(2), got = out.get(1);
                    double tol = (weighted ? 3 : 1) * 50.0 * (batches + 1) * Tolerance.EPS * (ds.d() + batch + 2);   // weights < 3
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], tol * (1 + Math.abs(want[i])), where + ": value " + i + " vs the reference");
                    }
                }
            }
        }
    }

    /** The record count and every snapshot survive a divergence in the middle of a streamed run, as resident. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"opencl:@cpu", "opencl:@gpu", "cuda"})
    void divergenceStopsAStreamedRunWhereAResidentOneStops(String name) {
        Backend dev = backend(name);
        Dataset ds = BackendConformanceTest.random(Objective.SQUARED, 301, 13);
        Spec spec = new Spec(Objective.SQUARED, true, Optimizer.momentum(0.9));
        int[] rows = BatchOrder.SHUFFLE.order(301, 1, SEED);
        RunResult[] r = new RunResult[3];
        int i = 0;
        for (Streaming st : List.of(Streaming.chunks(CHUNK), new Streaming(ds.bytes() / 4, CHUNK, 1), new Streaming(2 * chunkBytes(ds, CHUNK), CHUNK, 2))) {
            try (Session s = dev.open(ds, spec, st)) {
                s.setOrder(rows);
                s.setParams(Params.zeros(13));
                r[i++] = s.run(new Run(4, 0, 75, Rate.constant(40.0), 3));
                assertTrue(s.diverged(), name + " " + st);
            }
        }
        for (int k = 1; k < r.length; k++) {                // one slot, then two (a chunk prefetched past the divergence)
            assertEquals(r[0].divergedBatch(), r[k].divergedBatch(), name + " " + k);
            assertArrayEquals(r[0].recordedBatches(), r[k].recordedBatches(), name + " " + k);
            assertArrayEquals(r[0].snapshots(), r[k].snapshots(), name + " " + k);
        }
    }

    @Test
    void aCapBelowOneRowIsOneLine() {
        Backend dev = backend("opencl");
        Dataset ds = BackendConformanceTest.random(Objective.SQUARED, 50, 100);
        DescentException e = assertThrows(DescentException.class,
                () -> dev.open(ds, new Spec(Objective.SQUARED, true, Optimizer.SGD), Streaming.cap(100)).close());
        assertTrue(e.getMessage().contains("cannot hold even one row") && e.getMessage().contains("404 bytes"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** What a streaming session reserves per row: features (sparse: the widest row's values and columns, an offset), the target and weight. */
    /** Device bytes of a chunk of {@code rows} rows as the sessions size it: the longest rows' values (sparse), offsets, targets, weights. */
    static long chunkBytes(Dataset ds, int rows) {
        long w = ds.hasWeights() ? 4 : 0;
        if (!ds.isSparse()) return rows * (4L * ds.d() + 4 + w);
        long[] off = ds.rowsSparse().rowOffsets();
        long[] len = new long[ds.n()];
        for (int i = 0; i < ds.n(); i++) len[i] = off[i + 1] - off[i];
        java.util.Arrays.sort(len);
        long values = 0;
        for (int k = 0; k < rows; k++) values += len[ds.n() - 1 - k];
        return 8 * values + rows * (8 + 4 + w);
    }

    static long rowBytes(Dataset ds) {
        long w = ds.hasWeights() ? 4 : 0;
        if (!ds.isSparse()) return 4L * ds.d() + 4 + w;
        long[] off = ds.rowsSparse().rowOffsets();
        long m = 0;
        for (int i = 0; i < ds.n(); i++) m = Math.max(m, off[i + 1] - off[i]);
        return 8 * m + 8 + 4 + w;
    }

    @Test
    void chunksLargerThanTheCapAreOneLine() {
        Backend dev = backend("opencl");
        Dataset ds = BackendConformanceTest.random(Objective.SQUARED, 500, 10);
        DescentException e = assertThrows(DescentException.class,
                () -> dev.open(ds, new Spec(Objective.SQUARED, true, Optimizer.SGD), new Streaming(44 * 100, 200)).close());
        assertTrue(e.getMessage().contains("chunks of 200 rows") && e.getMessage().contains("use at most 100 rows per chunk"), e.getMessage());
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private static float[] concat(float[]... parts) {
        int len = 0;
        for (float[] a : parts) len += a.length;
        float[] out = new float[len];
        int at = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }
}
