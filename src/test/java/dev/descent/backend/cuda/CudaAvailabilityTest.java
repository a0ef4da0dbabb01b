package dev.descent.backend.cuda;

import dev.descent.backend.Probe;
import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.spi.Kernels;
import dev.descent.backend.TestBackends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CudaAvailabilityTest {

    /** Where CUDA cannot start, it says why in one line, and opening it fails with that line (no crash, no trace). */
    @Test
    void unavailableCudaExplainsItselfInOneLine() {
        Probe p = Backends.probe("cuda");
        assumeTrue(!p.available() && !TestBackends.required("cuda"), "CUDA is available here: " + p.detail());
        assertFalse(p.detail().contains("\n"));
        assertTrue(p.detail().startsWith("CUDA unavailable: ") || p.detail().startsWith("CUDA kernels were not built"), p.detail());
        DescentException e = assertThrows(DescentException.class, () -> Backends.open("cuda"));
        assertEquals(p.detail(), e.getMessage());
    }

    /** nvcc runs in the build where it is installed (CI has it): then the fatbin must be in the jar. */
    @Test
    void kernelsAreBuiltWhereNvccIs() {
        boolean nvcc = new java.io.File("/usr/local/cuda/bin/nvcc").canExecute()
                || System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                        .anyMatch(d -> new java.io.File(d, "nvcc").canExecute());
        assumeTrue(nvcc, "nvcc is not installed here");
        byte[] f = Kernels.bytes(CudaBackend.FATBIN);
        assertNotNull(f, "nvcc is installed but kernels/cuda/descent.fatbin is not in the build");
        assertTrue(f.length > 10_000);
    }

    @Test
    void deviceIndexIsChecked() {
        try (Backend b = TestBackends.open("cuda")) {
            assertThrows(DescentException.InvalidArgument.class, () -> CudaBackend.open("99"));
            assertThrows(DescentException.InvalidArgument.class, () -> CudaBackend.open("first"));
        }
    }
}
