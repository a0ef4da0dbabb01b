package dev.descent.backend;

/**
 * The mean gradient over a batch, g_w = (1/|B|) Σ r_i x_i and g_b = (1/|B|) Σ r_i (0 without a
 * bias), before weight decay, and the batch's mean loss (NaN when it was not asked for).
 */
public record Gradient(float[] w, float b, double loss) {
    public Gradient {
        w = w.clone();
    }

    @Override
    public float[] w() { return w.clone(); }
}
