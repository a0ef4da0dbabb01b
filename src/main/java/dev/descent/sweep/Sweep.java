package dev.descent.sweep;

import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Batches;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;
import dev.descent.util.Memory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Many configurations trained at once over one dataset and one objective (issue #15), on the CPU:
 * each step reads each batch row once for every configuration with that batch size and order.
 * Order of use: {@link #builder} → {@link Builder#add} each configuration → {@link Builder#build}
 * (checks everything, including memory) → {@link #run} → {@link SweepResult}; {@link #alone} reruns
 * one configuration by itself on a backend.
 *
 * <pre>{@code
 * SweepResult r = Sweep.builder(data, Objective.LOGISTIC)
 *         .add(Config.of(0.1, 1, Optimizer.SGD))
 *         .add(Config.of(0.01, 10, Optimizer.adam()))
 *         .run(5, 42);                       // 5 epochs, batch orders drawn from seed 42
 * Outcome best = r.best();
 * }</pre>
 *
 * <p><b>The promise.</b> Configuration i's history losses, final parameters and divergence are those
 * of {@code Trainer.train} on {@code Backends.open("cpu")} with {@code alone(i, epochs, seed)}'s
 * spec and {@link TrainConfig}, bit for bit, in the same JVM (the engine reproduces the cpu
 * backend's float32 arithmetic and its reduction order, with whichever row kernels, scalar or Vector
 * API, that backend picked). Only the times differ: they are the sweep's.
 *
 * <p><b>Backends.</b> By default the models train on the CPU with the cpu backend's arithmetic; with
 * {@link Builder#backend} on a device backend, each configuration's results are those of its lone run
 * on that device instead (same history losses and parameters, bit for bit): a group whose lone runs take
 * one launch per run of steps runs all its models in one launch per epoch, a group whose lone runs take a
 * launch pair per step (large batches, full-batch GD) one launch pair per step for all its models (see
 * {@link dev.descent.backend.spi.LaneRunner}); sparse rows, softmax and streamed rows train their models one
 * after another on the device.
 *
 * <p><b>Early stop.</b> A configuration whose loss or parameters become non-finite stops there
 * ({@link Outcome#divergence}); with {@link Builder#halving} the ones that fall behind stop too
 * ({@link Outcome#halt}). Either way the others' bits do not change.
 *
 * <p><b>Sparse rows and softmax</b> train through the backend's own sessions (the cpu backend's too), each model
 * one after another (no lane kernel reads CSR rows or several heads yet), each bit-identical to its lone run on
 * that backend.
 */
public final class Sweep {
    private final Dataset data;
    private final Spec spec;
    private final List<Config> configs;
    private final int period, threads;
    private final String backend;
    private final int eta, halvingEvery;

    private Sweep(Builder b) {
        this.backend = b.backend;
        this.eta = b.eta;
        this.halvingEvery = b.halvingEvery;
        this.data = b.data;
        this.spec = new Spec(b.objective, b.lossParam, b.bias, dev.descent.optim.Optimizer.SGD);
        this.configs = List.copyOf(b.configs);
        this.period = b.period;
        this.threads = b.threads;
    }

    public static Builder builder(Dataset data, Objective objective) {
        return new Builder(data, objective);
    }

    /** Collects the configurations and the settings they share. */
    public static final class Builder {
        private final Dataset data;
        private final Objective objective;
        private double lossParam;
        private boolean bias;
        private int period;
        private int threads = Runtime.getRuntime().availableProcessors();
        private String backend = "cpu";
        private int eta, halvingEvery = 1;
        private final List<Config> configs = new ArrayList<>();

        private Builder(Dataset data, Objective objective) {
            DescentException.require(data != null, "a sweep needs a dataset");
            DescentException.require(objective != null, "a sweep needs an objective");
            this.data = data;
            this.objective = objective;
            this.lossParam = objective.defaultParam();
            this.bias = objective.biasByDefault();
        }

        public Builder add(Config c) {
            DescentException.require(c != null, "configuration " + configs.size() + " is null");
            configs.add(c);
            return this;
        }

        public Builder addAll(Collection<Config> cs) {
            for (Config c : cs) add(c);
            return this;
        }

        /** The loss's parameter (Huber's and epsilon-insensitive's ε); default the objective's. */
        public Builder lossParam(double p) {
            this.lossParam = p;
            return this;
        }

        /** Whether the models have a bias; default the objective's. */
        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /**
         * Examples between recorded losses, as {@link TrainConfig#period()}: a multiple of every
         * batch size; 0 (the default) records about 100 times per epoch per group, fewer on large data
         * ({@link TrainConfig#defaultRecords}). Each record costs
         * one evaluation of the full-data loss (all records of an epoch share one pass over the rows).
         */
        public Builder period(int examples) {
            DescentException.require(examples >= 0, "period must be ≥ 0 (got " + examples + "; 0 picks one)");
            this.period = examples;
            return this;
        }

        /** Worker threads (default: one per core). The results do not depend on it. */
        public Builder threads(int t) {
            DescentException.require(t >= 1, "threads must be ≥ 1 (got " + t + ")");
            this.threads = t;
            return this;
        }

        /**
         * The backend that trains the models (default "cpu": the sweep engine on the host's cores). Any other
         * name {@link Backends#open} takes ("opencl", "opencl:@cpu", "cuda", …) trains them on that device,
         * each model bit-identical to its lone run there (see {@link dev.descent.backend.spi.LaneRunner}).
         */
        public Builder backend(String name) {
            DescentException.require(name != null && !name.isBlank(), "a sweep's backend needs a name: cpu, opencl or cuda");
            this.backend = name.trim();
            return this;
        }

        /**
         * Successive halving: after every {@code everyEpochs} epochs (but the last), of the k configurations
         * still running only the best ⌈k / η⌉ by their last recorded loss go on; the others stop there and cost
         * nothing afterwards, their outcome ending as a lone run of that many epochs would ({@link Outcome#halt}
         * says when and why). Off by default.
         */
        public Builder halving(int eta, int everyEpochs) {
            DescentException.require(eta >= 2, "successive halving keeps the best 1/η: η must be ≥ 2 (got " + eta + ")");
            DescentException.require(everyEpochs >= 1, "successive halving every N epochs: N must be ≥ 1 (got " + everyEpochs + ")");
            this.eta = eta;
            this.halvingEvery = everyEpochs;
            return this;
        }

        /** Checks the data, objective and every configuration, and that the sweep fits in memory; each failure is one line. */
        public Sweep build() {
            DescentException.require(!configs.isEmpty(), "a sweep needs at least one configuration: add one with Sweep.Builder.add(Config)");
            Spec spec = new Spec(objective, lossParam, bias, dev.descent.optim.Optimizer.SGD);
            spec.check(data);
            int n = data.n();
            for (int i = 0; i < configs.size(); i++) {
                Config c = configs.get(i);
                String who = "configuration " + i + " (" + c.name() + ")";
                if (c.batchSize() > n) {
                    throw new DescentException.InvalidArgument(who + ": batch size " + c.batchSize() + " is larger than the dataset's " + n
                            + " rows: use 1.." + n);
                }
                if (period > 0 && (period < c.batchSize() || period % c.batchSize() != 0)) {
                    throw new DescentException.InvalidArgument(who + ": period " + period + " must be a positive multiple of its batch size "
                            + c.batchSize() + " (the loss is recorded after whole batches)");
                }
                if (c.init() != null && (c.init().d() != data.d() || c.init().k() != spec.heads())) {
                    throw new DescentException.InvalidArgument(who + ": initial parameters have " + c.init().d() + " weights"
                            + (c.init().k() > 1 ? " × " + c.init().k() + " heads" : "") + ", the data " + data.d() + " features"
                            + (spec.heads() > 1 ? " × " + spec.heads() + " classes" : ""));
                }
            }
            Memory.requireHeap(String.format(java.util.Locale.ROOT, "a sweep of %d configurations over %d features", configs.size(), data.d()),
                    bytesNeeded(data.n(), spec.heads() * (data.d() + 1) - 1, data.stored(), configs, period));
            return new Sweep(this);
        }

        /** build() then run(epochs, seed). */
        public SweepResult run(int epochs, long seed) {
            return build().run(epochs, seed);
        }
    }

    /**
     * Heap a sweep needs beyond its data, per epoch: each configuration's parameters and optimizer
     * state, a gradient buffer, its snapshots (one per record) and their per-block loss sums, and for
     * batches over {@link Engine#BLOCK} rows one float partial per block.
     */
    static long bytesNeeded(int n, int d, long values, List<Config> configs, int period) {
        long np = d + 1, blocksN = (n + Engine.BLOCK - 1) / Engine.BLOCK, total = 0;
        for (Config c : configs) {
            int bs = c.batchSize();
            long records = Batches.in(n, bs) / TrainConfig.recordEvery(period, n, bs, values) + 1;
            long blocks = bs > Engine.BLOCK ? (bs + Engine.BLOCK - 1) / Engine.BLOCK : 0;
            total += 4 * np * (1 + c.optimizer().slots() + 1 + records + blocks) + 8 * records * blocksN + 64;
        }
        return total;
    }

    public List<Config> configs() { return configs; }

    /** Trains every configuration for {@code epochs} epochs; the shuffled and sampled batch orders are drawn from {@code seed}. */
    public SweepResult run(int epochs, long seed) {
        DescentException.require(epochs >= 1, "epochs must be ≥ 1 (got " + epochs + ")");
        long t0 = System.nanoTime();
        // sparse rows and softmax: the backend's sessions (the engine holds dense rows and one-head models only)
        if (!backend.equals("cpu") || data.isSparse() || spec.heads() > 1) {
            try (Backend b = Backends.open(backend);
                 Sessions ss = new Sessions(b, data, spec.objective(), spec.lossParam(), spec.bias(), configs.get(0).optimizer())) {
                double open = (System.nanoTime() - t0) / 1e9;
                Engine e = new Engine(data, spec.objective().code(), (float) spec.lossParam(), spec.bias(), spec.heads(), configs, period, 1, null, ss, eta,
                        halvingEvery);
                List<String> groups = e.describeGroups();        // before the run: the shards as built, before any model left
                List<Outcome> out = e.run(epochs, seed);
                return new SweepResult(out, groups, ss.describe(), backend, 1, (System.nanoTime() - t0) / 1e9, e.lossSeconds, open);
            }
        }
        ForkJoinPool pool = threads > 1 ? new ForkJoinPool(threads - 1) : null;
        try {
            Engine e = new Engine(data, spec.objective().code(), (float) spec.lossParam(), spec.bias(), 1, configs, period, threads, pool, null, eta,
                    halvingEvery);
            List<String> groups = e.describeGroups();            // before the run: the shards as built, before any model left
            List<Outcome> out = e.run(epochs, seed);
            return new SweepResult(out, groups, e.kern.describe(), "cpu", threads, (System.nanoTime() - t0) / 1e9, e.lossSeconds, 0);
        } finally {
            if (pool != null) pool.shutdown();
        }
    }

    /** The spec a configuration trains with alone: the sweep's objective, loss parameter and bias, its optimizer. */
    public Spec spec(int i) {
        return new Spec(spec.objective(), spec.lossParam(), spec.bias(), configs.get(i).optimizer());
    }

    /** The {@link TrainConfig} a configuration trains with alone. */
    public TrainConfig trainConfig(int i, int epochs, long seed) {
        Config c = configs.get(i);
        return new TrainConfig(epochs, c.batchSize(), c.lr(), c.schedule(), c.order(), period, seed);
    }

    /**
     * Configuration i trained by itself with {@code Trainer.train} on the named backend ("cpu" gives
     * the sweep's numbers bit for bit): to check a sweep, or to time the winner alone.
     */
    public Trainer.Result alone(int i, int epochs, long seed, String backend) {
        Config c = configs.get(i);
        Params init = c.init() != null ? c.init() : Params.zeros(data.d(), spec.heads());
        try (Backend b = Backends.open(backend); Session s = b.open(data, spec(i))) {
            return Trainer.train(s, init, trainConfig(i, epochs, seed), c.name(), Trainer.Listener.NONE);
        }
    }
}
