package dev.descent.sweep;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LaneOps} on the JDK's Vector API, lanes along the models (loaded by {@link LaneOps#get()}
 * only when the JVM resolved jdk.incubator.vector). Lane-wise operations only, then the same loop
 * in plain Java for the last k mod L lanes, so the bits are {@link LaneOps#SCALAR}'s.
 */
final class VectorLaneOps implements LaneOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public void fma(float[] a, int ao, float s, float[] b, int bo, int from, int to) {
        int l = from;
        FloatVector sv = FloatVector.broadcast(S, s);
        for (; l + L <= to; l += L) sv.fma(FloatVector.fromArray(S, b, bo + l), FloatVector.fromArray(S, a, ao + l)).intoArray(a, ao + l);
        for (; l < to; l++) a[ao + l] = Math.fma(s, b[bo + l], a[ao + l]);
    }

    @Override
    public void mulAdd(float[] a, int ao, float s, float[] b, int bo, int from, int to) {
        int l = from;
        FloatVector sv = FloatVector.broadcast(S, s);
        for (; l + L <= to; l += L) FloatVector.fromArray(S, a, ao + l).add(sv.mul(FloatVector.fromArray(S, b, bo + l))).intoArray(a, ao + l);
        for (; l < to; l++) a[ao + l] += s * b[bo + l];
    }

    @Override
    public void addPair(float[] out, float[] a, int ao, int bo, int k) {
        int l = 0;
        for (; l + L <= k; l += L) {
            FloatVector.fromArray(S, out, l).add(FloatVector.fromArray(S, a, ao + l).add(FloatVector.fromArray(S, a, bo + l))).intoArray(out, l);
        }
        for (; l < k; l++) out[l] += a[ao + l] + a[bo + l];
    }

    @Override
    public void sgdRow(float[] w, int wo, float[] step, float s, float[] z, int k) {
        int l = 0;
        FloatVector sv = FloatVector.broadcast(S, s);
        for (; l + L <= k; l += L) {
            FloatVector nw = FloatVector.fromArray(S, w, wo + l).sub(FloatVector.fromArray(S, step, l).mul(sv));
            nw.intoArray(w, wo + l);
            FloatVector.fromArray(S, z, l).add(nw.sub(nw)).intoArray(z, l);
        }
        for (; l < k; l++) {
            float nw = w[wo + l] - step[l] * s;
            w[wo + l] = nw;
            z[l] += nw - nw;
        }
    }
}
