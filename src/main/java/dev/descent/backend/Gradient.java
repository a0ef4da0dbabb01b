package dev.descent.backend;

/**
 * The mean gradient over a batch, g_w = (1/|B|) Σ r_i x_i and g_b = (1/|B|) Σ r_i (0 without a
 * bias), before weight decay, and the batch's mean loss (NaN when it was not asked for).
 *
 * <p>Precision: the float32 backends (cpu, OpenCL, CUDA) sum in float32, in a fixed order (per
 * part, then the parts), so {@code loss} is a float32 value widened to double: its relative error
 * is at most about (rows per part + parts + 2)·2⁻²⁴ of the sum of the absolute losses, not double
 * precision. The reference backend ({@code ref}) accumulates in double. For the full-data loss of a
 * snapshot, {@link Session#losses} adds the parts in double.
 */
public record Gradient(float[] w, float b, double loss) {
    public Gradient {
        w = w.clone();
    }

    @Override
    public float[] w() { return w.clone(); }
}
