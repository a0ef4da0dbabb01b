package dev.descent.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernels} on the JDK's Vector API (incubating: loaded by {@link RowKernels#get()}
 * only when the JVM resolved {@code jdk.incubator.vector}). Lanes of the CPU's preferred width;
 * the margin accumulates lane-wise with fused multiply-adds, then adds the lanes, then the tail.
 */
final class VectorRowKernels implements RowKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public float margin(float[] x, int o, float[] w, int so, int d) {
        int j = 0;
        float s = 0f;
        if (d >= L) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
            for (; j + 2 * L <= d; j += 2 * L) {
                a0 = FloatVector.fromArray(S, x, o + j).fma(FloatVector.fromArray(S, w, so + j), a0);
                a1 = FloatVector.fromArray(S, x, o + j + L).fma(FloatVector.fromArray(S, w, so + j + L), a1);
            }
            for (; j + L <= d; j += L) a0 = FloatVector.fromArray(S, x, o + j).fma(FloatVector.fromArray(S, w, so + j), a0);
            s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        }
        for (; j < d; j++) s += x[o + j] * w[so + j];
        return w[so + d] + s;
    }

    @Override
    public void axpy(float[] acc, int ao, float r, float[] x, int o, int d) {
        int j = 0;
        FloatVector rv = FloatVector.broadcast(S, r);
        for (; j + L <= d; j += L) {
            FloatVector.fromArray(S, x, o + j).fma(rv, FloatVector.fromArray(S, acc, ao + j)).intoArray(acc, ao + j);
        }
        for (; j < d; j++) acc[ao + j] += r * x[o + j];
    }

    @Override
    public String describe() {
        return "vector, " + S.vectorBitSize() + "-bit";
    }
}
