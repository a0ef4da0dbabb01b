package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Probe;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.data.Npy;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs a {@link Suite} on every available backend and returns the {@link Report}: every raw
 * sample, the configuration and seeds, the environment, the measured ceilings (each backend's
 * probes and the native probe, judged by {@link Limits}), convergence curves, and the peers'
 * numbers. The jobs live beside it: {@link Forks} (child JVMs and pooling), {@link Throughput},
 * {@link Convergence}, {@link PeerRun}.
 */
public final class BenchRunner {
    /** The schema written; see {@link Report}. */
    public static final String SCHEMA = Report.SCHEMA;
    static final long SEED = 1;

    private final Suite suite;
    private final List<String> backends;
    private final boolean peers;
    private final PrintWriter log;
    private final Path dataRoot;

    private BooleanSupplier stop = () -> false;

    public BenchRunner(String suiteName, List<String> backends, boolean peers, PrintWriter log) {
        this(suiteName, backends, peers, log, null);
    }

    /**
     * @param dataRoot where a workload's data may be found as {@code <root>/<workload>/X.npy} and {@code y.npy}
     *                 (written by `descent data` or numpy), so a peer measures on the same bytes and large
     *                 workloads need not be generated again; {@code null}: generate every workload
     */
    public BenchRunner(String suiteName, List<String> backends, boolean peers, PrintWriter log, Path dataRoot) {
        this.suite = Suite.named(suiteName);
        this.backends = backends;
        this.peers = peers && suite.peers();
        this.log = log;
        this.dataRoot = dataRoot;
    }

    /** The backends to run: the ones asked for, or every available one. */
    static List<String> available(List<String> asked) {
        if (asked != null && !asked.isEmpty()) return asked;
        List<String> out = new ArrayList<>();
        for (Probe p : Backends.probeAll()) if (p.available()) out.add(p.name());
        return out;
    }

    /** What a workload trains: its objective ({@code name[:param]}, softmax with its k) with the default bias, plain SGD. */
    static dev.descent.backend.Spec spec(Suite.Workload w) {
        dev.descent.model.Objective obj = dev.descent.model.Objective.parse(w.objective());
        return new dev.descent.backend.Spec(obj, dev.descent.model.Objective.parseParam(w.objective()), obj.biasByDefault(),
                dev.descent.optim.Optimizer.SGD);
    }

    /** The workload's data: from {@code dataRoot} when it holds that workload (shape checked), else generated. */
    Dataset data(Suite.Workload w) {
        Path dir = dataRoot == null ? null : dataRoot.resolve(w.name());
        if (dir == null || !Files.exists(dir.resolve("X.npy"))) return generated(w);
        Npy.Array x = Npy.read(dir.resolve("X.npy")), y = Npy.read(dir.resolve("y.npy"));
        if (x.shape().length != 2 || x.shape()[0] != w.n() || x.shape()[1] != w.d()) {
            throw new dev.descent.DescentException(dir.resolve("X.npy") + " has shape " + java.util.Arrays.toString(x.shape())
                    + ", workload " + w.name() + " needs [" + w.n() + ", " + w.d() + "]: write it again or drop it");
        }
        log.printf("[bench] %s: data from %s%n", w.name(), dir);
        return new Dataset(w.name() + " (" + dir + ")", x.values(), y.values(), w.n(), w.d());
    }

    static Dataset generated(Suite.Workload w) {
        if (w.objective().startsWith("softmax")) return Generators.multiclass(w.n(), w.d(), spec(w).heads(), 0.01, SEED);
        return switch (w.objective()) {
            case "wave" -> Generators.linspace(-5, 5, w.n());
            case "logistic" -> Generators.classification(w.n(), w.d(), 0.01, SEED);
            default -> Generators.regression(w.n(), w.d(), 0.01, SEED);
        };
    }

    /**
     * Runs the suite: in {@code suite.forks()} child JVMs when there is more than one (their samples
     * pooled per benchmark), then the peers once, here. {@code childArgs} are the CLI arguments that
     * make a child run the measurements alone and write them to the folder given after them.
     */
    public Report run(String command, List<String> childArgs, Path scratch) {
        if (suite.forks() <= 1) {
            Report r = measure(command);
            return finish(r, r.incomplete() != null ? Report.Peers.skipped("the run was interrupted") : peersOrSkipped(), r.incomplete());
        }
        List<Report> forks = new ArrayList<>();
        for (int f = 1; f <= suite.forks() && !stop.getAsBoolean(); f++) {
            log.printf("[bench] fork %d of %d%n", f, suite.forks());
            try {
                forks.add(Forks.fork(childArgs, scratch.resolve("fork-" + f), log));
            } catch (dev.descent.DescentException e) {
                if (!stop.getAsBoolean()) throw e;      // a fork that died of the same interrupt is not a failure
            }
        }
        if (forks.isEmpty()) throw new Stopped("before the first benchmark fork completed: no report written");
        Report merged = Forks.merge(forks).withCommand(command);
        if (forks.size() < suite.forks()) {
            return finish(merged, Report.Peers.skipped("the run was interrupted"),
                    "interrupted after " + forks.size() + " of " + suite.forks() + " forks; peers not run");
        }
        return finish(merged, peersOrSkipped(), null);
    }

    /** The ceilings judged and every benchmark's rates derived from the final (pooled) figures. */
    private Report finish(Report r, Report.Peers peers, String incomplete) {
        List<Report.Ceiling> judged = Limits.judge(r.ceilings());
        Report out = r.with(r.config(), judged, Limits.derive(r.benchmarks(), judged, r.environment().llcBytes()), peers, incomplete);
        Limits.summarize(out, log);
        return out;
    }

    private Report.Peers peersOrSkipped() {
        if (!peers) return Report.Peers.skipped("peers not asked for (--no-peers or suite)");
        Suite.Workload w = suite.throughput().get(0);
        return PeerRun.run(w, data(w), suite.repeats(), log);
    }

    /** Polled between forks and between backends: true stops the run, keeping what is complete. */
    public void stopWhen(BooleanSupplier stop) {
        this.stop = stop;
    }

    /** The run was stopped before anything was complete. */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String message) {
            super(message);
        }
    }

    /** The measurements alone, in this JVM: native probe, ceilings, benchmarks, convergence, environment (no peers). */
    public Report measure(String command) {
        List<String> names = available(backends);
        Report.Config config = new Report.Config(1, suite.repeats(), suite.warmups(), suite.warmupSeconds(), SEED, names, Stats.NOISY,
                Throughput.ROWS_PER_SAMPLE, suite.description());
        long probeBytes = Limits.probeBytes(suite.ceilingBytes());
        List<Report.Device> devices = new ArrayList<>();
        List<Report.Ceiling> ceilings = new ArrayList<>();
        List<Report.Benchmark> benches = new ArrayList<>();
        List<Report.Curve> curves = new ArrayList<>();
        String incomplete = null;
        // the native probe before the first backend and after each one's probes: one pooled "native" ceiling
        List<Report.Ceiling> natives = new ArrayList<>();
        Report.Ceiling first = Limits.measureNative(probeBytes, suite.repeats(), log);
        if (first != null) natives.add(first);
        Throughput throughput = new Throughput(suite, log);
        for (String name : names) {
            if (stop.getAsBoolean()) {
                if (devices.isEmpty()) throw new Stopped("before the first backend was measured: no report written");
                incomplete = "interrupted after " + devices.size() + " of " + names.size() + " backends";
                break;
            }
            try (Backend b = Backends.open(name)) {
                devices.add(new Report.Device(name, b.device()));
                log.printf("[bench] %s: %s%n", name, b.device());
                ceilings.add(Limits.measure(b, name, probeBytes, suite.repeats(), log));
                if (!natives.isEmpty()) natives.add(Limits.measureNative(probeBytes, suite.repeats(), log));
                for (Suite.Workload w : suite.throughput()) benches.addAll(throughput.measure(b, name, w, data(w)));
                for (Suite.Workload w : suite.convergence()) {
                    curves.addAll(Convergence.measure(b, name, w, data(w), suite.convergenceEpochs(), log));
                }
            }
        }
        Report.Ceiling nat = Limits.pool(natives);
        if (nat != null) ceilings.add(0, nat);
        Report.Environment env = Environments.capture(devices);
        return new Report(SCHEMA, suite.name(), command, config, env, ceilings, benches, curves, null, incomplete);
    }

    /** The project folder: {@code descent.home} (set by the launcher), else the working directory. */
    static Path home() {
        return Path.of(System.getProperty("descent.home", "."));
    }
}
