package dev.descent.backend;

/**
 * The batch range rule, once for the host (the kernels' copy is descent_batch_from/_count in
 * kernels/common/rules.h): batch j of an order of {@code length} positions covers
 * [j·batch, j·batch + count), the last batch shorter when the length is not a multiple.
 */
public final class Batches {
    private Batches() {}

    /** The first order position of batch {@code j}. */
    public static int from(int j, int batch) {
        return j * batch;
    }

    /** The rows in batch {@code j}: {@code batch}, or fewer for the last one. */
    public static int count(int j, int batch, int length) {
        return Math.min(batch, length - j * batch);
    }

    /** Batches in an order of {@code length} positions (an epoch when the order covers the data once). */
    public static int in(long length, int batch) {
        return (int) ((length + batch - 1) / batch);
    }
}
