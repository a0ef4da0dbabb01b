package dev.descent.backend.cpu;

import dev.descent.data.SparseRows;

import java.util.Arrays;

/**
 * Sparse rows transposed (CSC), for the cpu session's gradient of a large batch: Xᵀr as a gather per
 * column ({@link #gather}) that one thread owns whole, so there are no partial gradients, no
 * cross-thread reduction, and each column sums in the same order whoever computes it.
 *
 * <p>Column j holds the pairs {@code (rows[q], vals[q])} for q in [{@code colOffsets[j]},
 * {@code colOffsets[j+1]}), rows strictly increasing. The copy holds the rows' values a second time:
 * 8 bytes a stored value, plus 4 a column ({@link #bytes}). The offsets are ints: the CSR arrays hold
 * at most 2³¹ − 8 values. (Tried on rcv1-shaped rows and slower: 16-bit row indices in bands of rows,
 * and bands of 2^12 … 2^16 rows walked in turn so that the band's residuals stay in cache; the
 * short per-band runs of a column cost more than the cache misses they save.)
 *
 * @param colOffsets (d+1) column starts into rows and vals; colOffsets[0] = 0, colOffsets[d] = nnz
 * @param rows       (nnz) the row of each value, increasing within a column
 * @param vals       (nnz) the values
 * @param chunks     (chunkCount+1) column boundaries cutting the columns into runs of about equal
 *                   stored values: the unit of work of the column-parallel gather
 */
record SparseColumns(int[] colOffsets, int[] rows, float[] vals, int[] chunks) {
    /** Column runs a gather is cut into: several per core, so that uneven columns still balance. */
    static final int CHUNKS = 64;

    /** Bytes a transposed copy of {@code nnz} values over {@code d} columns takes. */
    static long bytes(long nnz, int d) {
        return 8 * nnz + 4L * (d + 1) + 4L * (CHUNKS + 1);
    }

    /**
     * The CSC copy of CSR rows: a count per column, their prefix sums, then the rows in order each
     * dropping its values into their columns' next slots (so rows increase within a column). The
     * copy is one array pair: the rows store at most {@link SparseRows#MAX_SEGMENT} values (any
     * segments). Read only.
     */
    static SparseColumns of(SparseRows csr) {
        int n = csr.n(), d = csr.d();
        long[] off = csr.rowOffsets();
        int nnz = Math.toIntExact(off[n]);
        int[] co = new int[d + 1];
        for (int[] cols : csr.colSegments()) for (int c : cols) co[c + 1]++;
        for (int j = 0; j < d; j++) co[j + 1] += co[j];
        int[] next = Arrays.copyOf(co, d);                      // each column's next free slot
        int[] rows = new int[nnz];
        float[] cv = new float[nnz];
        for (int g = 0; g < csr.segments(); g++) {
            int[] cols = csr.colSegments()[g];
            float[] vals = csr.valSegments()[g];
            long b = csr.segmentStart(g);
            for (int i = csr.segmentRows()[g]; i < csr.segmentRows()[g + 1]; i++) {
                for (int q = (int) (off[i] - b), e = (int) (off[i + 1] - b); q < e; q++) {
                    int s = next[cols[q]]++;
                    rows[s] = i;
                    cv[s] = vals[q];
                }
            }
        }
        int[] chunks = new int[CHUNKS + 1];                     // chunk k ends at the first column whose start reaches (k+1)/CHUNKS of nnz
        for (int k = 1, j = 0; k <= CHUNKS; k++) {
            long target = (long) nnz * k / CHUNKS;
            while (j < d && co[j] < target) j++;
            chunks[k] = k == CHUNKS ? d : j;
        }
        return new SparseColumns(co, rows, cv, chunks);
    }

    /** Runs of columns this copy is cut into. */
    int chunkCount() {
        return chunks.length - 1;
    }

    /**
     * Σ vals·r[rows] over column j's stored values, in row order, in double (the float products are
     * exact in double): four accumulators take the values a, a+1, a+2, a+3 of each group of four, the
     * tail joins the first, summed (s0 + s1) + (s2 + s3). The layout alone fixes the order, so any
     * thread computing any column gets the same bits. Double costs nothing here (the loop waits on
     * the loads) and keeps a column that holds most of the rows about as exact as the reference.
     *
     * @param r (n) each row's residual (times its multiplicity in the batch; 0 for rows outside it). Read.
     */
    double gather(int j, float[] r) {
        final int[] rw = rows;
        final float[] v = vals;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int q = colOffsets[j], e = colOffsets[j + 1];
        for (; q + 3 < e; q += 4) {
            s0 += (double) v[q] * r[rw[q]];
            s1 += (double) v[q + 1] * r[rw[q + 1]];
            s2 += (double) v[q + 2] * r[rw[q + 2]];
            s3 += (double) v[q + 3] * r[rw[q + 3]];
        }
        for (; q < e; q++) s0 += (double) v[q] * r[rw[q]];
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * {@link #gather} for k heads at once: acc[c] = Σ vals·r[rows·k + c] over column j, for c &lt; k,
     * each head's sum in row order with one double accumulator (the k sums already hide the add latency).
     *
     * @param r   (n·k) each row's k residuals, row-major. Read.
     * @param acc (k) the column's sums per head. Modified.
     */
    void gather(int j, float[] r, int k, double[] acc) {
        Arrays.fill(acc, 0, k, 0.0);
        for (int q = colOffsets[j], e = colOffsets[j + 1]; q < e; q++) {
            double x = vals[q];
            for (int c = 0, o = rows[q] * k; c < k; c++) acc[c] += x * r[o + c];
        }
    }
}
