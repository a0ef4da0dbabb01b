package dev.descent.backend;

import dev.descent.model.Params;

/**
 * The mean gradient over a batch, g_w = (1/|B|) Σ r_i x_i and g_b = (1/|B|) Σ r_i (0 without a
 * bias) for each of the model's heads (one, or softmax's k, laid out as {@link Params}), before
 * weight decay, and the batch's mean loss (NaN when it was not asked for).
 *
 * <p>Precision: the float32 backends (cpu, OpenCL, CUDA) sum in float32, in a fixed order (per
 * part, then the parts), so {@code loss} is a float32 value widened to double: its relative error
 * is at most about (rows per part + parts + 2)·2⁻²⁴ of the sum of the absolute losses, not double
 * precision. The reference backend ({@code ref}) accumulates in double. For the full-data loss of a
 * snapshot, {@link Session#losses} adds the parts in double.
 */
public final class Gradient {
    private final Params g;
    private final double loss;

    /** One head's gradient. */
    public Gradient(float[] w, float b, double loss) {
        this(new Params(w, b), loss);
    }

    /** The gradient of every head, in the layout of {@link Params}. */
    public Gradient(Params g, double loss) {
        this.g = g;
        this.loss = loss;
    }

    /** The weights' gradient (of all heads, head by head, when there are several). */
    public float[] w() { return g.w(); }

    /** The bias gradient of the one head. */
    public float b() { return g.b(); }

    /** The gradient as parameters: head c's weights {@code w(c, j)}, its bias {@code b(c)}. */
    public Params packed() { return g; }

    public double loss() { return loss; }

    @Override
    public String toString() { return g + " loss=" + loss; }
}
