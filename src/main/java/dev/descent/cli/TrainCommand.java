package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Session;
import dev.descent.backend.Streaming;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Table;
import dev.descent.data.Weights;
import dev.descent.data.Generators;
import dev.descent.model.Model;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import dev.descent.util.NumpyFormat;
import dev.descent.train.Checkpoint;
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

    @Option(names = "--objective", defaultValue = "squared", paramLabel = "LOSS",
            description = "squared, logistic (0/1 labels), wave (seed 2; no target); scikit-learn's SGD losses: hinge, squared-hinge, "
                    + "modified-huber (0/1 labels), huber[:ε] and epsilon-insensitive[:ε] (regression, ε 0.1); softmax[:k] (multinomial "
                    + "logistic, labels 0..k-1, k from the labels when not given, 2 ≤ k ≤ 64). Default: ${DEFAULT-VALUE}.")
    String objective;

    @Option(names = "--data", defaultValue = "synthetic", paramLabel = "synthetic|FILE|DIR",
            description = "synthetic (seed 1's generator; seed 2's linspace for wave), a CSV/TSV or LIBSVM file (see --format; "
                    + "LIBSVM's ±1 labels are read as 0/1 for the 0/1-label losses), or a data folder (X.npy, y.npy: descent data "
                    + "convert writes one). Default: ${DEFAULT-VALUE}.")
    String data;

    @Mixin
    TargetOption target = new TargetOption();

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Example weights: a text file with one weight (finite, ≥ 0) per data row, one per line, in the rows' order "
                    + "(liblinear's -W format; # comments and blank lines skipped). A row of weight v counts v times: the loss is "
                    + "(1/n)·Σ v·ℓ and a batch's gradient (1/|B|)·Σ v·∇ℓ, as scikit-learn's sample_weight.")
    Path weights;

    @Option(names = "--standardize", description = "File data: scale every column to mean 0, std 1 (and a regression target too); "
            + "sparse (LIBSVM) data: divide every column by its std without centring, so zeros stay zeros (as scikit-learn's "
            + "StandardScaler(with_mean=False)). The model keeps the scaling and predict applies it.")
    boolean standardize;

    @Option(names = {"-n", "--rows"}, defaultValue = "1000", description = "Synthetic rows. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = {"-d", "--features"}, paramLabel = "D",
            description = "Synthetic features (default 2: seed 1's w = [2, -3.4]); for a LIBSVM file, its width (default: the largest index).")
    Integer d;

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
            description = "sgd, momentum[:μ], nesterov[:μ] (μ 0.9), adam[:β1[:β2[:ε]]] (0.9, 0.999, 1e-8), adamw[:β1[:β2[:ε]]] "
                    + "(Adam with decoupled decay 0.01), adagrad[:ε] (1e-10), rmsprop[:α[:μ[:ε]]] or rmsprop-centered[:α[:μ[:ε]]] "
                    + "(0.99, 0, 1e-8); the adaptive ones as PyTorch's torch.optim. Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--weight-decay", paramLabel = "λ", description = "Weight decay λ (weights only). Default: 0 (adamw: 0.01).")
    Double weightDecay;

    @Option(names = "--l1", defaultValue = "0", paramLabel = "λ₁",
            description = "L1 penalty λ₁ (weights only), applied after each step as its proximal step w = sign(w)·max(0, |w| − lr·λ₁); "
                    + "with --weight-decay, the elastic net. Default: ${DEFAULT-VALUE}.")
    double l1;

    @Option(names = "--average", description = "Report the mean of the iterates (Polyak–Ruppert averaging; with sgd, averaged SGD "
            + "as scikit-learn's average=True): the history's losses and the saved model are the average's.")
    boolean average;

    @Option(names = "--decoupled", description = "Decoupled weight decay (w -= lr·λ·w; adaptive rules: w *= 1 - lr·λ first, "
            + "as AdamW) instead of L2 (g += λ·w).")
    boolean decoupled;

    @Option(names = "--order", defaultValue = "shuffle", description = "inorder, shuffle or replacement. Default: ${DEFAULT-VALUE}.")
    String order;

    @Option(names = {"-e", "--epochs"}, defaultValue = "3", description = "Epochs. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--period", defaultValue = "0",
            description = "Record the full-data loss every PERIOD examples (a multiple of the batch; 0: about 100 per epoch, fewer past 671,088 stored values so that an epoch's records read at most 2^26). Default: ${DEFAULT-VALUE}.")
    int period;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for data, initial weights and batch order. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--history", paramLabel = "FILE", description = "Save the loss history as CSV (.csv) or JSON (.json).")
    Path history;

    @Option(names = "--plot", paramLabel = "DIR", description = "Draw the loss curve into DIR (loss.png and loss.svg).")
    Path plot;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Write a checkpoint (parameters, optimizer state, position, history) to FILE, replaced atomically, "
                    + "every --checkpoint-every steps, at the end and on Ctrl-C.")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "0",
            description = "Steps between checkpoints (0: one per epoch). Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue from a checkpoint written by the same command (same options and data; --epochs may grow). "
                    + "The result is bit-identical to a run that was never stopped, on the same backend and device.")
    Path resume;

    @Option(names = "--save-model", paramLabel = "FILE",
            description = "Save the trained model (weights, bias, standardization, column names) as JSON for descent predict.")
    Path saveModel;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Option(names = "--device-memory", paramLabel = "BYTES",
            description = "OpenCL/CUDA: hold at most this many bytes of rows on the device (e.g. 64m, 2g); larger data stream "
                    + "through in chunks. Default: the device's own memory.")
    String deviceMemory;

    @Option(names = "--chunk-rows", paramLabel = "N", defaultValue = "0",
            description = "OpenCL/CUDA: rows per chunk. A streamed run equals a resident run with the same --chunk-rows bit for bit. "
                    + "Default: as many as fit.")
    int chunkRows;

    @Option(names = "--stream-slots", paramLabel = "N", defaultValue = "0",
            description = "OpenCL/CUDA: chunks on the device at once while streaming: 2 uploads the next beside the kernels' work on the "
                    + "other (each half the room), 1 waits. Default 0: 2 on a GPU with its own memory, else 1.")
    int streamSlots;

    @Mixin
    BackendOption backend = new BackendOption();

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        Objective obj = Objective.parse(objective);
        double objParam = Objective.parseParam(objective);
        Optimizer opt = Optimizer.parse(optimizer);
        if (weightDecay != null || decoupled) {
            opt = opt.withWeightDecay(weightDecay != null ? weightDecay : opt.weightDecay(), decoupled || opt.decoupled());
        }
        if (l1 != 0) opt = opt.withL1(l1);
        if (average) opt = opt.withAverage(true);
        Schedule sch = Schedule.parse(schedule);
        BatchOrder ord = BatchOrder.parse(order);
        TrainConfig cfg = new TrainConfig(epochs, batch, lr, sch, ord, period, seed);
        if (history != null) {
            String f = history.getFileName().toString();
            DescentException.require(f.endsWith(".csv") || f.endsWith(".json"),
                    "--history " + history + ": name a .csv or .json file");
        }
        DescentException.require(checkpointEvery >= 0, "--checkpoint-every must be ≥ 0 steps (got " + checkpointEvery + ")");
        DescentException.require(checkpointEvery == 0 || checkpoint != null, "--checkpoint-every needs --checkpoint FILE");
        if (history != null) dev.descent.util.AtomicFiles.folder(history);
        if (plot != null) dev.descent.util.AtomicFiles.folder(plot.resolve("loss.png"));
        if (checkpoint != null) dev.descent.util.AtomicFiles.folder(checkpoint);
        if (saveModel != null) dev.descent.util.AtomicFiles.folder(saveModel);
        Checkpoint.Contents resumed = resume == null ? null : Checkpoint.read(resume);     // a bad checkpoint costs no data loading
        Table table = dataset(obj, objParam);
        Dataset ds = table.data();
        if (obj == Objective.SOFTMAX && objParam == 0) objParam = classesOf(ds);
        boolean withBias = bias != null ? bias : obj.biasByDefault();
        Spec sp = new Spec(obj, objParam, withBias, opt);
        sp.check(ds);
        cfg.check(ds.n());
        Map<String, String> identity = identity(ds, sp, sch, ord);
        if (resumed != null) {
            Checkpoint.requireSameRun(resume, resumed, identity);
            int done = resumed.state().epoch() - 1;
            DescentException.require(done <= epochs, "checkpoint " + resume + " has " + done + " epochs done, more than this run's "
                    + epochs + ": ask for --epochs " + done + " or more");
        }
        long modelBytes = 4L * ((long) ds.d() + 1) * sp.heads() * (4 + sp.optimizer().slots());   // parameters, state, gradient and copies
        if (batch > 2048) modelBytes += 8L * Math.min(16, (batch + 2047) / 2048) * ((long) ds.d() + 1) * sp.heads();   // cpu: a batch's block sums
        DescentException.require(modelBytes < Runtime.getRuntime().maxMemory() / 2, String.format(Locale.ROOT,
                "a model of %d features%s needs about %.1f MiB of Java heap for its parameters and optimizer state, more than half of the "
                        + "%.1f MiB available: check the file's largest feature index, or give --features, or run java with a larger -Xmx",
                ds.d(), sp.heads() > 1 ? " × " + sp.heads() + " classes" : "", modelBytes / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0));
        Params p0 = initial(ds.d(), sp.heads());

        DescentException.require(chunkRows >= 0, "--chunk-rows must be ≥ 0 (got " + chunkRows + ")");
        DescentException.require(streamSlots >= 0 && streamSlots <= 2, "--stream-slots must be 1 or 2, or 0 for the device's choice (got " + streamSlots + ")");
        Streaming streaming = new Streaming(deviceMemory == null ? 0 : bytes("--device-memory", deviceMemory), chunkRows, streamSlots);
        try (Backend b = backend.open(err, problem(ds, batch, sp.heads())); Session s = b.open(ds, sp, streaming);
             Interrupt interrupt = Interrupt.install(err)) {
            err.println("descent: " + ds + ", " + sp.objectiveName() + (withBias ? " + bias" : "") + ", " + opt + ", batch " + batch
                    + ", lr " + lr + " (" + sch + "), " + ord.cliName() + ", " + epochs + " epochs");
            if (s.streamed() || chunkRows > 0) err.println("descent: rows " + s.residency());
            else if (deviceMemory != null) err.println("descent: --device-memory: the " + b.name() + " backend holds the rows in host memory");
            residency = s.residency();
            int batches = dev.descent.backend.Batches.in(ds.n(), batch);
            if (resumed != null) {
                Trainer.State st = resumed.state();
                err.println("descent: resuming from " + resume + " at epoch " + Math.min(st.epoch(), epochs) + ", batch "
                        + st.nextBatch() + " (" + st.stepsDone(batches) + " of " + (long) batches * epochs + " steps done)"
                        + (resumed.backend().equals(b.name() + ": " + b.device()) ? "" : "; it was written on " + resumed.backend()
                        + ", so the result will not be bit-identical to an uninterrupted run there"));
            }
            long every = checkpoint == null ? 0 : checkpointEvery > 0 ? checkpointEvery : batches;
            String backendName = b.name() + ": " + b.device();         // the device line names the kernels (e.g. cpu scalar or vector)
            java.util.function.Consumer<Trainer.State> onCheckpoint = checkpoint == null ? null : st -> {
                Checkpoint.write(checkpoint, withEpochs(identity), backendName, st);
            };
            Trainer.Result res;
            try (Progress progress = new Progress(!noProgress && System.console() != null)) {
                res = Trainer.train(s, p0, cfg, "train " + sp.objectiveName() + " batch " + batch + " lr " + lr,
                        new Trainer.Options(progress, every, onCheckpoint, interrupt::requested, resumed == null ? null : resumed.state()));
            }
            for (History.Epoch e : res.history().epochs()) {
                out.println(String.format(Locale.ROOT, "Batch size %d, Learning rate %f, Epoch %d, loss %s  (%.3f s)",
                        batch, e.lr(), e.epoch(), NumpyFormat.sci4(e.loss()), e.seconds()));
            }
            Params p = res.params();
            if (p.k() == 1) {
                out.println("w: " + (p.d() <= 16 ? NumpyFormat.row(p.w()) : "[" + p.d() + " weights, first 4: "
                        + Arrays.toString(Arrays.copyOf(p.w(), 4)) + "]") + " b: " + NumpyFormat.scalar(p.b()));
            } else {
                float[] bs = new float[p.k()];
                for (int c = 0; c < bs.length; c++) bs[c] = p.b(c);
                out.println("W: " + p.k() + " classes × " + p.d() + " weights, b: " + NumpyFormat.row(bs));
            }
            out.println(String.format(Locale.ROOT, "%d steps, %d examples in %.3f s on %s%s", res.steps(), res.examples(), res.seconds(),
                    b.name(), res.interrupted() ? " (interrupted)" : ""));
            residency = s.residency();
            if (s.streamed()) err.println("descent: rows " + residency);
            if (history != null) save(res.history(), ds, sp, res.interrupted());
            if (plot != null) {
                var chart = dev.descent.plot.HistoryPlots.lossCurves(res.history().label(), java.util.List.of(res.history()),
                        positive(res.history()));
                dev.descent.plot.Charts.savePngAndSvg(chart, plot, "loss");
                err.println("descent: loss curve written to " + plot.resolve("loss.png"));
            }
            if (saveModel != null && !res.interrupted()) {
                Map<String, String> trained = withEpochs(identity);
                trained.put("backend", b.name());
                trained.put("descent", Main.VERSION);
                new Model(obj, p, withBias, table.scaling(), table.features(), table.target(), trained).save(saveModel);
                err.println("descent: model written to " + saveModel + (res.diverged() ? " (the last finite parameters)" : ""));
            }
            if (checkpoint != null) err.println("descent: checkpoint written to " + checkpoint);
            if (res.interrupted()) {
                err.println("descent: stopped on request after " + res.steps() + " of " + (long) batches * epochs + " steps"
                        + (checkpoint != null ? ": resume with the same command and --resume " + checkpoint : "")
                        + (saveModel != null ? "; no model saved (the run is incomplete)" : ""));
                return interrupt.exitCode();
            }
            if (res.diverged()) {
                err.println("descent: " + res.divergence().describe());
                return 1;
            }
        }
        return 0;
    }

    /**
     * What makes two runs the same run, for a checkpoint: every option that changes the result,
     * and the data's exact values (a checksum). The number of epochs is not part of it.
     */
    private Map<String, String> identity(Dataset ds, Spec sp, Schedule sch, BatchOrder ord) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("data", Checkpoint.dataChecksum(ds));
        c.put("objective", sp.objectiveName());
        c.put("bias", String.valueOf(sp.bias()));
        c.put("optimizer", sp.optimizer().toString());
        c.put("batch", String.valueOf(batch));
        c.put("lr", String.valueOf(lr));
        c.put("schedule", sch.toString());
        c.put("order", ord.cliName());
        c.put("period", String.valueOf(period));
        c.put("seed", String.valueOf(seed));
        c.put("init", init);
        return c;
    }

    /**
     * The size {@code --backend auto} weighs: the values of the largest launch (a full-data loss
     * pass) times the heads; n·d dense, the stored values (nnz) sparse, since the sparse kernels
     * touch only those.
     */
    static Backends.Problem problem(Dataset ds, int batch, int heads) {
        if (!ds.isSparse()) return Backends.Problem.training(ds.n(), ds.d(), batch, heads);
        return new Backends.Problem(ds.stored() * heads);
    }

    /** The run's identity and its epochs: what a checkpoint and a saved model record. */
    private Map<String, String> withEpochs(Map<String, String> identity) {
        Map<String, String> c = new LinkedHashMap<>(identity);
        c.put("epochs", String.valueOf(epochs));
        return c;
    }

    /** A log scale suits losses that stay positive (squared, logistic), not the wave loss. */
    static boolean positive(History h) {
        return h.points().stream().allMatch(p -> !Double.isFinite(p.loss()) || p.loss() > 0);
    }

    /** Where the session kept the rows ("resident", or how it streamed them), for the history. */
    private String residency = "resident";

    /** A byte count with an optional k, m or g suffix (powers of 1024). */
    static long bytes(String option, String v) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        long unit = t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : t.endsWith("g") ? 1L << 30 : 1;
        if (unit > 1) t = t.substring(0, t.length() - 1);
        try {
            double x = Double.parseDouble(t);
            if (x >= 1 && x * unit < 0x1p62) return (long) (x * unit);
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw new DescentException.InvalidArgument(option + " " + v + ": give a size of at least 1 byte, e.g. 65536, 64m or 2g");
    }

    private void save(History h, Dataset ds, Spec sp, boolean interrupted) {
        if (history.getFileName().toString().endsWith(".json")) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("data", ds.toString());
            c.put("objective", sp.objectiveName());
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
            c.put("rows", residency);
            c.put("complete", !interrupted);
            h.writeJson(history, c);
        } else {
            h.writeCsv(history);
        }
        spec.commandLine().getErr().println("descent: history written to " + history);
    }

    private Table dataset(Objective obj, double objParam) {
        return dataset(data, target, weights, d, standardize, n, noise, seed, obj, objParam);
    }

    /**
     * --data's table (a file, or the synthetic problem of the objective: --rows, --features, --noise, --seed), with the example
     * weights of {@code weights} (a file, or null for none); train and sweep share it.
     */
    static Table dataset(String data, TargetOption target, Path weights, Integer d, boolean standardize, int n, double noise, long seed,
                         Objective obj, double objParam) {
        Table t = dataset(data, target, d, standardize, n, noise, seed, obj, objParam);    // the scaling is fitted unweighted
        if (weights == null) return t;
        Dataset ds = t.data();
        return new Table(ds.withWeights(Weights.read(weights, ds.n(), data)), t.features(), t.target(), t.scaling());
    }

    private static Table dataset(String data, TargetOption target, Integer d, boolean standardize, int n, double noise, long seed, Objective obj,
                                 double objParam) {
        if (!data.equals("synthetic")) {
            DescentException.require(d == null || d >= 1, "--features must be ≥ 1 (got " + d + ")");
            Table table = target.read(data, !obj.needsTargets(), d == null ? 0 : d, obj.binaryLabels());
            return standardize ? table.standardized(obj.needsTargets() && !obj.binaryLabels() && !obj.multiclass()) : table;
        }
        DescentException.require(n >= 1, "--rows must be ≥ 1 (got " + n + ")");
        int dim = d == null ? 2 : d;
        DescentException.require(dim >= 1, "--features must be ≥ 1 (got " + dim + ")");
        if (obj == Objective.WAVE) {
            DescentException.require(dim == 1, "the synthetic wave data (seed 2) has one feature: use --features 1");
            return Table.of(Generators.linspace(-5, 5, n));
        }
        if (obj == Objective.SOFTMAX) return Table.of(Generators.multiclass(n, dim, objParam == 0 ? 3 : (int) objParam, noise, seed));
        return Table.of(obj.binaryLabels() ? Generators.classification(n, dim, noise, seed) : Generators.regression(n, dim, noise, seed));
    }

    /** Softmax without k: the largest label + 1, once the labels are known to be class ids (train and sweep share it). */
    static int classesOf(Dataset ds) {
        float top = 0;
        float[] t = ds.targets();
        for (int i = 0; i < t.length; i++) {
            DescentException.require(t[i] == Math.rint(t[i]) && t[i] >= 0, "softmax needs class labels 0..k-1, but row " + (i + 1) + " of "
                    + ds.name() + " has target " + t[i]);
            top = Math.max(top, t[i]);
        }
        DescentException.require(top >= 1, "softmax needs at least 2 classes, but every label of " + ds.name() + " is 0");
        DescentException.require(top < Objective.MAX_CLASSES, "softmax takes at most " + Objective.MAX_CLASSES + " classes, but "
                + ds.name() + " has labels up to " + (long) top);
        return (int) top + 1;
    }

    private Params initial(int dim, int heads) {
        return initialParams(init, seed, dim, heads);
    }

    /** --init's parameters: for softmax's k heads, k·d weights drawn or set the same way; biases 0 (train and sweep share it). */
    static Params initialParams(String init, long seed, int dim, int heads) {
        if (heads > 1) {
            float[] w = initialWeights(init, seed, dim * heads), packed = new float[heads * (dim + 1)];
            for (int c = 0; c < heads; c++) System.arraycopy(w, c * dim, packed, c * (dim + 1), dim);
            return Params.ofPacked(packed, dim, heads);
        }
        return new Params(initialWeights(init, seed, dim), 0f);
    }

    /** --init's weights for {@code dim} features: N(0, 1) drawn from seed + 1, zeros, or one value (train and sweep share it). */
    static float[] initialWeights(String init, long seed, int dim) {
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
        return w;
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
