package dev.descent.model;

import java.util.Arrays;

/** Model parameters: weights w (length d) and bias b, in float32 as the devices hold them. */
public record Params(float[] w, float b) {
    public Params {
        w = w.clone();
    }

    public static Params zeros(int d) {
        return new Params(new float[d], 0f);
    }

    @Override
    public float[] w() { return w.clone(); }

    public int d() { return w.length; }

    public float w(int j) { return w[j]; }

    public boolean isFinite() {
        if (!Float.isFinite(b)) return false;
        for (float v : w) if (!Float.isFinite(v)) return false;
        return true;
    }

    /** Packs as [w_0 … w_{d−1}, b], the layout of device snapshots. */
    public float[] packed() {
        float[] p = Arrays.copyOf(w, w.length + 1);
        p[w.length] = b;
        return p;
    }

    /** The k-th snapshot of a packed array of snapshots of d+1 floats each. */
    public static Params unpack(float[] packed, int k, int d) {
        int o = k * (d + 1);
        return new Params(Arrays.copyOfRange(packed, o, o + d), packed[o + d]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && Float.compare(p.b, b) == 0 && Arrays.equals(p.w, w);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(w) + Float.hashCode(b); }

    @Override
    public String toString() { return "w=" + Arrays.toString(w) + " b=" + b; }
}
