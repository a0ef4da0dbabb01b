package dev.descent.backend;

import dev.descent.data.Dataset;
import dev.descent.model.Params;

/**
 * A dataset resident on a device with parameters and optimizer state beside it. Created by
 * {@link Backend#open}; closing it frees every device allocation it made.
 *
 * <p>Two ways to use it. A trainer hands over the loop: {@link #setOrder} once per epoch, then
 * {@link #run} for many steps in one call and {@link #losses} for the recorded snapshots. A caller
 * with its own loop uses {@link #setParams}, {@link #setOrder}, {@link #gradient} and {@link #step}.
 * Batches are ranges of positions in the current order, so indices cross to the device once.
 *
 * <p>Threads: any thread may call a session, on every backend (a task thread of an engine, a pool
 * thread, the next thread of a loop), but one call at a time: a session is not safe for concurrent
 * calls. Sessions of one backend may be used concurrently from different threads.
 */
public interface Session extends AutoCloseable {

    Dataset data();

    Spec spec();

    /** Replaces the parameters (the optimizer state is kept; see {@link #resetState}). */
    void setParams(Params p);

    /** The current parameters, read back from the device. */
    Params params();

    /** Zeroes the optimizer state (velocities, moments, accumulators) and its update count. */
    void resetState();

    /**
     * The whole training state exactly as the session holds it, for checkpoints: the parameters
     * (npar = k·(d + 1): per head d weights, then the bias; k = 1 but for softmax), the optimizer
     * state slot by slot ({@code slots()} × npar values: e.g. Adam's first, then second moments) and
     * the number of updates since the state was reset, npar·(1 + slots) + 1 values. Devices hold float32, widened here without loss; the CPU reference holds double.
     * {@link #restoreState} on a session of the same backend, spec and data continues
     * bit-identically to a session that was never interrupted.
     */
    double[] saveState();

    /** Replaces parameters and optimizer state with a {@link #saveState} result. */
    void restoreState(double[] state);

    /** Sets the batch order: row indices in [0, n), any length ≥ 1, repeats allowed. */
    void setOrder(int[] order);

    /** The length of the current order (0 before the first {@link #setOrder}). */
    int orderLength();

    /** The mean gradient at the current parameters over order[from, from+count), optionally with the mean loss. */
    Gradient gradient(int from, int count, boolean withLoss);

    /**
     * One optimizer step with the gradient over order[from, from+count). A step that makes a
     * parameter non-finite diverges the session: every backend then skips later steps and runs
     * until {@link #setParams} or {@link #restoreState}; {@link #diverged()} says so (on a device,
     * one small read, so a loop that steps many times asks once at its end, not after every step).
     */
    void step(int from, int count, double lr);

    /** Whether an update since the last {@link #setParams} / {@link #restoreState} made a parameter non-finite (float32). */
    boolean diverged();

    /** Many consecutive steps; see {@link Run}. */
    RunResult run(Run run);

    /** Mean full-data loss at each of {@code count} packed snapshots (k·(d+1) floats each, as {@link Params#packed}), in one pass. */
    double[] losses(float[] snapshots, int count);

    /**
     * Where the rows live, in words: "resident" (all on the device, or in host memory for the CPU
     * backends), or how the session streams them (chunk rows, chunks uploaded and bytes so far).
     */
    default String residency() {
        return "resident";
    }

    /** Whether the session streams its rows through the device in chunks (see {@link Streaming}). */
    default boolean streamed() {
        return false;
    }

    /** Mean full-data loss at the current parameters. */
    default double loss() {
        return losses(params().packed(), 1)[0];
    }

    @Override
    void close();
}
