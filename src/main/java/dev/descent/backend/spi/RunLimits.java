package dev.descent.backend.spi;

/** The limits that choose a launch path, named once with their reasons (both device backends use them). */
public final class RunLimits {
    private RunLimits() {}

    /** A one-work-group run keeps each batch row's residual and index in local memory: at most this many rows. */
    public static final int ONE_GROUP_MAX_BATCH = 1024;

    /**
     * Past this many values per step (batch · d) one step has work for several compute units, so a
     * launch pair per step (all of them busy) beats one work-group walking the steps.
     */
    public static final long ONE_GROUP_MAX_VALUES = 1L << 15;

    /** On a CPU device the one-work-item run (run_steps_cpu) is used up to this many values per step; past it, all cores. */
    public static final long CPU_ONE_ITEM_MAX_VALUES = 1L << 16;

    /**
     * Work-items per group of run_steps_block on devices that are not GPUs: PoCL 5 corrupted the heap
     * with 64 or more (seen at d = 1, batch 203: fine at 32, SIGSEGV or malloc abort at 64 and 256).
     */
    public static final int NON_GPU_RUN_GROUP_CAP = 16;

    /**
     * Lanes (models) per work-group of a sweep's lane launch on a CPU device (sweep_steps_cpu): each group reads a
     * batch's rows once for its lanes and the groups run side by side on the cores; kept at PoCL's safe group size
     * for kernels with barriers ({@link #NON_GPU_RUN_GROUP_CAP}).
     */
    public static final int SWEEP_CPU_GROUP = NON_GPU_RUN_GROUP_CAP;

    /**
     * Bytes of batch rows the lanes of a sweep_steps_cpu work-group walk between barriers: small enough to stay in
     * L1 for the group's other lanes, large enough that a lane keeps its numbers in registers for many steps.
     */
    public static final long SWEEP_CPU_WINDOW_BYTES = Long.getLong("descent.sweep.cpuWindowBytes", 16 << 10);

    /** The most optimizer state slots per parameter (kernels/common/rules.h DESCENT_MAX_SLOTS). */
    public static final int MAX_STATE_SLOTS = 4;

    /** Work-items per group of run_steps_block on GPUs. */
    public static final int GPU_RUN_GROUP_CAP = 256;

    /** Whether a run of batches of {@code batch} rows of d features goes to one work-group (run_steps_block). */
    public static boolean oneBlock(int batch, int d) {
        return batch <= ONE_GROUP_MAX_BATCH && (long) batch * d <= ONE_GROUP_MAX_VALUES;
    }

    /**
     * Work-items per group of the sparse kernels on GPUs (kernels/common/sparse.h: DESCENT_SPARSE_GROUP, the
     * group-sum's shared array). A run of steps is the same bits for every group size; a gradient's loss is
     * summed in a tree over the group, so a backend keeps one size.
     */
    public static final int SPARSE_GPU_GROUP = 256;

    /** Sparse rows, one work-group walking the steps: batches up to this many rows (each row added after a barrier). */
    public static final int SPARSE_ONE_GROUP_MAX_BATCH = 1024;

    /** Rows per work-group of the sparse gradient at least (a part's dense partial is npar + 1 floats to write and sum). */
    public static final int SPARSE_MIN_ROWS_PER_GROUP = 32;

    /** The sparse gradient's work-groups for a batch of {@code count} rows, at most {@code cap}. */
    public static int sparseGroups(int count, int cap) {
        return Math.max(1, Math.min(cap, (count + SPARSE_MIN_ROWS_PER_GROUP - 1) / SPARSE_MIN_ROWS_PER_GROUP));
    }

    /** Parts (work-groups) of the sparse full-data loss over n rows: a row per work-item of a {@code group}-item group, at most {@code cap}. */
    public static int sparseLossParts(int n, int group, int cap) {
        return Math.max(1, Math.min(cap, (n + group - 1) / group));
    }

    /** The sparse kernels' group size on a device: {@link #SPARSE_GPU_GROUP} on GPUs, {@link #NON_GPU_RUN_GROUP_CAP} elsewhere (PoCL). */
    public static int sparseGroup(boolean gpu) {
        return gpu ? SPARSE_GPU_GROUP : NON_GPU_RUN_GROUP_CAP;
    }
}
