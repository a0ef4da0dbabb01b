package dev.descent.train;

import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.ref.RefBackend;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Schedule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static final Dataset DATA = Generators.linear(1000, new float[] {2f, -3.4f}, 4.2f, 0.01, 7);

    /** Seed 1's rule: a record when batch_i·batch_size % period == 0, plus one before training. */
    @Test
    void recordsEveryPeriodExamplesAsTheSeedDoes() {
        try (Session s = new RefBackend().open(DATA, Spec.of(Objective.SQUARED))) {
            Trainer.Result r = Trainer.train(s, Params.zeros(2), TrainConfig.seed1(10, 0.2, 3, 50), "t", Trainer.Listener.NONE);
            List<History.Point> p = r.history().points();
            assertEquals(1 + 3 * 20, p.size());                 // 100 batches, every 5th recorded
            assertEquals(0, p.get(0).examples());
            assertEquals(10, p.get(1).examples());              // after batch 0
            assertEquals(60, p.get(2).examples());              // after batch 5
            assertEquals(1000 + 10, p.get(21).examples());
            assertEquals(3, r.history().epochs().size());
            assertEquals(0.02, r.history().epochs().get(2).lr(), 1e-15);
        }
    }

    /**
     * Period 0: about 100 records an epoch while an epoch's records read at most 2^26 stored values, fewer on larger data
     * (at least one), the same rule for dense and sparse rows; the sweep's groups take the same (SweepTest compares them).
     */
    @Test
    void theDefaultPeriodRecordsLessOnLargeData() {
        assertEquals(100, TrainConfig.defaultRecords(1000));
        assertEquals(100, TrainConfig.defaultRecords(671_088));
        assertEquals(99, TrainConfig.defaultRecords(671_089));
        assertEquals(8, TrainConfig.defaultRecords(7_528_380));          // the rcv1-shaped 100k rows
        assertEquals(1, TrainConfig.defaultRecords(64_000_000));
        assertEquals(1, TrainConfig.defaultRecords(5_000_000_000L));
        Dataset wide = Generators.regression(2000, 700, 0.1, 3);          // 1.4 M values: 47 records an epoch, every 42nd batch
        try (Session s = new RefBackend().open(wide, Spec.of(Objective.SQUARED))) {
            TrainConfig cfg = new TrainConfig(2, 1, 1e-4, new Schedule.Constant(), BatchOrder.IN_ORDER, 0, 0);
            assertEquals(2000 / 47, cfg.recordEvery(2000, wide.stored()));
            Trainer.Result r = Trainer.train(s, Params.zeros(700), cfg, "t", Trainer.Listener.NONE);
            List<History.Point> p = r.history().points();
            assertEquals(1 + 2 * ((2000 + 41) / 42), p.size());           // batches 0, 42, … 1974 of each epoch, and the start
            assertEquals(43, p.get(2).examples());
        }
    }

    @Test
    void shortLastBatchUsesItsOwnSize() {
        Dataset ds = DATA.rows(0, 95);
        try (Session s = new RefBackend().open(ds, Spec.of(Objective.SQUARED))) {
            Trainer.Result r = Trainer.train(s, Params.zeros(2), new TrainConfig(1, 10, 0.1, new Schedule.Constant(),
                    BatchOrder.IN_ORDER, 10, 0), "t", Trainer.Listener.NONE);
            List<History.Point> p = r.history().points();
            assertEquals(11, p.size());
            assertEquals(95, p.get(10).examples());
            assertEquals(10, p.get(10).step());
        }
    }

    @Test
    void stopsAtTheFirstNonFiniteParameterAndKeepsTheLastFinite() {
        try (Session s = new RefBackend().open(DATA, Spec.of(Objective.SQUARED))) {
            Trainer.Result r = Trainer.train(s, new Params(new float[] {0.5f, -0.5f}, 0f), TrainConfig.seed1(10, 5, 3, 10), "t",
                    Trainer.Listener.NONE);
            assertTrue(r.diverged());
            Divergence d = r.divergence();
            assertNotNull(d);
            assertEquals(1, d.epoch());
            assertTrue(d.step() > 1 && d.step() <= 100, "step " + d.step());
            assertTrue(r.params().isFinite());
            assertEquals(d.step() - 1, d.lastFiniteStep());
            assertFalse(s.params().isFinite());
            // nothing ran after the divergence: the history ends at the diverging step
            History.Point last = r.history().points().get(r.history().points().size() - 1);
            assertEquals(d.step(), last.step());
            assertFalse(Double.isFinite(last.loss()));
        }
    }

    @Test
    void sameSeedSameResultDifferentSeedDifferentOrder() {
        TrainConfig c1 = new TrainConfig(2, 7, 0.05, new Schedule.Constant(), BatchOrder.SHUFFLE, 0, 11);
        TrainConfig c2 = new TrainConfig(2, 7, 0.05, new Schedule.Constant(), BatchOrder.SHUFFLE, 0, 12);
        try (Session s = new RefBackend().open(DATA, Spec.of(Objective.SQUARED))) {
            Params a = Trainer.train(s, Params.zeros(2), c1, "a", Trainer.Listener.NONE).params();
            Params b = Trainer.train(s, Params.zeros(2), c1, "b", Trainer.Listener.NONE).params();
            Params c = Trainer.train(s, Params.zeros(2), c2, "c", Trainer.Listener.NONE).params();
            assertEquals(a, b);
            assertFalse(a.equals(c));
        }
    }

    @Test
    void historyRoundTripsThroughCsv(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (Session s = new RefBackend().open(DATA, Spec.of(Objective.SQUARED))) {
            History h = Trainer.train(s, Params.zeros(2), TrainConfig.seed1(100, 0.5, 2, 100), "label", Trainer.Listener.NONE).history();
            java.nio.file.Path f = dir.resolve("h.csv");
            h.writeCsv(f);
            History back = History.readCsv(f);
            assertEquals(h.points().size(), back.points().size());
            assertEquals(h.lastLoss(), back.lastLoss(), 1e-9 * h.lastLoss());
            assertEquals("label", back.label());
        }
    }
}
