package dev.descent.optim;

import dev.descent.DescentException;

import java.util.Locale;

/** A learning-rate schedule over epochs (1-based) and steps (1-based, counted over the run). */
public sealed interface Schedule {

    /** The rate for the steps of {@code epoch}, whose first step is global step {@code firstStep}. */
    Rate rate(double base, int epoch, long firstStep);

    /** The rate at the first step of the epoch (what the seed prints as "Learning rate"). */
    default double epochRate(double base, int epoch, long firstStep) {
        return rate(base, epoch, firstStep).at(0);
    }

    /** η = base. */
    record Constant() implements Schedule {
        public Rate rate(double base, int epoch, long firstStep) { return Rate.constant(base); }
        @Override public String toString() { return "constant"; }
    }

    /** Seed 1: from epoch {@code from} on, multiply by γ each epoch: η_e = base·γ^max(0, e − from + 1). */
    record StepDecay(int from, double gamma) implements Schedule {
        public StepDecay {
            DescentException.require(from >= 1, "step decay: the first decayed epoch must be ≥ 1 (got " + from + ")");
            DescentException.require(Double.isFinite(gamma) && gamma > 0, "step decay: γ must be finite and > 0 (got " + gamma + ")");
        }
        public Rate rate(double base, int epoch, long firstStep) {
            return Rate.constant(base * Math.pow(gamma, Math.max(0, epoch - from + 1)));
        }
        @Override public String toString() { return "step:" + from + ":" + gamma; }
    }

    /** η_e = base·γ^(e−1). */
    record Exponential(double gamma) implements Schedule {
        public Exponential {
            DescentException.require(Double.isFinite(gamma) && gamma > 0, "exponential decay: γ must be finite and > 0 (got " + gamma + ")");
        }
        public Rate rate(double base, int epoch, long firstStep) {
            return Rate.constant(base * Math.pow(gamma, epoch - 1));
        }
        @Override public String toString() { return "exp:" + gamma; }
    }

    /** η_t = base/√t over global steps t = 1, 2, …. */
    record InverseSqrt() implements Schedule {
        public Rate rate(double base, int epoch, long firstStep) { return new Rate(base, true, firstStep); }
        @Override public String toString() { return "invsqrt"; }
    }

    /** Seed 1's schedule: ×0.1 per epoch from epoch 3 on. */
    Schedule SEED1 = new StepDecay(3, 0.1);

    /** Parses {@code constant}, {@code step[:from[:γ]]} (default 3 and 0.1), {@code exp:γ} or {@code invsqrt}. */
    static Schedule parse(String s) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split(":");
        try {
            return switch (p[0]) {
                case "constant" -> new Constant();
                case "step" -> new StepDecay(p.length > 1 ? Integer.parseInt(p[1]) : 3, p.length > 2 ? Double.parseDouble(p[2]) : 0.1);
                case "exp", "exponential" -> {
                    if (p.length != 2) throw new DescentException.InvalidArgument("schedule '" + s + "': exponential needs γ, e.g. exp:0.9");
                    yield new Exponential(Double.parseDouble(p[1]));
                }
                case "invsqrt" -> new InverseSqrt();
                default -> throw new DescentException.InvalidArgument("unknown schedule '" + s
                        + "': use constant, step[:from[:γ]], exp:γ or invsqrt");
            };
        } catch (NumberFormatException e) {
            throw new DescentException.InvalidArgument("schedule '" + s + "': " + e.getMessage() + " is not a number");
        }
    }
}
