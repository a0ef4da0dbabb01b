package dev.descent.sweep;

import java.util.Arrays;

/**
 * The cpu backend's two row loops (a margin x·w + b and a scaled add acc += r·x, in
 * {@code dev.descent.backend.cpu.RowKernels}) for k models at once, each model's floats added in
 * exactly the order of the kernel the cpu backend picked, so that a model in a sweep gets the bits
 * it gets alone.
 *
 * <p><b>Layout.</b> Parameters are held parameter-major, {@code w[j·k + l]} for parameter j
 * (d weights, then the bias at j = d) of lane l: the k models' values of one parameter are
 * contiguous. A row's feature x_j is then one scalar broadcast against a contiguous run of k
 * weights, so the inner loops run over lanes, have no horizontal reduction and are vectorized by
 * the JIT; and each model keeps its own partial sums in the same positions the single-model kernel
 * keeps them (four accumulators for the scalar kernel, 2·L lanes for the Vector API one), which is
 * what makes bit-identity possible. A model-major [k][d + 1] layout would vectorize along d, which
 * does nothing at d = 2 and needs a horizontal sum per model per row; for wide rows it is the better
 * one, and the engine uses it there (d ≥ {@code Engine.MODEL_MAJOR_D}, with {@link RowOps}).
 *
 * <p>The two orders copied here (keep them in step with {@code RowKernels.SCALAR} and
 * {@code VectorRowKernels}):
 * <ul>
 *   <li>scalar: s_{j mod 4} += x_j·w_j (not fused) over whole fours, the tail into s₀, then
 *       b + ((s₀ + s₁) + (s₂ + s₃)); axpy acc_j += r·x_j, not fused.</li>
 *   <li>vector, L lanes: for d ≥ L, lane-wise fused multiply-adds into a₀ (j mod 2L &lt; L) and
 *       a₁ over whole 2L chunks, one more L chunk into a₀, then Σ_i (a₀[i] + a₁[i]) from 0 in lane
 *       order (HotSpot's x86 AddReductionVF and the Java fallback both add the lanes in order);
 *       then the tail s += x_j·w_j not fused; then b + s. axpy fused over whole L chunks, the tail
 *       not fused.</li>
 * </ul>
 */
final class LaneKernels {
    /** The lane loops: on the Vector API where the JVM has it (the same bits either way). */
    static final LaneOps OPS = LaneOps.get();
    /** Which kernel: lanes 0 for the scalar one, else the Vector API's preferred float lane count. */
    final int vectorLanes;
    final int d;
    private final int fusedAxpy;       // axpy positions j < fusedAxpy use a fused multiply-add
    private final int twoChunks;       // vector margin: end of the whole 2L chunks
    private final int chunks;          // vector margin: end of the whole L chunks

    LaneKernels(int d, int vectorLanes) {
        this.d = d;
        this.vectorLanes = vectorLanes;
        int L = vectorLanes;
        this.fusedAxpy = L == 0 ? 0 : d / L * L;
        this.twoChunks = L == 0 ? 0 : d / (2 * L) * (2 * L);
        this.chunks = L == 0 ? 0 : d / L * L;
    }

    /** The kernels the cpu backend uses in this JVM: the same rule as RowKernels.get(). */
    static LaneKernels forCpuBackend(int d) {
        return new LaneKernels(d, cpuVectorLanes());
    }

    /**
     * 0 when the cpu backend's row kernels are scalar, else their lane count: RowKernels.get() takes
     * the Vector API kernels unless -Ddescent.cpu.scalar is set or the JVM lacks jdk.incubator.vector.
     * Read by reflection so that this package does not need the incubator module to load.
     */
    static int cpuVectorLanes() {
        if (Boolean.getBoolean("descent.cpu.scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return 0;
        try {
            Object species = Class.forName("jdk.incubator.vector.FloatVector").getField("SPECIES_PREFERRED").get(null);
            return (Integer) Class.forName("jdk.incubator.vector.VectorSpecies").getMethod("length").invoke(species);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return 0;
        }
    }

    /** Floats of scratch {@link #margins} needs for k lanes. */
    int scratch(int k) {
        return (vectorLanes == 0 ? 4 : 2 * vectorLanes) * k;
    }

    /** In words: "scalar" or "vector, 8 lanes". */
    String describe() {
        return (vectorLanes == 0 ? "scalar" : "vector, " + vectorLanes + " lanes") + " row order; lane loops "
                + (OPS == LaneOps.SCALAR ? "scalar" : "on the Vector API");
    }

    /**
     * out[l] = x[o … o + d)·w_l + b_l for lanes l in [0, k): w is (d + 1, k), parameter-major.
     *
     * @param out written, k floats
     * @param acc scratch, {@link #scratch}(k) floats, overwritten
     */
    void margins(float[] x, int o, float[] w, int k, float[] out, float[] acc) {
        if (vectorLanes == 0) scalarMargins(x, o, w, k, out, acc);
        else vectorMargins(x, o, w, k, out, acc);
    }

    private void scalarMargins(float[] x, int o, float[] w, int k, float[] out, float[] acc) {
        Arrays.fill(acc, 0, 4 * k, 0f);
        int j = 0;
        for (; j + 3 < d; j += 4) {
            for (int q = 0; q < 4; q++) {
                float xj = x[o + j + q];
                int wb = (j + q) * k, ab = q * k;
                OPS.mulAdd(acc, ab, xj, w, wb, 0, k);
            }
        }
        for (; j < d; j++) OPS.mulAdd(acc, 0, x[o + j], w, j * k, 0, k);
        int bb = d * k;
        for (int l = 0; l < k; l++) out[l] = w[bb + l] + ((acc[l] + acc[k + l]) + (acc[2 * k + l] + acc[3 * k + l]));
    }

    private void vectorMargins(float[] x, int o, float[] w, int k, float[] out, float[] acc) {
        int L = vectorLanes;
        Arrays.fill(out, 0, k, 0f);
        if (d >= L) {
            Arrays.fill(acc, 0, 2 * L * k, 0f);
            for (int j = 0; j < chunks; j++) {
                float xj = x[o + j];
                int wb = j * k, ab = (j < twoChunks ? j % (2 * L) : j - twoChunks) * k;
                OPS.fma(acc, ab, xj, w, wb, 0, k);
            }
            for (int i = 0; i < L; i++) OPS.addPair(out, acc, i * k, (L + i) * k, k);   // a0 + a1 lane-wise, then the lanes in order from 0
        }
        for (int j = chunks; j < d; j++) OPS.mulAdd(out, 0, x[o + j], w, j * k, 0, k);
        int bb = d * k;
        for (int l = 0; l < k; l++) out[l] = w[bb + l] + out[l];
    }

    /**
     * g[j·k + l] += r[l]·x[o + j] for j &lt; d and g[d·k + l] += r[l] (the bias's sum of residuals),
     * for lanes l in [l0, k).
     *
     * @param g modified, (d + 1, k)
     */
    void axpy(float[] g, float[] r, float[] x, int o, int l0, int k) {
        for (int j = 0; j < d; j++) {
            float xj = x[o + j];
            int gb = j * k;
            if (j < fusedAxpy) OPS.fma(g, gb, xj, r, 0, l0, k);
            else OPS.mulAdd(g, gb, xj, r, 0, l0, k);
        }
        int bb = d * k;
        for (int l = l0; l < k; l++) g[bb + l] += r[l];
    }
}
