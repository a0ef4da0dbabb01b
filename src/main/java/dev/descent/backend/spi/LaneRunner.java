package dev.descent.backend.spi;

import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;

/**
 * A session that advances many models ("lanes") over its current batch order in one launch, for
 * sweeps: lanes that share a work-group read each batch row once from memory between them. Each
 * lane's arithmetic is the session's own run of steps for that model, so a lane ends bit-identical
 * to the same model trained alone on the same device. Implemented by the OpenCL backend
 * (sweep_sgd1_cpu, sweep_steps_cpu, sweep_steps_block; for a batch whose lone run takes a launch pair per step,
 * sweep_rowsw_cpu or sweep_partial and sweep_grad_step, a pair per step for all lanes) and the CUDA backend
 * (sweep_steps_thread_d{D}, sweep_steps_block; sweep_partial_* and sweep_grad_step); a caller whose session does not implement it, or whose batch size
 * {@link #lanesFit} refuses, trains the models one after another with {@link Session#restoreState}
 * and {@link Session#run}, which gives the same bits.
 */
public interface LaneRunner {
    /** How the lanes of a batch of {@code batchSize} rows are launched and laid out, in words (for reports). */
    String lanesShape(int batchSize);

    /** Whether runs of batches of {@code batchSize} rows go through {@link #runLanes} on this session. */
    boolean lanesFit(int batchSize);

    /**
     * The fewest models for which {@link #runLanes} costs less than their lone runs one after another (which give the
     * same bits): below it a caller trains them alone. 1 unless a backend measured otherwise.
     */
    default int lanesFrom(int batchSize) {
        return 1;
    }

    /**
     * Batches 0 .. batches − 1 of the current order for every lane: lane i trains with optimizer
     * {@code opts[i]} at rate {@code rates[i]} from {@code states[i]} (laid out as {@link Session#saveState}
     * of a session with that optimizer; replaced by the state after the run), recording after every
     * batch j with j % recordEvery == 0. Returns each lane's records and divergence as {@link Session#run} does.
     */
    RunResult[] runLanes(int batchSize, int batches, int recordEvery, Optimizer[] opts, Rate[] rates, double[][] states);
}
