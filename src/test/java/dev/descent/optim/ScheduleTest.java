package dev.descent.optim;

import dev.descent.DescentException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScheduleTest {
    @Test
    void seedOneStepDecayStartsAtEpochThree() {
        Schedule s = Schedule.SEED1;
        assertEquals(0.2, s.epochRate(0.2, 1, 1), 1e-15);
        assertEquals(0.2, s.epochRate(0.2, 2, 1001), 1e-15);
        assertEquals(0.02, s.epochRate(0.2, 3, 2001), 1e-15);
        assertEquals(0.002, s.epochRate(0.2, 4, 3001), 1e-15);
    }

    @Test
    void exponentialAndInverseSqrt() {
        assertEquals(1.0, new Schedule.Exponential(0.5).epochRate(1, 1, 1), 0);
        assertEquals(0.25, new Schedule.Exponential(0.5).epochRate(1, 3, 1), 0);
        Rate r = new Schedule.InverseSqrt().rate(2.0, 2, 101);
        assertEquals(2.0 / Math.sqrt(101), r.at(0), 1e-15);
        assertEquals(2.0 / Math.sqrt(104), r.at(3), 1e-15);
        assertEquals(2.0 / Math.sqrt(111), r.skip(7).at(3), 1e-15);
        assertEquals(0.3, new Schedule.Constant().rate(0.3, 9, 77).at(12345), 0);
    }

    /** A per-step schedule skipped to its end covers a run of 0 batches (the tail of an epoch split at its end). */
    @Test
    void perStepScheduleSkipsToItsEnd() {
        Rate r = Rate.perStep(new double[] {0.1, 0.2, 0.3});
        assertEquals(0.3, r.skip(2).at(0), 0);
        assertEquals(0, r.skip(3).length());
        new dev.descent.backend.Run(1, 5, 0, r.skip(3), 1);                      // a run of 0 batches is fine
        assertThrows(DescentException.class, () -> new dev.descent.backend.Run(1, 5, 1, r.skip(3), 1));
        assertThrows(DescentException.class, () -> r.skip(4));
        assertThrows(DescentException.class, () -> Rate.perStep(new double[0]));
    }

    @Test
    void parses() {
        assertEquals(new Schedule.StepDecay(3, 0.1), Schedule.parse("step"));
        assertEquals(new Schedule.StepDecay(2, 0.5), Schedule.parse("step:2:0.5"));
        assertEquals(new Schedule.Exponential(0.9), Schedule.parse("exp:0.9"));
        assertThrows(DescentException.InvalidArgument.class, () -> Schedule.parse("cosine"));
        assertThrows(DescentException.InvalidArgument.class, () -> Schedule.parse("exp"));
        assertThrows(DescentException.InvalidArgument.class, () -> Schedule.parse("step:0"));
        assertThrows(DescentException.InvalidArgument.class, () -> Schedule.parse("exp:-1"));
    }
}
