package dev.descent.model;

import java.util.Arrays;

/**
 * Model parameters in float32, as the devices hold them: for each of the model's k heads (one,
 * or one per class for softmax) d weights and a bias. Packed head by head as
 * [w_0,0 … w_0,d−1, b_0, w_1,0 …], k·(d + 1) floats: the layout of device parameters and snapshots.
 * Head c's weights are row c of the d × k weight matrix's transpose, so each head's dot product
 * reads contiguous memory.
 */
public final class Params {
    private final float[] packed;
    private final int d;
    private final int k;

    /** One head: weights w and bias b. */
    public Params(float[] w, float b) {
        this.d = w.length;
        this.k = 1;
        this.packed = Arrays.copyOf(w, d + 1);
        this.packed[d] = b;
        canonicalNaNs(packed);
    }

    private Params(float[] packed, int d, int k) {
        this.packed = canonicalNaNs(packed);
        this.d = d;
        this.k = k;
    }

    /**
     * A diverged model's NaNs as the one canonical NaN: Java leaves a NaN's sign and payload to the hardware and to the
     * JIT's operand order (JLS 4.2.3), so the same seed may reach differently signed NaNs; its parameters are the same.
     */
    private static float[] canonicalNaNs(float[] a) {
        for (int i = 0; i < a.length; i++) if (a[i] != a[i]) a[i] = Float.NaN;
        return a;
    }

    /** k heads of d weights and a bias from their packed form (k·(d + 1) floats, copied). */
    public static Params ofPacked(float[] packed, int d, int k) {
        if (d < 0 || k < 1 || packed.length != k * (d + 1)) {
            throw new IllegalArgumentException(k + " heads of " + d + " weights need " + k * (d + 1) + " floats, got " + packed.length);
        }
        return new Params(packed.clone(), d, k);
    }

    public static Params zeros(int d) {
        return new Params(new float[d], 0f);
    }

    public static Params zeros(int d, int k) {
        return new Params(new float[k * (d + 1)], d, k);
    }

    /** The weights: of the one head, or of all heads head by head (k·d floats). */
    public float[] w() {
        if (k == 1) return Arrays.copyOf(packed, d);
        float[] w = new float[k * d];
        for (int c = 0; c < k; c++) System.arraycopy(packed, c * (d + 1), w, c * d, d);
        return w;
    }

    /** The bias of the one head (a model with several heads has {@link #b(int)}). */
    public float b() {
        if (k != 1) throw new IllegalStateException("these parameters have " + k + " heads: use b(head)");
        return packed[d];
    }

    /** Features per head. */
    public int d() { return d; }

    /** Heads: 1, or the classes of a softmax model. */
    public int k() { return k; }

    /** Weight j of the one head (or of the head-by-head weights when there are several). */
    public float w(int j) { return k == 1 ? packed[j] : packed[(j / d) * (d + 1) + j % d]; }

    /** Weight j of head c. */
    public float w(int c, int j) { return packed[c * (d + 1) + j]; }

    /** The bias of head c. */
    public float b(int c) { return packed[c * (d + 1) + d]; }

    public boolean isFinite() {
        for (float v : packed) if (!Float.isFinite(v)) return false;
        return true;
    }

    /** Packs head by head as [w, b] per head, the layout of device snapshots (a copy). */
    public float[] packed() {
        return packed.clone();
    }

    /** The i-th snapshot of a packed array of snapshots of d+1 floats each. */
    public static Params unpack(float[] packed, int i, int d) {
        return unpack(packed, i, d, 1);
    }

    /** The i-th snapshot of a packed array of snapshots of k heads, k·(d + 1) floats each. */
    public static Params unpack(float[] packed, int i, int d, int k) {
        int len = k * (d + 1), o = i * len;
        return new Params(Arrays.copyOfRange(packed, o, o + len), d, k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && p.d == d && p.k == k && Arrays.equals(p.packed, packed);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(packed) + k; }

    @Override
    public String toString() {
        if (k == 1) return "w=" + Arrays.toString(Arrays.copyOf(packed, d)) + " b=" + packed[d];
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < k; c++) {
            if (c > 0) s.append("; ");
            s.append("class ").append(c).append(": w=").append(Arrays.toString(Arrays.copyOfRange(packed, c * (d + 1), c * (d + 1) + d)))
                    .append(" b=").append(b(c));
        }
        return s.toString();
    }
}
