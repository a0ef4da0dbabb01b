package dev.descent.data;

import dev.descent.DescentException;

/**
 * Sparse rows in CSR form, as {@link Libsvm#read} gives them: row i holds the pairs
 * {@code (cols[p], vals[p])} for p in [{@code rowOffsets[i]}, {@code rowOffsets[i+1]}), its
 * columns 0-based (a LIBSVM index minus one), strictly increasing, every value finite. Zeros
 * written in the file are kept as given (not dropped).
 *
 * <p>The offsets are 64-bit so that the layout stays the same once values live in more than one
 * array; today {@code cols} and {@code vals} are single Java arrays, so nnz ≤ 2^31−8 and the
 * loader refuses more in one line. {@link Dataset#sparse} makes them a dataset every backend
 * trains on as they are; {@link #toDense} gives the dense rows where those are wanted.
 * The arrays are owned by the record; callers must not mutate them.
 *
 * @param name       the data's name (the file name), for messages
 * @param rowOffsets (n+1) row starts into cols and vals; rowOffsets[0] = 0, rowOffsets[n] = nnz
 * @param cols       (nnz) 0-based column of each value
 * @param vals       (nnz) the values
 * @param targets    (n) each row's label, or null when they were dropped
 * @param n          rows
 * @param d          columns (the largest index, or the width asked for)
 */
public record SparseRows(String name, long[] rowOffsets, int[] cols, float[] vals, float[] targets, int n, int d) {
    /** The most values a dense {@link Dataset} holds: one Java array. */
    public static final long MAX_DENSE_VALUES = Csv.MAX_VALUES;

    /** Stored values (the non-zeros, and any zeros the file wrote out). */
    public long nnz() {
        return rowOffsets[n];
    }

    /** These rows without their targets (for an objective that takes none). */
    public SparseRows withoutTargets() {
        return new SparseRows(name, rowOffsets, cols, vals, null, n, d);
    }

    /**
     * These rows with ±1 labels as 0/1 (see {@link Libsvm#zeroOneLabels}): the labels the 0/1-label
     * losses take (logistic, hinge, squared-hinge, modified-huber). Other labels are kept as they are.
     */
    public SparseRows withZeroOneLabels() {
        return targets == null ? this : new SparseRows(name, rowOffsets, cols, vals, Libsvm.zeroOneLabels(targets), n, d);
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
        for (int i = 0; i < n; i++) {
            int base = i * d;
            for (long p = rowOffsets[i], end = rowOffsets[i + 1]; p < end; p++) x[base + cols[(int) p]] = vals[(int) p];
        }
        return new Dataset(name, x, targets, n, d);
    }
}
