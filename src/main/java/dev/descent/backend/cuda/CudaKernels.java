package dev.descent.backend.cuda;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Every CUDA kernel name the host asks the module for, in one table: the instantiation lists in
 * kernels/cuda/descent.cu must provide each ({@code CudaKernelNamesTest} checks the built fatbin,
 * no GPU needed).
 */
final class CudaKernels {
    private CudaKernels() {}

    static final String GRAD_MEAN = "grad_mean", GRAD_STEP = "grad_step", RUN_BLOCK = "run_steps_block",
            LOSSES_1 = "losses_k1", LOSSES_8 = "losses_k8", READ_PROBE = "read_sum", WRITE_PROBE = "write_f4", COPY_PROBE = "copy_f4",
            READ_CHUNK_PROBE = "read_chunk", COPY_CHUNK_PROBE = "copy_chunk",
            GRAD_GENERIC = "grad_partial_generic";

    /**
     * The softmax (heads > 1) kernels: every other gradient, run and loss kernel is one head only
     * (a softmax branch inside them changes the scalar path's code; see descent.cu).
     */
    static final String GRAD_SOFTMAX = "grad_partial_softmax", RUN_BLOCK_SOFTMAX = "run_steps_block_softmax",
            LOSSES_SOFTMAX = "losses_softmax";

    /** The sparse-row (CSR) kernels, written once for both languages in kernels/common/sparse.h. */
    static final String GRAD_SPARSE = "grad_rows_sparse", RUN_SPARSE = "run_steps_sparse", LOSSES_SPARSE = "losses_sparse";

    /**
     * Sweeps: a block per model over run_steps_block's body (one head); a batch of several blocks a step: the one-head
     * {@link #gradPartial} instance over all lanes (its LANE_SPLIT group), then sweep_grad_step.
     */
    static final String SWEEP_BLOCK = "sweep_steps_block", SWEEP_STEP = "sweep_grad_step";

    /** Sweeps, batch 1, d ≤ {@link #THREAD_MAX_D}: a thread per model over run_steps_thread's body (sweep_steps_thread[_w]_d{D}). */
    static String sweepThread(int d, boolean weighted) {
        return "sweep_" + runThread(d, weighted).substring("run_".length());
    }

    /** Widest row a one-thread batch-1 kernel holds in registers (run_steps_thread_d{1,2,4,8,16}). */
    static final int THREAD_MAX_D = 16;

    /**
     * The warp-per-row gradient instance for rows of d floats: V-wide loads (4 when d % 4 == 0),
     * L lanes per row, C loads per lane (grad_partial_v{V}_l{L}_c{C} in descent.cu), or the generic
     * kernel past 256 loads per row.
     */
    static String gradPartial(int d) {
        int v = d % 4 == 0 && d <= 1024 ? 4 : 1;
        int width = (d + v - 1) / v;                        // loads per row
        if (width > 256) return GRAD_GENERIC;
        int l = Math.min(32, Integer.highestOneBit(Math.max(1, 2 * width - 1)));
        int c = Integer.highestOneBit(Math.max(1, 2 * ((width + l - 1) / l) - 1));
        return "grad_partial_v" + v + "_l" + l + "_c" + c;
    }

    /**
     * The one-thread batch-1 kernel for d ≤ {@link #THREAD_MAX_D}: D = d rounded up to a power of two; the _w_ instance when the rows
     * carry example weights (the weights' prefetch ring only there: it cost the unweighted d = 16 kernel 9.5% on an H200).
     */
    static String runThread(int d, boolean weighted) {
        if (d > THREAD_MAX_D) throw new IllegalArgumentException("no one-thread kernel for d = " + d);
        return "run_steps_thread" + (weighted ? "_w_d" : "_d") + Integer.highestOneBit(Math.max(1, 2 * d - 1));
    }

    /** Every name {@link #gradPartial} and {@link #runThread} can give, and the fixed ones (softmax's too). */
    static Set<String> all() {
        Set<String> out = new LinkedHashSet<>();
        for (int d = 1; d <= 4100; d++) out.add(gradPartial(d));
        out.add(SWEEP_STEP);
        for (boolean w : new boolean[] {false, true}) {
            for (int d = 1; d <= THREAD_MAX_D; d++) out.add(runThread(d, w));
            for (int d = 1; d <= THREAD_MAX_D; d++) out.add(sweepThread(d, w));
        }
        out.add(SWEEP_BLOCK);
        out.add(GRAD_MEAN);
        out.add(GRAD_STEP);
        out.add(RUN_BLOCK);
        out.add(LOSSES_1);
        out.add(LOSSES_8);
        out.add(GRAD_SOFTMAX);
        out.add(RUN_BLOCK_SOFTMAX);
        out.add(LOSSES_SOFTMAX);
        out.add(GRAD_SPARSE);
        out.add(RUN_SPARSE);
        out.add(LOSSES_SPARSE);
        out.add(READ_PROBE);
        out.add(WRITE_PROBE);
        out.add(COPY_PROBE);
        out.add(READ_CHUNK_PROBE);
        out.add(COPY_CHUNK_PROBE);
        return out;
    }
}
