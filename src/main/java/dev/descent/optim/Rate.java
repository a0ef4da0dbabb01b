package dev.descent.optim;

import dev.descent.DescentException;

/**
 * The learning rate of each step in a run of consecutive steps: η_k = lr for a constant rate,
 * η_k = lr / √(firstStep + k) for the 1/√t schedule, where k = 0, 1, … counts the run's steps
 * and firstStep is the 1-based global step number of the first, or any schedule as one rate per
 * step ({@link #perStep}). Devices get these numbers (the per-step rates as a device buffer), not a
 * frozen value, so a many-step launch follows the schedule.
 *
 * @param steps the rate of each step of the run, or null (then lr, inverseSqrt and firstStep say it)
 */
public record Rate(double lr, boolean inverseSqrt, long firstStep, double[] steps) {
    public Rate {
        if (steps != null) {
            for (int k = 0; k < steps.length; k++) {
                DescentException.require(Double.isFinite(steps[k]) && steps[k] > 0,
                        "learning rate of step " + k + " must be finite and > 0 (got " + steps[k] + ")");
            }
            steps = steps.clone();
        }
    }

    public Rate(double lr, boolean inverseSqrt, long firstStep) {
        this(lr, inverseSqrt, firstStep, null);
    }

    public static Rate constant(double lr) {
        return new Rate(lr, false, 1);
    }

    /** Any schedule: step k of the run uses {@code rates[k]} (a run may take at most that many steps). */
    public static Rate perStep(double[] rates) {
        DescentException.require(rates != null && rates.length >= 1, "a per-step learning-rate schedule needs at least one rate");
        return new Rate(rates[0], false, 1, rates);
    }

    public double at(long k) {
        if (steps != null) return steps[(int) k];
        return inverseSqrt ? lr / Math.sqrt((double) (firstStep + k)) : lr;
    }

    /** How many steps the rate covers: a per-step schedule's length, else unbounded. */
    public long length() {
        return steps == null ? Long.MAX_VALUE : steps.length;
    }

    /** The same rate for a run that starts k steps later (a per-step schedule skipped to its end covers 0 steps). */
    public Rate skip(long k) {
        if (steps != null) {
            DescentException.require(k >= 0 && k <= steps.length, "cannot skip " + k + " steps of a schedule of " + steps.length + " rates");
            return new Rate(lr, false, 1, java.util.Arrays.copyOfRange(steps, (int) k, steps.length));
        }
        return new Rate(lr, inverseSqrt, firstStep + k);
    }

    /** The run's first {@code n} rates in float, for a device buffer. */
    public float[] floats(int n) {
        float[] f = new float[n];
        for (int k = 0; k < n; k++) f[k] = (float) at(k);
        return f;
    }
}
