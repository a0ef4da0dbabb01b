package dev.descent.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code auto} picks: never the reference; an OpenCL device on the host's cores only for a
 * problem of at least {@link Backends#HOST_DEVICE_MIN_VALUES} values per launch; a reason in words.
 */
class AutoChoiceTest {

    @Test
    void choosesByDeviceAndProblemSize() {
        boolean cuda = Backends.probe("cuda").available();
        boolean opencl = Backends.probe("opencl").available();
        Backends.Choice small = Backends.choose(Backends.Problem.training(1000, 2, 10));
        Backends.Choice big = Backends.choose(Backends.Problem.training(1_000_000, 64, 1000));
        Backends.Choice unknown = Backends.choose(null);
        for (Backends.Choice c : new Backends.Choice[] {small, big, unknown}) {
            assertFalse(c.name().equals("ref"), "auto never picks the reference: " + c);
            assertFalse(c.why().isBlank());
        }
        if (cuda) {
            assertEquals("cuda", small.name());
            return;
        }
        boolean hostDevice = opencl && Backends.providers().stream().filter(p -> p.name().equals("opencl")).findFirst().orElseThrow().onHostCores();
        if (!opencl || hostDevice) {
            assertEquals("cpu", small.name(), small.why());
            assertEquals("cpu", unknown.name(), unknown.why());
        }
        if (!opencl) assertEquals("cpu", big.name(), big.why());
        if (hostDevice) {
            assertEquals("opencl", big.name(), big.why());
            assertTrue(small.why().contains("CPU cores"), small.why());
        }
        if (opencl && !hostDevice) assertEquals("opencl", small.name(), "an OpenCL GPU is preferred");
    }
}
