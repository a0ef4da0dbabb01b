package dev.descent.sweep;

/**
 * The element-wise loops over a run of k lanes that {@link LaneKernels} and the engine are made of.
 * Every operation is lane-wise (no sum across lanes), so a vector implementation gives the same
 * bits as the scalar one: IEEE float add, multiply and fused multiply-add round each lane alone.
 * {@link #get()} picks the Vector API version when the JVM has it (C2 does not vectorize these
 * loops by itself: their two loop-invariant offsets into arrays defeat its alignment analysis).
 */
interface LaneOps {
    /** a[ao + l] = fma(s, b[bo + l], a[ao + l]). */
    void fma(float[] a, int ao, float s, float[] b, int bo, int from, int to);

    /** a[ao + l] += s·b[bo + l] (not fused). */
    void mulAdd(float[] a, int ao, float s, float[] b, int bo, int from, int to);

    /** out[l] += a[ao + l] + a[bo + l]. */
    void addPair(float[] out, float[] a, int ao, int bo, int k);

    /** w[wo + l] = w[wo + l] − step[l]·s; z[l] += that − that (0 while finite). */
    void sgdRow(float[] w, int wo, float[] step, float s, float[] z, int k);

    /** Plain Java loops. */
    LaneOps SCALAR = new LaneOps() {
        @Override
        public void fma(float[] a, int ao, float s, float[] b, int bo, int from, int to) {
            for (int l = from; l < to; l++) a[ao + l] = Math.fma(s, b[bo + l], a[ao + l]);
        }

        @Override
        public void mulAdd(float[] a, int ao, float s, float[] b, int bo, int from, int to) {
            for (int l = from; l < to; l++) a[ao + l] += s * b[bo + l];
        }

        @Override
        public void addPair(float[] out, float[] a, int ao, int bo, int k) {
            for (int l = 0; l < k; l++) out[l] += a[ao + l] + a[bo + l];
        }

        @Override
        public void sgdRow(float[] w, int wo, float[] step, float s, float[] z, int k) {
            for (int l = 0; l < k; l++) {
                float nw = w[wo + l] - step[l] * s;
                w[wo + l] = nw;
                z[l] += nw - nw;
            }
        }
    };

    /** The Vector API version when the JVM resolved jdk.incubator.vector, else {@link #SCALAR}. */
    static LaneOps get() {
        if (Boolean.getBoolean("descent.sweep.scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return SCALAR;
        try {
            return (LaneOps) Class.forName("dev.descent.sweep.VectorLaneOps").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return SCALAR;
        }
    }
}
