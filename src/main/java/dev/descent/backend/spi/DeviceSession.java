package dev.descent.backend.spi;

import dev.descent.backend.Batches;
import dev.descent.backend.Gradient;
import dev.descent.backend.RunResult;
import dev.descent.backend.Run;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the OpenCL and CUDA sessions share: the step counter and divergence status protocol, the
 * choice between the many-steps launch and a launch pair per step, trimming records at a
 * divergence, and the fixed-order double sum of loss partials. Subclasses supply the primitives,
 * which only move bytes and launch kernels.
 *
 * <p>Status protocol (both kernel languages): status holds {@link #OK} until an update makes a
 * parameter non-finite, then the smallest such step number. The partial-gradient kernel does
 * nothing when status ≠ OK; the finishing kernel skips when status &lt; its step (an earlier
 * divergence) but completes the diverging step on every thread, so the result does not depend
 * on scheduling.
 */
public abstract class DeviceSession extends AbstractSession {
    public static final int OK = Integer.MAX_VALUE;

    /** The session's step counter, compared with the device's status. */
    private int step;

    /** The snapshots the last run returned (unchanged since, by its hash), which are still on the device. */
    private float[] lastSnapshots;
    private int lastSnapshotsHash;

    /** Rows per chunk (0: none; a batch is one launch and its parts as large as the device likes). */
    private int chunk;
    /** Whether the device holds one chunk of rows at a time (else all n rows). */
    private boolean streamed;
    /** The batch order, kept on the host while streaming (the rows of a chunk are gathered through it). */
    private int[] hostOrder;
    /**
     * Streaming: the device's row buffers, 2 where two chunks fit (one computed on while the next uploads) or 1,
     * and a host buffer per slot that a chunk is gathered into (uploads return once the device holds the rows).
     */
    private int slots = 1;
    private Rows[] stages;
    /** The slot the kernels read (see {@link #boundSlot}). */
    private int bound;
    /** A chunk already uploaded into the slot the kernels do not read: its first position, rows, kind and order ({@link #prefetchRows}). */
    private int pfFrom = -1, pfCount, pfSlot;
    private boolean pfStorage;
    private long chunksUploaded, bytesUploaded;

    protected DeviceSession(Dataset data, Spec spec) {
        super(data, spec);
    }

    // ------------------------------------------------------------------------------ chunking and streaming

    /**
     * A chunk's rows laid out as the device buffers take them: dense {@code x} (rows × d), or sparse
     * {@code offs} (rows + 1, from 0), {@code cols}, {@code vals}; targets {@code t} and example weights {@code w}
     * when the data have them. Either gathered into a slot's host buffers (sized for the session's chunk,
     * {@code at} = {@code valAt} = 0), or, for rows in storage order, a view of the dataset's own arrays: the
     * chunk's first row is row {@code at} of {@code x}, {@code t}, {@code w} (x from float {@code at · d}), its
     * first value at {@code valAt} of {@code cols} and {@code vals}; {@code offs} is always the chunk's own.
     * Only the first rows / nnz count.
     */
    protected static final class Rows {
        public final float[] x, t, w, vals;
        public final long[] offs;
        public final int[] cols;
        public final int at;
        public final long valAt;
        public int rows;
        public long nnz;

        Rows(float[] x, float[] t, float[] w, long[] offs, int[] cols, float[] vals) {
            this(x, t, w, offs, cols, vals, 0, 0);
        }

        Rows(float[] x, float[] t, float[] w, long[] offs, int[] cols, float[] vals, int at, long valAt) {
            this.x = x;
            this.t = t;
            this.w = w;
            this.offs = offs;
            this.cols = cols;
            this.vals = vals;
            this.at = at;
            this.valAt = valAt;
        }
    }

    /** Device bytes one row needs: its features (sparse: the widest row's values and columns, and an offset) and target. */
    protected final long bytesPerRow() {
        return chunkBytes(1);
    }

    private long maxRowNnzCache = -1;

    /** The most values one sparse row stores. */
    protected final long maxRowNnz() {
        if (maxRowNnzCache < 0) {
            long[] off = data.rowsSparse().rowOffsets();
            long m = 0;
            for (int i = 0; i < n; i++) m = Math.max(m, off[i + 1] - off[i]);
            maxRowNnzCache = m;
        }
        return maxRowNnzCache;
    }

    private int[] lengthCounts;                            // sparse: how many rows store exactly k values, k = 0..maxRowNnz

    /**
     * The most values any {@code rows} rows of the data store together: the sum of the {@code rows} longest rows'
     * lengths (a chunk gathered through any order holds at most this many), or rows × d for dense rows. A sparse
     * chunk is sized by it rather than by rows × the widest row: on rcv1-shaped data (a few rows of thousands of
     * values, most of 75) an 8 MB cap holds 658 rows by the widest row, several thousand by this bound.
     */
    protected final long chunkValues(long rows) {
        if (!data.isSparse()) return rows * d;
        if (lengthCounts == null) {
            long[] off = data.rowsSparse().rowOffsets();
            int[] c = new int[(int) maxRowNnz() + 1];
            for (int i = 0; i < n; i++) c[(int) (off[i + 1] - off[i])]++;
            lengthCounts = c;
        }
        long left = Math.min(rows, n), sum = 0;
        for (int k = lengthCounts.length - 1; k > 0 && left > 0; k--) {
            long take = Math.min(left, lengthCounts[k]);
            sum += take * k;
            left -= take;
        }
        return sum;
    }

    /** Device bytes a chunk of {@code rows} rows needs: features (sparse: {@link #chunkValues} values and columns, offsets), targets and weights. */
    private long chunkBytes(long rows) {
        long t = (data.hasTargets() ? 4 : 0) + (data.hasWeights() ? 4 : 0);
        if (!data.isSparse()) return rows * (4L * d + t);
        return 8L * chunkValues(rows) + rows * (8 + t);
    }

    /** The most rows a chunk may hold in {@code room} device bytes (0: not even one), its values in one host array. */
    private long rowsThatFit(long room) {
        if (!data.isSparse()) return room / bytesPerRow();
        long lo = 0, hi = n;                                     // chunkBytes grows with the rows: the largest that fits
        while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            if (chunkBytes(mid) <= room && chunkValues(mid) <= Integer.MAX_VALUE - 8) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    /** Device bytes of the rows when all are resident: features (sparse: values, columns, offsets), targets and weights. */
    protected final long residentRowBytes() {
        long perRow = (data.hasTargets() ? 4L : 0) + (data.hasWeights() ? 4L : 0);
        return (data.isSparse() ? 8L * data.stored() + 8L * (n + 1) : 4L * n * d) + perRow * n;
    }

    /**
     * Decides residency, for a subclass constructor before it allocates the row buffers: the rows
     * stream when {@code streaming} caps the device memory below what they need resident, or when
     * {@code deviceRoom} (the bytes the device can give the rows; {@code Long.MAX_VALUE} when no limit
     * is known) is too small. Returns the rows the device buffers must hold: n, or one chunk.
     */
    protected final int chunking(dev.descent.backend.Streaming streaming, long deviceRoom, String device) {
        return chunking(streaming, deviceRoom, device, -1, false);
    }

    /**
     * {@link #chunking(dev.descent.backend.Streaming, long, String)} for a device that can upload one chunk while
     * it computes on another ({@code slotBytes} ≥ 0: the device memory a second slot needs besides its rows, its
     * copy of the order): the rows stream through two slots ({@link #rowSlots}), each half the room, when
     * {@link dev.descent.backend.Streaming#slots} asks for two (0: when {@code twoByDefault}) and two chunks fit;
     * else through one. The chunk's rows alone decide the results: both give the same bits as a resident
     * session with the same chunk rows.
     */
    protected final int chunking(dev.descent.backend.Streaming streaming, long deviceRoom, String device, long slotBytes, boolean twoByDefault) {
        long need = residentRowBytes();
        long room = streaming.deviceBytes() > 0 ? Math.min(streaming.deviceBytes(), deviceRoom) : deviceRoom;
        streamed = need > room;
        chunk = streaming.chunkRows();
        if (streamed) {
            long fit = rowsThatFit(room);
            if (fit < 1) {
                throw new dev.descent.DescentException(String.format(java.util.Locale.ROOT,
                        "%s cannot hold even one row of dataset %s: a row needs %d bytes on the device, the room for rows is %d bytes%s",
                        device, data.name(), bytesPerRow(), room, streaming.deviceBytes() > 0 ? ": raise the device memory cap" : ""));
            }
            if (chunk > fit) {
                throw new dev.descent.DescentException(String.format(java.util.Locale.ROOT,
                        "chunks of %d rows of dataset %s need %d bytes on %s, but the room for rows is %d bytes: use at most %d rows per chunk",
                        chunk, data.name(), chunkBytes(chunk), device, room, fit));
            }
            long room2 = streaming.deviceBytes() > 0 ? Math.min(streaming.deviceBytes(), deviceRoom - slotBytes) : deviceRoom - slotBytes;
            boolean two = slotBytes >= 0 && (streaming.slots() == 2 || streaming.slots() == 0 && twoByDefault);
            long half = two ? rowsThatFit(Math.max(0, room2) / 2) : 0;
            if (chunk == 0) {
                slots = half >= 1 ? 2 : 1;
                chunk = (int) Math.min(slots == 2 ? half : fit, n);
            } else {
                slots = chunk <= half ? 2 : 1;
            }
        }
        if (!streamed) return n;
        stages = new Rows[slots];
        for (int k = 0; k < slots; k++) {
            float[] st = data.hasTargets() ? new float[chunk] : null, sw = data.hasWeights() ? new float[chunk] : null;
            stages[k] = data.isSparse()
                    ? new Rows(null, st, sw, new long[chunk + 1], new int[(int) chunkValues(chunk)], new float[(int) chunkValues(chunk)])
                    : new Rows(new float[chunk * d], st, sw, null, null, null);
        }
        return chunk;
    }

    /** The one of a slot's row buffers (rows, targets, weights, order; sparse offsets, columns, values) that group {@code b} names. */
    protected static <B> B rowBuffer(KernelArgs.Buf b, B x, B t, B w, B order, B offs, B cols, B vals) {
        return switch (b) {
            case X -> x;
            case T -> t;
            case W -> w;
            case ORDER -> order;
            case OFFS -> offs;
            case COLS -> cols;
            case VALS -> vals;
            default -> throw new IllegalArgumentException(b + " is not a row buffer");
        };
    }

    /** Row buffer slots a streamed session holds: 2 (one chunk computed on while the next uploads) or 1; 1 when resident. */
    protected final int rowSlots() {
        return slots;
    }

    /** The slot whose rows (and, streaming, order) the kernels read now. */
    protected final int boundSlot() {
        return bound;
    }

    @Override
    public final boolean streamed() {
        return streamed;
    }

    @Override
    public final String residency() {
        if (!streamed) return chunk > 0 ? "resident, in chunks of " + chunk + " rows" : "resident";
        String two = slots == 2 ? ", two on the device (the next uploads while one is computed on)" : "";
        if (chunksUploaded == 0) return "streamed in chunks of " + chunk + " rows" + two;
        return String.format(java.util.Locale.ROOT, "streamed in chunks of %d rows%s (%d chunks, %.1f MiB uploaded so far)", chunk, two, chunksUploaded,
                bytesUploaded / 1048576.0);
    }

    /** Rows per chunk, 0 when unchunked. */
    protected final int chunkRows() {
        return chunk;
    }

    /**
     * Makes the rows at order positions [from, from + count) (or storage rows when {@code storage}) the ones the
     * kernels read: the chunk {@link #prefetchRows} uploaded when it is that one, else gathered and uploaded
     * now, into the slot the kernels do not read when there are two (the upload then overlaps the device's
     * work on the other slot).
     */
    private void stageRows(int from, int count, boolean storage) {
        if (slots == 2 && pfFrom == from && pfCount == count && pfStorage == storage) {
            pfFrom = -1;
            bindSlot(pfSlot);
            return;
        }
        int s = slots == 2 ? bound ^ 1 : 0;
        pfFrom = -1;                                       // a prefetch sits in the slot the kernels do not read: s
        fill(s, from, count, storage);
        bindSlot(s);
    }

    /**
     * With two slots, uploads the rows a later {@link #stageRows} will ask for into the slot the kernels do not
     * read, while the device works on the bound one: call it after enqueuing that work and before reading its
     * results back. One slot: nothing (the rows are staged when asked for).
     */
    private void prefetchRows(int from, int count, boolean storage) {
        if (slots < 2 || count <= 0) return;
        int s = bound ^ 1;
        fill(s, from, count, storage);
        pfFrom = from;
        pfCount = count;
        pfStorage = storage;
        pfSlot = s;
    }

    /** The kernels read slot s from now on; the device is told when it is done with the slot they leave. */
    private void bindSlot(int s) {
        if (s == bound) return;
        slotReleased(bound);
        bound = s;
    }

    /**
     * Uploads the rows into slot s's device buffers (and the chunk's order into its order): consecutive storage rows
     * (the full-data passes, an in-order epoch) straight from the dataset's arrays (sparse: within one of its segments),
     * others gathered into the slot's host buffers first.
     */
    private void fill(int s, int from, int count, boolean storage) {
        if (slots == 2) awaitSlot(s);
        int first = storage ? from : consecutiveFrom(from, count);    // the positions' rows, when they are consecutive storage rows
        Rows r = first >= 0 ? storageView(s, first, count) : null;
        if (r == null) r = gather(s, from, count, storage);
        uploadRows(r, s);
        chunksUploaded++;
        bytesUploaded += data.isSparse() ? 8 * r.nnz + 8L * (count + 1) : 4 * r.nnz;
        if (!storage) {
            int[] local = new int[count];
            for (int k = 0; k < count; k++) local[k] = k;
            uploadOrderAt(s, from, local);
        }
    }

    /** The storage row of order position {@code from} when positions [from, from + count) hold consecutive rows (in order), else -1. */
    private int consecutiveFrom(int from, int count) {
        int first = hostOrder[from];
        for (int k = 1; k < count; k++) if (hostOrder[from + k] != first + k) return -1;
        return first;
    }

    /** Storage rows [from, from + count) as a view of the dataset's arrays (the offsets rebased into slot s's), or null when a sparse chunk spans segments. */
    private Rows storageView(int s, int from, int count) {
        Rows st = stages[s];
        if (!data.isSparse()) {
            Rows r = new Rows(data.features(), data.targets(), data.weights(), null, null, null, from, 0);
            r.rows = count;
            r.nnz = (long) count * d;
            return r;
        }
        var csr = data.rowsSparse();
        int sg = csr.segmentOf(from);
        if (count > 0 && csr.segmentOf(from + count - 1) != sg) return null;
        long[] off = csr.rowOffsets();
        long base = off[from];
        for (int k = 0; k <= count; k++) st.offs[k] = off[from + k] - base;
        Rows r = new Rows(null, data.targets(), data.weights(), st.offs, csr.colSegments()[sg], csr.valSegments()[sg], from, base - csr.segmentStart(sg));
        r.rows = count;
        r.nnz = off[from + count] - base;
        return r;
    }

    /** Gathers the rows at order positions [from, from + count) (storage rows when {@code storage}) into slot s's host buffers. */
    private Rows gather(int s, int from, int count, boolean storage) {
        Rows r = stages[s];
        r.rows = count;
        float[] t = data.targets(), w = data.weights();
        if (w != null) {
            for (int k = 0; k < count; k++) r.w[k] = w[storage ? from + k : hostOrder[from + k]];
        }
        if (!data.isSparse()) {
            float[] x = data.features();
            for (int k = 0; k < count; k++) {
                int row = storage ? from + k : hostOrder[from + k];
                System.arraycopy(x, row * d, r.x, k * d, d);
                if (t != null) r.t[k] = t[row];
            }
            r.nnz = (long) count * d;
        } else {
            var csr = data.rowsSparse();
            long[] off = csr.rowOffsets();
            long at = 0;
            r.offs[0] = 0;
            for (int k = 0; k < count; k++) {
                int row = storage ? from + k : hostOrder[from + k];
                int sg = csr.segmentOf(row);
                long b = csr.segmentStart(sg);
                int a = (int) (off[row] - b), len = (int) (off[row + 1] - off[row]);
                System.arraycopy(csr.colSegments()[sg], a, r.cols, (int) at, len);
                System.arraycopy(csr.valSegments()[sg], a, r.vals, (int) at, len);
                at += len;
                r.offs[k + 1] = at;
                if (t != null) r.t[k] = t[row];
            }
            r.nnz = at;
        }
        return r;
    }

    /**
     * Stage 1 of the batch gradient over positions [from, from + count): the parts are the device's
     * split, no part longer than a chunk. Streaming (and the rows not already staged), chunk by chunk
     * of whole parts, each chunk's parts landing in their place; else one launch.
     */
    private int stage1(int from, int count, boolean withLoss, boolean honorStatus, boolean staged) {
        int rpp = rowsPerPart(count);
        int groups = (count + rpp - 1) / rpp;
        if (!streamed || staged) {
            sumParts(from, count, rpp, groups, groups, withLoss, honorStatus, -1);
            return groups;
        }
        int per = (chunk / rpp) * rpp;
        for (int a = from; a < from + count; a += per) {
            int c = Math.min(per, from + count - a);
            stageRows(a, c, false);
            sumParts(a, c, rpp, (c + rpp - 1) / rpp, groups, withLoss, honorStatus, (a - from) / rpp);
        }
        return groups;
    }

    /** Rows in each part of stage 1 over {@code count} positions: the device's split, no part longer than a chunk. */
    private int rowsPerPart(int count) {
        int g = partialParts(count);
        int rpp = (count + g - 1) / g;
        return chunk > 0 ? Math.min(rpp, chunk) : rpp;
    }

    /** The PARTIALS_IN count of {@code groups} stage-1 parts: each holds {@link #partFloats} ÷ (npar + 1) partial rows. */
    protected final int partialRows(int groups) {
        return (int) (groups * partFloats() / (npar + 1));
    }

    /** Whether the optimizer averages its iterates: then parameters and snapshots are the average, the state's last slot. */
    protected final boolean averaged() {
        return spec.optimizer().average();
    }

    /** Index in the STATE buffer where the average of the iterates starts (when {@link #averaged}). */
    protected final int averageAt() {
        return spec.optimizer().averageSlot() * npar;
    }

    /** Floats of the STATE buffer: the rule's slots × (npar), at least 1 (a rule without state still binds a buffer). */
    protected final int stateFloats() {
        return Math.max(1, spec.optimizer().slots() * npar);
    }

    // ------------------------------------------------------------------------------ primitives

    protected abstract void uploadParams(float[] packed);
    protected abstract float[] downloadParams();
    protected abstract void writeStatus(int value);
    protected abstract int readStatus();
    /** Writes the optimizer state ({@link #stateFloats} floats, slot-major). */
    protected abstract void uploadState(float[] state);
    protected abstract float[] downloadState();
    protected abstract void uploadOrder(int[] order);
    /** Writes a run's per-step learning rates into the LRS buffer (growing it). */
    protected abstract void uploadRates(float[] rates);

    /** Work-groups (blocks) the gradient kernels use for a batch of {@code count} rows, unchunked. */
    protected abstract int partialParts(int count);

    /**
     * Stage 1 of the batch gradient (kernel grad_partial): {@code groups} parts of {@code rowsPerPart}
     * positions each from {@code from} (the last may be short), per part the sums of r·x, r and the loss
     * over the batch rows at positions [from, from + count) of the order. {@code intoPart} &lt; 0: into
     * parts 0.. of the PARTIAL buffer. Else (a streamed chunk of a batch of {@code totalGroups} parts):
     * into parts intoPart.. of PARTIAL, which must then hold totalGroups. {@code honorStatus} false
     * computes even after a divergence.
     */
    protected abstract void sumParts(int from, int count, int rowsPerPart, int groups, int totalGroups, boolean withLoss, boolean honorStatus,
                                     int intoPart);

    /** Stage 2 for a gradient asked for (kernel grad_mean) over the {@code groups} parts of stage 1: the mean gradient and loss into OUT. */
    protected abstract void meanOfParts(int count, int groups);

    /**
     * Stage 2 and the fused update (kernel grad_step) over the {@code groups} parts of stage 1: one
     * optimizer step, skipped after a divergence; {@code t0} updates came before it since the state was reset.
     */
    protected abstract void stepFromParts(int count, int groups, double lr, int stepNo, long t0);

    /**
     * Streaming: writes a chunk's rows (features and targets, dense or sparse) into the row buffers of slot
     * {@code slot}, returning once the device holds them. With two slots the write must not wait for the
     * device's work on the other slot (a second queue or stream).
     */
    protected abstract void uploadRows(Rows rows, int slot);

    /** Streaming: writes {@code values} into slot {@code slot}'s copy of the batch order at positions offset.. (as {@link #uploadRows}). */
    protected abstract void uploadOrderAt(int slot, int offset, int[] values);

    /** Two slots: the work enqueued so far is the last that reads slot {@code slot} until it is filled again (a marker to wait on). */
    protected void slotReleased(int slot) {}

    /** Two slots: waits until the device has finished the work that read slot {@code slot} (see {@link #slotReleased}). */
    protected void awaitSlot(int slot) {}

    protected abstract float[] readGradientOut();

    /** Makes room for {@code records} snapshots (poisoned when asked). */
    protected abstract void prepareSnapshots(int records);

    /** Runs the whole {@link Run} in one launch if this batch size suits it, {@code t0} updates before it; false otherwise. */
    protected abstract boolean runInOneLaunch(Run run, int step0, long t0);

    protected abstract void copyParamsToSnapshot(int record);

    protected abstract float[] readSnapshots(int records);

    /**
     * Loss partials of {@code count} snapshots over rows [0, rows) of the row buffers, {@code groups}
     * parts of {@code rowsPerPart} rows: groups × count floats, [part][snapshot]. The snapshots are
     * in {@code snaps} (SNAPS: the last run's records; LOSS_SNAPS), written there first from
     * {@code upload} when it is not null.
     */
    protected abstract float[] lossPartials(KernelArgs.Buf snaps, float[] upload, int count, int rows, int rowsPerPart, int groups,
                                            Runnable whileRunning);

    /** An argument list for a launch, built from contract.h's groups (see {@link KernelArgs}). */
    protected final KernelArgs args() {
        return new KernelArgs(n, d, spec, data.hasTargets(), data.hasWeights(), orderLength());
    }

    /** {@link #args()} for a launch over the first {@code rows} rows of the row buffers (ALL_ROWS's n). */
    protected final KernelArgs args(int rows) {
        return new KernelArgs(rows, d, spec, data.hasTargets(), data.hasWeights(), orderLength());
    }

    /** How many partials {@link #lossPartials} returns per snapshot: the gradient's split of n rows. */
    protected int lossParts() {
        return partialParts(n);
    }

    /** Turns a driver exception into a one-line {@link dev.descent.DescentException}; others pass through. */
    protected abstract RuntimeException translate(RuntimeException e, String what);

    // ------------------------------------------------------------------------------ shared logic

    @Override
    protected final void doSetParams(Params p) {
        try {
            uploadParams(p.packed());
            if (averaged()) {                              // the average starts as what was set
                float[] st = downloadState();
                System.arraycopy(p.packed(), 0, st, averageAt(), npar);
                uploadState(st);
            }
            writeStatus(OK);
            step = 0;
        } catch (RuntimeException e) {
            throw translate(e, "setting parameters");
        }
    }

    @Override
    protected final Params doParams() {
        try {
            return averaged() ? Params.unpack(downloadState(), spec.optimizer().averageSlot(), d, heads) : Params.unpack(downloadParams(), 0, d, heads);
        } catch (RuntimeException e) {
            throw translate(e, "reading parameters");
        }
    }

    @Override
    protected final void doResetState() {
        try {
            float[] st = new float[stateFloats()];
            if (averaged()) System.arraycopy(downloadParams(), 0, st, averageAt(), npar);   // the average starts at the iterate
            uploadState(st);
        } catch (RuntimeException e) {
            throw translate(e, "resetting the optimizer state");
        }
    }

    @Override
    protected final double[] doSaveState() {
        try {
            float[] p = downloadParams(), v = downloadState();
            int sv = spec.optimizer().slots() * npar;
            double[] s = new double[npar + sv];
            for (int i = 0; i < npar; i++) s[i] = p[i];
            for (int i = 0; i < sv; i++) s[npar + i] = v[i];
            return s;
        } catch (RuntimeException e) {
            throw translate(e, "reading the training state");
        }
    }

    @Override
    protected final void doRestoreState(double[] s) {
        float[] p = new float[npar], v = new float[stateFloats()];
        for (int i = 0; i < npar; i++) p[i] = (float) s[i];
        for (int i = 0; i < s.length - npar; i++) v[i] = (float) s[npar + i];
        try {
            uploadParams(p);
            uploadState(v);
            writeStatus(OK);
            step = 0;
        } catch (RuntimeException e) {
            throw translate(e, "restoring the training state");
        }
    }

    @Override
    protected final void doSetOrder(int[] order) {
        try {
            uploadOrder(order);
            if (streamed) hostOrder = order.clone();
            pfFrom = -1;                                   // a prefetched chunk was gathered through the old order
            if (readStatus() == OK) step = 0;        // keeps the counter far from overflow
        } catch (RuntimeException e) {
            throw translate(e, "uploading the batch order");
        }
    }

    @Override
    protected final boolean doDiverged() {
        try {
            return readStatus() != OK;
        } catch (RuntimeException e) {
            throw translate(e, "reading the divergence status");
        }
    }

    @Override
    protected final Gradient doGradient(int from, int count, boolean withLoss) {
        try {
            int groups = stage1(from, count, withLoss, false, false);
            meanOfParts(count, groups);
            float[] g = readGradientOut();
            return new Gradient(Params.ofPacked(Arrays.copyOf(g, npar), d, heads), withLoss ? g[npar] : Double.NaN);
        } catch (RuntimeException e) {
            throw translate(e, "computing a gradient");
        }
    }

    @Override
    protected final void doStep(int from, int count, double lr) {
        try {
            int groups = stage1(from, count, false, true, false);
            stepFromParts(count, groups, lr, step++, updates());
        } catch (RuntimeException e) {
            throw translate(e, "running a step");
        }
    }

    @Override
    protected final RunResult doRun(Run run) {
        try {
            int np = npar;
            int step0 = step;
            lastSnapshots = null;                          // SNAPS is about to be overwritten
            int bs = run.batchSize();
            // chunked: launches of whole batches that fit in a chunk (a batch longer than a chunk: a launch pair per step)
            int per = chunk > 0 ? Math.max(1, chunk / bs) : run.batches();
            float[] all = new float[run.records() * np];
            int got = 0;
            for (int j0 = run.firstBatch(); j0 < run.firstBatch() + run.batches(); j0 += per) {
                int wb = Math.min(per, run.firstBatch() + run.batches() - j0);
                Run sub = j0 == run.firstBatch() && wb == run.batches() ? run : new Run(bs, j0, wb, run.rate().skip(j0 - run.firstBatch()), run.recordEvery());
                int off = j0 - run.firstBatch();
                // a launch's rows fit in a chunk unless one batch is longer: then (streamed or not, so that both agree) a launch pair per step
                boolean fits = chunk == 0 || (long) bs * wb <= chunk;
                boolean staged = streamed && fits;
                if (staged) {                                  // this launch's rows, gathered through the order
                    int from = Batches.from(j0, bs);
                    stageRows(from, Math.min(bs * wb, orderLength() - from), false);
                }
                runPart(sub, step0 + off, updates() + off, fits, staged);
                int j1 = j0 + wb, wb1 = Math.min(per, run.firstBatch() + run.batches() - j1);
                if (staged && wb1 > 0 && (long) bs * wb1 <= chunk) {   // the next launch's rows upload while this one runs
                    int from1 = Batches.from(j1, bs);
                    prefetchRows(from1, Math.min(bs * wb1, orderLength() - from1), false);
                }
                int recs = sub.records();
                float[] part = readSnapshots(recs);
                System.arraycopy(part, 0, all, got * np, recs * np);
                got += recs;
                if (chunk > 0 && readStatus() != OK) break;    // later launches would skip every step
            }
            step += run.batches();
            int st = readStatus();
            int[] recorded = recordedBatches(run);
            int diverged = -1;
            if (st != OK) {
                boolean before = st < step0;               // diverged in an earlier call: nothing was applied
                diverged = before ? run.firstBatch() : run.firstBatch() + (st - step0);
                int keep = 0;
                while (!before && keep < recorded.length && recorded[keep] <= diverged) keep++;
                recorded = Arrays.copyOf(recorded, keep);
                all = Arrays.copyOf(all, keep * np);
            }
            if (chunk == 0) {
                lastSnapshots = all;                      // still in SNAPS: losses() need not upload them again
                lastSnapshotsHash = Arrays.hashCode(all);
            }
            return new RunResult(all, recorded, d, heads, diverged);
        } catch (RuntimeException e) {
            throw translate(e, "running steps");
        }
    }

    /** One launch of a run's batches (or a launch pair per step when the batch does not suit one launch), its records into SNAPS. */
    private void runPart(Run run, int step0, long t0, boolean oneLaunch, boolean staged) {
        prepareSnapshots(run.records());
        if (run.rate().steps() != null) uploadRates(run.rate().floats(run.batches()));
        if (oneLaunch && runInOneLaunch(run, step0, t0)) return;
        int rec = 0;
        for (int j = run.firstBatch(); j < run.firstBatch() + run.batches(); j++) {
            int k = j - run.firstBatch();
            int from = Batches.from(j, run.batchSize());
            int cnt = Batches.count(j, run.batchSize(), orderLength());
            int groups = stage1(from, cnt, false, true, staged);
            stepFromParts(cnt, groups, run.rate().at(k), step0 + k, t0 + k);
            if (j % run.recordEvery() == 0) copyParamsToSnapshot(rec++);
        }
    }

    @Override
    protected final double[] doLosses(float[] snapshots, int count) {
        try {
            boolean resident = snapshots == lastSnapshots && Arrays.hashCode(snapshots) == lastSnapshotsHash;
            KernelArgs.Buf where = resident ? KernelArgs.Buf.SNAPS : KernelArgs.Buf.LOSS_SNAPS;
            int g = lossParts();
            int rpp = (n + g - 1) / g;
            if (chunk > 0) rpp = Math.min(rpp, chunk);
            int groups = (n + rpp - 1) / rpp;
            float[] part;
            if (!streamed) {
                part = lossPartials(where, resident ? null : snapshots, count, n, rpp, groups, () -> {});
            } else {                                       // storage rows a chunk of whole parts at a time, the parts in order
                part = new float[groups * count];
                int per = (chunk / rpp) * rpp, done = 0;
                for (int a = 0; a < n; a += per) {
                    int c = Math.min(per, n - a), gc = (c + rpp - 1) / rpp, a1 = a + per;
                    stageRows(a, c, true);
                    Runnable next = () -> prefetchRows(a1, Math.min(per, n - a1), true);   // the next chunk uploads while this one runs
                    float[] p = lossPartials(where, a == 0 && !resident ? snapshots : null, count, c, rpp, gc, next);
                    System.arraycopy(p, 0, part, done * count, gc * count);
                    done += gc;
                }
            }
            double[] out = new double[count];
            for (int s = 0; s < count; s++) {
                double sum = 0;
                for (int q = 0; q < groups; q++) sum += part[q * count + s];
                out[s] = sum / n;
            }
            return out;
        } catch (RuntimeException e) {
            throw translate(e, "evaluating losses");
        }
    }

    // ------------------------------------------------------------------------------ sweeps (LaneRunner)

    /**
     * Models of one lane launch, packed as contract.h's LANES group: parameters (lane by lane {@code ps} floats
     * apart, or lane-major: parameter c of lane l at c·ps + l), state ({@code stride} floats a lane), settings,
     * per-step rates (null when no lane has them), records and statuses. A backend uploads, launches and reads
     * back {@code p}, {@code st}, {@code snaps} and {@code status} in {@link #launchLanes}.
     */
    protected static final class Lanes {
        public final int count, ps, stride, records, maxSlots, np;
        public final boolean laneMajor;
        public final float[] p, st;
        public float[] snaps;
        public final float[] f, lr;
        public final int[] in, status;

        Lanes(int count, int ps, int stride, int records, int maxSlots, boolean laneMajor, int np, boolean perStep, int batches) {
            this.count = count;
            this.ps = ps;
            this.stride = stride;
            this.records = records;
            this.maxSlots = maxSlots;
            this.laneMajor = laneMajor;
            this.np = np;
            this.p = new float[laneMajor ? ps * np : count * ps];
            this.st = new float[count * stride];
            this.f = new float[count * KernelArgs.LANE_FLOATS];
            this.lr = perStep ? new float[count * batches] : null;
            this.in = new int[count * KernelArgs.LANE_INTS];
            this.status = new int[count];
        }

        /** Device bytes of the lanes' buffers; {@link #snapBytes} of it in the largest. */
        public long bytes() {
            return 4L * (p.length + st.length + f.length + in.length + count + (lr != null ? lr.length : 0)) + snapBytes();
        }

        public long snapBytes() {
            return 4L * Math.max(1, records) * count * np;
        }
    }

    /** The lane kernel a model takes at this batch size (a backend's own numbering); models of one kind share a launch. */
    protected abstract int laneKind(Optimizer o, int batchSize);

    /** Whether lanes of this kind lie lane-major ({@link #lanePad} gives their stride; else each lane's parameters in turn). */
    protected abstract boolean laneMajor(int kind);

    /**
     * The stride of lane-major parameters (parameter c of lane l at c·stride + l), in floats: at least {@code count} rounded
     * up to the launch's lanes; a backend may add room that no lane uses, for its caches.
     */
    protected abstract int lanePad(int kind, int count);

    /** Runs the lane kernel of {@code kind} over the current order with the LANES buffers in place; {@code a}: its groups up to LANES. */
    protected abstract void launchLanes(int kind, Lanes lanes, Run shape, KernelArgs a);

    /**
     * Whether lanes of this kind step through a launch pair per step for all of them ({@link #runStepped}): the kind of a
     * batch whose lone run takes a launch pair per step ({@link #runInOneLaunch} refuses it).
     */
    protected abstract boolean laneStepped(int kind);

    /**
     * Stage 1 of one step (positions [from, from + count) of the order) for every lane of a stepped kind: {@code groups}
     * parts of {@code rowsPerPart} rows each, as {@link #sumParts} launches them for one model, lane l's into LANE_PARTIAL
     * at l·{@code partStride} floats.
     */
    protected abstract void launchLanePartials(Lanes lanes, int from, int count, int rowsPerPart, int groups, int partStride);

    /** Stage 2 and the update of one step for every lane (sweep_grad_step); {@code a}: LANE_PARTS_IN, use_bias, LANES, LANE_STEP. */
    protected abstract void launchLaneStep(Lanes lanes, KernelArgs a);

    /** Floats of one part in PARTIAL as {@link #sumParts} writes it (its row lanes × (npar + 1)). */
    protected abstract long partFloats();

    /** A LANE_* buffer of at least {@code bytes} (grown as needed), its first {@code bytes} poisoned when poisoning is on. */
    protected abstract void laneReserve(KernelArgs.Buf b, long bytes);

    /** The bytes of a lane array ({@link #laneWrite}, {@link #laneRead}: float[] or int[]). */
    protected static long laneBytes(Object v) {
        return 4L * (v instanceof float[] f ? f.length : ((int[]) v).length);
    }

    /** Writes {@code v} (float[] or int[]) to the start of LANE_* buffer {@code b}, growing it. */
    protected abstract void laneWrite(KernelArgs.Buf b, Object v);

    /** Reads the start of LANE_* buffer {@code b} into {@code v} (float[] or int[]). */
    protected abstract void laneRead(KernelArgs.Buf b, Object v);

    /**
     * Device scratch a launch of {@code kind} for {@code lanes} lanes takes besides their LANE_* buffers ({@code parts}: the
     * stage-1 parts of the largest step, for a stepped kind); counted in the refusal before anything is allocated.
     */
    protected long laneScratchBytes(int kind, int lanes, int parts) {
        return 0;
    }

    /** Device bytes a sweep's lanes may take beside the rows, and the largest single allocation (for the one-line refusal). */
    protected abstract long laneRoom();

    protected abstract long laneMaxAlloc();

    /** The device's name, for messages. */
    protected abstract String deviceName();

    /** {@link LaneRunner#runLanes}: the models grouped by {@link #laneKind}, a launch per kind. */
    protected final RunResult[] runLaneKinds(int bs, int batches, int every, Optimizer[] opts, Rate[] rates, double[][] states) {
        int lanesN = opts.length;
        RunResult[] out = new RunResult[lanesN];
        java.util.Map<Integer, java.util.List<Integer>> byKind = new java.util.TreeMap<>();
        for (int i = 0; i < lanesN; i++) byKind.computeIfAbsent(laneKind(opts[i], bs), k -> new java.util.ArrayList<>()).add(i);
        try {
            for (var e : byKind.entrySet()) runKind(e.getKey(), e.getValue().stream().mapToInt(Integer::intValue).toArray(), bs, batches, every, opts, rates,
                    states, out);
            return out;
        } catch (RuntimeException e) {
            throw translate(e, "running a sweep's lanes");
        }
    }

    private void runKind(int kind, int[] ids, int bs, int batches, int every, Optimizer[] opts, Rate[] rates, double[][] states, RunResult[] out) {
        int lanesN = ids.length, np = npar, maxSlots = 0;
        boolean stepped = laneStepped(kind);
        boolean perStep = stepped;                      // stepped lanes take every rate from the host, as the lone launch pairs do
        for (int i : ids) {
            maxSlots = Math.max(maxSlots, opts[i].slots());
            perStep |= rates[i].steps() != null;
        }
        boolean major = laneMajor(kind);
        int ps = major ? lanePad(kind, lanesN) : (np + 3) / 4 * 4;      // lane by lane: each lane's parameters 16-byte aligned
        Run shape = new Run(bs, 0, batches, Rate.constant(1), every);
        Lanes L = new Lanes(lanesN, ps, Math.max(1, maxSlots * np), shape.records(), maxSlots, major, np, perStep, batches);
        for (int q = 0; q < lanesN; q++) {
            int i = ids[q];
            Optimizer o = opts[i];
            double[] s = states[i];
            int sv = o.slots() * np;
            dev.descent.DescentException.require(s.length == np + sv + 1, "lane " + i + "'s state has " + s.length + " values, not " + (np + sv + 1));
            for (int c = 0; c < np; c++) L.p[major ? c * ps + q : q * ps + c] = (float) s[c];
            for (int c = 0; c < sv; c++) L.st[q * L.stride + c] = (float) s[np + c];
            long t0 = Math.min(Optimizer.T_CAP, (long) s[s.length - 1]);
            Rate r = rates[i];
            int[] v = {o.rule().code(), o.decoupled() ? 1 : 0, o.average() ? 1 : 0, (int) t0, r.inverseSqrt() ? 1 : 0,
                    (int) Math.min(Integer.MAX_VALUE, r.firstStep()), r.steps() != null ? 1 : 0};
            System.arraycopy(v, 0, L.in, q * KernelArgs.LANE_INTS, v.length);
            float[] w = {(float) r.lr(), (float) o.momentum(), (float) o.beta2(), (float) o.eps(), (float) o.weightDecay(), (float) o.l1()};
            System.arraycopy(w, 0, L.f, q * KernelArgs.LANE_FLOATS, w.length);
            if (perStep) System.arraycopy(r.floats(batches), 0, L.lr, q * batches, batches);
            L.status[q] = OK;
        }
        // stepped: each lane's stage-1 parts, as many as the batch's largest step takes (partialParts grows with the count)
        int parts = partialParts(Math.min(bs, orderLength()));
        long partStride = stepped ? parts * partFloats() : 0;
        long partBytes = 4L * partStride * lanesN, scratch = laneScratchBytes(kind, lanesN, parts);
        long bytes = L.bytes() + partBytes + scratch, largest = Math.max(L.snapBytes(), Math.max(partBytes, scratch));
        if (largest > laneMaxAlloc() || bytes > laneRoom()) {
            throw new dev.descent.DescentException(String.format(Locale.ROOT, "a sweep of %d models at batch %d needs %.1f MiB of device memory for "
                    + "their parameters, state%s%s and %d records an epoch (%.1f MiB of it in one buffer) beside the rows' %.1f MiB, but %s has "
                    + "%.1f MiB for them (%.1f MiB at most in one allocation): sweep fewer configurations at once, or record less often (--period)",
                    lanesN, bs, bytes / 1048576.0, stepped ? ", gradient parts" : "", scratch > 0 ? ", the kernel's scratch" : "", L.records, largest / 1048576.0, residentRowBytes() / 1048576.0,
                    deviceName(), laneRoom() / 1048576.0, laneMaxAlloc() / 1048576.0));
        }
        laneWrite(KernelArgs.Buf.LANE_PARAMS, L.p);
        laneWrite(KernelArgs.Buf.LANE_STATE, L.st);
        laneWrite(KernelArgs.Buf.LANE_FLOAT, L.f);
        laneWrite(KernelArgs.Buf.LANE_INT, L.in);
        laneWrite(KernelArgs.Buf.LANE_STATUS, L.status);
        if (L.lr != null) laneWrite(KernelArgs.Buf.LANE_LRS, L.lr);
        laneReserve(KernelArgs.Buf.LANE_SNAPS, L.snapBytes());
        if (stepped) {
            laneReserve(KernelArgs.Buf.LANE_PARTIAL, partBytes);
            runStepped(L, shape, (int) partStride);
        } else {
            launchLanes(kind, L, shape, args().rows().useBias().steps(shape).then(every).lanes(L.ps, L.stride, lanesN));
        }
        laneRead(KernelArgs.Buf.LANE_PARAMS, L.p);
        laneRead(KernelArgs.Buf.LANE_STATE, L.st);
        L.snaps = new float[L.records * lanesN * np];
        laneRead(KernelArgs.Buf.LANE_SNAPS, L.snaps);
        laneRead(KernelArgs.Buf.LANE_STATUS, L.status);
        int[] recorded = recordedBatches(shape);
        for (int q = 0; q < lanesN; q++) {
            int i = ids[q];
            int sv = opts[i].slots() * np, keep = recorded.length;
            int diverged = L.status[q] == OK ? -1 : L.status[q];
            if (diverged >= 0) {
                keep = 0;
                while (keep < recorded.length && recorded[keep] <= diverged) keep++;
            }
            float[] mine = new float[keep * np];
            for (int r = 0; r < keep; r++) System.arraycopy(L.snaps, (r * lanesN + q) * np, mine, r * np, np);
            out[i] = new RunResult(mine, Arrays.copyOf(recorded, keep), d, heads, diverged);
            double[] s = states[i];
            for (int c = 0; c < np; c++) s[c] = L.p[major ? c * ps + q : q * ps + c];
            for (int c = 0; c < sv; c++) s[np + c] = L.st[q * L.stride + c];
            s[s.length - 1] += batches;                // updates count every step, diverged or not (as a session's)
        }
    }

    /**
     * A stepped kind's run: per step one stage-1 launch and one update launch for all the lanes, each lane's parts and
     * update those of its lone run ({@link #runPart}'s launch pair per step: the same parts, the same rate in float,
     * the same update number), its record after batch j with j % recordEvery == 0.
     */
    private void runStepped(Lanes L, Run shape, int partStride) {
        int bs = shape.batchSize(), rec = 0;
        for (int j = 0; j < shape.batches(); j++) {
            int from = Batches.from(j, bs), cnt = Batches.count(j, bs, orderLength());
            int rpp = rowsPerPart(cnt), groups = (cnt + rpp - 1) / rpp;      // stage1's split (no chunks: lanes need resident rows)
            launchLanePartials(L, from, cnt, rpp, groups, partStride);
            launchLaneStep(L, args().lanePartsIn(partStride, partialRows(groups), cnt).useBias().lanes(L.ps, L.stride, L.count)
                    .laneStep(j, shape.batches(), j % shape.recordEvery() == 0 ? rec++ : -1));
        }
    }
}
