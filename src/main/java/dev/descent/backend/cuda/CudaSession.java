package dev.descent.backend.cuda;

import dev.descent.DescentException;
import dev.descent.backend.spi.DeviceSession;
import dev.descent.backend.spi.Faults;
import dev.descent.backend.spi.KernelArgs;
import dev.descent.backend.spi.LaneRunner;
import dev.descent.backend.spi.Kernels;
import dev.descent.backend.spi.RunLimits;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A dataset resident on a CUDA device; the primitives of {@link DeviceSession} as driver-API calls.
 * Launch shapes: 256-thread blocks, at most 8 blocks per SM for the gradient and the losses
 * (fixed per device, so results are bit-identical run to run on one device). A softmax model
 * (heads > 1) takes the *_softmax kernels: every other gradient, run and loss kernel is one head only.
 */
final class CudaSession extends DeviceSession implements LaneRunner {
    private static final int BLOCK = 256;
    /** The stage-1 partials' target size (see maxParts). */
    private static final long PARTIAL_BYTES = 64L << 20;
    /** Dynamic shared memory grad_partial_softmax may take for its tile's residuals (4 · threads · heads bytes). */
    private static final int SOFTMAX_RESIDUAL_BYTES = 32 * 1024;

    /** One allocation; closing frees it once. */
    private static final class Mem implements AutoCloseable {
        final CUdeviceptr ptr = new CUdeviceptr();
        final long bytes;
        private boolean freed;

        Mem(long bytes) {
            this.bytes = Math.max(4, bytes);
            JCudaDriver.cuMemAlloc(ptr, this.bytes);
        }

        @Override
        public void close() {
            if (!freed) {
                freed = true;
                JCudaDriver.cuMemFree(ptr);
            }
        }
    }

    private final CudaBackend cu;
    private final List<Mem> owned = new ArrayList<>();
    private final Mem x, t, w, params, state, status, statusIgnored, out;   // shapes: KernelArgs.Buf
    private Mem partial, partialStage;              // partialStage: a streamed chunk's parts before they move into partial
    private Mem order, snaps, lossSnaps, lossPartial, lrs;
    private final CUfunction fPartial, fMean, fStep, fLoss1, fLoss8, fLossSoftmax, fRunBlock;   // fPartial, fRunBlock: softmax's when heads > 1
    private final CUfunction fRunThread;            // null when d > 16 or heads > 1
    private final CUfunction fSweepThread, fSweepBlock;   // sweeps (runLanes); fSweepThread null as fRunThread
    private CUfunction fSweepStep;                  // sweeps of a batch of several blocks a step: made on first use
    private final java.util.EnumMap<KernelArgs.Buf, Mem> lane = new java.util.EnumMap<>(KernelArgs.Buf.class);   // sweeps: LANE_*
    private final CUfunction fRowsSparse, fRunSparse, fLossSparse;   // sparse rows (kernels/common/sparse.h)
    private final boolean sparse;
    private final Mem offs, cols, vals, scratch;    // sparse rows (CSR) and run_steps_sparse's npar sums; null when dense
    private Mem residuals;                          // sparse rows: a batch's residuals (batch × heads)
    // streaming through two slots: slot 1's rows and order (slot 0's are x … w and order), the non-blocking stream that
    // uploads them while the kernels run on the other slot (the legacy null stream), and per slot an event recorded on
    // the null stream after the last work that reads it
    private final Mem x1, offs1, cols1, vals1, t1, w1;
    private Mem order1;
    private final CUstream upload;
    private final CUevent[] released = new CUevent[2];
    private final int partialBlock;                 // threads per block of fPartial
    private final int partialShared;
    private final int maxParts;
    private final boolean poison = Kernels.poison();

    CudaSession(CudaBackend cu, Dataset data, Spec spec, dev.descent.backend.Streaming streaming) {
        super(data, spec);
        this.cu = cu;
        String grad = heads > 1 ? CudaKernels.GRAD_SOFTMAX : CudaKernels.gradPartial(d);
        fPartial = function(grad);
        if (heads > 1) {                              // a tile of partialBlock rows' residuals, heads each
            partialBlock = softmaxBlock(heads);
            partialShared = 4 * partialBlock * heads;
        } else {
            partialBlock = BLOCK;
            partialShared = grad.equals(CudaKernels.GRAD_GENERIC) ? 0 : 4 * (BLOCK / 32) * (d + 2);
        }
        // a part's partial is npar + 1 floats: wide softmax models (k·(d + 1) in the 100,000s) cap the parts so that the
        // buffer stays near PARTIAL_BYTES, at least one part per multiprocessor (one-head models never reach the cap)
        this.sparse = data.isSparse();
        // sparse: the loss a thread per part (sparse.h), up to 64 per multiprocessor within the same partial-buffer budget; the gradient two groups
        this.maxParts = Math.min(sparse ? cu.multiprocessors * 64 : cu.multiprocessors * residentBlocks(fPartial, partialBlock, partialShared),
                (int) Math.max(cu.multiprocessors, PARTIAL_BYTES / (4L * (npar + 1))));
        // order, partials (twice: a streamed chunk's parts are staged), params, state, and room for 64 records or loss snapshots
        long other = 4L * n + 2 * 4L * maxParts * (npar + 1) + 64L * (npar + 1) + 4L * npar * (2 + spec.optimizer().slots()) + 2 * 64L * 4 * npar;
        long[] free = new long[1], total = new long[1];
        try {
            JCudaDriver.cuMemGetInfo(free, total);
        } catch (CudaException e) {
            throw new DescentException("CUDA error reading free memory: " + e.getMessage());
        }
        if (other > free[0]) {
            throw new DescentException(String.format(Locale.ROOT, "out of device memory: dataset %s needs %s besides its rows (order, parameters, "
                    + "partials), the GPU has %s free of %s", data.name(), mib(other), mib(free[0]), mib(total[0])));
        }
        // the rows stream through in chunks when they do not fit in what is free beside the rest (a 64 MiB margin for the driver)
        // (two slots by default, each half the room, when two chunks fit: the second needs its own copy of the order, 4·n bytes)
        int rows = chunking(streaming, Math.max(0, free[0] - other - (64L << 20)), "the GPU", 4L * n, true);
        boolean two = rowSlots() == 2;
        // a chunk may repeat rows (an order with replacement): room for its rows at the widest row's count, not the data's total
        long nnz = !sparse ? 0 : streamed() ? chunkValues(rows) : data.stored();
        long xBytes = 4L * rows * d;
        try {
            fMean = function(CudaKernels.GRAD_MEAN);
            fStep = function(CudaKernels.GRAD_STEP);
            fLoss1 = function(CudaKernels.LOSSES_1);
            fLoss8 = function(CudaKernels.LOSSES_8);
            fLossSoftmax = function(CudaKernels.LOSSES_SOFTMAX);
            fRunBlock = function(heads > 1 ? CudaKernels.RUN_BLOCK_SOFTMAX : CudaKernels.RUN_BLOCK);
            fRunThread = heads == 1 && d <= CudaKernels.THREAD_MAX_D ? function(CudaKernels.runThread(d, data.hasWeights())) : null;
            fSweepThread = heads == 1 && d <= CudaKernels.THREAD_MAX_D ? function(CudaKernels.sweepThread(d, data.hasWeights())) : null;
            fSweepBlock = function(CudaKernels.SWEEP_BLOCK);
            fRowsSparse = function(CudaKernels.GRAD_SPARSE);
            fRunSparse = function(CudaKernels.RUN_SPARSE);
            fLossSparse = function(CudaKernels.LOSSES_SPARSE);
            x = mem(sparse ? 4 : xBytes);
            offs = sparse ? mem(8L * (rows + 1)) : null;
            cols = sparse ? mem(4L * nnz) : null;
            vals = sparse ? mem(4L * nnz) : null;
            scratch = sparse ? mem(4L * npar) : null;
            t = mem(data.hasTargets() ? 4L * rows : 4);
            w = mem(data.hasWeights() ? 4L * rows : 4);
            x1 = two ? mem(sparse ? 4 : xBytes) : null;
            offs1 = two && sparse ? mem(8L * (rows + 1)) : null;
            cols1 = two && sparse ? mem(4L * nnz) : null;
            vals1 = two && sparse ? mem(4L * nnz) : null;
            t1 = two ? mem(data.hasTargets() ? 4L * rows : 4) : null;
            w1 = two ? mem(data.hasWeights() ? 4L * rows : 4) : null;
            if (two) {
                CUstream st = new CUstream();
                JCudaDriver.cuStreamCreate(st, CUstream_flags.CU_STREAM_NON_BLOCKING);   // never waits for the null stream's kernels
                upload = st;
                for (int k = 0; k < 2; k++) {
                    released[k] = new CUevent();
                    JCudaDriver.cuEventCreate(released[k], CUevent_flags.CU_EVENT_DISABLE_TIMING);
                }
            } else {
                upload = null;
            }
            params = mem(4L * npar);
            state = mem(4L * stateFloats());
            status = mem(4);
            statusIgnored = mem(4);
            out = mem(4L * (npar + 1));
            partial = mem(4L * maxParts * (npar + 1));
            if (Faults.injected(Faults.CUDA_SESSION)) throw new CudaException("injected fault: CUDA_ERROR_OUT_OF_MEMORY");
            if (streamed()) {
                // rows arrive a chunk at a time
            } else if (sparse) {
                var csr = data.rowsSparse();
                JCudaDriver.cuMemcpyHtoD(offs.ptr, Pointer.to(csr.rowOffsets()), 8L * (n + 1));
                for (int g = 0; g < csr.segments(); g++) {         // the segments back to back: one buffer, global offsets
                    long at = 4L * csr.segmentStart(g), len = 4L * csr.colSegments()[g].length;
                    if (len == 0) continue;
                    JCudaDriver.cuMemcpyHtoD(cols.ptr.withByteOffset(at), Pointer.to(csr.colSegments()[g]), len);
                    JCudaDriver.cuMemcpyHtoD(vals.ptr.withByteOffset(at), Pointer.to(csr.valSegments()[g]), len);
                }
            } else {
                JCudaDriver.cuMemcpyHtoD(x.ptr, Pointer.to(data.features()), xBytes);
            }
            if (data.hasTargets() && !streamed()) JCudaDriver.cuMemcpyHtoD(t.ptr, Pointer.to(data.targets()), 4L * n);
            if (data.hasWeights() && !streamed()) JCudaDriver.cuMemcpyHtoD(w.ptr, Pointer.to(data.weights()), 4L * n);
            JCudaDriver.cuMemsetD32(params.ptr, 0, npar);
            JCudaDriver.cuMemsetD32(state.ptr, 0, stateFloats());
            JCudaDriver.cuMemsetD32(status.ptr, OK, 1);
            JCudaDriver.cuMemsetD32(statusIgnored.ptr, OK, 1);
        } catch (CudaException e) {
            doClose();
            throw translate(e, "uploading the dataset");
        } catch (RuntimeException e) {
            doClose();
            throw e;
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /**
     * Blocks of {@code f} ({@code block} threads each) that fit on one SM at once (registers, shared
     * memory), at most 8. The gradient grid is exactly one wave of them: with more, a second partial
     * wave runs on a few blocks per SM at a fraction of the bandwidth. Fixed per device and build, so
     * results stay bit-identical run to run.
     */
    /** Bytes of static shared memory a kernel declares (CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES). */
    private static int staticShared(CUfunction f) {
        int[] v = new int[1];
        JCudaDriver.cuFuncGetAttribute(v, jcuda.driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f);
        return v[0];
    }

    private static int residentBlocks(CUfunction f, int block, int shared) {
        int[] blocks = new int[1];
        JCudaDriver.cuOccupancyMaxActiveBlocksPerMultiprocessor(blocks, f, block, shared);
        return Math.max(1, Math.min(8, blocks[0]));
    }

    /**
     * Threads per block of grad_partial_softmax: {@code BLOCK}, halved while the tile's residuals
     * (4 · threads · heads bytes of dynamic shared memory) exceed {@code SOFTMAX_RESIDUAL_BYTES}, so
     * they stay under the 48 KiB a block gets without opting in (heads ≤ 32: 256; up to 64: 128).
     */
    static int softmaxBlock(int heads) {
        int b = BLOCK;
        while (b > 32 && 4L * b * heads > SOFTMAX_RESIDUAL_BYTES) b /= 2;
        return b;
    }

    private CUfunction function(String name) {
        CUfunction f = new CUfunction();
        JCudaDriver.cuModuleGetFunction(f, cu.module, name);
        return f;
    }

    private Mem mem(long bytes) {
        Mem m = new Mem(bytes);
        owned.add(m);
        return m;
    }

    private Mem grow(Mem old, long bytes) {
        if (old != null && old.bytes >= bytes) return old;
        if (old != null) {
            old.close();
            owned.remove(old);
        }
        return mem(Math.max(bytes, old == null ? 0 : old.bytes * 2));
    }

    private void poison(Mem m, long bytes) {
        if (poison && bytes > 0) JCudaDriver.cuMemsetD32(m.ptr, Float.floatToRawIntBits(Float.NaN), bytes / 4);
    }

    /** The device buffer a contract group names. */
    private Mem buffer(KernelArgs.Buf b) {
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
    private Mem slotBuffer(KernelArgs.Buf b, int slot) {
        return slot == 1 ? rowBuffer(b, x1, t1, w1, order1, offs1, cols1, vals1) : rowBuffer(b, x, t, w, order, offs, cols, vals);
    }

    /** Launches {@code f} on a grid of {@code grid} blocks of {@code block} threads with the groups in {@code a}. */
    private void launch(CUfunction f, int grid, int block, int shared, KernelArgs a) {
        List<Object> v = a.values();
        Pointer[] p = new Pointer[v.size()];
        for (int i = 0; i < p.length; i++) {
            Object o = v.get(i);
            if (o instanceof KernelArgs.Buf b) p[i] = Pointer.to(buffer(b).ptr);
            else if (o instanceof Integer n) p[i] = Pointer.to(new int[] {n});
            else if (o instanceof Float n) p[i] = Pointer.to(new float[] {n});
            else if (o instanceof Mem m) p[i] = Pointer.to(m.ptr);
            else throw new IllegalArgumentException("kernel argument " + i + ": " + o);
        }
        JCudaDriver.cuLaunchKernel(f, grid, 1, 1, block, 1, 1, shared, null, Pointer.to(p), null);
    }

    private float[] read(Mem m, int count) {
        float[] v = new float[count];
        if (count > 0) JCudaDriver.cuMemcpyDtoH(Pointer.to(v), m.ptr, 4L * count);
        return v;
    }

    @Override
    protected RuntimeException translate(RuntimeException e, String what) {
        if (!(e instanceof CudaException)) return e;
        String m = e.getMessage();
        if (m != null && m.contains("OUT_OF_MEMORY")) {
            long[] free = new long[1], total = new long[1];
            try {
                JCudaDriver.cuMemGetInfo(free, total);
            } catch (CudaException ignored) {
                // report what we know
            }
            return new DescentException("out of device memory while " + what + ": " + mib(free[0]) + " free of " + mib(total[0]), e);
        }
        return new DescentException("CUDA error while " + what + ": " + m, e);
    }

    // ---------------------------------------------------------------------------------------- primitives

    @Override
    protected void uploadParams(float[] packed) {
        JCudaDriver.cuMemcpyHtoD(params.ptr, Pointer.to(packed), 4L * packed.length);
    }

    @Override protected float[] downloadParams() { return read(params, npar); }
    @Override protected void writeStatus(int value) { JCudaDriver.cuMemsetD32(status.ptr, value, 1); }

    @Override
    protected int readStatus() {
        int[] v = new int[1];
        JCudaDriver.cuMemcpyDtoH(Pointer.to(v), status.ptr, 4);
        return v[0];
    }

    @Override protected void uploadState(float[] v) { JCudaDriver.cuMemcpyHtoD(state.ptr, Pointer.to(v), 4L * v.length); }
    @Override protected float[] downloadState() { return read(state, stateFloats()); }

    @Override
    protected void uploadRates(float[] rates) {
        lrs = grow(lrs, 4L * rates.length);
        JCudaDriver.cuMemcpyHtoD(lrs.ptr, Pointer.to(rates), 4L * rates.length);
    }

    @Override
    protected void uploadOrder(int[] idx) {
        order = grow(order, 4L * idx.length);
        JCudaDriver.cuMemcpyHtoD(order.ptr, Pointer.to(idx), 4L * idx.length);
        if (upload != null) {
            order1 = grow(order1, 4L * idx.length);
            JCudaDriver.cuMemcpyHtoD(order1.ptr, Pointer.to(idx), 4L * idx.length);
        }
    }

    @Override
    protected int partialParts(int count) {
        if (sparse) return RunLimits.sparseGroups(count, Math.min(maxParts, 2 * cu.multiprocessors));
        return Math.min(maxParts, (count + partialBlock - 1) / partialBlock);
    }

    @Override
    protected int lossParts() {
        return sparse ? RunLimits.sparseLossParts(n, RunLimits.SPARSE_GPU_GROUP, maxParts) : super.lossParts();   // losses_sparse: a block per part
    }

    @Override
    protected void sumParts(int from, int count, int rpp, int g, int total, boolean withLoss, boolean honorStatus, int intoPart) {
        long unit = 4L * (npar + 1);
        partial = grow(partial, unit * Math.max(g, total));
        Mem keep = partial;
        if (intoPart >= 0) {                               // a streamed chunk: its parts go to their place after the launch
            partialStage = grow(partialStage, unit * g);
            partial = partialStage;                        // the launch's PARTIAL
        }
        try {
            poison(partial, unit * g);
            if (sparse) {
                residuals = grow(residuals, 4L * count * heads);
                launch(fRowsSparse, g, RunLimits.SPARSE_GPU_GROUP, 0, args().sparseRows().batch(from, count).weights()
                        .partialsOut(withLoss, rpp, honorStatus).then(residuals, g));
            } else {
                KernelArgs a = args().rows().batch(from, count).weights().partialsOut(withLoss, rpp, honorStatus);
                launch(fPartial, g, partialBlock, partialShared, heads == 1 ? a.laneSplit(1, 0, 0) : a);   // softmax's kernel takes no LANE_SPLIT
            }
        } finally {
            partial = keep;
        }
        if (intoPart >= 0) JCudaDriver.cuMemcpyDtoD(partial.ptr.withByteOffset(unit * intoPart), partialStage.ptr, unit * g);
    }

    @Override
    protected void meanOfParts(int count, int groups) {
        poison(out, 4L * (npar + 1));
        launch(fMean, npar + 1, BLOCK, 0, args().partialsIn(groups, count).meanOut());
    }

    @Override
    protected void stepFromParts(int count, int groups, double lr, int stepNo, long t0) {
        launch(fStep, npar, BLOCK, 0, args().partialsIn(groups, count).model(t0).rule().update(lr, stepNo));
    }

    /**
     * Two slots: copies on the upload stream (non-blocking: it does not wait for the kernels reading the other
     * slot on the null stream; slot s itself is free, {@link #awaitSlot} came first), then a wait for that stream
     * alone. The sources are pageable Java arrays: the driver stages each before the call returns. One slot:
     * synchronous copies on the null stream, after the kernels before them.
     */
    @Override
    protected void uploadRows(Rows r, int slot) {
        if (sparse) {
            toDevice(slotBuffer(KernelArgs.Buf.OFFS, slot), 0, Pointer.to(r.offs), 8L * (r.rows + 1));
            if (r.nnz > 0) {
                toDevice(slotBuffer(KernelArgs.Buf.COLS, slot), 0, Pointer.to(r.cols).withByteOffset(4L * r.valAt), 4L * r.nnz);
                toDevice(slotBuffer(KernelArgs.Buf.VALS, slot), 0, Pointer.to(r.vals).withByteOffset(4L * r.valAt), 4L * r.nnz);
            }
        } else {
            toDevice(slotBuffer(KernelArgs.Buf.X, slot), 0, Pointer.to(r.x).withByteOffset(4L * r.at * d), 4L * r.rows * d);
        }
        if (r.t != null) toDevice(slotBuffer(KernelArgs.Buf.T, slot), 0, Pointer.to(r.t).withByteOffset(4L * r.at), 4L * r.rows);
        if (r.w != null) toDevice(slotBuffer(KernelArgs.Buf.W, slot), 0, Pointer.to(r.w).withByteOffset(4L * r.at), 4L * r.rows);
        if (upload != null) JCudaDriver.cuStreamSynchronize(upload);
    }

    @Override
    protected void uploadOrderAt(int slot, int offset, int[] values) {
        toDevice(slotBuffer(KernelArgs.Buf.ORDER, slot), 4L * offset, Pointer.to(values), 4L * values.length);
        if (upload != null) JCudaDriver.cuStreamSynchronize(upload);
    }

    /** A streaming copy into {@code m} at byte {@code at}: on the upload stream with two slots, else synchronous. */
    private void toDevice(Mem m, long at, Pointer src, long bytes) {
        if (upload != null) JCudaDriver.cuMemcpyHtoDAsync(m.ptr.withByteOffset(at), src, bytes, upload);
        else JCudaDriver.cuMemcpyHtoD(m.ptr.withByteOffset(at), src, bytes);
    }

    /** Records slot {@code slot}'s event on the null stream after the work launched so far (the last that reads the slot). */
    @Override
    protected void slotReleased(int slot) {
        if (upload != null) JCudaDriver.cuEventRecord(released[slot], null);
    }

    /** Waits for slot {@code slot}'s event (at once when never recorded). */
    @Override
    protected void awaitSlot(int slot) {
        if (upload != null) JCudaDriver.cuEventSynchronize(released[slot]);
    }

    @Override
    protected float[] readGradientOut() {
        return read(out, npar + 1);
    }

    @Override
    protected void prepareSnapshots(int records) {
        snaps = grow(snaps, 4L * Math.max(1, records) * npar);
        poison(snaps, 4L * records * npar);
    }

    @Override
    protected boolean runInOneLaunch(Run run, int step0, long t0) {
        int b = run.batchSize();
        if (sparse) {
            if (b > RunLimits.SPARSE_ONE_GROUP_MAX_BATCH) return false;
            residuals = grow(residuals, 4L * Math.min(b, orderLength()) * heads);
            launch(fRunSparse, 1, RunLimits.SPARSE_GPU_GROUP / 2, 0, args().sparseRows().model(t0).rule().steps(run).rate(run).record(run, step0)
                    .then(scratch, residuals, lazySparse(run) ? 1 : 0, maxAbsStoredValue()));
            return true;
        }
        KernelArgs a = args().rows().model(t0).rule().steps(run).rate(run).record(run, step0);
        if (b == 1 && fRunThread != null && spec.optimizer().slots() <= 1 && !averaged()) {     // the thread kernel keeps one slot in registers
            launch(fRunThread, 1, 1, 0, a);
            return true;
        }
        int shared = 4 * ((1 + spec.optimizer().slots()) * npar + (heads + 1) * b);          // w, state, r (heads per row), row
        // the kernel's static shared memory (its divergence flag) counts against the same per-block limit
        if (!RunLimits.oneBlock(b, d * heads) || shared + staticShared(fRunBlock) > cu.maxSharedPerBlock) return false;
        int l = 32;
        while (l < Math.max(b, npar) && l < 256) l *= 2;
        launch(fRunBlock, 1, l, shared, a);
        return true;
    }

    // ---------------------------------------------------------------------------------------- sweeps

    private static final int LANES_THREAD = 0, LANES_BLOCK = 1, LANES_STEPPED = 2;

    @Override
    public String lanesShape(int bs) {
        if (bs > 1 && blockShared(bs, 0) < 0) {
            return "in one launch pair per step for all the models, as their lone runs' pair: a block per part and model (the models of a part side by side)";
        }
        return "in one launch per epoch, a thread per model at batch 1 (the models of a warp share each row), else a block per model";
    }

    /** Resident unchunked dense rows of one head; any batch (its lone runs' launch shape picks the kind: {@link #laneKind}). */
    @Override
    public boolean lanesFit(int bs) {
        return !sparse && heads == 1 && chunkRows() == 0;
    }

    /** Dynamic shared memory of run_steps_block / sweep_steps_block for this batch and state, or -1 past the device's limit or oneBlock. */
    private int blockShared(int bs, int slots) {
        int shared = 4 * ((1 + slots) * npar + (heads + 1) * bs);          // w, state, r (heads per row), row
        return RunLimits.oneBlock(bs, d * heads) && shared + staticShared(fRunBlock) <= cu.maxSharedPerBlock ? shared : -1;
    }

    @Override
    public RunResult[] runLanes(int bs, int batches, int every, Optimizer[] opts, Rate[] rates, double[][] states) {
        DescentException.require(lanesFit(bs), "this session cannot run sweep lanes of batch " + bs + ": train the models one by one");
        return runLaneKinds(bs, batches, every, opts, rates, states);
    }

    /**
     * As runInOneLaunch: batch 1 with at most one state slot and no averaging on the thread kernel (d ≤ 16), a batch one block
     * holds on blocks, the rest stepped (sweep_partial_*, sweep_grad_step: a launch pair per step as the lone run's).
     */
    @Override
    protected int laneKind(Optimizer o, int bs) {
        if (bs == 1 && fSweepThread != null && o.slots() <= 1 && !o.average()) return LANES_THREAD;
        return blockShared(bs, o.slots()) >= 0 ? LANES_BLOCK : LANES_STEPPED;
    }

    @Override protected boolean laneMajor(int kind) { return false; }
    @Override protected boolean laneStepped(int kind) { return kind == LANES_STEPPED; }
    @Override protected long partFloats() { return npar + 1; }

    /** The one-head stage-1 kernel itself (fPartial) with LANE_SPLIT naming the lanes: their parts are their lone runs' parts. */
    @Override
    protected void launchLanePartials(Lanes L, int from, int count, int rpp, int groups, int partStride) {
        launch(fPartial, groups * L.count, partialBlock, partialShared, args().rows().batch(from, count).laneWeights().lanePartialsOut(rpp)
                .laneSplit(L.count, L.ps, partStride));
    }

    @Override
    protected void launchLaneStep(Lanes L, KernelArgs a) {
        if (fSweepStep == null) fSweepStep = function(CudaKernels.SWEEP_STEP);
        launch(fSweepStep, L.count * npar, BLOCK, 0, a);
    }
    @Override protected int lanePad(int kind, int count) { return count; }

    @Override
    protected long laneRoom() {
        long[] free = new long[1], total = new long[1];
        JCudaDriver.cuMemGetInfo(free, total);
        return Math.max(0, free[0] - (64L << 20));
    }

    @Override protected long laneMaxAlloc() { return laneRoom(); }
    @Override protected String deviceName() { return cu.device(); }

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
        JCudaDriver.cuMemcpyHtoD(lane.get(b).ptr, p, bytes);
    }

    @Override
    protected void laneRead(KernelArgs.Buf b, Object v) {
        Pointer p = v instanceof float[] f ? Pointer.to(f) : Pointer.to((int[]) v);
        long bytes = laneBytes(v);
        if (bytes > 0) JCudaDriver.cuMemcpyDtoH(p, lane.get(b).ptr, bytes);
    }

    @Override
    protected void launchLanes(int kind, Lanes L, Run shape, KernelArgs a) {
        int bs = shape.batchSize();
        if (kind == LANES_THREAD) {
            launch(fSweepThread, (L.count + 127) / 128, 128, 0, a);
        } else {
            int l = 32;                                    // runInOneLaunch's block size
            while (l < Math.max(bs, npar) && l < 256) l *= 2;
            launch(fSweepBlock, L.count, l, blockShared(bs, L.maxSlots), a);
        }
    }

    @Override
    protected void copyParamsToSnapshot(int record) {
        JCudaDriver.cuMemcpyDtoD(snaps.ptr.withByteOffset(4L * record * npar),
                averaged() ? state.ptr.withByteOffset(4L * averageAt()) : params.ptr, 4L * npar);
    }

    @Override
    protected float[] readSnapshots(int records) {
        return read(snaps, records * npar);
    }

    @Override
    protected float[] lossPartials(KernelArgs.Buf where, float[] upload, int count, int rows, int rpp, int g, Runnable whileRunning) {
        lossPartial = grow(lossPartial, 4L * g * count);
        if (upload != null) {
            lossSnaps = grow(lossSnaps, 4L * count * npar);
            JCudaDriver.cuMemcpyHtoD(lossSnaps.ptr, Pointer.to(upload), 4L * count * npar);
        }
        poison(lossPartial, 4L * g * count);
        if (sparse) {
            launch(fLossSparse, g, RunLimits.SPARSE_GPU_GROUP, 0, args(rows).sparseAllRows().losses(where, count, rpp).then(g));
        } else {
            launch(heads > 1 ? fLossSoftmax : count >= 4 ? fLoss8 : fLoss1, g, BLOCK, 0, args(rows).allRows().losses(where, count, rpp));
        }
        whileRunning.run();
        return read(lossPartial, g * count);
    }

    /** Any thread may call: the backend's context is made current on it first (cuCtxSetCurrent, a few hundred ns). */
    @Override
    protected void onCallingThread() {
        cu.makeCurrent();
    }

    @Override
    protected void doClose() {
        RuntimeException first = null;
        for (Mem m : owned) {                    // every buffer is freed even when one free fails
            try {
                m.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        owned.clear();
        try {
            for (int k = 0; k < 2; k++) {
                if (released[k] != null) JCudaDriver.cuEventDestroy(released[k]);
                released[k] = null;
            }
            if (upload != null) JCudaDriver.cuStreamDestroy(upload);
        } catch (RuntimeException e) {
            if (first == null) first = e;
        }
        if (first != null) throw translate(first, "freeing device memory");
    }
}
