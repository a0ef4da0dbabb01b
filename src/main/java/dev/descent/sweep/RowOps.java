package dev.descent.sweep;

/**
 * The cpu backend's two row loops for one model whose parameters are contiguous (d weights, then
 * the bias): copies of {@code dev.descent.backend.cpu.RowKernels.SCALAR} and
 * {@code dev.descent.backend.cpu.VectorRowKernels} (package-private there), in exactly their order,
 * so that the sweep's model-major path (see {@code Engine}) gives a model the bits it gets alone by
 * construction. Keep these in step with those two classes.
 */
interface RowOps {
    /** The margin of the row at x[o …] for the parameters at w[so …] (d weights, then b): RowKernels.margin. */
    float margin(float[] x, int o, float[] w, int so, int d);

    /** acc[ao … ao + d) += r · x[o … o + d): RowKernels.axpy. */
    void axpy(float[] acc, int ao, float r, float[] x, int o, int d);

    /**
     * CpuSession.sgdOne's weight loop: w[so + j] ← w[so + j] − step·x[o + j] (not fused) for j &lt; d;
     * false when one written weight is not finite. Element-wise, so any vectorization gives the same bits.
     */
    default boolean sgd(float[] w, int so, float step, float[] x, int o, int d) {
        int big = 0;                                    // the largest |w| written, as bits: ≥ 0x7f800000 once one is not finite
        for (int j = 0; j < d; j++) {
            float nw = w[so + j] - step * x[o + j];
            w[so + j] = nw;
            big = Math.max(big, Float.floatToRawIntBits(nw) & 0x7fffffff);
        }
        return big < 0x7f800000;
    }

    /** RowKernels.SCALAR: four accumulators in a fixed pattern; the update as a plain loop. */
    RowOps SCALAR = new RowOps() {
        @Override
        public float margin(float[] x, int o, float[] w, int so, int d) {
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int j = 0;
            for (; j + 3 < d; j += 4) {
                s0 += x[o + j] * w[so + j];
                s1 += x[o + j + 1] * w[so + j + 1];
                s2 += x[o + j + 2] * w[so + j + 2];
                s3 += x[o + j + 3] * w[so + j + 3];
            }
            for (; j < d; j++) s0 += x[o + j] * w[so + j];
            return w[so + d] + ((s0 + s1) + (s2 + s3));
        }

        @Override
        public void axpy(float[] acc, int ao, float r, float[] x, int o, int d) {
            for (int j = 0; j < d; j++) acc[ao + j] += r * x[o + j];
        }
    };

    /** The loops the cpu backend uses in this JVM: RowKernels.get()'s rule (see {@link LaneKernels#cpuVectorLanes()}). */
    static RowOps forCpuBackend() {
        if (LaneKernels.cpuVectorLanes() == 0) return SCALAR;
        try {
            return (RowOps) Class.forName("dev.descent.sweep.VectorRowOps").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the cpu backend uses the Vector API row kernels but the sweep cannot load its copy", e);
        }
    }
}
