package dev.descent.seeds;

import dev.descent.util.NumpyFormat;
import dev.descent.backend.Backend;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.train.History;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Seed 1 ({@code 000_f2fe0f5f87349788.txt}): linear regression on 1000 synthetic examples with
 * w = [2, −3.4], b = 4.2 and noise 0.01; init w ~ N(0, 1), b = 0; batches in order; the mean
 * gradient of (ŷ − y)²/2 (the tutorial's {@code param -= lr * grad / batch_size} on the summed
 * loss); ×0.1 per epoch from epoch 3; the full-data loss every {@code period} examples. The
 * tutorial drew its data with MXNet's generator; ours come from the seed, so the digits differ
 * while the behaviour (where each run ends) is the same.
 */
public final class Seed1 {
    private Seed1() {}

    public static final float[] TRUE_W = {2f, -3.4f};
    public static final float TRUE_B = 4.2f;
    public static final double NOISE = 0.01;
    public static final int N = 1000;

    /** One of the tutorial's {@code train(batch_size, lr, epochs, period)} calls. */
    public record RunSpec(int batchSize, double lr, int epochs, int period) {
        public String label() {
            return String.format(Locale.ROOT, "seed1 batch %d lr %s", batchSize, lrText());
        }

        public String fileName() {
            return String.format(Locale.ROOT, "seed1-batch%d-lr%s.csv", batchSize, lrText());
        }

        private String lrText() {
            return new java.math.BigDecimal(Double.toString(lr)).stripTrailingZeros().toPlainString();
        }
    }

    /** The five runs, in the tutorial's order. */
    public static final List<RunSpec> RUNS = List.of(
            new RunSpec(1, 0.2, 3, 10),
            new RunSpec(1000, 0.999, 3, 1000),
            new RunSpec(10, 0.2, 3, 10),
            new RunSpec(10, 5, 3, 10),
            new RunSpec(10, 0.002, 3, 10));

    /** A run's outcome: the training result, the lines printed, the parameters the device ended with. */
    public record Outcome(RunSpec spec, Trainer.Result result, Params reached, List<String> lines) {}

    public static Dataset data(long seed) {
        return Generators.linear(N, TRUE_W, TRUE_B, NOISE, seed);
    }

    /** Runs all five on {@code backend}, printing the tutorial's lines to {@code out}; histories go to {@code dir} when not null. */
    public static List<Outcome> run(Backend backend, long seed, PrintStream out, Path dir) {
        return run(backend, seed, out, dir, () -> false);
    }

    /** As {@link #run(Backend, long, PrintStream, Path)}, stopping before the next run once {@code stop} says so. */
    public static List<Outcome> run(Backend backend, long seed, PrintStream out, Path dir, java.util.function.BooleanSupplier stop) {
        Dataset data = data(seed);
        Random init = new Random(seed + 1);            // the tutorial's init_params draws, one per run
        List<Outcome> outcomes = new ArrayList<>();
        try (Session s = backend.open(data, Spec.of(Objective.SQUARED))) {
            for (RunSpec r : RUNS) {
                if (stop.getAsBoolean()) break;
                Params p0 = new Params(Generators.gaussian(init, 2, 1.0), 0f);
                Trainer.Result res = Trainer.train(s, p0, TrainConfig.seed1(r.batchSize, r.lr, r.epochs, r.period), r.label(),
                        Trainer.Listener.NONE);
                Params reached = s.params();
                List<String> lines = lines(r, res, reached);
                lines.forEach(out::println);
                out.println();
                if (dir != null) res.history().writeCsv(dir.resolve(r.fileName()));
                outcomes.add(new Outcome(r, res, reached, lines));
            }
        }
        return outcomes;
    }

    /** The tutorial's printed lines for one run (after a divergence: its nan lines, then ours in words). */
    static List<String> lines(RunSpec r, Trainer.Result res, Params reached) {
        List<String> lines = new ArrayList<>();
        List<History.Epoch> epochs = res.history().epochs();
        for (int e = 1; e <= r.epochs; e++) {
            double lr = r.lr * Math.pow(0.1, Math.max(0, e - 2));
            double loss = e <= epochs.size() && !(res.diverged() && e >= res.divergence().epoch())
                    ? epochs.get(e - 1).loss() : Double.NaN;
            lines.add(String.format(Locale.ROOT, "Batch size %d, Learning rate %f, Epoch %d, loss %s",
                    r.batchSize, lr, e, NumpyFormat.sci4(loss)));
        }
        Params shown = res.diverged() ? reached : res.params();
        lines.add("w: " + NumpyFormat.row(shown.w()) + " b: " + NumpyFormat.scalar(shown.b()));
        if (res.diverged()) lines.add(res.divergence().describe());
        return lines;
    }
}
