package dev.descent.backend.spi;

import dev.descent.backend.Run;
import dev.descent.backend.Spec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A kernel's argument list, built group by group: the one Java mirror of the argument groups in
 * {@code kernels/common/contract.h}. Every kernel of both languages declares its parameters as a
 * sequence of those groups (then any launch-shape or local-memory parameters of its own); a launch
 * names the same groups in the same order, so no launch passes a positional list, and the OpenCL
 * tests on PoCL check the order CUDA uses too. Change a group here and in contract.h together.
 *
 * <p>Values are {@link Buf} (a session buffer, which each backend maps to its own handle),
 * {@code Integer}, {@code Float}, or whatever a backend appends with {@link #then}.
 */
public final class KernelArgs {
    /** The session's device buffers the groups name; shapes in contract.h. */
    public enum Buf {
        /** (n, d) row-major features */ X,
        /** (n) targets, or 1 float */ T,
        /** (n) example weights, or 1 float when the data have none */ W,
        /** (orderLength) int row indices */ ORDER,
        /** (npar) packed [w, b] per head (see contract.h) */ PARAMS,
        /** (slots, npar) optimizer state, slot-major (1 float when the rule keeps none) */ STATE,
        /** (records, npar) recorded parameters */ SNAPS,
        /** (1) int: the divergence status */ STATUS,
        /** (1) int, always STATUS_OK: for work that must run even after a divergence */ STATUS_IGNORED,
        /** (parts, npar + 1) stage-1 sums of the batch gradient */ PARTIAL,
        /** (npar + 1) the mean gradient asked for */ OUT,
        /** (batches) float: the run's per-step learning rates (any buffer when the run has none) */ LRS,
        /** (K, npar) snapshots uploaded for their losses */ LOSS_SNAPS,
        /** (parts, K) loss sums */ LOSS_PARTIAL,
        /** (n + 1) 64-bit row starts of sparse rows (CSR) */ OFFS,
        /** (nnz) int 0-based columns of sparse rows */ COLS,
        /** (nnz) stored values of sparse rows */ VALS,
        /** (lanes, npar) a sweep's parameters, lane by lane */ LANE_PARAMS,
        /** (lanes, lstride) each lane's optimizer state, slot-major */ LANE_STATE,
        /** (lanes, LANE_INTS) int: each lane's rule and schedule settings */ LANE_INT,
        /** (lanes, LANE_FLOATS) each lane's rate and rule constants */ LANE_FLOAT,
        /** (lanes, batches) per-step rates of the lanes that have them (any buffer when none does) */ LANE_LRS,
        /** (records, lanes, npar) the lanes' recorded parameters */ LANE_SNAPS,
        /** (lanes) int: each lane's divergence status */ LANE_STATUS,
        /** (lanes, lpart_stride) each lane's stage-1 sums, laid out as PARTIAL (sweeps of a batch that takes several work-groups a step) */ LANE_PARTIAL
    }

    /** Ints per lane in LANE_INT: rule, decoupled, average, t0, inverse square root, first step, per-step rates (contract.h LANE_INTS). */
    public static final int LANE_INTS = 7;
    /** Floats per lane in LANE_FLOAT: lr, μ, β2, ε, weight decay, L1 (contract.h LANE_FLOATS). */
    public static final int LANE_FLOATS = 6;

    private final List<Object> values = new ArrayList<>();
    private final int n, d, heads, objective, hasTargets, hasWeights, useBias, orderLength;
    private final float lossParam;
    private final Spec spec;

    KernelArgs(int n, int d, Spec spec, boolean hasTargets, boolean hasWeights, int orderLength) {
        this.n = n;
        this.d = d;
        this.heads = spec.heads();
        this.spec = spec;
        this.objective = spec.objective().code();
        this.lossParam = (float) spec.lossParam();
        this.hasTargets = hasTargets ? 1 : 0;
        this.hasWeights = hasWeights ? 1 : 0;
        this.useBias = spec.bias() ? 1 : 0;
        this.orderLength = orderLength;
    }

    private KernelArgs add(Object... v) {
        Collections.addAll(values, v);
        return this;
    }

    /** ROWS: the rows a batch reads through the batch order. */
    public KernelArgs rows() { return add(Buf.X, Buf.T, Buf.ORDER, d, objective, lossParam, hasTargets, heads, Buf.W, hasWeights); }

    /** ALL_ROWS: every row in storage order. */
    public KernelArgs allRows() { return add(Buf.X, Buf.T, n, d, objective, lossParam, hasTargets, heads, Buf.W, hasWeights); }

    /** SPARSE_ROWS: ROWS over CSR rows. */
    public KernelArgs sparseRows() { return add(Buf.OFFS, Buf.COLS, Buf.VALS, Buf.T, Buf.ORDER, d, objective, lossParam, hasTargets, heads, Buf.W, hasWeights); }

    /** SPARSE_ALL_ROWS: ALL_ROWS over CSR rows. */
    public KernelArgs sparseAllRows() { return add(Buf.OFFS, Buf.COLS, Buf.VALS, Buf.T, n, d, objective, lossParam, hasTargets, heads, Buf.W, hasWeights); }

    /** BATCH: positions [from, from + count) of the order. */
    public KernelArgs batch(int from, int count) { return add(from, count); }

    /** WEIGHTS: the parameters, read only. */
    public KernelArgs weights() { return add(Buf.PARAMS, useBias); }

    /** MODEL: the parameters and the optimizer state, updated in place; {@code t0} updates applied since the state was reset. */
    public KernelArgs model(long t0) { return add(Buf.PARAMS, Buf.STATE, useBias, (int) Math.min(dev.descent.optim.Optimizer.T_CAP, t0)); }

    /** RULE: the update rule, μ (β1), β2 (α), ε, weight decay, L1 strength, decoupled or L2, averaging. */
    public KernelArgs rule() {
        var o = spec.optimizer();
        return add(o.rule().code(), (float) o.momentum(), (float) o.beta2(), (float) o.eps(), (float) o.weightDecay(), (float) o.l1(),
                o.decoupled() ? 1 : 0, o.average() ? 1 : 0);
    }

    /** STEPS: the run's batches of the current order. */
    public KernelArgs steps(Run run) { return add(orderLength, run.batchSize(), run.firstBatch(), run.batches()); }

    /** RATE: the run's learning-rate schedule (see {@link dev.descent.optim.Rate}). */
    public KernelArgs rate(Run run) {
        return add((float) run.rate().lr(), run.rate().inverseSqrt() ? 1 : 0, (int) Math.min(Integer.MAX_VALUE, run.rate().firstStep()),
                Buf.LRS, run.rate().steps() != null ? 1 : 0);
    }

    /** RECORD: snapshots every {@code recordEvery} batches, divergence reported as step0 + k. */
    public KernelArgs record(Run run, int step0) { return add(run.recordEvery(), Buf.SNAPS, step0, Buf.STATUS); }

    /** PARTIALS_OUT: stage 1 of the batch gradient; {@code honorStatus} false computes even after a divergence. */
    public KernelArgs partialsOut(boolean withLoss, int rowsPerPart, boolean honorStatus) {
        return add(withLoss ? 1 : 0, rowsPerPart, Buf.PARTIAL, honorStatus ? Buf.STATUS : Buf.STATUS_IGNORED);
    }

    /** PARTIALS_IN: stage 2 reads {@code parts} parts for a batch of {@code count} rows. */
    public KernelArgs partialsIn(int parts, int count) { return add(Buf.PARTIAL, parts, d, heads, count); }

    /** MEAN_OUT: where the mean gradient asked for goes. */
    public KernelArgs meanOut() { return add(useBias, Buf.OUT); }

    /** UPDATE: one step at {@code lr}, the session's step number {@code step}. */
    public KernelArgs update(double lr, int step) { return add((float) lr, step, Buf.STATUS); }

    /** LOSSES: {@code k} snapshots (from {@code snapshots}: SNAPS when resident, else LOSS_SNAPS), per part sums. */
    public KernelArgs losses(Buf snapshots, int k, int rowsPerPart) { return add(snapshots, k, rowsPerPart, Buf.LOSS_PARTIAL); }

    /** LANES: {@code lanes} models over one order, each lane's parameters {@code paramStride} and state {@code stateStride} floats apart (see {@link LaneRunner}). */
    public KernelArgs lanes(int paramStride, int stateStride, int lanes) {
        return add(Buf.LANE_PARAMS, paramStride, Buf.LANE_STATE, stateStride, lanes, Buf.LANE_INT, Buf.LANE_FLOAT, Buf.LANE_LRS, Buf.LANE_SNAPS, Buf.LANE_STATUS);
    }

    /** LANE_PARTS_OUT: the lanes' stage-1 sums, parts of {@code rowsPerPart} rows, each lane's {@code laneStride} floats apart. */
    public KernelArgs lanePartsOut(int rowsPerPart, int laneStride) { return add(rowsPerPart, Buf.LANE_PARTIAL, laneStride); }

    /** LANE_PARTS_IN: stage 2 reads {@code parts} parts of each lane's sums ({@code laneStride} floats apart) for a batch of {@code count} rows. */
    public KernelArgs lanePartsIn(int laneStride, int parts, int count) { return add(Buf.LANE_PARTIAL, laneStride, parts, d, heads, count); }

    /** WEIGHTS naming a sweep's lanes' parameters (LANE_PARAMS; with {@link #laneSplit}). */
    public KernelArgs laneWeights() { return add(Buf.LANE_PARAMS, useBias); }

    /** PARTIALS_OUT naming a sweep's lanes' parts and statuses (LANE_PARTIAL, LANE_STATUS; no loss; with {@link #laneSplit}). */
    public KernelArgs lanePartialsOut(int rowsPerPart) { return add(0, rowsPerPart, Buf.LANE_PARTIAL, Buf.LANE_STATUS); }

    /** LANE_SPLIT: CUDA's one-head stage 1 for {@code lanes} models, parameters and parts {@code paramStride} and {@code partStride} floats apart; (1, 0, 0) for one. */
    public KernelArgs laneSplit(int lanes, int paramStride, int partStride) { return add(lanes, paramStride, partStride); }

    /** LANE_STEP: step {@code k} of a run of {@code batches}, recorded in record {@code rec} when it is ≥ 0. */
    public KernelArgs laneStep(int k, int batches, int rec) { return add(k, batches, rec); }

    /** The use_bias flag alone (a kernel whose models come in LANES). */
    public KernelArgs useBias() { return add(useBias); }

    /** The kernel's own parameters after its groups (launch shape, local memory, a flag). */
    public KernelArgs then(Object... v) { return add(v); }

    public List<Object> values() { return Collections.unmodifiableList(values); }
}
