package dev.descent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.DescentException;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Table;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import dev.descent.sweep.Config;
import dev.descent.sweep.Outcome;
import dev.descent.sweep.Ranges;
import dev.descent.sweep.Sweep;
import dev.descent.bench.Roofline;
import dev.descent.bench.SweepReport;
import dev.descent.sweep.SweepResult;
import dev.descent.train.History;
import dev.descent.train.Trainer;
import dev.descent.util.AtomicFiles;
import dev.descent.util.NumpyFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train many configurations (learning rate × batch × optimizer × weight decay × schedule × order) of one linear "
                + "model at once on the CPU, each step reading a batch's rows once for every configuration of its batch size and order; "
                + "print the best and the command that reruns it alone, and with --out write a report folder (sweep.json, report.md, "
                + "report.html, a heat map of final loss over learning rate × batch, the best configurations' loss curves).")
final class SweepCommand implements Callable<Integer> {
    /** Most configurations one sweep takes from the command line (the heap check usually refuses far fewer). */
    static final long MAX_CONFIGS = 1L << 21;

    @picocli.CommandLine.Spec
    CommandSpec spec;

    @Option(names = "--lr", defaultValue = "1e-3..10:log:13", paramLabel = "VALUES",
            description = "Learning rates: a list (0.01,0.1,1) and/or ranges a..b:log:N or a..b:lin:N (both ends included). "
                    + "Default: ${DEFAULT-VALUE}.")
    String lr;

    @Option(names = {"-B", "--batch"}, defaultValue = "1,10,100,1000", paramLabel = "VALUES",
            description = "Batch sizes, as --lr (a range's points rounded). Default: ${DEFAULT-VALUE}.")
    String batch;

    @Option(names = "--optimizer", defaultValue = "sgd", paramLabel = "SPECS",
            description = "Optimizers, comma-separated, each as train's --optimizer (e.g. sgd,momentum:0.9,adam). Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--weight-decay", paramLabel = "VALUES",
            description = "Weight decays λ (weights only), as --lr (0 allowed). Default: each optimizer's own (0; adamw 0.01).")
    String weightDecay;

    @Option(names = "--decoupled", description = "Decoupled weight decay for every configuration, as train's --decoupled.")
    boolean decoupled;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "SPECS",
            description = "Schedules, comma-separated, each as train's --schedule. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--order", defaultValue = "shuffle", paramLabel = "ORDERS",
            description = "Batch orders, comma-separated: inorder, shuffle, replacement. Default: ${DEFAULT-VALUE}.")
    String order;

    @Option(names = {"-e", "--epochs"}, defaultValue = "3", description = "Epochs, shared by every configuration. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--period", defaultValue = "0",
            description = "Record the full-data loss every PERIOD examples (a multiple of every batch; 0: about 100 per epoch, fewer past 671,088 stored values so that an epoch's records read at most 2^26). Default: ${DEFAULT-VALUE}.")
    int period;

    @Option(names = "--target-loss", paramLabel = "L",
            description = "The loss whose first crossing the report times per configuration. Default: twice the best final loss.")
    Double targetLoss;

    @Option(names = "--objective", defaultValue = "squared", paramLabel = "LOSS",
            description = "As train's --objective (one head: softmax is not swept yet). Default: ${DEFAULT-VALUE}.")
    String objective;

    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "synthetic|FILE|DIR",
            description = "synthetic (seed 1's problem: 1,000 rows, w = [2, -3.4], b = 4.2, noise 0.01), a CSV/TSV file or a data folder; "
                    + "sparse (LIBSVM) data are not swept yet. Default: ${DEFAULT-VALUE}.")
    String data;

    @Mixin
    TargetOption target = new TargetOption();

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Example weights: a text file with one weight (finite, ≥ 0) per data row, one per line, in the rows' order, as train's --weights "
                    + "(liblinear's -W format; # comments and blank lines skipped). A row of weight v counts v times: the loss is "
                    + "(1/n)·Σ v·ℓ and a batch's gradient (1/|B|)·Σ v·∇ℓ, as scikit-learn's sample_weight.")
    Path weights;

    @Option(names = "--standardize", description = "File data: scale every column to mean 0, std 1, as train's --standardize.")
    boolean standardize;

    @Option(names = {"-n", "--rows"}, defaultValue = "1000", description = "Synthetic rows. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = {"-d", "--features"}, paramLabel = "D", description = "Synthetic features (default 2: seed 1's w = [2, -3.4]).")
    Integer d;

    @Option(names = "--noise", defaultValue = "0.01", description = "Synthetic label noise σ. Default: ${DEFAULT-VALUE}.")
    double noise;

    @Option(names = "--bias", negatable = true, description = "Fit a bias (default: yes).")
    Boolean bias;

    @Option(names = "--init", defaultValue = "normal", paramLabel = "normal|zeros|VALUE",
            description = "Initial weights of every configuration, as train's --init (the same draw for all). Default: ${DEFAULT-VALUE}.")
    String init;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for data, initial weights and batch orders. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "NAME",
            description = "Where the models train: cpu (the sweep engine on this machine's cores), or a device backend as train's "
                    + "--backend (opencl, opencl:@cpu, cuda, …), each configuration then bit-identical to its lone run there. "
                    + "Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--halving", paramLabel = "ETA[:EPOCHS]",
            description = "Successive halving: after every EPOCHS epochs (default 1; never after the last) only the best 1/ETA of the "
                    + "configurations still running go on, by their last recorded loss; the others stop there (the report says when and "
                    + "why). Default: off.")
    String halving;

    @Option(names = "--threads", paramLabel = "T", description = "Worker threads (default: one per core); the results do not depend on it.")
    Integer threads;

    @Option(names = "--config", paramLabel = "FILE.json|FILE.yaml",
            description = "Read any of these options from a JSON object, or a YAML mapping (a file ending in .yaml or .yml), whose keys are "
                    + "their names without dashes (lr, batch, optimizer, weight-decay or weight_decay, …); values are strings, numbers, "
                    + "booleans or arrays (read as lists). Options given on the command line win.")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Write the report folder here.")
    Path out;

    @Option(names = "--force", description = "Write into an existing report folder (its files are replaced).")
    boolean force;

    @Option(names = "--alone", description = "Also train every configuration alone on the sweep's backend, one after another: check each "
            + "is bit-identical to the sweep (one halved out: for the epochs it ran) and report the sum of their times against the sweep's.")
    boolean alone;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "N",
            description = "Run the sweep (and with --alone, the lone runs) N times untimed first, so that the timed runs are compiled "
                    + "code on both sides. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--roofline", description = "After training, measure this machine's read ceiling (as descent bench does) and, on the "
            + "host's memory, its FMA peak (with the Vector API: DESCENT_VECTOR=1), and print the training time against the least time its "
            + "bytes and flops allow (issue #15's roofline; in sweep.json and the report too). The probes read buffers of 8× the "
            + "last-level cache (at least 256 MiB): about ten seconds on a 2-core machine.")
    boolean roofline;

    @Option(names = "--no-check", description = "Skip rerunning the best configuration alone (a check that it ends where the sweep says).")
    boolean noCheck;

    @Option(names = "--top", defaultValue = "10", description = "Configurations listed on stdout. Default: ${DEFAULT-VALUE}.")
    int top;

    @Override
    public Integer call() {
        var stdout = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (config != null) readConfig(config);
        Objective obj = Objective.parse(objective);
        double objParam = Objective.parseParam(objective);
        DescentException.require(epochs >= 1, "--epochs must be ≥ 1 (got " + epochs + ")");
        DescentException.require(period >= 0, "--period must be ≥ 0 (got " + period + "; 0 picks one)");
        DescentException.require(top >= 0, "--top must be ≥ 0 (got " + top + ")");
        DescentException.require(warmup >= 0, "--warmup must be ≥ 0 (got " + warmup + ")");
        DescentException.require(threads == null || threads >= 1, "--threads must be ≥ 1 (got " + threads + ")");
        DescentException.require(targetLoss == null || Double.isFinite(targetLoss), "--target-loss must be a finite number (got " + targetLoss + ")");
        double[] lrs = Ranges.parse("--lr", lr);
        for (double v : lrs) DescentException.require(v > 0, "--lr " + lr + ": learning rates must be > 0 (got " + Ranges.fmt(v) + ")");
        int[] batches = Ranges.ints("--batch", batch);
        for (int b : batches) DescentException.require(b >= 1, "--batch " + batch + ": batch sizes must be ≥ 1 (got " + b + ")");
        List<Optimizer> opts = new ArrayList<>();
        for (String o : items("--optimizer", optimizer)) opts.add(Optimizer.parse(o));
        double[] decays = weightDecay == null ? null : Ranges.parse("--weight-decay", weightDecay);
        if (decays != null) for (double v : decays) DescentException.require(v >= 0, "--weight-decay " + weightDecay + ": decays must be ≥ 0 (got " + Ranges.fmt(v) + ")");
        List<Schedule> schedules = new ArrayList<>();
        List<String> scheduleSpecs = items("--schedule", schedule);
        for (String s : scheduleSpecs) schedules.add(Schedule.parse(s));
        List<BatchOrder> orders = new ArrayList<>();
        for (String o : items("--order", order)) orders.add(BatchOrder.parse(o));
        List<Optimizer> withDecay = new ArrayList<>();
        for (Optimizer o : opts) {
            if (decays == null) withDecay.add(decoupled ? o.withWeightDecay(o.weightDecay(), true) : o);
            else for (double v : decays) withDecay.add(o.withWeightDecay(v, decoupled || o.decoupled()));
        }
        long k = (long) lrs.length * batches.length * withDecay.size() * schedules.size() * orders.size();
        DescentException.require(k <= MAX_CONFIGS, String.format(Locale.ROOT, "%d configurations (%d rates × %d batches × %d optimizers "
                + "× %d schedules × %d orders) is more than a sweep takes (%d): narrow a range", k, lrs.length, batches.length,
                withDecay.size(), schedules.size(), orders.size(), MAX_CONFIGS));
        if (out != null) requireWritableFolder(out);

        Table table = dataset(obj, objParam);
        Dataset ds = table.data();
        for (int b : batches) {
            if (b > ds.n()) {
                throw new DescentException.InvalidArgument("--batch " + batch + ": batch size " + b + " is larger than the dataset's " + ds.n()
                        + " rows: use 1.." + ds.n());
            }
        }
        boolean withBias = bias != null ? bias : obj.biasByDefault();
        if (obj == Objective.SOFTMAX && objParam == 0) objParam = TrainCommand.classesOf(ds);
        // train's --init: N(0, 1) from seed + 1, zeros, or one value; biases 0. One instance shared by every configuration
        Params p0 = TrainCommand.initialParams(init, seed, ds.d(), obj.heads(objParam));
        List<Config> configs = new ArrayList<>((int) k);
        for (BatchOrder ord : orders) {
            for (Schedule sch : schedules) {
                for (Optimizer o : withDecay) {
                    for (int b : batches) {
                        for (double v : lrs) configs.add(new Config(null, v, sch, o, b, ord, p0));
                    }
                }
            }
        }
        Sweep.Builder builder = Sweep.builder(ds, obj).bias(withBias).period(period).addAll(configs);
        builder.lossParam(objParam);
        if (threads != null) builder.threads(threads);
        builder.backend(backend);
        if (halving != null) {
            String[] hv = halving.trim().split(":");
            try {
                DescentException.require(hv.length <= 2, "--halving " + halving + ": use ETA or ETA:EPOCHS, e.g. 3 or 2:1");
                builder.halving(Integer.parseInt(hv[0].trim()), hv.length > 1 ? Integer.parseInt(hv[1].trim()) : 1);
            } catch (NumberFormatException e) {
                throw new DescentException.InvalidArgument("--halving " + halving + ": ETA and EPOCHS are whole numbers, e.g. 3 or 2:1");
            }
        }
        Sweep sweep = builder.build();                      // every refusal (sparse data, heap, period) before any output
        if (out != null) AtomicFiles.folder(out.resolve("sweep.json"));
        // CUDA trains while the host waits: the report's code is loaded and compiled meanwhile (not for the cpu backend or
        // OpenCL, whose device may be this CPU: there it would take cores from the training being timed)
        CompletableFuture<Void> reportWarm = out != null && backend.equals("cuda")
                ? SweepReport.warmUp() : CompletableFuture.completedFuture(null);

        String where = data.equals("synthetic") ? "synthetic (seed 1's generator), " + ds.n() + " rows × " + ds.d() + " features, noise "
                + noise : ds.toString();
        err.println("descent: sweep of " + configs.size() + " configurations on " + where + ", seed " + seed + ", " + obj.cliName()
                + (withBias ? " + bias" : "") + ", " + epochs + " epoch" + (epochs == 1 ? "" : "s") + ", on "
                + (backend.equals("cpu") ? "the CPU" : "backend " + backend));
        for (int w = 0; w < warmup; w++) {
            sweep.run(epochs, seed);
            if (alone) for (int i = 0; i < configs.size(); i++) sweep.alone(i, epochs, seed, backend);
        }
        SweepResult r = sweep.run(epochs, seed);
        boolean vector = backend.equals("cpu") && r.kernels().startsWith("vector");
        List<String> rerun = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) rerun.add(rerunCommand(configs.get(i), vector, ranEpochs(r.get(i))));

        stdout.println("Groups (configurations with the same batch size and order share each step's rows):");
        for (String g : r.groups()) stdout.println("  " + g);
        List<Outcome> ranked = SweepReport.ranked(r);
        stdout.println(String.format(Locale.ROOT, "Best %d of %d (final full-data loss after %d epoch%s):", Math.min(top, ranked.size()),
                configs.size(), epochs, epochs == 1 ? "" : "s"));
        for (int i = 0; i < Math.min(top, ranked.size()); i++) {
            Outcome o = ranked.get(i);
            stdout.println(String.format(Locale.ROOT, "  %3d  %-44s loss %s", i + 1, o.config().name(), NumpyFormat.sci4(o.finalLoss())));
        }
        List<Outcome> diverged = r.outcomes().stream().filter(Outcome::diverged).toList();
        if (!diverged.isEmpty()) {
            stdout.println("Diverged: " + diverged.size() + " of " + configs.size() + " (stopped at the step whose loss or parameters became non-finite):");
            for (int i = 0; i < Math.min(top, diverged.size()); i++) {
                Outcome o = diverged.get(i);
                stdout.println(String.format(Locale.ROOT, "       %-44s %s became non-finite at epoch %d, step %d", o.config().name(),
                        o.divergence().what(), o.divergence().epoch(), o.divergence().step()));
            }
            if (diverged.size() > top) stdout.println("       … and " + (diverged.size() - top) + " more");
        }
        List<Outcome> halted = r.outcomes().stream().filter(Outcome::halted).toList();
        if (!halted.isEmpty()) {
            stdout.println("Halved out: " + halted.size() + " of " + configs.size() + " (successive halving " + halving + "):");
            for (int i = 0; i < Math.min(top, halted.size()); i++) {
                Outcome o = halted.get(i);
                stdout.println(String.format(Locale.ROOT, "       %-44s %s", o.config().name(), o.halt().why()));
            }
            if (halted.size() > top) stdout.println("       … and " + (halted.size() - top) + " more");
        }
        String opening = r.openSeconds() > 0 ? String.format(Locale.ROOT, "%.3f s opening the backend, ", r.openSeconds()) : "";
        stdout.println(String.format(Locale.ROOT, "%d configurations in %.3f s (%s%.3f s evaluating losses), %d thread%s, %s",
                configs.size(), r.seconds(), opening, r.lossSeconds(), r.threads(), r.threads() == 1 ? "" : "s", r.kernels()));
        Roofline rl = null;
        if (roofline) {           // after training, before anything else runs: the probes take every core
            rl = Roofline.of(ds, obj.heads(objParam), r, Roofline.measure(backend, err));
            stdout.println(rl.line());
        }

        Outcome best = r.best();
        SweepReport.Check check = null;
        if (best == null) {
            stdout.println("Every configuration diverged: lower the learning rates.");
        } else {
            stdout.println("Best: " + best.config().name() + ", final loss " + NumpyFormat.sci4(best.finalLoss()) + " (exactly "
                    + best.finalLoss() + ")");
            stdout.println("Rerun it alone: " + rerun.get(best.index()));
            if (!noCheck && !alone) {
                long t0 = System.nanoTime();
                Trainer.Result solo = sweep.alone(best.index(), ranEpochs(best), seed, backend);
                double s = (System.nanoTime() - t0) / 1e9;
                check = new SweepReport.Check(best.index(), solo.history().lastLoss(), s, identical(best, solo));
            }
        }
        SweepReport.Alone lone = null;
        if (alone) {
            double[] secs = new double[configs.size()];
            boolean[] same = new boolean[configs.size()];
            for (int i = 0; i < configs.size(); i++) {
                long t0 = System.nanoTime();
                Trainer.Result solo = sweep.alone(i, ranEpochs(r.get(i)), seed, backend);
                secs[i] = (System.nanoTime() - t0) / 1e9;
                same[i] = identical(r.get(i), solo);
            }
            lone = new SweepReport.Alone(secs, same);
            stdout.println(String.format(Locale.ROOT, "Alone, one after another on the %s backend: %.3f s in all against the sweep's %.3f s "
                    + "(%.1f×); every configuration bit-identical to the sweep: %s", backend, lone.total(), r.seconds(), lone.total() / r.seconds(),
                    lone.allIdentical() ? "yes" : "NO"));
            if (best != null) {
                check = new SweepReport.Check(best.index(), best.finalLoss(), secs[best.index()], same[best.index()]);
            }
        }
        if (check != null) {
            stdout.println(String.format(Locale.ROOT, "Checked: alone on the %s backend it ends at loss %s in %.4f s, %s", backend, check.finalLoss(),
                    check.seconds(), check.identical() ? "bit-identical to the sweep" : "NOT bit-identical to the sweep"));
        }
        double target = targetLoss != null ? targetLoss : best != null ? 2 * best.finalLoss() : Double.NaN;
        String rule = targetLoss != null ? "--target-loss" : "twice the best final loss (no --target-loss)";
        if (out != null) {
            SweepReport report = new SweepReport(new SweepReport.Context(commandLine(), where, objective, withBias, epochs, seed, period, init,
                    target, rule), r, rerun, check, lone, rl);
            reportWarm.join();
            long r0 = System.nanoTime();
            String skipped = report.write(out);
            double took = (System.nanoTime() - r0) / 1e9;
            if (skipped != null) err.println("descent: report written without pictures: " + skipped);
            err.println(String.format(Locale.ROOT, "descent: report written to %s (report.md, report.html, sweep.json, heatmap.svg%s) in %.3f s",
                    out.toAbsolutePath().normalize(), skipped == null ? ", heatmap.png" : "", took));
        }
        if (check != null && !check.identical() || lone != null && !lone.allIdentical()) {
            throw new DescentException("a configuration trained alone did not end where the sweep did: please report it");
        }
        return 0;
    }

    /** The epochs a configuration trained: all of them, or until successive halving stopped it. */
    private int ranEpochs(Outcome o) {
        return o.halted() ? o.halt().epoch() : epochs;
    }

    /** Whether a lone run equals the sweep's outcome bit for bit: divergence, parameters, every recorded loss. */
    static boolean identical(Outcome o, Trainer.Result solo) {
        if (solo.diverged() != o.diverged() || solo.steps() != o.steps() || solo.examples() != o.examples()) return false;
        if (solo.diverged() && (solo.divergence().epoch() != o.divergence().epoch() || solo.divergence().step() != o.divergence().step())) {
            return false;
        }
        float[] a = solo.params().packed(), b = o.params().packed();
        if (a.length != b.length) return false;
        for (int j = 0; j < a.length; j++) if (Float.floatToRawIntBits(a[j]) != Float.floatToRawIntBits(b[j])) return false;
        List<History.Point> pa = solo.history().points(), pb = o.history().points();
        if (pa.size() != pb.size()) return false;
        for (int i = 0; i < pa.size(); i++) {
            if (Double.doubleToRawLongBits(pa.get(i).loss()) != Double.doubleToRawLongBits(pb.get(i).loss())) return false;
        }
        return true;
    }

    /** The {@code descent train} command that trains configuration c alone on the sweep's backend, bit-identical to the sweep. */
    String rerunCommand(Config c, boolean vector, int ep) {
        List<String> a = new ArrayList<>();
        if (vector) a.add("DESCENT_VECTOR=1");
        a.addAll(List.of("./descent", "train", "--backend", backend, "--objective", objective));
        if (data.equals("synthetic")) {
            a.addAll(List.of("--data", "synthetic", "--rows", Integer.toString(n)));
            if (d != null) a.addAll(List.of("--features", Integer.toString(d)));
            a.addAll(List.of("--noise", Double.toString(noise)));
        } else {
            a.addAll(List.of("--data", data));
            if (!target.value.equals("-1")) a.addAll(List.of("--target", target.value));
            if (target.format.value != null) a.addAll(List.of("--format", target.format.value));
            if (standardize) a.add("--standardize");
        }
        if (weights != null) a.addAll(List.of("--weights", weights.toString()));
        if (bias != null) a.add(bias ? "--bias" : "--no-bias");
        Optimizer o = c.optimizer();
        Optimizer base = new Optimizer(o.rule(), o.momentum(), o.beta2(), o.eps(), 0, 0, false, false);
        a.addAll(List.of("--seed", Long.toString(seed), "--init", init, "--batch", Integer.toString(c.batchSize()), "--lr", Double.toString(c.lr()),
                "--optimizer", base.toString()));
        if (o.weightDecay() != 0 || o.decoupled()) a.addAll(List.of("--weight-decay", Double.toString(o.weightDecay())));
        if (o.decoupled()) a.add("--decoupled");
        if (o.l1() != 0) a.addAll(List.of("--l1", Double.toString(o.l1())));
        if (o.average()) a.add("--average");
        a.addAll(List.of("--schedule", c.schedule().toString(), "--order", c.order().cliName(), "--epochs", Integer.toString(ep),
                "--period", Integer.toString(period)));
        return String.join(" ", a.stream().map(SweepCommand::quote).toList());
    }

    private String commandLine() {
        List<String> a = new ArrayList<>(List.of("./descent"));
        a.addAll(spec.commandLine().getParseResult().originalArgs());
        return String.join(" ", a.stream().map(SweepCommand::quote).toList());
    }

    static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./:=,+@%-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static List<String> items(String option, String spec) {
        List<String> out = new ArrayList<>();
        for (String s : spec.split(",", -1)) {
            if (s.isBlank()) throw new DescentException.InvalidArgument(option + " " + spec + ": an empty item in the list: separate values by single commas");
            if (!out.contains(s.trim())) out.add(s.trim());
        }
        return out;
    }

    /** Fills the options the command line left out from a JSON object. */
    private void readConfig(Path file) {
        String lower = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = lower.endsWith(".yaml") || lower.endsWith(".yml");
        JsonNode root;
        try {
            root = (yaml ? new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()) : new ObjectMapper())
                    .readTree(Files.readString(file));
        } catch (IOException e) {
            String why = AtomicFiles.reason(e).replace('\n', ' ');
            int at = why.indexOf(" at [Source");
            throw new DescentException.InvalidArgument("--config " + file + ": cannot read it as " + (yaml ? "YAML" : "JSON") + " ("
                    + (at > 0 ? why.substring(0, at) : why) + ")");
        }
        DescentException.require(root != null && root.isObject(), "--config " + file + (yaml
                ? ": the file must hold one YAML mapping, e.g. lr: 1e-3..1:log:32"
                : ": the file must hold one JSON object, e.g. {\"lr\": \"1e-3..1:log:32\"}"));
        var parsed = spec.commandLine().getParseResult();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = "--" + e.getKey().replace('_', '-');
            OptionSpec opt = spec.findOption(name);
            if (opt == null || name.equals("--config") || name.equals("--help") || name.equals("--version")) {
                throw new DescentException.InvalidArgument("--config " + file + ": unknown key '" + e.getKey() + "': use the sweep's option names, "
                        + "e.g. lr, batch, optimizer, weight-decay, schedule, order, epochs, period, target-loss, data, objective, rows, seed");
            }
            if (parsed.hasMatchedOption(name)) continue;        // the command line wins
            JsonNode v = e.getValue();
            String text;
            if (v.isArray()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode x : v) parts.add(x.asText());
                text = String.join(",", parts);
            } else if (v.isValueNode() && !v.isNull()) {
                text = v.asText();
            } else {
                throw new DescentException.InvalidArgument("--config " + file + ": '" + e.getKey() + "' must be a string, number, boolean or array");
            }
            Class<?> type = opt.type();
            Object value;
            try {
                if (type == int.class || type == Integer.class) value = Integer.parseInt(text);
                else if (type == long.class || type == Long.class) value = Long.parseLong(text);
                else if (type == double.class || type == Double.class) value = Double.parseDouble(text);
                else if (type == boolean.class || type == Boolean.class) {
                    DescentException.require(text.equals("true") || text.equals("false"),
                            "--config " + file + ": '" + e.getKey() + "' must be true or false (got " + text + ")");
                    value = Boolean.parseBoolean(text);
                } else if (type == Path.class) value = Path.of(text);
                else value = text;
            } catch (NumberFormatException x) {
                throw new DescentException.InvalidArgument("--config " + file + ": '" + e.getKey() + "' = " + text + " is not a number");
            }
            opt.setValue(value);
        }
    }

    /** As descent bench: refuse to mix two reports in one folder. */
    private void requireWritableFolder(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new DescentException.InvalidArgument("--out " + out + " is a file: name a folder for the report");
        }
        if (force || !Files.exists(out)) return;
        boolean empty;
        try (var s = Files.list(out)) {
            empty = s.findAny().isEmpty();
        } catch (IOException e) {
            empty = false;
        }
        if (!empty) throw new DescentException.InvalidArgument(out + " exists: choose another --out, or pass --force to replace its report");
    }

    private Table dataset(Objective obj, double objParam) {
        return TrainCommand.dataset(data, target, weights, d, standardize, n, noise, seed, obj, objParam);
    }
}
