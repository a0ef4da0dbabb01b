package dev.descent.backend.opencl;

import dev.descent.DescentException;
import dev.descent.backend.AbstractSession;
import dev.descent.backend.Gradient;
import dev.descent.backend.Kernels;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A dataset resident on an OpenCL device. X and T are uploaded once; the batch order once per
 * {@link #setOrder}; parameters, velocities, the divergence status and all intermediates stay on
 * the device. Only gradients asked for, snapshots and loss partials come back.
 */
final class OpenClSession extends AbstractSession {
    private static final int OK = Integer.MAX_VALUE;

    private final OpenClBackend cl;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final List<cl_kernel> kernels = new ArrayList<>();
    private final cl_kernel kPartial, kFinish, kRun, kLoss1, kLoss8;
    private final Cl.Buffer x, t, params, vel, status, okStatus, out, partial;
    private Cl.Buffer order, snaps, lossSnaps, lossPartial;
    private final int local;          // work-group size of the gradient and loss kernels
    private final int lanes;          // P: row lanes in grad_partial's phase 2
    private final int maxGroups;
    private final boolean poison = Kernels.poison();
    private final Optimizer opt;
    private int step;                 // the session's step counter, compared with status on the device

    OpenClSession(OpenClBackend cl, Dataset data, Spec spec) {
        super(data, spec);
        this.cl = cl;
        this.opt = spec.optimizer();
        int l = 1;
        while (l * 2 <= Math.min(256, cl.maxWorkGroup)) l *= 2;
        this.local = l;
        this.lanes = Math.max(1, local / (d + 2));
        this.maxGroups = cl.computeUnits * 4;
        long xBytes = 4L * n * d;
        long partialBytes = 4L * maxGroups * lanes * (d + 2);
        long need = xBytes + 8L * n + partialBytes + 64L * (d + 2);
        if (xBytes > cl.maxAlloc) {
            throw new DescentException(String.format(Locale.ROOT,
                    "dataset %s needs %s in one OpenCL buffer, but %s allows at most %s per allocation "
                            + "(CL_DEVICE_MAX_MEM_ALLOC_SIZE): use fewer rows or features, or another device",
                    data.name(), mib(xBytes), cl.device.name(), mib(cl.maxAlloc)));
        }
        if (need > cl.globalMem) {
            throw new DescentException(String.format(Locale.ROOT, "dataset %s needs %s of device memory, but %s has %s: "
                    + "use fewer rows or features, or another device", data.name(), mib(need), cl.device.name(), mib(cl.globalMem)));
        }
        try {
            kPartial = kernel("grad_partial");
            kFinish = kernel("grad_finish");
            kRun = kernel("run_steps");
            kLoss1 = kernel("losses_1");
            kLoss8 = kernel("losses_8");
            x = buffer(xBytes);
            t = buffer(data.hasTargets() ? 4L * n : 4);
            params = buffer(4L * (d + 1));
            vel = buffer(4L * (d + 1));
            status = buffer(4);
            okStatus = buffer(4);
            out = buffer(4L * (d + 2));
            partial = buffer(partialBytes);
            write(x, data.features());
            if (data.hasTargets()) write(t, data.targets());
            write(params, new float[d + 1]);
            write(vel, new float[d + 1]);
            writeInt(status, OK);
            writeInt(okStatus, OK);
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

    private DescentException deviceError(String what, CLException e, long need) {
        String s = e.getMessage();
        if (s != null && (s.contains("MEM_OBJECT_ALLOCATION_FAILURE") || s.contains("OUT_OF_RESOURCES") || s.contains("OUT_OF_HOST_MEMORY"))) {
            return new DescentException("out of device memory while " + what + ": needed about " + mib(need) + ", "
                    + cl.device.name() + " has " + mib(cl.globalMem) + " in all (" + s + ")");
        }
        return new DescentException("OpenCL error while " + what + " on " + cl.device.name() + ": " + s);
    }

    private cl_kernel kernel(String name) {
        cl_kernel k = CL.clCreateKernel(cl.program, name, null);
        kernels.add(k);
        return k;
    }

    private Cl.Buffer buffer(long bytes) {
        Cl.Buffer b = new Cl.Buffer(cl.context, bytes);
        owned.add(b);
        return b;
    }

    /** A buffer of at least {@code bytes}, replacing {@code old} when it is smaller. */
    private Cl.Buffer grow(Cl.Buffer old, long bytes) {
        if (old != null && old.bytes >= bytes) return old;
        if (old != null) {
            old.close();
            owned.remove(old);
        }
        return buffer(Math.max(bytes, old == null ? 0 : old.bytes * 2));
    }

    private void write(Cl.Buffer b, float[] v) {
        CL.clEnqueueWriteBuffer(cl.queue, b.mem, CL.CL_TRUE, 0, 4L * v.length, Pointer.to(v), 0, null, null);
    }

    private void writeInt(Cl.Buffer b, int v) {
        CL.clEnqueueWriteBuffer(cl.queue, b.mem, CL.CL_TRUE, 0, 4, Pointer.to(new int[] {v}), 0, null, null);
    }

    private float[] read(Cl.Buffer b, int count) {
        float[] v = new float[count];
        if (count > 0) CL.clEnqueueReadBuffer(cl.queue, b.mem, CL.CL_TRUE, 0, 4L * count, Pointer.to(v), 0, null, null);
        return v;
    }

    private int readInt(Cl.Buffer b) {
        int[] v = new int[1];
        CL.clEnqueueReadBuffer(cl.queue, b.mem, CL.CL_TRUE, 0, 4, Pointer.to(v), 0, null, null);
        return v[0];
    }

    private void poison(Cl.Buffer b, long bytes) {
        if (!poison || bytes == 0) return;
        CL.clEnqueueFillBuffer(cl.queue, b.mem, Pointer.to(new float[] {Float.NaN}), Sizeof.cl_float, 0, bytes, 0, null, null);
    }

    private void launch(cl_kernel k, long groups, long localSize) {
        CL.clEnqueueNDRangeKernel(cl.queue, k, 1, null, new long[] {groups * localSize}, new long[] {localSize}, 0, null, null);
    }

    // ---------------------------------------------------------------------------------------- state

    @Override
    protected void doSetParams(Params p) {
        write(params, p.packed());
        writeInt(status, OK);
        step = 0;
    }

    @Override
    protected Params doParams() {
        return Params.unpack(read(params, d + 1), 0, d);
    }

    @Override
    protected void doResetState() {
        write(vel, new float[d + 1]);
    }

    @Override
    protected void doSetOrder(int[] idx) {
        order = grow(order, 4L * idx.length);
        CL.clEnqueueWriteBuffer(cl.queue, order.mem, CL.CL_TRUE, 0, 4L * idx.length, Pointer.to(idx), 0, null, null);
        if (readInt(status) == OK) step = 0;          // keeps the step counter far from overflow
    }

    // ---------------------------------------------------------------------------------------- gradient

    private int groups(int count) {
        return (int) Math.min(maxGroups, (count + local - 1) / local);
    }

    private void enqueuePartial(int from, int count, boolean withLoss, Cl.Buffer st) {
        int g = groups(count);
        int rowsPerGroup = (count + g - 1) / g;
        poison(partial, 4L * g * lanes * (d + 2));
        Cl.args(kPartial, x, t, order, from, count, d, spec.objective().code(), data.hasTargets() ? 1 : 0,
                params, spec.bias() ? 1 : 0, withLoss ? 1 : 0, lanes, rowsPerGroup, partial, st,
                new Cl.Local(4L * local), new Cl.Local(4L * local), new Cl.Local(4L * local));
        launch(kPartial, g, local);
    }

    private void enqueueFinish(int count, int mode, double lr, int stepNo, Cl.Buffer st) {
        int g = groups(count);
        Cl.args(kFinish, partial, g * lanes, d, count, mode, spec.bias() ? 1 : 0, out, params, vel,
                opt.rule().code(), (float) lr, (float) opt.momentum(), (float) opt.weightDecay(), opt.decoupled() ? 1 : 0,
                stepNo, st);
        launch(kFinish, (d + 2 + 63) / 64, 64);
    }

    @Override
    protected Gradient doGradient(int from, int count, boolean withLoss) {
        try {
            poison(out, 4L * (d + 2));
            enqueuePartial(from, count, withLoss, okStatus);
            enqueueFinish(count, 0, 1.0, 0, okStatus);
            float[] g = read(out, d + 2);
            return new Gradient(Arrays.copyOf(g, d), g[d], withLoss ? g[d + 1] : Double.NaN);
        } catch (CLException e) {
            throw deviceError("computing a gradient", e, 0);
        }
    }

    @Override
    protected void doStep(int from, int count, double lr) {
        try {
            enqueuePartial(from, count, false, status);
            enqueueFinish(count, 1, lr, step++, status);
        } catch (CLException e) {
            throw deviceError("running a step", e, 0);
        }
    }

    // ---------------------------------------------------------------------------------------- many steps

    /** Work-group size of run_steps for this batch, or 0 when the batch needs the multi-work-group path. */
    private int runLocal(int batch) {
        long localBytes = 4L * (2L * (d + 1) + 2L * batch + 1);
        if (batch > 1024 || localBytes > cl.localMem) return 0;
        if (cl.isCpu()) {
            // on a CPU a work-group is a loop: one work-item avoids every barrier while the step is tiny
            if ((long) batch * (d + 1) <= 512) return 1;
            return (long) batch * d <= (1 << 16) ? Math.min(16, cl.maxWorkGroup) : 0;
        }
        if ((long) batch * d > (1 << 15)) return 0;   // enough work per step to fill several compute units
        int l = 32;
        while (l < Math.max(batch, d + 1) && l * 2 <= Math.min(256, cl.maxWorkGroup)) l *= 2;
        return Math.min(l, cl.maxWorkGroup);
    }

    @Override
    protected RunResult doRun(Run run) {
        int recs = run.records();
        int np = d + 1;
        int step0 = step;
        try {
            snaps = grow(snaps, 4L * Math.max(1, recs) * np);
            poison(snaps, 4L * recs * np);
            int lr = runLocal(run.batchSize());
            if (lr > 0) {
                Cl.args(kRun, x, t, order, orderLength(), d, spec.objective().code(), data.hasTargets() ? 1 : 0,
                        spec.bias() ? 1 : 0, params, vel, opt.rule().code(), (float) opt.momentum(), (float) opt.weightDecay(),
                        opt.decoupled() ? 1 : 0, run.batchSize(), run.firstBatch(), run.batches(), (float) run.rate().lr(),
                        run.rate().inverseSqrt() ? 1 : 0, (int) Math.min(Integer.MAX_VALUE, run.rate().firstStep()),
                        run.recordEvery(), snaps, step0, status,
                        new Cl.Local(4L * np), new Cl.Local(4L * np), new Cl.Local(4L * run.batchSize()),
                        new Cl.Local(4L * run.batchSize()), new Cl.Local(4));
                launch(kRun, 1, lr);
                step += run.batches();
            } else {
                int rec = 0;
                for (int j = run.firstBatch(); j < run.firstBatch() + run.batches(); j++) {
                    int from = j * run.batchSize();
                    int cnt = Math.min(run.batchSize(), orderLength() - from);
                    enqueuePartial(from, cnt, false, status);
                    enqueueFinish(cnt, 1, run.rate().at(j - run.firstBatch()), step++, status);
                    if (j % run.recordEvery() == 0) {
                        CL.clEnqueueCopyBuffer(cl.queue, params.mem, snaps.mem, 0, 4L * rec * np, 4L * np, 0, null, null);
                        rec++;
                    }
                }
            }
            int st = readInt(status);
            float[] all = read(snaps, recs * np);
            int[] recorded = recordedBatches(run);
            int diverged = -1;
            if (st != OK) {
                diverged = st < step0 ? run.firstBatch() : run.firstBatch() + (st - step0);
                int keep = 0;
                while (keep < recorded.length && recorded[keep] <= diverged) keep++;
                if (st < step0) keep = 0;
                recorded = Arrays.copyOf(recorded, keep);
                all = Arrays.copyOf(all, keep * np);
            }
            return new RunResult(all, recorded, d, diverged);
        } catch (CLException e) {
            throw deviceError("running steps", e, 0);
        }
    }

    // ---------------------------------------------------------------------------------------- losses

    @Override
    protected double[] doLosses(float[] snapshots, int count) {
        int np = d + 1;
        int g = groups(n);
        int rowsPerGroup = (n + g - 1) / g;
        try {
            lossSnaps = grow(lossSnaps, 4L * count * np);
            lossPartial = grow(lossPartial, 4L * g * count);
            CL.clEnqueueWriteBuffer(cl.queue, lossSnaps.mem, CL.CL_TRUE, 0, 4L * count * np, Pointer.to(snapshots), 0, null, null);
            poison(lossPartial, 4L * g * count);
            cl_kernel k = count >= 4 ? kLoss8 : kLoss1;
            Cl.args(k, x, t, n, d, spec.objective().code(), data.hasTargets() ? 1 : 0, lossSnaps, count, rowsPerGroup,
                    lossPartial, new Cl.Local(4L * local));
            launch(k, g, local);
            float[] part = read(lossPartial, g * count);
            double[] out = new double[count];
            for (int s = 0; s < count; s++) {
                double sum = 0;
                for (int q = 0; q < g; q++) sum += part[q * count + s];
                out[s] = sum / n;
            }
            return out;
        } catch (CLException e) {
            throw deviceError("evaluating losses", e, 0);
        }
    }

    @Override
    protected void doClose() {
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
