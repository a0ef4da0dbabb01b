package dev.descent.optim;

/**
 * The learning rate of each step in a run of consecutive steps: η_k = lr for a constant rate,
 * or η_k = lr / √(firstStep + k) for the 1/√t schedule, where k = 0, 1, … counts the run's steps
 * and firstStep is the 1-based global step number of the first. Devices get these three numbers,
 * not a frozen value, so a many-step launch follows the schedule.
 */
public record Rate(double lr, boolean inverseSqrt, long firstStep) {
    public static Rate constant(double lr) {
        return new Rate(lr, false, 1);
    }

    public double at(long k) {
        return inverseSqrt ? lr / Math.sqrt((double) (firstStep + k)) : lr;
    }

    /** The same rate for a run that starts k steps later. */
    public Rate skip(long k) {
        return new Rate(lr, inverseSqrt, firstStep + k);
    }
}
