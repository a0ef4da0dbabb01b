package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import dev.descent.util.NumpyFormat;
import dev.descent.train.History;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a linear model (squared, logistic or wave loss) with GD / SGD / mini-batch SGD.")
final class TrainCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    CommandSpec spec;

    @Option(names = "--objective", defaultValue = "squared", description = "squared, logistic or wave. Default: ${DEFAULT-VALUE}.")
    String objective;

    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "synthetic|FILE",
            description = "synthetic (seed 1's generator; seed 2's linspace for wave) or a CSV/TSV file. Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--target", paramLabel = "COL", defaultValue = "-1",
            description = "File data: the target column by header name or 0-based index (negative from the end), or none. Default: ${DEFAULT-VALUE}.")
    String target;

    @Option(names = "--standardize", description = "File data: scale every column to mean 0, std 1.")
    boolean standardize;

    @Option(names = {"-n", "--rows"}, defaultValue = "1000", description = "Synthetic rows. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = {"-d", "--features"}, defaultValue = "2", description = "Synthetic features (2 gives seed 1's w = [2, -3.4]). Default: ${DEFAULT-VALUE}.")
    int d;

    @Option(names = "--noise", defaultValue = "0.01", description = "Synthetic label noise σ. Default: ${DEFAULT-VALUE}.")
    double noise;

    @Option(names = "--bias", negatable = true, description = "Fit a bias (default: yes, except for wave).")
    Boolean bias;

    @Option(names = "--init", defaultValue = "normal", paramLabel = "normal|zeros|VALUE",
            description = "Initial weights: N(0,1) from the seed, zeros, or every weight = VALUE. Default: ${DEFAULT-VALUE}.")
    String init;

    @Option(names = {"-B", "--batch"}, defaultValue = "10", description = "Batch size (1 = SGD, n = GD). Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", defaultValue = "0.1", description = "Base learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "SPEC",
            description = "constant, step[:from[:γ]] (seed 1: step:3:0.1), exp:γ or invsqrt. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "SPEC",
            description = "sgd, momentum[:μ] or nesterov[:μ]. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "λ", description = "Weight decay λ (weights only). Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--decoupled", description = "Decoupled weight decay (w -= lr·λ·w) instead of L2 (g += λ·w).")
    boolean decoupled;

    @Option(names = "--order", defaultValue = "shuffle", description = "inorder, shuffle or replacement. Default: ${DEFAULT-VALUE}.")
    String order;

    @Option(names = {"-e", "--epochs"}, defaultValue = "3", description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--period", defaultValue = "0",
            description = "Record the full-data loss every PERIOD examples (a multiple of the batch; 0: about 100 per epoch). Default: ${DEFAULT-VALUE}.")
    int period;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for data, initial weights and batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--history", paramLabel = "FILE", description = "Save the loss history as CSV (.csv) or JSON (.json).")
    Path history;

    @Option(names = "--plot", paramLabel = "DIR", description = "Draw the loss curve into DIR (loss.png and loss.svg).")
    Path plot;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Mixin
    BackendOption backend = new BackendOption();

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        Objective obj = Objective.parse(objective);
        Optimizer opt = Optimizer.parse(optimizer).withWeightDecay(weightDecay, decoupled);
        Schedule sch = Schedule.parse(schedule);
        BatchOrder ord = BatchOrder.parse(order);
        TrainConfig cfg = new TrainConfig(epochs, batch, lr, sch, ord, period, seed);
        if (history != null) {
            String f = history.getFileName().toString();
            DescentException.require(f.endsWith(".csv") || f.endsWith(".json"),
                    "--history " + history + ": name a .csv or .json file");
        }
        if (history != null) dev.descent.util.AtomicFiles.folder(history);
        if (plot != null) dev.descent.util.AtomicFiles.folder(plot.resolve("loss.png"));
        Dataset ds = dataset(obj);
        boolean withBias = bias != null ? bias : obj.biasByDefault();
        Spec sp = new Spec(obj, withBias, opt);
        sp.check(ds);
        cfg.check(ds.n());
        Params p0 = initial(ds.d(), withBias);

        try (Backend b = backend.open(err); Session s = b.open(ds, sp)) {
            err.println("descent: " + ds + ", " + obj.cliName() + (withBias ? " + bias" : "") + ", " + opt + ", batch " + batch
                    + ", lr " + lr + " (" + sch + "), " + ord.cliName() + ", " + epochs + " epochs");
            Trainer.Result res;
            try (Progress progress = new Progress(!noProgress && System.console() != null)) {
                res = Trainer.train(s, p0, cfg, "train " + obj.cliName() + " batch " + batch + " lr " + lr, progress);
            }
            for (History.Epoch e : res.history().epochs()) {
                out.println(String.format(Locale.ROOT, "Batch size %d, Learning rate %f, Epoch %d, loss %s  (%.3f s)",
                        batch, e.lr(), e.epoch(), NumpyFormat.sci4(e.loss()), e.seconds()));
            }
            Params p = res.params();
            out.println("w: " + (p.d() <= 16 ? NumpyFormat.row(p.w()) : "[" + p.d() + " weights, first 4: "
                    + Arrays.toString(Arrays.copyOf(p.w(), 4)) + "]") + " b: " + NumpyFormat.scalar(p.b()));
            out.println(String.format(Locale.ROOT, "%d steps, %d examples in %.3f s on %s", res.steps(), res.examples(), res.seconds(), b.name()));
            if (history != null) save(res.history(), ds, sp);
            if (plot != null) {
                var chart = dev.descent.plot.HistoryPlots.lossCurves(res.history().label(), java.util.List.of(res.history()),
                        positive(res.history()));
                dev.descent.plot.Charts.savePngAndSvg(chart, plot, "loss");
                err.println("descent: loss curve written to " + plot.resolve("loss.png"));
            }
            if (res.diverged()) {
                err.println("descent: " + res.divergence().describe());
                return 1;
            }
        }
        return 0;
    }

    /** A log scale suits losses that stay positive (squared, logistic), not the wave loss. */
    static boolean positive(History h) {
        return h.points().stream().allMatch(p -> !Double.isFinite(p.loss()) || p.loss() > 0);
    }

    private void save(History h, Dataset ds, Spec sp) {
        if (history.getFileName().toString().endsWith(".json")) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("data", ds.toString());
            c.put("objective", sp.objective().cliName());
            c.put("bias", sp.bias());
            c.put("optimizer", sp.optimizer().toString());
            c.put("batch", batch);
            c.put("lr", lr);
            c.put("schedule", schedule);
            c.put("order", order);
            c.put("epochs", epochs);
            c.put("period", period);
            c.put("seed", seed);
            c.put("backend", backend.backend);
            h.writeJson(history, c);
        } else {
            h.writeCsv(history);
        }
        spec.commandLine().getErr().println("descent: history written to " + history);
    }

    private Dataset dataset(Objective obj) {
        if (!data.equals("synthetic")) {
            Csv.Target t = target.equalsIgnoreCase("none") ? Csv.Target.NONE : new Csv.Target(target);
            if (!obj.needsTargets() && target.equals("-1")) t = Csv.Target.NONE;
            Dataset ds = Csv.load(Path.of(data), t);
            return standardize ? Csv.standardize(ds) : ds;
        }
        DescentException.require(n >= 1, "--rows must be ≥ 1 (got " + n + ")");
        DescentException.require(d >= 1, "--features must be ≥ 1 (got " + d + ")");
        if (obj == Objective.WAVE) {
            DescentException.require(d == 1, "the synthetic wave data (seed 2) has one feature: use --features 1");
            return Generators.linspace(-5, 5, n);
        }
        return obj == Objective.LOGISTIC ? Generators.classification(n, d, noise, seed) : Generators.regression(n, d, noise, seed);
    }

    private Params initial(int dim, boolean withBias) {
        float[] w;
        switch (init.toLowerCase(Locale.ROOT)) {
            case "normal" -> w = Generators.gaussian(new Random(seed + 1), dim, 1.0);
            case "zeros" -> w = new float[dim];
            default -> {
                float v;
                try {
                    v = Float.parseFloat(init);
                } catch (NumberFormatException e) {
                    throw new DescentException.InvalidArgument("--init '" + init + "': use normal, zeros or a number");
                }
                DescentException.require(Float.isFinite(v), "--init must be finite (got " + init + ")");
                w = new float[dim];
                Arrays.fill(w, v);
            }
        }
        return new Params(w, 0f);
    }

    /** A progress bar on stderr that appears only once a run has taken more than two seconds. */
    private static final class Progress implements Trainer.Listener, AutoCloseable {
        private final boolean enabled;
        private final long start = System.nanoTime();
        private ProgressBar bar;

        Progress(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        public void progress(long done, long total) {
            if (!enabled) return;
            if (bar == null && System.nanoTime() - start > 2_000_000_000L) {
                bar = new ProgressBarBuilder().setTaskName("training").setInitialMax(total).setUnit(" batches", 1)
                        .setStyle(ProgressBarStyle.ASCII).build();
            }
            if (bar != null) bar.stepTo(done);
        }

        @Override
        public void close() {
            if (bar != null) bar.close();
        }
    }
}
