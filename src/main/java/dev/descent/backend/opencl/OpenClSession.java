package dev.descent.backend.opencl;

import dev.descent.DescentException;
import dev.descent.backend.spi.DeviceSession;
import dev.descent.backend.spi.Faults;
import dev.descent.backend.spi.KernelArgs;
import dev.descent.backend.spi.LaneRunner;
import dev.descent.backend.spi.Kernels;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import dev.descent.backend.spi.RunLimits;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A dataset resident on an OpenCL device. X and T are uploaded once; the batch order once per
 * {@link #setOrder}; parameters, velocities, the divergence status and all intermediates stay on
 * the device. Only gradients asked for, snapshots and loss partials come back.
 */
final class OpenClSession extends DeviceSession implements LaneRunner {

    private final OpenClBackend backend;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final List<cl_kernel> kernels = new ArrayList<>();
    private final cl_kernel kPartial, kMean, kStep, kRun, kLoss1, kLoss8, kRowsCpu, kRunCpu, kLossCpu, kRowsSparse, kRunSparse, kLossSparse;
    private cl_kernel kSweepCpu, kSweepBlock, kSweepSgd1, kSweepBatch, kSweepRowswCpu, kSweepPartial, kSweepStep;   // sweeps: made on first use (most sessions never run lanes)
    private final ClCalls.Buffer x, t, w, params, state, status, statusIgnored, out, scratch;   // shapes: KernelArgs.Buf; scratch npar
    private ClCalls.Buffer partial, partialStage;   // partialStage: a streamed chunk's parts before they move into partial
    private final ClCalls.Buffer offs, cols, vals;   // sparse rows (CSR); x is then a 4-byte placeholder
    // streaming through two slots: slot 1's rows and order (slot 0's are x … w and order), the queue that uploads
    // them while the kernels run on the other slot, and per slot a marker after the last work that reads it
    private final ClCalls.Buffer x1, offs1, cols1, vals1, t1, w1;
    private ClCalls.Buffer order1;
    private final cl_command_queue upload;
    private final cl_event[] released = new cl_event[2];
    private final boolean sparse;
    private ClCalls.Buffer residuals;  // sparse rows: a batch's residuals (batch × heads)
    private final boolean cpu;        // a CPU device: the *_cpu kernels (row ranges, explicit vectors)
    private ClCalls.Buffer order, snaps, lossSnaps, lossPartial, lrs;
    private final java.util.EnumMap<KernelArgs.Buf, ClCalls.Buffer> lane = new java.util.EnumMap<>(KernelArgs.Buf.class);   // sweeps: LANE_*
    private final int local;          // work-group size of the gradient and loss kernels
    private final int lanes;          // P: row lanes in grad_partial's phase 2
    private final int maxGroups;
    private final long runSize;       // CL_KERNEL_WORK_GROUP_SIZE of run_steps
    private final boolean poison = Kernels.poison();

    OpenClSession(OpenClBackend backend, Dataset data, Spec spec, dev.descent.backend.Streaming streaming) {
        super(data, spec);
        this.backend = backend;
        int l = 1;
        while (l * 2 <= Math.min(256, backend.maxWorkGroup)) l *= 2;
        // grad_partial keeps a residual per row and head, a loss and a row index in local memory: halve the group until they fit
        while (l > 1 && 4L * l * (heads + 2) > backend.localMem / 2) l /= 2;
        this.local = l;
        this.lanes = Math.max(1, local / (npar + 1));
        this.maxGroups = backend.computeUnits * 4;
        this.cpu = backend.cpuKernels();
        this.sparse = data.isSparse();
        long partialBytes = 4L * maxGroups * lanes * (npar + 1);
        // order, partials (twice: a streamed chunk's parts are staged), params, state, and room for 64 records or loss snapshots
        long other = 4L * n + 2 * partialBytes + 64L * (npar + 1) + 4L * npar * (2 + spec.optimizer().slots()) + 2 * 64L * 4 * npar;
        if (other > backend.globalMem) {
            throw new DescentException(String.format(Locale.ROOT, "dataset %s needs %s of device memory besides its rows (order, parameters, "
                    + "partials), but %s has %s: use fewer rows or features, or another device", data.name(), mib(other), backend.device.name(),
                    mib(backend.globalMem)));
        }
        // the rows stream through in chunks when they do not fit beside the rest (or in one allocation)
        int rows = chunking(streaming, Math.min(backend.globalMem - other - backend.globalMem / 16, backend.maxAlloc), backend.device.name(), 4L * n,
                backend.device.gpu() && !backend.hostUnifiedMemory);
        boolean two = rowSlots() == 2;
        // a chunk may repeat rows (an order with replacement): room for its rows at the widest row's count, not the data's total
        long nnz = !sparse ? 0 : streamed() ? chunkValues(rows) : data.stored();
        long xBytes = sparse ? 4L * nnz : 4L * rows * d;
        long need = other + residentRowBytes();
        try {
            kPartial = kernel("grad_partial");
            kMean = kernel("grad_mean");
            kStep = kernel("grad_step");
            kRun = kernel("run_steps_block");
            kLoss1 = kernel("losses_k1");
            kLoss8 = kernel("losses_k8");
            long[] ws = new long[1];
            CL.clGetKernelWorkGroupInfo(kRun, backend.device.id(), CL.CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(ws), null);
            runSize = Math.max(1, ws[0]);
            kRowsCpu = kernel("grad_rows_cpu");
            kRunCpu = kernel("run_steps_cpu");
            kLossCpu = kernel("losses_cpu");
            kRowsSparse = kernel("grad_rows_sparse");
            kRunSparse = kernel("run_steps_sparse");
            kLossSparse = kernel("losses_sparse");
            x = buffer(sparse ? 4 : xBytes);
            offs = sparse ? buffer(8L * (rows + 1)) : null;
            cols = sparse ? buffer(4L * nnz) : null;
            vals = sparse ? buffer(4L * nnz) : null;
            t = buffer(data.hasTargets() ? 4L * rows : 4);
            w = buffer(data.hasWeights() ? 4L * rows : 4);
            x1 = two ? buffer(sparse ? 4 : xBytes) : null;
            offs1 = two && sparse ? buffer(8L * (rows + 1)) : null;
            cols1 = two && sparse ? buffer(4L * nnz) : null;
            vals1 = two && sparse ? buffer(4L * nnz) : null;
            t1 = two ? buffer(data.hasTargets() ? 4L * rows : 4) : null;
            w1 = two ? buffer(data.hasWeights() ? 4L * rows : 4) : null;
            upload = two ? queue() : null;
            params = buffer(4L * npar);
            state = buffer(4L * stateFloats());
            status = buffer(4);
            statusIgnored = buffer(4);
            out = buffer(4L * (npar + 1));
            scratch = buffer(4L * npar);
            partial = buffer(partialBytes);
            if (Faults.injected(Faults.OPENCL_SESSION)) throw new CLException("injected fault", CL.CL_MEM_OBJECT_ALLOCATION_FAILURE);
            if (streamed()) {
                // rows arrive a chunk at a time
            } else if (sparse) {
                var csr = data.rowsSparse();
                CL.clEnqueueWriteBuffer(backend.queue, offs.mem, CL.CL_TRUE, 0, 8L * (n + 1), Pointer.to(csr.rowOffsets()), 0, null, null);
                for (int g = 0; g < csr.segments(); g++) {         // the segments back to back: one buffer, global offsets
                    long at = 4L * csr.segmentStart(g), len = 4L * csr.colSegments()[g].length;
                    if (len == 0) continue;
                    CL.clEnqueueWriteBuffer(backend.queue, cols.mem, CL.CL_TRUE, at, len, Pointer.to(csr.colSegments()[g]), 0, null, null);
                    CL.clEnqueueWriteBuffer(backend.queue, vals.mem, CL.CL_TRUE, at, len, Pointer.to(csr.valSegments()[g]), 0, null, null);
                }
            } else {
                write(x, data.features());
            }
            if (data.hasTargets() && !streamed()) write(t, data.targets());
            if (data.hasWeights() && !streamed()) write(w, data.weights());
            write(params, new float[npar]);
            write(state, new float[stateFloats()]);
            writeInt(status, OK);
            writeInt(statusIgnored, OK);
        } catch (CLException e) {
            doClose();
            throw deviceError("uploading the dataset", e, need);
        } catch (RuntimeException e) {
            doClose();
            throw e;
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Override
    protected RuntimeException translate(RuntimeException e, String what) {
        return e instanceof CLException ce ? deviceError(what, ce, 0) : e;
    }

    private DescentException deviceError(String what, CLException e, long need) {
        String s = e.getMessage();
        int st = e.getStatus();
        if (st == CL.CL_MEM_OBJECT_ALLOCATION_FAILURE || st == CL.CL_OUT_OF_RESOURCES || st == CL.CL_OUT_OF_HOST_MEMORY) {
            return new DescentException("out of device memory while " + what + (need > 0 ? ": needed about " + mib(need) + ", " : ": ")
                    + backend.device.name() + " has " + mib(backend.globalMem) + " in all (" + CL.stringFor_errorCode(st) + ")", e);
        }
        return new DescentException("OpenCL error while " + what + " on " + backend.device.name() + ": " + s, e);
    }

    private cl_kernel kernel(String name) {
        cl_kernel k = CL.clCreateKernel(backend.program, name, null);
        kernels.add(k);
        return k;
    }

    /** A second in-order queue on the session's device (released with the session). */
    private cl_command_queue queue() {
        @SuppressWarnings("deprecation")                   // clCreateCommandQueue: also works on OpenCL 1.2 platforms
        cl_command_queue q = CL.clCreateCommandQueue(backend.context, backend.device.id(), 0, null);
        owned.add(() -> CL.clReleaseCommandQueue(q));
        return q;
    }

    private ClCalls.Buffer buffer(long bytes) {
        ClCalls.Buffer b = new ClCalls.Buffer(backend.context, bytes);
        owned.add(b);
        return b;
    }

    /** A buffer of at least {@code bytes}, replacing {@code old} when it is smaller. */
    private ClCalls.Buffer grow(ClCalls.Buffer old, long bytes) {
        if (old != null && old.bytes >= bytes) return old;
        if (old != null) {
            old.close();
            owned.remove(old);
        }
        return buffer(Math.max(bytes, old == null ? 0 : old.bytes * 2));
    }

    private void write(ClCalls.Buffer b, float[] v) {
        CL.clEnqueueWriteBuffer(backend.queue, b.mem, CL.CL_TRUE, 0, 4L * v.length, Pointer.to(v), 0, null, null);
    }

    private void writeInt(ClCalls.Buffer b, int v) {
        CL.clEnqueueWriteBuffer(backend.queue, b.mem, CL.CL_TRUE, 0, 4, Pointer.to(new int[] {v}), 0, null, null);
    }

    private float[] read(ClCalls.Buffer b, int count) {
        float[] v = new float[count];
        if (count > 0) CL.clEnqueueReadBuffer(backend.queue, b.mem, CL.CL_TRUE, 0, 4L * count, Pointer.to(v), 0, null, null);
        return v;
    }

    private int readInt(ClCalls.Buffer b) {
        int[] v = new int[1];
        CL.clEnqueueReadBuffer(backend.queue, b.mem, CL.CL_TRUE, 0, 4, Pointer.to(v), 0, null, null);
        return v[0];
    }

    /** Fills with NaN by a host write: PoCL 5's clEnqueueFillBuffer corrupted the heap on 8-byte buffers. */
    private void poison(ClCalls.Buffer b, long bytes) {
        if (!poison || bytes == 0) return;
        float[] nan = new float[(int) (bytes / 4)];
        java.util.Arrays.fill(nan, Float.NaN);
        write(b, nan);
    }

    /** The device buffer a contract group names. */
    private ClCalls.Buffer buffer(KernelArgs.Buf b) {
        return switch (b) {
            case X, T, W, ORDER, OFFS, COLS, VALS -> slotBuffer(b, boundSlot());
            case PARAMS -> params;
            case STATE -> state;
            case SNAPS -> snaps;
            case STATUS -> status;
            case STATUS_IGNORED -> statusIgnored;
            case PARTIAL -> partial;
            case OUT -> out;
            case LRS -> lrs != null ? lrs : params;          // unread without a per-step schedule
            case LOSS_SNAPS -> lossSnaps;
            case LOSS_PARTIAL -> lossPartial;
            case LANE_LRS -> lane.getOrDefault(b, lane.get(KernelArgs.Buf.LANE_FLOAT));   // unread without a per-step schedule
            case LANE_PARAMS, LANE_STATE, LANE_INT, LANE_FLOAT, LANE_SNAPS, LANE_STATUS, LANE_PARTIAL -> lane.get(b);
        };
    }

    /** A row buffer (rows, targets, weights, order; sparse offsets, columns, values) of slot {@code slot}. */
    private ClCalls.Buffer slotBuffer(KernelArgs.Buf b, int slot) {
        return slot == 1 ? rowBuffer(b, x1, t1, w1, order1, offs1, cols1, vals1) : rowBuffer(b, x, t, w, order, offs, cols, vals);
    }

    /** Sets {@code k}'s arguments from the groups in {@code a} and enqueues {@code groups} work-groups of {@code localSize}. */
    private void launch(cl_kernel k, long groups, long localSize, KernelArgs a) {
        Object[] v = a.values().toArray();
        for (int i = 0; i < v.length; i++) if (v[i] instanceof KernelArgs.Buf b) v[i] = buffer(b);
        ClCalls.args(k, v);
        CL.clEnqueueNDRangeKernel(backend.queue, k, 1, null, new long[] {groups * localSize}, new long[] {localSize}, 0, null, null);
    }

    // ---------------------------------------------------------------------------------------- primitives

    @Override protected void uploadParams(float[] packed) { write(params, packed); }
    @Override protected float[] downloadParams() { return read(params, npar); }
    @Override protected void writeStatus(int value) { writeInt(status, value); }
    @Override protected int readStatus() { return readInt(status); }
    @Override protected void uploadState(float[] v) { write(state, v); }
    @Override protected float[] downloadState() { return read(state, stateFloats()); }

    @Override
    protected void uploadRates(float[] rates) {
        lrs = grow(lrs, 4L * rates.length);
        CL.clEnqueueWriteBuffer(backend.queue, lrs.mem, CL.CL_TRUE, 0, 4L * rates.length, Pointer.to(rates), 0, null, null);
    }

    @Override
    protected void uploadOrder(int[] idx) {
        order = grow(order, 4L * idx.length);
        CL.clEnqueueWriteBuffer(backend.queue, order.mem, CL.CL_TRUE, 0, 4L * idx.length, Pointer.to(idx), 0, null, null);
        if (upload != null) {
            order1 = grow(order1, 4L * idx.length);
            CL.clEnqueueWriteBuffer(backend.queue, order1.mem, CL.CL_TRUE, 0, 4L * idx.length, Pointer.to(idx), 0, null, null);
        }
    }

    @Override
    protected int partialParts(int count) {
        if (cpu) return Math.min(maxGroups, count);
        if (sparse) return RunLimits.sparseGroups(count, maxGroups);
        return Math.min(maxGroups, (count + local - 1) / local);
    }

    @Override
    protected int lossParts() {
        return sparse ? RunLimits.sparseLossParts(n, sparseLocal(), maxGroups) : super.lossParts();   // losses_sparse: a work-group per part
    }

    /** Work-items per group of the sparse kernels: 1 in the cpu family, else {@link RunLimits#sparseGroup}. */
    private int sparseLocal() {
        return cpu ? 1 : RunLimits.sparseGroup(backend.device.gpu());
    }

    /** Floats of stage 1's output per work-group: its row lanes' partials (one lane per work-item on a CPU and for sparse rows). */
    @Override
    protected long partFloats() {
        return (long) (cpu || sparse ? 1 : lanes) * (npar + 1);
    }

    @Override
    protected void sumParts(int from, int count, int rpp, int g, int total, boolean withLoss, boolean honorStatus, int intoPart) {
        long unit = 4L * partFloats();
        partial = grow(partial, unit * Math.max(g, total));
        ClCalls.Buffer target = partial;
        if (intoPart >= 0) {                               // a streamed chunk: its parts go to their place after the launch
            partialStage = grow(partialStage, unit * g);
            target = partialStage;
        }
        ClCalls.Buffer keep = partial;
        partial = target;                                  // the launch's PARTIAL
        try {
            poison(partial, unit * g);
            if (sparse) {
                residuals = grow(residuals, 4L * count * heads);
                launch(kRowsSparse, g, sparseLocal(), args().sparseRows().batch(from, count).weights().partialsOut(withLoss, rpp, honorStatus)
                        .then(residuals, g));
            } else {
                KernelArgs a = args().rows().batch(from, count).weights().partialsOut(withLoss, rpp, honorStatus);
                if (cpu) {
                    launch(kRowsCpu, g, 1, a);
                } else {
                    launch(kPartial, g, local, a.then(lanes, new ClCalls.Local(4L * local * heads), new ClCalls.Local(4L * local),
                            new ClCalls.Local(4L * local)));
                }
            }
        } finally {
            partial = keep;
        }
        if (intoPart >= 0) CL.clEnqueueCopyBuffer(backend.queue, partialStage.mem, partial.mem, 0, unit * intoPart, unit * g, 0, null, null);
    }

    @Override
    protected void meanOfParts(int count, int groups) {
        poison(out, 4L * (npar + 1));
        launch(kMean, (npar + 1 + 63) / 64, 64, args().partialsIn(partialRows(groups), count).meanOut());
    }

    @Override
    protected void stepFromParts(int count, int groups, double lr, int stepNo, long t0) {
        launch(kStep, (npar + 1 + 63) / 64, 64, args().partialsIn(partialRows(groups), count).model(t0).rule().update(lr, stepNo));
    }

    /**
     * Blocking writes: with two slots on the upload queue, which does not wait for the kernels reading the
     * other slot (slot s itself is free: {@link #awaitSlot} came first); with one, on the kernels' queue.
     */
    @Override
    protected void uploadRows(Rows r, int slot) {
        cl_command_queue q = upload != null ? upload : backend.queue;
        if (sparse) {
            CL.clEnqueueWriteBuffer(q, slotBuffer(KernelArgs.Buf.OFFS, slot).mem, CL.CL_TRUE, 0, 8L * (r.rows + 1), Pointer.to(r.offs), 0, null, null);
            if (r.nnz > 0) {
                CL.clEnqueueWriteBuffer(q, slotBuffer(KernelArgs.Buf.COLS, slot).mem, CL.CL_TRUE, 0, 4L * r.nnz, Pointer.to(r.cols).withByteOffset(4L * r.valAt), 0, null, null);
                CL.clEnqueueWriteBuffer(q, slotBuffer(KernelArgs.Buf.VALS, slot).mem, CL.CL_TRUE, 0, 4L * r.nnz, Pointer.to(r.vals).withByteOffset(4L * r.valAt), 0, null, null);
            }
        } else {
            CL.clEnqueueWriteBuffer(q, slotBuffer(KernelArgs.Buf.X, slot).mem, CL.CL_TRUE, 0, 4L * r.rows * d, Pointer.to(r.x).withByteOffset(4L * r.at * d), 0, null, null);
        }
        if (r.t != null) CL.clEnqueueWriteBuffer(q, slotBuffer(KernelArgs.Buf.T, slot).mem, CL.CL_TRUE, 0, 4L * r.rows, Pointer.to(r.t).withByteOffset(4L * r.at), 0, null, null);
        if (r.w != null) CL.clEnqueueWriteBuffer(q, slotBuffer(KernelArgs.Buf.W, slot).mem, CL.CL_TRUE, 0, 4L * r.rows, Pointer.to(r.w).withByteOffset(4L * r.at), 0, null, null);
    }

    @Override
    protected void uploadOrderAt(int slot, int offset, int[] values) {
        CL.clEnqueueWriteBuffer(upload != null ? upload : backend.queue, slotBuffer(KernelArgs.Buf.ORDER, slot).mem, CL.CL_TRUE, 4L * offset,
                4L * values.length, Pointer.to(values), 0, null, null);
    }

    /** A marker after the work enqueued so far (the last that reads the slot), and a flush so that it runs while the host uploads. */
    @Override
    protected void slotReleased(int slot) {
        if (upload == null) return;
        if (released[slot] != null) CL.clReleaseEvent(released[slot]);
        cl_event e = new cl_event();
        CL.clEnqueueMarkerWithWaitList(backend.queue, 0, null, e);
        released[slot] = e;
        CL.clFlush(backend.queue);
    }

    @Override
    protected void awaitSlot(int slot) {
        CL.clFlush(backend.queue);                         // the work on the other slot runs during the upload that follows
        cl_event e = released[slot];
        if (e == null) return;
        released[slot] = null;
        try {
            CL.clWaitForEvents(1, new cl_event[] {e});
        } finally {
            CL.clReleaseEvent(e);
        }
    }

    @Override
    protected float[] readGradientOut() {
        return read(out, npar + 1);
    }

    /** Work-group size of run_steps for this batch, or 0 when the batch needs the multi-work-group path. */
    private int runLocal(int batch) {
        return runLocal(batch, spec.optimizer().slots());
    }

    /** {@link #runLocal(int)} for an optimizer state of {@code slots} slots per parameter. */
    private int runLocal(int batch, int slots) {
        long localBytes = 4L * (npar + Math.max(1, slots * npar) + (heads + 1L) * batch + 1);
        if (!RunLimits.oneBlock(batch, d * heads) || localBytes > backend.localMem) return 0;
        int cap = (int) Math.min(backend.device.gpu() ? RunLimits.GPU_RUN_GROUP_CAP : RunLimits.NON_GPU_RUN_GROUP_CAP, runSize);
        int l = 1;
        while (l < Math.max(batch, npar) && l * 2 <= cap) l *= 2;
        return l;
    }

    @Override
    protected void prepareSnapshots(int records) {
        snaps = grow(snaps, 4L * Math.max(1, records) * npar);
        poison(snaps, 4L * records * npar);
    }

    @Override
    protected boolean runInOneLaunch(Run run, int step0, long t0) {
        if (sparse) {
            if (!cpu && run.batchSize() > RunLimits.SPARSE_ONE_GROUP_MAX_BATCH) return false;
            int rows = Math.min(run.batchSize(), orderLength());
            residuals = grow(residuals, 4L * rows * heads);
            launch(kRunSparse, 1, sparseLocal(), args().sparseRows().model(t0).rule().steps(run).rate(run).record(run, step0)
                    .then(scratch, residuals, lazySparse(run) ? 1 : 0, maxAbsStoredValue()));
            return true;
        }
        KernelArgs a = args().rows().model(t0).rule().steps(run).rate(run).record(run, step0);
        if (cpu) {
            if ((long) run.batchSize() * d * heads > RunLimits.CPU_ONE_ITEM_MAX_VALUES) return false;
            launch(kRunCpu, 1, 1, a.then(scratch));
            return true;
        }
        int l = runLocal(run.batchSize());
        if (l == 0) return false;
        launch(kRun, 1, l, a.then(new ClCalls.Local(4L * npar), new ClCalls.Local(4L * stateFloats()), new ClCalls.Local(4L * run.batchSize() * heads),
                new ClCalls.Local(4L * run.batchSize()), new ClCalls.Local(4)));
        return true;
    }

    // ---------------------------------------------------------------------------------------- sweeps

    /**
     * A lone run of this batch goes to one launch (run_steps_cpu on CPU kernels, run_steps_block on GPU kernels), over
     * resident unchunked dense rows of one head: then sweep_steps_cpu / sweep_steps_block repeat its arithmetic per lane.
     */
    @Override
    public String lanesShape(int batchSize) {
        int sw = backend.laneWidth;
        if (!oneLaunch(batchSize, 0)) {
            return "in one launch pair per step for all the models, as their lone runs' pair: " + (cpu
                    ? "a work-item per part of the batch and " + sw + " models on vectors (each row read from memory once for them, each of "
                    + "its values broadcast once for the " + sw + ")"
                    : "a work-group per part and model (the models of a part side by side)");
        }
        return "in one launch per epoch, " + (cpu ? (batchSize > 1 ? sw + " models a work-item on vectors (each batch row read from "
                + "memory once per work-group and each of its values broadcast once for the " + sw + ")" : sw + " plain-SGD models a "
                + "work-item on vectors, other rules a work-item per model, " + RunLimits.SWEEP_CPU_GROUP + " to a work-group (each batch "
                + "row read from memory once per work-group)")
                : "a work-group per model (the models share each batch row through the device's cache)");
    }

    /** Resident unchunked dense rows of one head; any batch (its lone runs' launch shape picks the kind: {@link #laneKind}). */
    @Override
    public boolean lanesFit(int batchSize) {
        return !sparse && heads == 1 && chunkRows() == 0;
    }

    /**
     * On CPU kernels a work-item steps SW lanes on vectors whatever the number of models, so one model costs SW models'
     * arithmetic on one core. Measured on PoCL with 16 lanes (2-core Xeon, 1M rows, session 23; a lone epoch against a sweep of
     * one): batch 1 at d = 64 51 against 138 ms, batch 100 42 against 87, full batch 17 against 52; eight models in a sweep
     * cost what one does, so lanes win from three models on. With 8 lanes (AVX2; not measured) from two.
     */
    @Override
    public int lanesFrom(int batchSize) {
        return cpu ? (backend.laneWidth >= 16 ? 3 : 2) : 1;
    }

    /** Whether a lone run of this batch with {@code slots} state slots takes one launch (runInOneLaunch's test, dense rows). */
    private boolean oneLaunch(int batchSize, int slots) {
        return cpu ? (long) batchSize * d * heads <= RunLimits.CPU_ONE_ITEM_MAX_VALUES : runLocal(batchSize, slots) != 0;
    }


    @Override
    public RunResult[] runLanes(int bs, int batches, int every, Optimizer[] opts, Rate[] rates, double[][] states) {
        DescentException.require(lanesFit(bs), "this session cannot run sweep lanes of batch " + bs + ": train the models one by one");
        return runLaneKinds(bs, batches, every, opts, rates, states);
    }

    private static final int LANES_SGD1 = 0, LANES_CPU = 1, LANES_BLOCK = 2, LANES_STEPPED = 3, LANES_BATCH = 4;

    /**
     * A batch whose lone run takes a launch pair per step goes to the stepped lanes (sweep_rowsw_cpu or sweep_partial, then
     * sweep_grad_step); else on CPU kernels batch-1 plain SGD (step_cpu's one-row path) goes to sweep_sgd1_cpu, batch 1
     * with another rule to sweep_steps_cpu, larger batches (any rule) to sweep_batch_cpu; on GPU kernels to sweep_steps_block.
     */
    @Override
    protected int laneKind(Optimizer o, int bs) {
        if (!oneLaunch(bs, o.slots())) return LANES_STEPPED;
        if (!cpu) return LANES_BLOCK;
        if (bs > 1) return LANES_BATCH;
        boolean plain = o.rule() == Optimizer.Rule.SGD && !o.decoupled() && (float) o.l1() == 0f && !o.average();
        return plain ? LANES_SGD1 : LANES_CPU;
    }

    @Override protected boolean laneMajor(int kind) { return kind == LANES_SGD1 || kind == LANES_BATCH; }
    @Override protected boolean laneStepped(int kind) { return kind == LANES_STEPPED; }

    @Override
    protected void launchLanePartials(Lanes L, int from, int count, int rpp, int groups, int partStride) {
        KernelArgs a = args().rows().batch(from, count).useBias().lanes(L.ps, L.stride, L.count).lanePartsOut(rpp, partStride);
        if (cpu) {
            if (kSweepRowswCpu == null) kSweepRowswCpu = kernel("sweep_rowsw_cpu");
            laneGradients = grow(laneGradients, laneScratchBytes(LANES_STEPPED, L.count, groups));
            launch(kSweepRowswCpu, groups, 1, a.then(laneGradients));
        } else {
            if (kSweepPartial == null) kSweepPartial = kernel("sweep_partial");
            launch(kSweepPartial, (long) groups * L.count, local, a.then(lanes, new ClCalls.Local(4L * local * heads), new ClCalls.Local(4L * local),
                    new ClCalls.Local(4L * local)));
        }
    }

    /**
     * The CPU kernels' scratch, which the launches allocate and the refusal counts: sweep_rowsw_cpu per part and block of
     * SW lanes their weights, gradient sums, Σr and biases; sweep_batch_cpu per work-item its SW lanes' sums; sweep_steps_cpu
     * npar floats a work-item.
     */
    @Override
    protected long laneScratchBytes(int kind, int lanes, int parts) {
        if (!cpu) return 0;
        int sw = backend.laneWidth;
        return switch (kind) {
            case LANES_STEPPED -> 4L * parts * ((lanes + sw - 1) / sw) * (2L * d + 2) * sw;
            case LANES_BATCH -> 4L * laneItems(lanes) * sw * npar;                 // items × SW × npar
            case LANES_CPU -> {
                int local = Math.min(RunLimits.SWEEP_CPU_GROUP, lanes);
                yield 4L * ((lanes + local - 1) / local) * local * npar;
            }
            default -> 0;
        };
    }

    @Override
    protected void launchLaneStep(Lanes L, KernelArgs a) {
        if (kSweepStep == null) kSweepStep = kernel("sweep_grad_step");
        launch(kSweepStep, ((long) L.count * npar + 63) / 64, 64, a);
    }

    /**
     * sweep_sgd1_cpu, sweep_batch_cpu: the stride of the lane-major parameters, in floats: the work-items' lanes ({@link
     * #laneItems} × SW), plus one cache line where those would make it an even number of 64-byte lines. A work-item reads
     * its weight column at this stride; at 2^k lines (256 models: 16 lines, 1 KiB) the column's d + 1 lines fell into 64 ÷ 2^k
     * of a 64-set L1 cache's sets and evicted each other every step. At an odd number of lines they spread over all 64.
     * The padding is layout only: no work-item computes it.
     */
    @Override
    protected int lanePad(int kind, int count) {
        int ps = laneItems(count) * backend.laneWidth;
        return ps % 32 == 0 ? ps + 16 : ps;
    }

    /** Work-items of a lane launch: SW lanes each, as many in each work-group, a work-group per compute unit. */
    private int laneItems(int count) {
        int sw = backend.laneWidth, items = (count + sw - 1) / sw, groups = Math.max(1, Math.min(backend.computeUnits, items));
        return groups * ((items + groups - 1) / groups);
    }

    @Override protected long laneRoom() { return backend.globalMem - residentRowBytes(); }
    @Override protected long laneMaxAlloc() { return backend.maxAlloc; }
    @Override protected String deviceName() { return backend.device.name(); }

    @Override
    protected void laneReserve(KernelArgs.Buf b, long bytes) {
        lane.put(b, grow(lane.get(b), bytes));
        poison(lane.get(b), bytes);
    }

    @Override
    protected void laneWrite(KernelArgs.Buf b, Object v) {
        Pointer p = v instanceof float[] f ? Pointer.to(f) : Pointer.to((int[]) v);
        long bytes = laneBytes(v);
        lane.put(b, grow(lane.get(b), bytes));
        CL.clEnqueueWriteBuffer(backend.queue, lane.get(b).mem, CL.CL_TRUE, 0, bytes, p, 0, null, null);
    }

    @Override
    protected void laneRead(KernelArgs.Buf b, Object v) {
        Pointer p = v instanceof float[] f ? Pointer.to(f) : Pointer.to((int[]) v);
        long bytes = laneBytes(v);
        if (bytes > 0) CL.clEnqueueReadBuffer(backend.queue, lane.get(b).mem, CL.CL_TRUE, 0, bytes, p, 0, null, null);
    }

    @Override
    protected void launchLanes(int kind, Lanes L, Run shape, KernelArgs a) {
        int bs = shape.batchSize();
        // steps between barriers on CPU kernels: a window of about 16 KiB of rows, which a group's lanes then read from L1
        int sync = (int) Math.max(1, Math.min(shape.batches(), RunLimits.SWEEP_CPU_WINDOW_BYTES / ((long) bs * (4L * d + 8))));
        if (kind == LANES_SGD1) {
            if (kSweepSgd1 == null) kSweepSgd1 = kernel("sweep_sgd1_cpu");
            int items = laneItems(L.count), groups = Math.max(1, Math.min(backend.computeUnits, items));
            launch(kSweepSgd1, groups, items / groups, a.then(sync));
        } else if (kind == LANES_BATCH) {
            if (kSweepBatch == null) kSweepBatch = kernel("sweep_batch_cpu");
            int items = laneItems(L.count), groups = Math.max(1, Math.min(backend.computeUnits, items));
            laneGradients = grow(laneGradients, laneScratchBytes(kind, L.count, 0));
            launch(kSweepBatch, groups, items / groups, a.then(laneGradients, sync));
        } else if (kind == LANES_CPU) {
            if (kSweepCpu == null) kSweepCpu = kernel("sweep_steps_cpu");
            int local = Math.min(RunLimits.SWEEP_CPU_GROUP, L.count), groups = (L.count + local - 1) / local;
            laneScratch = grow(laneScratch, laneScratchBytes(kind, L.count, 0));
            launch(kSweepCpu, groups, local, a.then(laneScratch, sync));
        } else {                                       // a work-group per lane, run_steps_block's shape
            if (kSweepBlock == null) kSweepBlock = kernel("sweep_steps_block");
            launch(kSweepBlock, L.count, runLocal(bs, L.maxSlots), a.then(new ClCalls.Local(4L * npar), new ClCalls.Local(4L * L.stride),
                    new ClCalls.Local(4L * bs * heads), new ClCalls.Local(4L * bs), new ClCalls.Local(4)));
        }
    }

    private ClCalls.Buffer laneScratch;          // sweep_steps_cpu: npar floats a work-item
    private ClCalls.Buffer laneGradients;        // sweep_batch_cpu, sweep_rowsw_cpu: each work-item's SW lanes' sums (and weights)

    @Override
    protected void copyParamsToSnapshot(int record) {
        CL.clEnqueueCopyBuffer(backend.queue, averaged() ? state.mem : params.mem, snaps.mem, averaged() ? 4L * averageAt() : 0,
                4L * record * npar, 4L * npar, 0, null, null);
    }

    @Override
    protected float[] readSnapshots(int records) {
        return read(snaps, records * npar);
    }

    @Override
    protected float[] lossPartials(KernelArgs.Buf where, float[] snapshots, int count, int rows, int rpp, int g, Runnable whileRunning) {
        lossPartial = grow(lossPartial, 4L * g * count);
        if (snapshots != null) {
            lossSnaps = grow(lossSnaps, 4L * count * npar);
            CL.clEnqueueWriteBuffer(backend.queue, lossSnaps.mem, CL.CL_TRUE, 0, 4L * count * npar, Pointer.to(snapshots), 0, null, null);
        }
        poison(lossPartial, 4L * g * count);
        if (sparse) {
            launch(kLossSparse, g, sparseLocal(), args(rows).sparseAllRows().losses(where, count, rpp).then(g));
        } else {
            KernelArgs a = args(rows).allRows().losses(where, count, rpp);
            if (cpu) launch(kLossCpu, g, 1, a);
            else launch(count >= 4 ? kLoss8 : kLoss1, g, local, a.then(new ClCalls.Local(4L * local)));
        }
        CL.clFlush(backend.queue);
        whileRunning.run();
        return read(lossPartial, g * count);
    }

    @Override
    protected void doClose() {
        for (int k = 0; k < released.length; k++) {
            if (released[k] != null) CL.clReleaseEvent(released[k]);
            released[k] = null;
        }
        for (cl_kernel k : kernels) CL.clReleaseKernel(k);
        kernels.clear();
        for (AutoCloseable a : owned) {
            try {
                a.close();
            } catch (Exception ignored) {
                // releasing a buffer does not fail in a way we could act on
            }
        }
        owned.clear();
    }
}
