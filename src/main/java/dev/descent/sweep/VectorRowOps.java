package dev.descent.sweep;

import dev.descent.backend.cpu.RowKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowOps} with CpuSession.sgdOne's weight loop on the JDK's Vector API (element-wise, so the
 * same bits as the scalar loop) beside the cpu backend's own vector row kernels, loaded by
 * {@link RowOps#forCpuBackend()} only when the cpu backend uses those.
 */
final class VectorRowOps implements RowOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private final RowKernels k;

    VectorRowOps(RowKernels k) {
        this.k = k;
    }

    @Override
    public float margin(float[] x, int o, float[] w, int so, int d) {
        return k.margin(x, o, w, so, d);
    }

    @Override
    public void axpy(float[] acc, int ao, float r, float[] x, int o, int d) {
        k.axpy(acc, ao, r, x, o, d);
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
}
