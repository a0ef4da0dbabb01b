package dev.descent.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.Probe;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Bandwidth;
import dev.descent.backend.Batches;
import dev.descent.backend.Run;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.data.Npy;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Rate;
import dev.descent.optim.Schedule;
import dev.descent.train.History;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link Suite} on every available backend and returns the report as JSON-ready maps:
 * every raw sample, the configuration and seeds, the environment, the measured bandwidth
 * ceilings, convergence curves (loss vs examples and vs training time), and the peers' numbers.
 */
public final class BenchRunner {
    public static final String SCHEMA = "descent-report/1";
    static final long SEED = 1;
    /** Rows each throughput sample processes at least (several calls when one epoch is shorter). */
    private static final long ROWS_PER_SAMPLE = 400_000;

    private final Suite suite;
    private final List<String> backends;
    private final boolean peers;
    private final PrintWriter log;
    private final Path dataRoot;

    private java.util.function.BooleanSupplier stop = () -> false;

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
    public Map<String, Object> run(String command, List<String> childArgs, Path scratch) {
        if (suite.forks() <= 1) {
            Map<String, Object> r = measure(command);
            r.put("peers", r.containsKey("incomplete") ? skippedPeers("the run was interrupted") : peersOrSkipped());
            return r;
        }
        List<Map<String, Object>> forks = new ArrayList<>();
        for (int f = 1; f <= suite.forks() && !stop.getAsBoolean(); f++) {
            log.printf("[bench] fork %d of %d%n", f, suite.forks());
            try {
                forks.add(fork(childArgs, scratch.resolve("fork-" + f)));
            } catch (dev.descent.DescentException e) {
                if (!stop.getAsBoolean()) throw e;      // a fork that died of the same interrupt is not a failure
            }
        }
        if (forks.isEmpty()) throw new Stopped("before the first benchmark fork completed: no report written");
        if (forks.size() < suite.forks()) {
            Map<String, Object> r = merge(forks);
            r.put("command", command);
            ((Map<String, Object>) r.get("config")).put("forks", forks.size());
            r.put("incomplete", "interrupted after " + forks.size() + " of " + suite.forks() + " forks; peers not run");
            r.put("peers", skippedPeers("the run was interrupted"));
            return r;
        }
        Map<String, Object> r = merge(forks);
        r.put("command", command);
        ((Map<String, Object>) r.get("config")).put("forks", suite.forks());
        r.put("peers", peersOrSkipped());
        return r;
    }

    private Map<String, Object> peersOrSkipped() {
        return peers ? runPeers() : skippedPeers("peers not asked for (--no-peers or suite)");
    }

    private static Map<String, Object> skippedPeers(String why) {
        return Map.of("ran", false, "results", List.of(), "skipped", List.of(Map.of("peer", "all", "why", why)));
    }

    /** Polled between forks and between backends: true stops the run, keeping what is complete. */
    public void stopWhen(java.util.function.BooleanSupplier stop) {
        this.stop = stop;
    }

    /** The run was stopped before anything was complete. */
    public static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String message) {
            super(message);
        }
    }

    /** One child JVM with this JVM's classpath and options, running the measurements; its report.json is read back. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> fork(List<String> childArgs, Path dir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.descent.cli.Main"));
        cmd.addAll(childArgs);
        cmd.add(dir.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) log.println(line);
            }
            if (p.waitFor() != 0) throw new dev.descent.DescentException("benchmark fork failed (exit " + p.exitValue() + "): see its output above");
            return new ObjectMapper().readValue(dir.resolve("measurements.json").toFile(), Map.class);
        } catch (IOException e) {
            throw new dev.descent.DescentException("cannot run a benchmark fork: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.descent.DescentException("interrupted while a benchmark fork ran");
        }
    }

    /** Pools the forks' samples per benchmark and ceiling (same ids in the same order); environment and curves from the first. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(List<Map<String, Object>> forks) {
        Map<String, Object> r = new LinkedHashMap<>(forks.get(0));
        for (String list : List.of("benchmarks", "ceilings")) {
            List<Map<String, Object>> first = (List<Map<String, Object>>) r.get(list);
            List<Map<String, Object>> merged = new ArrayList<>();
            for (int i = 0; i < first.size(); i++) {
                Map<String, Object> m = new LinkedHashMap<>(first.get(i));
                for (String key : list.equals("ceilings") ? List.of("read_gbs", "copy_gbs") : List.of("")) {
                    List<Double> all = new ArrayList<>();
                    for (Map<String, Object> f : forks) {
                        Map<String, Object> e = ((List<Map<String, Object>>) f.get(list)).get(i);
                        Map<String, Object> st = key.isEmpty() ? e : (Map<String, Object>) e.get(key);
                        for (Object x : (List<Object>) st.get("samples")) all.add(((Number) x).doubleValue());
                    }
                    Stats s = Stats.of(all.stream().mapToDouble(Double::doubleValue).toArray());
                    if (key.isEmpty()) {
                        double scale = ((Number) m.get("median")).doubleValue() / s.median();   // derived rates follow the pooled median
                        m.putAll(stats(s));
                        Map<String, Object> d = new LinkedHashMap<>((Map<String, Object>) m.get("derived"));
                        for (String k : List.of("samples_per_s", "steps_per_s", "gbs", "pct_of_read")) {
                            if (d.get(k) instanceof Number v) d.put(k, v.doubleValue() * scale);
                        }
                        m.put("derived", d);
                    } else {
                        m.put(key, stats(s));
                    }
                }
                merged.add(m);
            }
            r.put(list, merged);
        }
        return r;
    }

    /** The measurements alone, in this JVM: ceilings, benchmarks, convergence, environment. */
    public Map<String, Object> measure(String command) {
        List<String> names = available(backends);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("schema", SCHEMA);
        report.put("suite", suite.name());
        report.put("command", command);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("forks", 1);
        config.put("repeats", suite.repeats());
        config.put("warmups", suite.warmups());
        config.put("warmup_seconds", suite.warmupSeconds());
        config.put("seed", SEED);
        config.put("backends", names);
        config.put("noisy_threshold", Stats.NOISY);
        config.put("rows_per_sample", ROWS_PER_SAMPLE);
        config.put("description", suite.description());
        report.put("config", config);

        List<Map<String, Object>> devices = new ArrayList<>(), ceilings = new ArrayList<>(), benches = new ArrayList<>(),
                curves = new ArrayList<>();
        Map<String, Double> readGbs = new LinkedHashMap<>();
        for (String name : names) {
            if (stop.getAsBoolean()) {
                int done = devices.size();
                if (done == 0) throw new Stopped("before the first backend was measured: no report written");
                report.put("incomplete", "interrupted after " + done + " of " + names.size() + " backends");
                break;
            }
            try (Backend b = Backends.open(name)) {
                devices.add(Map.of("backend", name, "device", b.device()));
                log.printf("[bench] %s: %s%n", name, b.device());
                double[] read = new double[suite.repeats()], copy = new double[suite.repeats()];
                for (int r = 0; r < suite.repeats(); r++) {
                    Bandwidth bw = b.bandwidth(suite.ceilingBytes());
                    read[r] = bw.readGBs();
                    copy[r] = bw.copyGBs();
                }
                Stats rs = Stats.of(read), cs = Stats.of(copy);
                readGbs.put(name, rs.median());
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("backend", name);
                c.put("bytes", suite.ceilingBytes());
                c.put("read_gbs", stats(rs));
                c.put("copy_gbs", stats(cs));
                ceilings.add(c);
                for (Suite.Workload w : suite.throughput()) benches.addAll(throughput(b, name, w, rs.median()));
                for (Suite.Workload w : suite.convergence()) curves.addAll(convergence(b, name, w));
            }
        }
        report.put("environment", Environment.capture(devices));
        report.put("ceilings", ceilings);
        report.put("benchmarks", benches);
        report.put("convergence", curves);
        return report;
    }

    private static Map<String, Object> stats(Stats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", s.samples());
        m.put("median", s.median());
        m.put("min", s.min());
        m.put("max", s.max());
        m.put("noisy", s.noisy());
        return m;
    }

    /** Samples/s and steps/s at each batch size, and the full-batch gradient's bandwidth, on one backend. */
    private List<Map<String, Object>> throughput(Backend b, String backend, Suite.Workload w, double readGbs) {
        List<Map<String, Object>> out = new ArrayList<>();
        Dataset ds = data(w);
        Objective obj = Objective.parse(w.objective());
        try (Session s = b.open(ds, Spec.of(obj))) {
            Params p0 = obj == Objective.WAVE ? new Params(new float[] {-0.3f}, 0f) : Params.zeros(ds.d());
            for (int batch0 : w.batches()) {
                int batch = batch0 == 0 ? ds.n() : Math.min(batch0, ds.n());
                int batches = Batches.in(ds.n(), batch);
                int calls = (int) Math.max(1, (ROWS_PER_SAMPLE + ds.n() - 1) / ds.n());
                // a full batch's gradient does not depend on the row order: GD reads rows in storage order
                s.setOrder((batch == ds.n() ? BatchOrder.IN_ORDER : BatchOrder.SHUFFLE).order(ds.n(), 1, SEED));
                Runnable epoch = () -> {
                    for (int c = 0; c < calls; c++) {
                        s.setParams(p0);
                        s.run(new Run(batch, 0, batches, Rate.constant(1e-4), Integer.MAX_VALUE));
                    }
                };
                Stats st = time(epoch);
                long rows = (long) calls * ds.n(), steps = (long) calls * batches;
                Map<String, Object> m = entry("throughput", w, backend, batch, st);
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("rows", rows);
                d.put("steps", steps);
                d.put("samples_per_s", rows / st.median());
                d.put("steps_per_s", steps / st.median());
                d.put("gbs", rows * ds.d() * 4.0 / st.median() / 1e9);          // X read once per epoch: the floor
                d.put("pct_of_read", 100 * rows * ds.d() * 4.0 / st.median() / 1e9 / readGbs);
                m.put("derived", d);
                out.add(m);
                log.printf(Locale.ROOT, "[bench] %-8s %-18s batch %-8d %10.3f ms  %12.0f samples/s%s%n", backend, w.name(), batch,
                        st.median() * 1e3, rows / st.median(), st.noisy() ? "  (noisy)" : "");
            }
            // the full-batch gradient alone: one pass over X, its floor is n·d·4 bytes. Its value does not
            // depend on the row order, so rows are read in storage order (SGD above reads them shuffled)
            s.setOrder(BatchOrder.IN_ORDER.order(ds.n(), 1, SEED));
            s.setParams(p0);
            Stats g = time(() -> {
                for (int c = 0; c < Math.max(1, ROWS_PER_SAMPLE / ds.n()); c++) s.gradient(0, ds.n(), false);
            });
            long calls = Math.max(1, ROWS_PER_SAMPLE / ds.n());
            double bytes = (double) calls * ds.n() * ds.d() * 4;
            Map<String, Object> m = entry("gradient", w, backend, ds.n(), g);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("calls", calls);
            d.put("floor_bytes", bytes);
            d.put("gbs", bytes / g.median() / 1e9);
            d.put("pct_of_read", 100 * bytes / g.median() / 1e9 / readGbs);
            m.put("derived", d);
            out.add(m);
            log.printf(Locale.ROOT, "[bench] %-8s %-18s gradient       %10.3f ms  %6.1f GB/s (%.0f%% of read)%n", backend, w.name(),
                    g.median() * 1e3 / calls, bytes / g.median() / 1e9, 100 * bytes / g.median() / 1e9 / readGbs);
        }
        return out;
    }

    private Map<String, Object> entry(String kind, Suite.Workload w, String backend, int batch, Stats st) {
        Map<String, Object> m = identity(kind, w, backend, batch);
        m.put("unit", "s");
        m.putAll(stats(st));
        return m;
    }

    /** The fields that identify a benchmark or a convergence run: its id, workload, backend, sizes and batch. */
    private static Map<String, Object> identity(String kind, Suite.Workload w, String backend, int batch) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", kind + "/" + w.name() + "/" + backend + "/batch=" + batch);
        m.put("kind", kind);
        m.put("workload", w.name());
        m.put("objective", w.objective());
        m.put("backend", backend);
        m.put("n", w.n());
        m.put("d", w.d());
        m.put("batch", batch);
        return m;
    }

    private Stats time(Runnable r) {
        long until = System.nanoTime() + (long) (suite.warmupSeconds() * 1e9);
        for (int i = 0; i < suite.warmups() || System.nanoTime() < until; i++) r.run();
        double[] t = new double[suite.repeats()];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return Stats.of(t);
    }

    /** GD, mini-batch and SGD on one problem: loss vs examples seen and vs training time, and the time to a target loss. */
    private List<Map<String, Object>> convergence(Backend b, String backend, Suite.Workload w) {
        List<Map<String, Object>> out = new ArrayList<>();
        Dataset ds = data(w);
        Objective obj = Objective.parse(w.objective());
        boolean wave = obj == Objective.WAVE;
        // target: twice the noise floor σ²/2 for the regressions; none for the wave (its mean loss has no floor to reach)
        Double target = wave ? null : 2 * 0.01 * 0.01 / 2;
        try (Session s = b.open(ds, Spec.of(obj))) {
            for (int k = 0; k < w.batches().length; k++) {
                int batch = w.batches()[k] == 0 ? ds.n() : w.batches()[k];
                double lr = w.lrs()[k];
                int epochs = wave ? 1 : suite.convergenceEpochs();
                BatchOrder order = wave ? BatchOrder.IN_ORDER : BatchOrder.SHUFFLE;
                Params p0 = wave ? new Params(new float[] {-0.3f}, 0f) : Params.zeros(ds.d());
                int nb = Batches.in(ds.n(), batch);
                int period = batch * Math.max(1, nb / 50);
                TrainConfig cfg = new TrainConfig(epochs, batch, lr, new Schedule.Constant(), order, period, SEED);
                Trainer.Result r = Trainer.train(s, p0, cfg, w.name() + " batch " + batch, Trainer.Listener.NONE);
                List<double[]> pts = new ArrayList<>();
                Double tt = null;
                Long te = null;
                for (History.Point p : r.history().points()) {
                    pts.add(new double[] {p.examples(), p.seconds(), p.loss()});
                    if (target != null && tt == null && Double.isFinite(p.loss()) && p.loss() <= target) {
                        tt = p.seconds();
                        te = p.examples();
                    }
                }
                Map<String, Object> m = identity("convergence", w, backend, batch);
                m.put("lr", lr);
                m.put("epochs", epochs);
                m.put("target_loss", target);
                m.put("time_to_target_s", tt);
                m.put("examples_to_target", te);
                m.put("final_loss", Double.isFinite(r.history().lastLoss()) ? r.history().lastLoss() : null);
                m.put("diverged", r.diverged());
                m.put("train_seconds", r.history().points().get(r.history().points().size() - 1).seconds());
                m.put("points", pts);
                out.add(m);
                log.printf(Locale.ROOT, "[bench] %-8s %-18s batch %-8d final loss %.4e, %s%n", backend, w.name(), batch,
                        r.history().lastLoss(), target == null ? "no target" : tt == null ? "target not reached"
                                : String.format(Locale.ROOT, "target %.1e in %.3g s", target, tt));
            }
        }
        return out;
    }

    /** numpy and scikit-learn on the same bytes (written as .npy), when python3 has them; skipped peers say why. */
    private Map<String, Object> runPeers() {
        Path script = home().resolve("bench/peers/peers.py");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ran", false);
        m.put("results", List.of());
        if (!Files.exists(script)) {
            m.put("skipped", List.of(Map.of("peer", "all", "why", "bench/peers/peers.py not found under " + home())));
            return m;
        }
        Suite.Workload w = suite.throughput().get(0);
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("descent-peers");
            Dataset ds = data(w);
            Npy.write(tmp.resolve("X.npy"), ds.features(), ds.n(), ds.d());
            Npy.write(tmp.resolve("y.npy"), ds.targets(), ds.n());
            String py = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            Process p = new ProcessBuilder(py, script.toString(), tmp.toString(), "--sgd", "--repeats", String.valueOf(suite.repeats()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                m.put("skipped", List.of(Map.of("peer", "all", "why", "peers.py failed (exit " + p.exitValue() + ")")));
                return m;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> r = new ObjectMapper().readValue(out, Map.class);
            m.put("ran", true);
            m.put("workload", w.name());
            m.put("versions", Map.of("python", String.valueOf(r.get("python")), "numpy", String.valueOf(r.get("numpy")),
                    "sklearn", String.valueOf(r.get("sklearn"))));
            m.put("results", r.get("results"));
            m.put("skipped", r.get("skipped"));
            log.printf("[bench] peers: %s%n", r.get("results"));
        } catch (IOException e) {
            m.put("skipped", List.of(Map.of("peer", "all", "why", "python3 could not run: " + e.getMessage())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            m.put("skipped", List.of(Map.of("peer", "all", "why", "interrupted")));
        } finally {
            if (tmp != null) {
                try (var files = Files.list(tmp)) {
                    for (Path f : files.toList()) Files.deleteIfExists(f);
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary folder left behind is harmless
                }
            }
        }
        return m;
    }

    /** The project folder: {@code descent.home} (set by the launcher), else the working directory. */
    static Path home() {
        return Path.of(System.getProperty("descent.home", "."));
    }
}
