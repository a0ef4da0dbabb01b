package dev.descent.data;

import dev.descent.DescentException;

import java.util.Arrays;

/**
 * A float32 dataset: features X (n × d), dense row-major or sparse CSR ({@link #sparse(SparseRows)}),
 * and optional targets t (n). Validated once at construction: shapes agree, n ≥ 1, d ≥ 1, every
 * value finite (and, sparse, columns inside 0..d−1 and strictly increasing in each row).
 * The arrays are owned by the dataset; callers must not mutate them afterwards.
 *
 * <p>Every backend takes both layouts behind the same {@code Session} API. A sparse dataset has
 * no dense array: {@link #features()} refuses, {@link #rowsSparse()} gives the CSR arrays.
 */
public final class Dataset {
    private final float[] x;                 // dense row-major, or null when sparse
    private final SparseRows csr;            // sparse rows, or null when dense
    private final float[] t;
    private final float[] wt;                // example weights (n), or null: every row weighs 1
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
        this.csr = null;
        this.t = t;
        this.wt = null;
        this.n = n;
        this.d = d;
    }

    private Dataset(SparseRows s) {
        this.name = s.name();
        this.x = null;
        this.csr = s;
        this.t = s.targets();
        this.wt = null;
        this.n = s.n();
        this.d = s.d();
    }

    private Dataset(Dataset o, float[] weights) {
        this.name = o.name;
        this.x = o.x;
        this.csr = o.csr;
        this.t = o.t;
        this.wt = weights;
        this.n = o.n;
        this.d = o.d;
    }

    /**
     * The same rows with example weights (n, or {@code null} for none: every row weighs 1). A row of weight v
     * counts v times in the objective: the loss is (1/n)·Σ v_i·ℓ_i and a batch's gradient (1/|B|)·Σ_{i∈B} v_i·∇ℓ_i,
     * so plain SGD at batch 1 steps η·v_i·∇ℓ_i (scikit-learn's {@code sample_weight}), and weights of 1 give the
     * unweighted bits. Every weight must be finite and ≥ 0 (all 0 is allowed: such data contribute nothing, as a Spark
     * partition of weight-0 rows; the command line refuses a weights file of zeros).
     */
    public Dataset withWeights(float[] weights) {
        if (weights == null) return wt == null ? this : new Dataset(this, null);
        DescentException.require(weights.length == n, "dataset '" + name + "': " + weights.length + " example weights for " + n + " rows: give one per row");
        for (int i = 0; i < n; i++) {
            float v = weights[i];
            if (!Float.isFinite(v) || v < 0) {
                throw new DescentException("dataset '" + name + "': example weight at row " + (i + 1) + " is " + v
                        + ": weights must be finite and at least 0");
            }
        }
        return new Dataset(this, weights);
    }

    /**
     * A sparse dataset over CSR rows, kept sparse (every backend computes on the stored values
     * only). Validated as the dense constructor validates, plus the CSR layout: offsets start at 0,
     * never decrease and end at nnz; columns lie in 0..d−1, strictly increasing within a row.
     */
    public static Dataset sparse(SparseRows s) {
        String name = s.name();
        int n = s.n(), d = s.d();
        DescentException.require(n >= 1, "dataset '" + name + "' is empty (0 rows): give it at least one row");
        DescentException.require(d >= 1, "dataset '" + name + "' has no feature columns: give it at least one");
        long[] off = s.rowOffsets();
        DescentException.require(off != null && off.length == n + 1 && off[0] == 0,
                "dataset '" + name + "': " + (off == null ? 0 : off.length) + " row offsets for " + n + " rows: give n + 1, the first 0");
        long nnz = off[n];
        float[] t = s.targets();
        DescentException.require(t == null || t.length == n, "dataset '" + name + "': " + (t == null ? 0 : t.length) + " targets for " + n + " rows");
        for (int i = 0; i < n; i++) {                        // every offset first: a later row's offset bounds an earlier row's reads
            long a = off[i], e = off[i + 1];
            if (e < a || e > nnz) {
                throw new DescentException("dataset '" + name + "': row " + (i + 1) + (e < a ? " ends before it starts" : " ends past the stored values")
                        + " (offsets " + a + ", " + e + "; " + nnz + " stored)");
            }
        }
        int[] sr = s.segmentRows();
        int[][] cs = s.colSegments();
        float[][] vs = s.valSegments();
        int segs = cs == null ? 0 : cs.length;
        DescentException.require(segs >= 1 && vs != null && vs.length == segs && sr != null && sr.length == segs + 1 && sr[0] == 0 && sr[segs] == n,
                "dataset '" + name + "': " + segs + " column segments, " + (vs == null ? 0 : vs.length) + " value segments and "
                        + (sr == null ? 0 : sr.length) + " segment bounds for " + n + " rows: give as many of each, the bounds from row 0 to n");
        for (int k = 0; k < segs; k++) {
            DescentException.require(sr[k] <= sr[k + 1], "dataset '" + name + "': segment " + k + " ends (row " + sr[k + 1] + ") before it starts (row " + sr[k] + ")");
            long span = off[sr[k + 1]] - off[sr[k]];
            int[] cols = cs[k];
            float[] vals = vs[k];
            DescentException.require(cols != null && vals != null && cols.length == span && vals.length == span,
                    "dataset '" + name + "': " + (segs == 1 ? "the last row offset says " : "the row offsets give segment " + k + " ") + span + " stored values, but there are "
                            + (cols == null ? 0 : cols.length) + " columns and " + (vals == null ? 0 : vals.length) + " values");
            long b = off[sr[k]];
            for (int i = sr[k]; i < sr[k + 1]; i++) {
                int prev = -1;
                for (int q = (int) (off[i] - b), e = (int) (off[i + 1] - b); q < e; q++) {
                    int c = cols[q];
                    if (c <= prev || c >= d) {
                        throw new DescentException("dataset '" + name + "': row " + (i + 1) + " stores column " + (c + 1) + (c >= d
                                ? ", beyond its " + d + " features" : " after column " + (prev + 1) + ": give each row's columns once, in increasing order"));
                    }
                    if (!Float.isFinite(vals[q])) {
                        throw new DescentException("dataset '" + name + "': feature at row " + (i + 1) + ", column " + (c + 1) + " is " + vals[q]
                                + ": remove or impute non-finite values");
                    }
                    prev = c;
                }
            }
        }
        int badT = t == null ? -1 : firstNonFinite(t);
        if (badT >= 0) {
            throw new DescentException("dataset '" + name + "': target at row " + (badT + 1) + " is " + t[badT] + ": remove or impute non-finite values");
        }
        return new Dataset(s);
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

    /** Whether the rows are stored sparse (CSR): then {@link #rowsSparse()} holds them and {@link #features()} refuses. */
    public boolean isSparse() { return csr != null; }

    /** The CSR rows of a sparse dataset (shared, not copied: read only), or {@code null} when dense. */
    public SparseRows rowsSparse() { return csr; }

    /** Stored feature values: n·d dense, nnz sparse. */
    public long stored() { return csr != null ? csr.nnz() : (long) n * d; }

    /** The row-major features (shared, not copied: read only); refused for a sparse dataset. */
    public float[] features() {
        if (x == null) {
            throw new DescentException("dataset '" + name + "' is sparse (" + n + " × " + d + ", " + csr.nnz()
                    + " stored values): this operation needs dense rows; use the sparse path (train and predict take sparse data), or densify a narrow file");
        }
        return x;
    }

    /** The dense dataset with the same values (absent ones 0); a dense dataset returns itself. Refused when too large for one array. */
    public Dataset dense() {
        return csr == null ? this : csr.toDense().withWeights(wt);
    }

    /** The targets (shared, not copied: read only), or {@code null}. */
    public float[] targets() { return t; }

    /** The example weights (shared, not copied: read only), or {@code null} when every row weighs 1 ({@link #withWeights}). */
    public float[] weights() { return wt; }

    public boolean hasWeights() { return wt != null; }

    /** Row {@code row}'s example weight: 1 without weights. */
    public float weight(int row) { return wt == null ? 1f : wt[row]; }

    public float x(int row, int col) {
        if (x != null) return x[row * d + col];
        return csr.value(row, col);
    }
    public float t(int row) { return t == null ? 0f : t[row]; }

    /** Bytes the features and targets occupy: float32 dense; sparse, values and column indices (4 bytes each) and 64-bit row offsets. */
    public long bytes() {
        long feats = csr != null ? 8L * csr.nnz() + 8L * (n + 1) : 4L * n * d;
        return feats + (t == null ? 0 : 4L * n) + (wt == null ? 0 : 4L * n);
    }

    /** Rows [from, from+count) as a new dataset (sparse stays sparse). */
    public Dataset rows(int from, int count) {
        Dataset r = rowsUnweighted(from, count);
        return wt == null ? r : new Dataset(r, Arrays.copyOfRange(wt, from, from + count));    // a slice may weigh 0 throughout
    }

    private Dataset rowsUnweighted(int from, int count) {
        if (csr != null) return sparse(csr.slice(from, count));
        return new Dataset(name, Arrays.copyOfRange(x, from * d, (from + count) * d),
                t == null ? null : Arrays.copyOfRange(t, from, from + count), count, d);
    }

    @Override
    public String toString() {
        return name + " (" + n + " × " + d + (csr != null ? ", sparse, " + csr.nnz() + " stored" : "") + (t == null ? ", no targets" : "") + (wt == null ? "" : ", weighted") + ")";
    }
}
