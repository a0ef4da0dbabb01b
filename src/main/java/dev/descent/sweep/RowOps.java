package dev.descent.sweep;

import dev.descent.backend.cpu.RowKernels;

/**
 * The cpu backend's two row loops for one model whose parameters are contiguous (d weights, then
 * the bias): its own {@link RowKernels} ({@code RowKernels.get()}, the very instance kind the cpu
 * backend uses in this JVM), so that the sweep's model-major path (see {@code Engine}) gives a model
 * the bits it gets alone by construction; plus CpuSession.sgdOne's weight loop, on the Vector API
 * when the row kernels are ({@link VectorRowOps}).
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

    /** The row loops of {@code k}, with the scalar weight loop. */
    static RowOps of(RowKernels k) {
        return new RowOps() {
            @Override
            public float margin(float[] x, int o, float[] w, int so, int d) {
                return k.margin(x, o, w, so, d);
            }

            @Override
            public void axpy(float[] acc, int ao, float r, float[] x, int o, int d) {
                k.axpy(acc, ao, r, x, o, d);
            }
        };
    }

    /** The loops the cpu backend uses in this JVM: RowKernels.get(), with the weight loop on the Vector API when those are. */
    static RowOps forCpuBackend() {
        RowKernels k = RowKernels.get();
        if (k == RowKernels.SCALAR) return of(k);
        try {
            return (RowOps) Class.forName("dev.descent.sweep.VectorRowOps").getDeclaredConstructor(RowKernels.class).newInstance(k);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the cpu backend uses the Vector API row kernels but the sweep cannot load its weight loop", e);
        }
    }
}
