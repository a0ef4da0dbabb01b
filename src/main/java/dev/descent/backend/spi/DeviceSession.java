package dev.descent.backend.spi;

import dev.descent.backend.Batches;
import dev.descent.backend.Gradient;
import dev.descent.backend.RunResult;
import dev.descent.backend.Run;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.model.Params;
import java.util.Arrays;

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

    protected DeviceSession(Dataset data, Spec spec) {
        super(data, spec);
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

    /** Work-groups (blocks) the gradient kernels use for a batch of {@code count} rows. */
    protected abstract int partialParts(int count);

    /**
     * Stage 1 of the batch gradient (kernel grad_partial): per part, the sums of r·x, r and the loss
     * over the batch rows at positions [from, from + count) of the order, into the PARTIAL buffer.
     * {@code honorStatus} false computes even after a divergence.
     */
    protected abstract void sumParts(int from, int count, boolean withLoss, boolean honorStatus);

    /** Stage 2 for a gradient asked for (kernel grad_mean): the mean gradient and loss into the OUT buffer. */
    protected abstract void meanOfParts(int count);

    /**
     * Stage 2 and the fused update (kernel grad_step): one optimizer step, skipped after a divergence;
     * {@code t0} updates came before it since the state was reset.
     */
    protected abstract void stepFromParts(int count, double lr, int stepNo, long t0);

    protected abstract float[] readGradientOut();

    /** Makes room for {@code records} snapshots (poisoned when asked). */
    protected abstract void prepareSnapshots(int records);

    /** Runs the whole {@link Run} in one launch if this batch size suits it; false otherwise. */
    protected abstract boolean runInOneLaunch(Run run, int step0);

    protected abstract void copyParamsToSnapshot(int record);

    protected abstract float[] readSnapshots(int records);

    /**
     * Loss partials of {@code count} snapshots: parts × count floats, [part][snapshot]. When
     * {@code resident}, they are the first {@code count} records of the last run, still in the
     * SNAPS buffer, and are not uploaded again.
     */
    protected abstract float[] lossPartials(boolean resident, float[] snapshots, int count);

    /** An argument list for a launch, built from contract.h's groups (see {@link KernelArgs}). */
    protected final KernelArgs args() {
        return new KernelArgs(n, d, spec, data.hasTargets(), orderLength());
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
            sumParts(from, count, withLoss, false);
            meanOfParts(count);
            float[] g = readGradientOut();
            return new Gradient(Params.ofPacked(Arrays.copyOf(g, npar), d, heads), withLoss ? g[npar] : Double.NaN);
        } catch (RuntimeException e) {
            throw translate(e, "computing a gradient");
        }
    }

    @Override
    protected final void doStep(int from, int count, double lr) {
        try {
            sumParts(from, count, false, true);
            stepFromParts(count, lr, step++, updates());
        } catch (RuntimeException e) {
            throw translate(e, "running a step");
        }
    }

    @Override
    protected final RunResult doRun(Run run) {
        try {
            int recs = run.records();
            int np = npar;
            int step0 = step;
            lastSnapshots = null;                          // SNAPS is about to be overwritten
            prepareSnapshots(recs);
            if (run.rate().steps() != null) uploadRates(run.rate().floats(run.batches()));
            if (runInOneLaunch(run, step0)) {
                step += run.batches();
            } else {
                int rec = 0;
                for (int j = run.firstBatch(); j < run.firstBatch() + run.batches(); j++) {
                    int from = Batches.from(j, run.batchSize());
                    int cnt = Batches.count(j, run.batchSize(), orderLength());
                    sumParts(from, cnt, false, true);
                    stepFromParts(cnt, run.rate().at(j - run.firstBatch()), step++, updates() + (j - run.firstBatch()));
                    if (j % run.recordEvery() == 0) copyParamsToSnapshot(rec++);
                }
            }
            int st = readStatus();
            float[] all = readSnapshots(recs);
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
            lastSnapshots = all;                          // still in SNAPS: losses() need not upload them again
            lastSnapshotsHash = Arrays.hashCode(all);
            return new RunResult(all, recorded, d, heads, diverged);
        } catch (RuntimeException e) {
            throw translate(e, "running steps");
        }
    }

    @Override
    protected final double[] doLosses(float[] snapshots, int count) {
        try {
            boolean resident = snapshots == lastSnapshots && Arrays.hashCode(snapshots) == lastSnapshotsHash;
            float[] part = lossPartials(resident, snapshots, count);
            int parts = lossParts();
            double[] out = new double[count];
            for (int s = 0; s < count; s++) {
                double sum = 0;
                for (int q = 0; q < parts; q++) sum += part[q * count + s];
                out[s] = sum / n;
            }
            return out;
        } catch (RuntimeException e) {
            throw translate(e, "evaluating losses");
        }
    }
}
