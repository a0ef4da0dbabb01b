package dev.descent.spark;

import dev.descent.DescentException;
import dev.descent.model.Objective;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings a task rebuilds its Spec from: the objective's parameter travels with it (no Spark needed). */
class SettingsTest {
    @Test
    void theObjectivesParameterReachesTheSpec() {
        assertEquals(0.5, Settings.of("cpu", "huber:0.5").spec().lossParam());
        assertEquals(0.25, Settings.of("cpu", "epsilon-insensitive:0.25").spec().lossParam());
        assertEquals(Objective.HUBER.defaultParam(), Settings.of("cpu", "huber").spec().lossParam());
        assertEquals(Objective.LOGISTIC, Settings.of("cpu", "logistic").spec().objective());
    }

    @Test
    void aBadObjectiveIsOneLineOnTheDriver() {
        DescentException e = assertThrows(DescentException.class, () -> Settings.of("cpu", "squared:2"));
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().contains("squared"), e.getMessage());
        assertThrows(DescentException.class, () -> Settings.of("cpu", "softmax:3"));
    }
}
