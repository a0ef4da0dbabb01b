package dev.descent.sweep;

/**
 * The sweep's row loops over blocks of {@link #width()} models at once, for the parameter-major
 * (d + 1, kp) layout ({@code w[j·kp + l]}, kp a multiple of the width): one vector holds one
 * parameter of a block of models, and every operation is lane-wise, so lane l computes exactly the
 * float operations of the cpu backend's row kernels for its model alone, in their order (the
 * margin's partial sums as independent chains, see {@code VectorBlockOps}). The bits are therefore the
 * lone run's. Each row is read once and, while it is in L1, every block of models takes its margin,
 * its residual and its update or gradient with its partial sums in registers: the per-feature,
 * per-lane-run calls of {@link LaneKernels} (accumulators in memory) are gone.
 *
 * <p>Order of use: {@link #margins} → {@link #residuals} → {@link #sgd} (batch 1, plain SGD) or
 * {@link #axpy} (a batch's gradient) → after the batch {@link #sgdUpdate} for the plain-SGD lanes;
 * {@link #lossRows} (margins, then {@link #addLosses}) for the recorded losses.
 *
 * <p>Only on the Vector API ({@link #get} gives null without it; the engine then keeps the
 * {@link LaneKernels} and model-major paths).
 */
interface BlockOps {
    /** Models per block: the Vector API's preferred float lane count. */
    int width();

    /**
     * out[l] = x[o … o + d)·w_l + b_l for every lane l in [0, kp), in the cpu backend's row order.
     *
     * @param w read, (d + 1, kp)
     * @param out written, kp floats
     */
    void margins(float[] x, int o, float[] w, int kp, float[] out);

    /**
     * r[l] = dℓ/dm(m[l], t) for l in [0, kp) (FloatLosses.dloss; the squared loss on vectors).
     *
     * @param r written, kp floats
     */
    void residuals(int obj, float p, float[] m, float t, float[] r, int kp);

    /**
     * CpuSession.sgdOne for the lanes [0, kf): step = lr·r, w_j ← w_j − step·x_j (not fused), the
     * bias b ← b − step with a bias; bad[l] when a parameter of lane l became non-finite.
     *
     * @param w modified, (d + 1, kp)
     * @param bad written for [0, kf)
     */
    void sgd(float[] w, int kp, float[] lr, float[] r, float[] x, int o, int kf, boolean bias, boolean[] bad);

    /**
     * g_j += r·x_j (fused where the row kernel's axpy fuses) and g_d += r for the blocks that hold
     * lanes [l0, kp) (lanes of the first such block below l0 are written too; their g is not read).
     *
     * @param g modified, (d + 1, kp)
     */
    void axpy(float[] g, float[] r, float[] x, int o, int l0, int kp);

    /**
     * A batch's gradient sums over order positions [from, to): per row {@link #margins}, {@link #residuals} (times the row's
     * example weight wt, when given) and {@link #axpy} into g for the blocks that hold lanes [l0, kp), rows in order. The
     * parameters do not change within the batch, so an implementation may take several rows' margins in one pass over the
     * weights and several rows' r·x in one pass over g, each sum's operations in row order as here (same bits).
     *
     * @param g modified, (d + 1, kp)
     * @param m scratch, at least {@link #gradientScratch} floats
     * @param r scratch, at least {@link #gradientScratch} floats
     */
    default void gradientRows(int obj, float p, float[] x, float[] t, float[] wt, int[] rows, int from, int to, float[] w, int kp,
                              float[] g, int l0, float[] m, float[] r) {
        int d = rowWidth();
        for (int q = from; q < to; q++) {
            int row = rows[q], o = row * d;
            margins(x, o, w, kp, m);
            residuals(obj, p, m, t == null ? 0f : t[row], r, kp);
            if (wt != null) scale(r, kp, wt[row]);
            axpy(g, r, x, o, l0, kp);
        }
    }

    /** r[l] ·= v for l in [0, kp): a row's residuals times its example weight. */
    static void scale(float[] r, int kp, float v) {
        for (int l = 0; l < kp; l++) r[l] *= v;
    }

    /** Floats of scratch {@link #gradientRows} needs in each of m and r for kp lanes. */
    default int gradientScratch(int kp) {
        return kp;
    }

    /** CpuSession's one-block mean of a parameter-major gradient: g ← (float) (g · inv) in double for lanes [l0, k) of np rows. */
    default void mean(float[] g, int np, int kp, int l0, int k, double inv) {
        scalarMean(g, np, kp, l0, k, inv);
    }

    /** {@link #mean} one float at a time (also the lane loops', which have no BlockOps). */
    static void scalarMean(float[] g, int np, int kp, int l0, int k, double inv) {
        for (int j = 0; j < np; j++) for (int l = l0, b = j * kp; l < k; l++) g[b + l] = (float) (g[b + l] * inv);
    }

    /** d, the features per row. */
    int rowWidth();

    /**
     * Optimizer.stepFloat of plain SGD without decay, L1 or averaging for lanes [0, kf):
     * w ← w − lr·(g + 0·w) on each weight and, with a bias, on the bias; bad[l] when lane l's
     * parameters became non-finite.
     *
     * @param w modified, (d + 1, kp)
     * @param bad written for [0, kf)
     */
    void sgdUpdate(float[] w, float[] g, float[] lr, int kp, int kf, boolean bias, boolean[] bad);

    /**
     * sum[so + l] += (double) ℓ(m[mo + l], t) for l in [0, k) (FloatLosses.loss; the squared loss on vectors).
     *
     * @param sum modified
     */
    void addLosses(int obj, float p, float[] m, int mo, float t, double[] sum, int so, int k);

    /**
     * The recorded losses of rows [from, to) (row i at x[i·d …)) for lanes [0, k): per row {@link #margins} and
     * {@link #addLosses}, rows in order; with example weights wt, v·ℓ in float (CpuSession's weighted loss) added in
     * double. The parameters do not change, so an implementation may take several rows' margins in one pass over the
     * weights (the same bits: each margin's operations in the row kernel's order, each sum's additions in row order).
     *
     * @param sum modified
     * @param m scratch, at least {@link #gradientScratch} floats
     */
    default void lossRows(int obj, float p, float[] x, float[] t, float[] wt, int from, int to, float[] w, int kp, int k,
                          double[] sum, int so, float[] m) {
        int d = rowWidth();
        for (int i = from; i < to; i++) {
            margins(x, i * d, w, kp, m);
            rowLosses(obj, p, m, 0, t == null ? 0f : t[i], wt == null ? 1f : wt[i], wt != null, sum, so, k);
        }
    }

    /** One row's {@link #addLosses} (margins at m[mo …)), or with a weight v·ℓ in float per lane. */
    default void rowLosses(int obj, float p, float[] m, int mo, float t, float v, boolean weighted, double[] sum, int so, int k) {
        if (!weighted) {
            addLosses(obj, p, m, mo, t, sum, so, k);
            return;
        }
        for (int l = 0; l < k; l++) sum[so + l] += v * dev.descent.backend.cpu.FloatLosses.loss(obj, p, m[mo + l], t);
    }

    /** Whether {@link #sgdRun} runs steps for these rows (the Vector API's blocks: every width). */
    default boolean runs() {
        return false;
    }

    /**
     * Whether the rows have at most 4 features whose margin the cpu backend sums as its tail alone
     * (b + (((0 + x_0·w_0) + x_1·w_1) + …), unfused), so {@link #sgdRun} keeps a block's weights in registers across rows;
     * wider rows take each step's update and the next row's margin in one pass over the weights.
     */
    default boolean narrow() {
        return false;
    }

    /**
     * Batch-1 plain SGD of the squared loss, the rows at order positions [from, to) one after another, for lanes [0, kf)
     * (every lane of the shard: all plain SGD at constant rates lr), each step exactly {@link #margins}, {@link #residuals}
     * (times the row's example weight wt, when given) and {@link #sgd}. Stops after the first position whose step may have
     * left a lane non-finite (the step applied to every lane), else at {@code to}; returns the exclusive position reached.
     * Only where {@link #runs}.
     *
     * @param w modified, (d + 1, kp)
     */
    default int sgdRun(float[] x, float[] t, float[] wt, int[] rows, int from, int to, float[] w, int kp, float[] lr, int kf, boolean bias) {
        throw new UnsupportedOperationException("no run loop for these rows");
    }

    /**
     * kp for k models: k rounded up to whole blocks, and one block more where 16 or more blocks would make a multiple of 8.
     * A parameter's row of kp floats is then not a multiple of 512 bytes, so the rows of a chunk of lanes do not all fall
     * into the same few L1 sets: at kp = 256 (1 KiB rows) a chunk's weights and gradient used 16 of the 64 sets and evicted
     * each other; at 272 a batch's gradient took 18% less time per model (d = 64, one thread, session 21), more than the
     * padding block's 6% of extra work.
     */
    default int stride(int k) {
        int v = width(), blocks = Math.max(1, (k + v - 1) / v);
        return (blocks >= 16 && blocks % 8 == 0 ? blocks + 1 : blocks) * v;
    }

    /**
     * The blocks for rows of d features with the cpu backend's row order (rowLanes 0: the scalar
     * kernel's four accumulators; else the vector kernel's lane count), or null without the Vector
     * API or under -Ddescent.sweep.blocks=false.
     */
    static BlockOps get(int d, int rowLanes) {
        String on = System.getProperty("descent.sweep.blocks", "true");
        if (!Boolean.parseBoolean(on) || LaneKernels.OPS == LaneOps.SCALAR) return null;
        try {
            return (BlockOps) Class.forName("dev.descent.sweep.VectorBlockOps").getDeclaredConstructor(int.class, int.class).newInstance(d, rowLanes);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
