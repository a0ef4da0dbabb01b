package dev.descent.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FMA peak's loop on the JDK's Vector API, loaded by {@link Roofline#fmaPeak} only where the JVM has the module: ten
 * independent chains of fused multiply-adds on the CPU's widest float vectors, so that the loop waits on no latency and the
 * FMA units are the bound.
 */
final class VectorFmaProbe implements Roofline.FmaLoop {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public int lanes() {
        return S.length();
    }

    @Override
    public float run(int seed, long iters) {
        FloatVector a0 = FloatVector.broadcast(S, 1f + seed), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
        FloatVector m = FloatVector.broadcast(S, 0.999999f), c = FloatVector.broadcast(S, 1e-7f);
        for (long q = 0; q < iters; q++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c); a4 = a4.fma(m, c);
            a5 = a5.fma(m, c); a6 = a6.fma(m, c); a7 = a7.fma(m, c); a8 = a8.fma(m, c); a9 = a9.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).reduceLanes(VectorOperators.ADD);
    }
}
