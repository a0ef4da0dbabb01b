package dev.descent.backend.cpu;

/**
 * The two per-row loops of the cpu backend: a margin (x·w + b) and a scaled add (acc += r·x).
 * {@link #SCALAR} is plain Java in a fixed order; where the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (the launcher does so under {@code DESCENT_VECTOR=1}),
 * {@link #get()} returns {@code VectorRowKernels}, the same loops on the JDK's Vector API with
 * the CPU's widest lanes. Each is deterministic on a given machine; they differ from each other
 * in the order of the float sums, so a run and its resume must use the same one (the backend's
 * device line names it). Public so that the sweep engine runs the very same loops per model.
 */
public interface RowKernels {
    /** The margin of the row at x[o …] for the parameters at w[so …] (d weights, then b). */
    float margin(float[] x, int o, float[] w, int so, int d);

    /** acc[ao … ao + d) += r · x[o … o + d). */
    void axpy(float[] acc, int ao, float r, float[] x, int o, int d);

    /** In words, for the device line: "scalar" or "vector, 256-bit". */
    String describe();

    /** Four accumulators in a fixed pattern; the update as a plain loop. */
    RowKernels SCALAR = new RowKernels() {
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

        @Override
        public String describe() {
            return "scalar";
        }
    };

    /** The vector kernels when the JVM offers the Vector API (and -Ddescent.cpu.vector=false is not set), else scalar. */
    static RowKernels get() {
        if (Boolean.getBoolean("descent.cpu.scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return SCALAR;
        try {
            return (RowKernels) Class.forName("dev.descent.backend.cpu.VectorRowKernels").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return SCALAR;
        }
    }
}
