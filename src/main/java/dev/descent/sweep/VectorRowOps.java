package dev.descent.sweep;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowOps} on the JDK's Vector API: a copy of {@code dev.descent.backend.cpu.VectorRowKernels}
 * (package-private there), the same species and the same order, loaded by
 * {@link RowOps#forCpuBackend()} only when the cpu backend uses that class.
 */
final class VectorRowOps implements RowOps {
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
    public boolean sgd(float[] w, int so, float step, float[] x, int o, int d) {
        int j = 0;
        FloatVector sv = FloatVector.broadcast(S, step), z = FloatVector.zero(S);
        for (; j + L <= d; j += L) {
            FloatVector nw = FloatVector.fromArray(S, w, so + j).sub(sv.mul(FloatVector.fromArray(S, x, o + j)));
            nw.intoArray(w, so + j);
            z = z.add(nw.sub(nw));                      // 0 while every weight is finite, NaN after
        }
        boolean finite = z.reduceLanes(VectorOperators.ADD) == 0f;
        for (; j < d; j++) {
            float nw = w[so + j] - step * x[o + j];
            w[so + j] = nw;
            finite &= Float.isFinite(nw);
        }
        return finite;
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
}
