package dev.descent.backend;

import dev.descent.DescentException;

/**
 * How much of a dataset a device session holds at once. A device backend keeps the whole dataset
 * resident when it fits; when it does not (the device's memory, or the cap given here), the
 * session streams it: the rows a launch needs are gathered on the host, a chunk at a time, and
 * uploaded behind the device's work on the previous chunk. Backends whose data live in host
 * memory (cpu, the reference) ignore it.
 *
 * <p>Chunking changes how a batch is split for the deterministic reductions (no part spans two
 * chunks) and where a run of steps is cut into launches, never the maths: a streamed session gives
 * results bit-identical to a resident session opened with the same {@code chunkRows}. Without a
 * cap both are resident: {@code chunks(rows)} is the in-memory twin of a streamed run.
 *
 * @param deviceBytes the most bytes of rows (features, targets; sparse: values, columns, offsets)
 *                    the device may hold at once; 0 for the device's own limit
 * @param chunkRows   rows per chunk; 0 to derive it from the cap (the rows that fit)
 * @param slots       chunks the device holds at once while streaming: 2 (the next chunk uploads on a second
 *                    queue or stream while the kernels work on the other, each chunk then at most half the room), 1 (the
 *                    upload waits for the kernels before it), or 0 for the device's choice: 2 on a GPU with
 *                    memory of its own, 1 on a device that shares the host's memory (PoCL on a CPU: there the
 *                    "upload" is a copy on the same cores, and halving the chunks costs more launches than the
 *                    overlap saves). Two only where two chunks fit. CUDA always has memory of its own.
 */
public record Streaming(long deviceBytes, int chunkRows, int slots) {
    /** Resident when the data fit in the device's memory, streamed in the largest chunks that fit otherwise. */
    public static final Streaming AUTO = new Streaming(0, 0);

    public Streaming {
        DescentException.require(deviceBytes >= 0, "device memory cap must be ≥ 0 bytes (got " + deviceBytes + ")");
        DescentException.require(chunkRows >= 0, "chunk rows must be ≥ 0 (got " + chunkRows + ")");
        DescentException.require(slots >= 0 && slots <= 2, "chunks on the device at once must be 1 or 2, or 0 for the device's choice (got " + slots + ")");
    }

    /** A cap and chunk rows, the slots the device's choice. */
    public Streaming(long deviceBytes, int chunkRows) {
        this(deviceBytes, chunkRows, 0);
    }

    /** At most {@code bytes} of rows on the device: larger data stream through in chunks. */
    public static Streaming cap(long bytes) {
        DescentException.require(bytes >= 1, "device memory cap must be ≥ 1 byte (got " + bytes + ")");
        return new Streaming(bytes, 0);
    }

    /** Chunks of {@code rows} rows, streamed or not (resident unless a cap or the device asks for streaming). */
    public static Streaming chunks(int rows) {
        DescentException.require(rows >= 1, "chunk rows must be ≥ 1 (got " + rows + ")");
        return new Streaming(0, rows);
    }

    /** These settings with {@code rows} per chunk. */
    public Streaming withChunkRows(int rows) {
        return new Streaming(deviceBytes, rows, slots);
    }

    /** These settings with {@code slots} chunks on the device at once (see {@link #slots}). */
    public Streaming withSlots(int slots) {
        return new Streaming(deviceBytes, chunkRows, slots);
    }
}
