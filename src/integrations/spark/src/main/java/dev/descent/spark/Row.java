package dev.descent.spark;

import java.io.Serializable;

/**
 * One training row as Spark holds it, with a target (a value for regression, 0/1 for the 0/1-label
 * losses), in float32, descent's precision. Dense ({@code cols} null): {@code x} is every feature.
 * Sparse ({@link #sparse}): {@code x} holds the stored values at the 0-based columns {@code cols},
 * strictly increasing; a partition of sparse rows trains in a sparse session (the stored values only),
 * so wide data (text, hashed features) never becomes dense. {@code weight}: the row's example weight
 * (1 unless {@link #weighted}; see descent's {@code Dataset.withWeights}).
 */
public record Row(float[] x, float y, int[] cols, float weight) implements Serializable {
    public Row {
        dev.descent.DescentException.require(Float.isFinite(weight) && weight >= 0, "a row's weight must be finite and at least 0, got " + weight);
        dev.descent.DescentException.require(x != null, "a row needs its features");
        dev.descent.DescentException.require(cols != null || x.length > 0, "a row needs at least one feature");
        dev.descent.DescentException.require(cols == null || cols.length == x.length,
                "a sparse row needs one column per stored value (" + (cols == null ? 0 : cols.length) + " columns, " + x.length + " values)");
    }

    /** A dense row: every feature. */
    public Row(float[] x, float y) {
        this(x, y, null, 1f);
    }

    /** A sparse row: the stored values at their 0-based columns, strictly increasing. */
    public static Row sparse(int[] cols, float[] values, float y) {
        dev.descent.DescentException.require(cols != null && values != null, "a sparse row needs its columns and values");
        return new Row(values, y, cols, 1f);
    }

    /** This row with example weight {@code w}. */
    public Row weighted(float w) {
        return new Row(x, y, cols, w);
    }

    /** Whether the row is sparse. */
    public boolean isSparse() {
        return cols != null;
    }
}
