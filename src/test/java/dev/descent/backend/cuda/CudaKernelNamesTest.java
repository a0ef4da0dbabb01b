package dev.descent.backend.cuda;

import dev.descent.backend.spi.Kernels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel name the CUDA host asks for exists in the fatbin the build made, for each GPU
 * architecture it holds code for: a drift between CudaKernels and descent.cu's instantiation
 * lists fails here, on any machine with nvcc, without a GPU. A cubin names each kernel's code
 * section ".text.NAME" in its string tables (NUL-separated); the fatbin holds one cubin per
 * architecture (sm_80, sm_90). Only whole entries count: a kernel with relocations also has
 * ".rel.text.NAME" and ".rela.text.NAME", one without (losses_sparse) does not.
 */
class CudaKernelNamesTest {
    @Test
    void everyNameTheHostAsksForIsInTheFatbin() {
        byte[] fatbin = Kernels.bytes(CudaBackend.FATBIN);
        Assumptions.assumeTrue(fatbin != null, "CUDA kernels were not built here (no nvcc at build time)");
        String text = new String(fatbin, StandardCharsets.ISO_8859_1);
        int cubins = count(text, "\0.text." + CudaKernels.GRAD_STEP + "\0");
        assertTrue(cubins >= 2, "the fatbin should hold SASS for sm_80 and sm_90, found " + cubins + " cubin(s)");
        List<String> missing = new ArrayList<>();
        for (String name : CudaKernels.all()) {
            if (count(text, "\0.text." + name + "\0") != cubins) missing.add(name);
        }
        assertEquals(List.of(), missing, "kernels the host asks for but descent.cu does not instantiate (for every architecture)");
    }

    @Test
    void aNameThatIsNotThereIsSeen() {
        byte[] fatbin = Kernels.bytes(CudaBackend.FATBIN);
        Assumptions.assumeTrue(fatbin != null, "CUDA kernels were not built here (no nvcc at build time)");
        String text = new String(fatbin, StandardCharsets.ISO_8859_1);
        assertEquals(0, count(text, "\0.text.grad_partial_v4_l64_c1\0"));       // the check can fail
    }

    private static int count(String hay, String needle) {
        int c = 0;
        for (int i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) c++;
        return c;
    }
}
