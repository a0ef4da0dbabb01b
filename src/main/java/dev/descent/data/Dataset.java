package dev.descent.data;

import dev.descent.DescentException;

import java.util.Arrays;

/**
 * A dense float32 dataset: features X (n × d, row-major) and optional targets t (n).
 * Validated once at construction: shapes agree, n ≥ 1, d ≥ 1, every value finite.
 * The arrays are owned by the dataset; callers must not mutate them afterwards.
 */
public final class Dataset {
    private final float[] x;
    private final float[] t;
    private final int n;
    private final int d;
    private final String name;

    /**
     * @param x row-major features, length n·d
     * @param t targets, length n, or {@code null} for an objective without targets
     */
    public Dataset(String name, float[] x, float[] t, int n, int d) {
        DescentException.require(n >= 1, "dataset '" + name + "' is empty (0 rows): give it at least one row");
        DescentException.require(d >= 1, "dataset '" + name + "' has no feature columns: give it at least one");
        DescentException.require((long) n * d <= Integer.MAX_VALUE - 8,
                "dataset '" + name + "' has n·d = " + ((long) n * d) + " values, over the 2^31 limit of one array");
        DescentException.require(x != null && x.length == n * d,
                "dataset '" + name + "': features have " + (x == null ? 0 : x.length) + " values, expected n·d = " + n + "·" + d);
        DescentException.require(t == null || t.length == n,
                "dataset '" + name + "': " + (t == null ? 0 : t.length) + " targets for " + n + " rows");
        int badX = firstNonFinite(x), badT = t == null ? -1 : firstNonFinite(t);
        if (badX >= 0 && (badT < 0 || badX / d <= badT)) {     // the first in row order; a row's features before its target
            throw new DescentException("dataset '" + name + "': feature at row " + (badX / d + 1) + ", column " + (badX % d + 1)
                    + " is " + x[badX] + ": remove or impute non-finite values");
        }
        if (badT >= 0) {
            throw new DescentException("dataset '" + name + "': target at row " + (badT + 1) + " is " + t[badT]
                    + ": remove or impute non-finite values");
        }
        this.name = name;
        this.x = x;
        this.t = t;
        this.n = n;
        this.d = d;
    }

    /** The index of the first NaN or infinity in {@code a}, or −1 (one flat loop: it compiles early and vectorizes). */
    private static int firstNonFinite(float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) return i;
        }
        return -1;
    }

    public String name() { return name; }
    public int n() { return n; }
    public int d() { return d; }
    public boolean hasTargets() { return t != null; }

    /** The row-major features (shared, not copied: read only). */
    public float[] features() { return x; }

    /** The targets (shared, not copied: read only), or {@code null}. */
    public float[] targets() { return t; }

    public float x(int row, int col) { return x[row * d + col]; }
    public float t(int row) { return t == null ? 0f : t[row]; }

    /** Bytes the features and targets occupy as float32. */
    public long bytes() { return 4L * n * d + (t == null ? 0 : 4L * n); }

    /** Rows [from, from+count) as a new dataset. */
    public Dataset rows(int from, int count) {
        return new Dataset(name, Arrays.copyOfRange(x, from * d, (from + count) * d),
                t == null ? null : Arrays.copyOfRange(t, from, from + count), count, d);
    }

    @Override
    public String toString() {
        return name + " (" + n + " × " + d + (t == null ? ", no targets" : "") + ")";
    }
}
