package dev.descent.data;

import dev.descent.DescentException;

import java.util.Arrays;

/**
 * Sparse rows in CSR form, as {@link Libsvm#read} gives them: row i holds the pairs (column, value)
 * at the global positions p in [{@code rowOffsets[i]}, {@code rowOffsets[i+1]}), its columns 0-based (a
 * LIBSVM index minus one), strictly increasing, every value finite. Zeros written in the file are kept
 * as given (not dropped).
 *
 * <p><b>Segments.</b> A Java array holds at most {@value #MAX_SEGMENT} values, and real sparse data
 * (click logs, kdd2010) store more. The columns and values are therefore cut into row-aligned
 * segments: segment s holds the rows [{@code segmentRows[s]}, {@code segmentRows[s+1]}) whole, their
 * pairs at local positions p − {@link #segmentStart}(s) of {@code colSegments[s]} and
 * {@code valSegments[s]}. The offsets stay global and 64-bit, so nnz may exceed 2³¹ and a device
 * (whose kernels index with 64-bit offsets) takes the segments back to back as one buffer. The
 * segmentation is storage only: every backend gives the same bits for any cut of the same rows
 * (SparseConformanceTest.segmentedRowsGiveTheSameBitsAsOneArray). Most data fit one segment; {@link #resegment} cuts finer (tests use it).
 *
 * <p>{@link Dataset#sparse} makes the rows a dataset every backend trains on as they are;
 * {@link #toDense} gives the dense rows where those are wanted. The arrays are owned by the record;
 * callers must not mutate them.
 *
 * @param name        the data's name (the file name), for messages
 * @param rowOffsets  (n+1) global row starts; rowOffsets[0] = 0, rowOffsets[n] = nnz
 * @param colSegments (segments) each segment's 0-based columns
 * @param valSegments (segments) each segment's values
 * @param segmentRows (segments+1) each segment's first row; segmentRows[0] = 0, the last = n
 * @param targets     (n) each row's label, or null when they were dropped
 * @param n           rows
 * @param d           columns (the largest index, or the width asked for)
 */
public record SparseRows(String name, long[] rowOffsets, int[][] colSegments, float[][] valSegments, int[] segmentRows,
                         float[] targets, int n, int d) {
    /** The most values a dense {@link Dataset} holds: one Java array. */
    public static final long MAX_DENSE_VALUES = Csv.MAX_VALUES;
    /** The most pairs one segment holds: one Java array. */
    public static final int MAX_SEGMENT = (int) Csv.MAX_VALUES;

    /** Rows whose pairs are one array each (one segment). */
    public SparseRows(String name, long[] rowOffsets, int[] cols, float[] vals, float[] targets, int n, int d) {
        this(name, rowOffsets, new int[][] {cols}, new float[][] {vals}, new int[] {0, n}, targets, n, d);
    }

    /** Stored values (the non-zeros, and any zeros the file wrote out). */
    public long nnz() {
        return rowOffsets[n];
    }

    public int segments() {
        return colSegments.length;
    }

    /** The segment that holds row {@code row}. */
    public int segmentOf(int row) {
        int[] sr = segmentRows;
        if (sr.length == 2) return 0;
        int lo = 0, hi = sr.length - 2;                // the last s with sr[s] ≤ row
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (sr[mid] <= row) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** The global position of segment {@code s}'s first pair. */
    public long segmentStart(int s) {
        return rowOffsets[segmentRows[s]];
    }

    /** Each segment's global start ({@link #segmentStart}), one per segment. */
    public long[] segmentStarts() {
        long[] b = new long[segments()];
        for (int s = 0; s < b.length; s++) b[s] = segmentStart(s);
        return b;
    }

    /**
     * max |x| over every stored value, NaN when one is not finite (a pass over the values: callers keep it). The
     * sparse SGD runs bound their weights' growth with it (CpuSession.runLazyOne, run_steps_sparse).
     */
    public float maxAbsValue() {
        int big = 0;
        for (float[] vs : valSegments) for (float v : vs) big = Math.max(big, Float.floatToRawIntBits(v) & 0x7fffffff);
        return big >= 0x7f800000 ? Float.NaN : Float.intBitsToFloat(big);
    }

    /** The value at (row, col), 0 when the row stores none there. */
    public float value(int row, int col) {
        int s = segmentOf(row);
        long b = segmentStart(s);
        int at = Arrays.binarySearch(colSegments[s], (int) (rowOffsets[row] - b), (int) (rowOffsets[row + 1] - b), col);
        return at >= 0 ? valSegments[s][at] : 0f;
    }

    /** These rows without their targets (for an objective that takes none). */
    public SparseRows withoutTargets() {
        return new SparseRows(name, rowOffsets, colSegments, valSegments, segmentRows, null, n, d);
    }

    /**
     * These rows with ±1 labels as 0/1 (see {@link Libsvm#zeroOneLabels}): the labels the 0/1-label
     * losses take (logistic, hinge, squared-hinge, modified-huber). Other labels are kept as they are.
     */
    public SparseRows withZeroOneLabels() {
        return targets == null ? this
                : new SparseRows(name, rowOffsets, colSegments, valSegments, segmentRows, Libsvm.zeroOneLabels(targets), n, d);
    }

    /** These rows under another name, with other values (one array per segment, as {@link #valSegments}) and targets. */
    public SparseRows withValues(String name, float[][] vals, float[] targets) {
        return new SparseRows(name, rowOffsets, colSegments, vals, segmentRows, targets, n, d);
    }

    /**
     * The same rows cut into segments of at most {@code maxValues} pairs each (a row longer than that
     * alone in its segment): copies, unless the cut is the one these rows have.
     */
    public SparseRows resegment(long maxValues) {
        if (maxValues < 1) throw new IllegalArgumentException("maxValues " + maxValues + " < 1");
        int[] cut = cuts(rowOffsets, n, Math.min(maxValues, MAX_SEGMENT));
        return Arrays.equals(cut, segmentRows) ? this : copyCut(name, rowOffsets, 0, cut, targets, n);
    }

    /**
     * Rows with offsets {@code off} cut at {@code cut}, their segments zero-filled: for a builder in this package
     * (the generator) to fill, or {@link #copyCut}.
     */
    static SparseRows allocate(String name, long[] off, int[] cut, float[] targets, int n, int d) {
        int[][] c = new int[cut.length - 1][];
        float[][] v = new float[cut.length - 1][];
        for (int s = 0; s + 1 < cut.length; s++) {
            c[s] = new int[(int) (off[cut[s + 1]] - off[cut[s]])];
            v[s] = new float[c[s].length];
        }
        return new SparseRows(name, off, c, v, cut, targets, n, d);
    }

    /** Rows with offsets {@code off} (these rows' from global position {@code base} on), cut at {@code cut}, their pairs copied from these. */
    private SparseRows copyCut(String name, long[] off, long base, int[] cut, float[] targets, int rows) {
        SparseRows r = allocate(name, off, cut, targets, rows, d);
        for (int s = 0; s < r.segments(); s++) copy(base + off[cut[s]], base + off[cut[s + 1]], r.colSegments[s], r.valSegments[s], 0);
        return r;
    }

    /** Row-aligned cuts of rows [0, n) with at most {@code max} pairs between cuts (a longer row alone). */
    static int[] cuts(long[] off, int n, long max) {
        int[] cut = new int[8];
        int k = 1;
        int first = 0;
        for (int i = 0; i < n; i++) {
            if (i > first && off[i + 1] - off[first] > max) {
                if (k == cut.length) cut = Arrays.copyOf(cut, 2 * k);
                cut[k++] = i;
                first = i;
            }
        }
        if (k == cut.length) cut = Arrays.copyOf(cut, k + 1);
        cut[k++] = n;
        return Arrays.copyOf(cut, k);
    }

    /** Copies the pairs at global positions [a, e) into {@code c} and {@code v} from {@code at} on. */
    public void copy(long a, long e, int[] c, float[] v, int at) {
        for (long p = a; p < e; ) {
            int s = segmentOfPosition(p);
            long b = segmentStart(s), end = Math.min(e, b + colSegments[s].length);
            int len = (int) (end - p);
            System.arraycopy(colSegments[s], (int) (p - b), c, at, len);
            System.arraycopy(valSegments[s], (int) (p - b), v, at, len);
            at += len;
            p = end;
        }
    }

    /** The segment holding global position {@code p} (0 ≤ p < nnz). */
    private int segmentOfPosition(long p) {
        int lo = 0, hi = segments() - 1;                // the last s whose start ≤ p
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segmentStart(mid) <= p) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** Rows [from, from + count) as rows of their own, in one segment when they fit one (else as few as fit). */
    public SparseRows slice(int from, int count) {
        long a = rowOffsets[from];
        long[] o = new long[count + 1];
        for (int i = 0; i <= count; i++) o[i] = rowOffsets[from + i] - a;
        float[] t = targets == null ? null : Arrays.copyOfRange(targets, from, from + count);
        return copyCut(name, o, a, cuts(o, count, MAX_SEGMENT), t, count);
    }

    /** All columns in one array (for tests and small data): refused past {@value #MAX_SEGMENT} pairs. */
    public int[] allCols() {
        int[] c = new int[flatLength()];
        copy(0, nnz(), c, new float[c.length], 0);
        return c;
    }

    /** All values in one array (for tests and small data): refused past {@value #MAX_SEGMENT} pairs. */
    public float[] allVals() {
        float[] v = new float[flatLength()];
        copy(0, nnz(), new int[v.length], v, 0);
        return v;
    }

    private int flatLength() {
        if (nnz() > MAX_SEGMENT) throw new IllegalStateException(nnz() + " pairs do not fit one array");
        return (int) nnz();
    }

    /**
     * The rows as a dense row-major {@link Dataset} (n × d float32, absent values 0). Refused in
     * one line when n·d exceeds what one dense dataset holds ({@value #MAX_DENSE_VALUES} values).
     */
    public Dataset toDense() {
        long cells = (long) n * d;
        if (cells > MAX_DENSE_VALUES) {
            throw new DescentException("data file " + name + " is sparse and wide: " + n + " rows × " + d + " features = " + cells
                    + " values dense (" + nnz() + " stored), over the " + MAX_DENSE_VALUES + " one dense dataset holds, and this operation "
                    + "needs dense rows: train and predict on the sparse rows instead (a LIBSVM file is read sparse), or take fewer rows or features");
        }
        float[] x = new float[(int) cells];
        for (int s = 0; s < segments(); s++) {
            int[] cols = colSegments[s];
            float[] vals = valSegments[s];
            long b = segmentStart(s);
            for (int i = segmentRows[s]; i < segmentRows[s + 1]; i++) {
                int base = i * d;
                for (int p = (int) (rowOffsets[i] - b), end = (int) (rowOffsets[i + 1] - b); p < end; p++) x[base + cols[p]] = vals[p];
            }
        }
        return new Dataset(name, x, targets, n, d);
    }
}
