package dev.descent.seeds;

import dev.descent.backend.Backend;
import dev.descent.backend.Gradient;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Rate;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Seed 2 ({@code 003_b5de7cd2b02f4a80.txt}): the one-parameter model y = w·x with the wave loss
 * (−y² + y³)e^(−y²), data x = linspace(−5, 5, N), w0 = −0.3, η = 0.01, one update per example.
 */
public final class Seed2 {
    private Seed2() {}

    public static final double W0 = -0.3;
    public static final double ETA = 0.01;
    public static final double W_MIN = -0.7, W_MAX = 0.7;
    public static final double X_MIN = -5, X_MAX = 5;

    /** The minimum of the loss over the tutorial's 100 × 100 (x, w) grid, and where it is. */
    public record Surface(double min, double x, double w) {}

    /** The gradients dℓ/dw at w0 on each example. */
    public record Gradients(double[] values, double min, double max, double mean) {}

    /** The SGD walk: w after each example, the loss on each example before and after its step. */
    public record Walk(double[] x, double[] wBefore, double[] wAfter, double[] lossBefore, double[] lossAfter) {
        public double finalW() { return wAfter[wAfter.length - 1]; }
        public double finalLoss() { return lossAfter[lossAfter.length - 1]; }
    }

    public record Outcome(Surface surface, Gradients gradients, Walk walk) {}

    /** The loss surface on the tutorial's grid, evaluated in double as numpy does. */
    public static Surface surface() {
        double[] xs = Generators.linspaceDouble(X_MIN, X_MAX, 100);
        double[] ws = Generators.linspaceDouble(W_MIN, W_MAX, 100);
        double best = Double.POSITIVE_INFINITY, bx = 0, bw = 0;
        for (double w : ws) {
            for (double x : xs) {
                double l = Objective.WAVE.loss(w * x, 0);
                if (l < best) {
                    best = l;
                    bx = x;
                    bw = w;
                }
            }
        }
        return new Surface(best, bx, bw);
    }

    /** dℓ/dw at w0 on each of {@code count} examples, computed by the backend one example at a time. */
    public static Gradients gradients(Backend backend, int count) {
        Dataset data = Generators.linspace(X_MIN, X_MAX, count);
        double[] g = new double[count];
        try (Session s = backend.open(data, Spec.of(Objective.WAVE))) {
            s.setParams(new Params(new float[] {(float) W0}, 0f));
            int[] order = new int[count];
            for (int i = 0; i < count; i++) order[i] = i;
            s.setOrder(order);
            for (int i = 0; i < count; i++) {
                Gradient gr = s.gradient(i, 1, false);
                g[i] = gr.w()[0];
            }
        }
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : g) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        return new Gradients(g, min, max, sum / count);
    }

    /** SGD over {@code count} examples in order, one step each, run by the backend in one call. */
    public static Walk walk(Backend backend, int count) {
        Dataset data = Generators.linspace(X_MIN, X_MAX, count);
        RunResult r;
        try (Session s = backend.open(data, Spec.of(Objective.WAVE))) {
            s.setParams(new Params(new float[] {(float) W0}, 0f));
            int[] order = new int[count];
            for (int i = 0; i < count; i++) order[i] = i;
            s.setOrder(order);
            r = s.run(new Run(1, 0, count, Rate.constant(ETA), 1));
        }
        double[] xs = Generators.linspaceDouble(X_MIN, X_MAX, count);
        double[] before = new double[count], after = new double[count], lb = new double[count], la = new double[count];
        double w = (float) W0;
        for (int i = 0; i < count; i++) {
            before[i] = w;
            after[i] = r.snapshot(i).w(0);
            lb[i] = Objective.WAVE.loss(before[i] * xs[i], 0);
            la[i] = Objective.WAVE.loss(after[i] * xs[i], 0);
            w = after[i];
        }
        return new Walk(xs, before, after, lb, la);
    }

    public static Outcome run(Backend backend, PrintStream out, Path dir) {
        Surface s = surface();
        out.printf(Locale.ROOT, "Global Minimum is %.2f   (%.6f at x = %.4f, w = %.4f on the 100 × 100 grid)%n", s.min, s.min, s.x, s.w);
        Gradients g = gradients(backend, 10);
        out.printf(Locale.ROOT, "Gradients at w_not=%.2f over %d examples: (Min, Max, Mean)=(%.2f,%.2f,%.2f)   (%.6f, %.6f, %.6f)%n",
                W0, g.values.length, g.min, g.max, g.mean, g.min, g.max, g.mean);
        Walk w = walk(backend, 100);
        out.printf(Locale.ROOT, "SGD over %d examples from w = %.2f with eta = %.2f: final w = %.6f, current loss =%.2f   (%.6f)%n",
                w.x.length, W0, ETA, w.finalW(), w.finalLoss(), w.finalLoss());
        out.println();
        if (dir != null) {
            StringBuilder sb = new StringBuilder("# seed2 SGD walk, w0 = -0.3, eta = 0.01, x = linspace(-5, 5, 100)\n")
                    .append("step,x,w_before,w_after,loss_before,loss_after\n");
            for (int i = 0; i < w.x.length; i++) {
                sb.append(String.format(Locale.ROOT, "%d,%.9g,%.9g,%.9g,%.9g,%.9g%n", i + 1, w.x[i], w.wBefore[i], w.wAfter[i],
                        w.lossBefore[i], w.lossAfter[i]));
            }
            dev.descent.util.AtomicFiles.write(dir.resolve("seed2-walk.csv"), sb.toString());
        }
        return new Outcome(s, g, w);
    }
}
