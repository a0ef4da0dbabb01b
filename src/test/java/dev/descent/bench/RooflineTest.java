package dev.descent.bench;

import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import dev.descent.sweep.Config;
import dev.descent.sweep.Outcome;
import dev.descent.sweep.Sweep;
import dev.descent.sweep.SweepResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep's roofline ({@code descent sweep --roofline}): the bytes and flops it counts, from what each group and
 * configuration ran, against figures worked out here from the sweep's shape alone; which term bounds; the FMA probe
 * within what the core can physically do.
 */
class RooflineTest {
    private static Config sgd(double lr, int batch) {
        return new Config(null, lr, new Schedule.Constant(), Optimizer.SGD, batch, BatchOrder.IN_ORDER, null);
    }

    @Test
    void bytesAreEachGroupsRowsAndFlopsEachConfigurationsRows() {
        long seed = System.nanoTime();
        int n = 1_000 + (int) (Math.abs(seed) % 500), d = 3 + (int) (Math.abs(seed) % 7), epochs = 2;
        Dataset ds = Generators.regression(n, d, 0.3, seed);
        // batch 1: three models, one diverging (lr 1e6); batch n: two models. Two groups.
        SweepResult r = Sweep.builder(ds, Objective.SQUARED).period(n).threads(2)
                .addAll(List.of(sgd(1e-3, 1), sgd(1e-2, 1), sgd(1e6, 1), sgd(0.1, n), sgd(0.01, n))).run(epochs, seed);
        Outcome diverged = r.get(2);
        assertTrue(diverged.diverged(), "seed " + seed + ": lr 1e6 diverges");
        long full = (long) epochs * n;
        double rowBytes = 4.0 * (d + 1);
        double flopsPerRow = 4.0 * d;
        var peaks = new Roofline.Peaks(10, "test", true, 100, "test", 0);
        Roofline rl = Roofline.of(ds, 1, r, peaks);
        // each group reads its rows once for all its models: two groups, each over every row every epoch
        assertEquals(2 * full * rowBytes, rl.bytes(), "seed " + seed);
        assertEquals((4 * full + diverged.examples()) * flopsPerRow, rl.flops(), 1e-9 * rl.flops(), "seed " + seed);
        assertTrue(diverged.examples() < full, "the diverged model stopped early: " + diverged.examples());
        assertEquals(rl.bytes() / 10e9, rl.bytesSeconds(), 1e-15);
        assertEquals(rl.flops() / 100e9, rl.flopsSeconds(), 1e-15);
        assertEquals(Math.max(rl.bytesSeconds(), rl.flopsSeconds()), rl.boundSeconds());
        assertEquals(rl.bytesSeconds() >= rl.flopsSeconds() ? "bytes" : "flops", rl.by());
        assertEquals(r.trainSeconds() / rl.boundSeconds(), rl.ratio(), 1e-12);
        assertTrue(rl.line().startsWith("Roofline: training "), rl.line());

        // data inside the cache: memory need not serve them, so only the flops term bounds
        Roofline cached = Roofline.of(ds, 1, r, new Roofline.Peaks(10, "test", true, 100, "test", 1L << 40));
        assertNotNull(cached.inCache());
        assertTrue(Double.isNaN(cached.bytesSeconds()));
        assertEquals("flops", cached.by());
        assertEquals(cached.flopsSeconds(), cached.boundSeconds());
        assertTrue(cached.line().contains("bytes term left out"), cached.line());
        // no FMA peak (a device with memory of its own): the bytes term alone
        Roofline noFma = Roofline.of(ds, 1, r, new Roofline.Peaks(10, "test", false, Double.NaN, "not measured: test", 0));
        assertEquals("bytes", noFma.by());
        assertEquals(noFma.bytesSeconds(), noFma.boundSeconds());
        assertTrue(noFma.line().contains("flops term not measured: test"), noFma.line());
        // neither: no bound, said so
        Roofline none = Roofline.of(ds, 1, r, new Roofline.Peaks(10, "test", false, Double.NaN, "not measured: test", 1L << 40));
        assertNull(none.by());
        assertTrue(none.line().startsWith("Roofline: no bound"), none.line());
        assertNull(none.json().get("ratio"));
    }

    @Test
    void sparseRowsCountTheirStoredValues() {
        long seed = System.nanoTime();
        Dataset ds = Dataset.sparse(Generators.sparse(600, 400, 12, 0.1, seed));
        SweepResult r = Sweep.builder(ds, Objective.SQUARED).period(600).threads(1).addAll(List.of(sgd(1e-3, 1), sgd(1e-2, 1))).run(1, seed);
        Roofline rl = Roofline.of(ds, 1, r, new Roofline.Peaks(10, "test", true, 100, "test", 0));
        double values = ds.stored();
        assertEquals(8 * values + 12.0 * 600, rl.bytes(), 1e-6 * rl.bytes(), "one group: every row once (value and column each, offset, target)");
        assertEquals(2 * 4 * values, rl.flops(), 1e-6 * rl.flops(), "two models: 4 flops a stored value each");
    }

    @Test
    void theFmaPeakIsWithinWhatTheCoresCanDo() {
        Roofline.FmaLoop loop = Roofline.vectorLoop();
        if (loop == null) {
            org.junit.jupiter.api.Assumptions.abort("this JVM has no Vector API (the test JVM adds jdk.incubator.vector)");
        }
        int threads = Runtime.getRuntime().availableProcessors();
        // at most two FMA units a core, each an FMA (2 flops) per lane per cycle, at most 6 GHz
        double physical = threads * 2.0 * 2 * loop.lanes() * 6.0;
        double lo = Double.MAX_VALUE, hi = 0;
        for (int i = 0; i < 5; i++) {
            double peak = Roofline.fmaPeak(threads, 2_000_000L, 3);
            assertTrue(peak > 0 && peak < physical, "FMA peak " + peak + " GFLOP/s against a physical " + physical);
            lo = Math.min(lo, peak);
            hi = Math.max(hi, peak);
        }
        // a clock read after the workers had started (the main thread waiting for a core) gave 300 to 100,000 GFLOP/s
        // from one call to the next; a busy machine slows calls, but not by 10×
        assertTrue(hi < 10 * lo, "five FMA peaks from " + lo + " to " + hi + " GFLOP/s");
    }
}
