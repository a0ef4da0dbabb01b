package dev.descent.spark;

import java.io.Serializable;

/**
 * One training row as Spark holds it: dense features and a target (a value for regression, 0/1 for the
 * 0/1-label losses). Rows keep float32, descent's precision.
 */
public record Row(float[] x, float y) implements Serializable {
    public Row {
        dev.descent.DescentException.require(x != null && x.length > 0, "a row needs at least one feature");
    }
}
