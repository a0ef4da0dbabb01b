package dev.descent.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Bandwidth;
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

    public BenchRunner(String suiteName, List<String> backends, boolean peers, PrintWriter log) {
        this.suite = Suite.named(suiteName);
        this.backends = backends;
        this.peers = peers && suite.peers();
        this.log = log;
    }

    /** The backends to run: the ones asked for, or every available one. */
    static List<String> available(List<String> asked) {
        if (asked != null && !asked.isEmpty()) return asked;
        List<String> out = new ArrayList<>();
        for (Backends.Probe p : Backends.probeAll()) if (p.available()) out.add(p.name());
        return out;
    }

    static Dataset data(Suite.Workload w) {
        return switch (w.objective()) {
            case "wave" -> Generators.linspace(-5, 5, w.n());
            case "logistic" -> Generators.classification(w.n(), w.d(), 0.01, SEED);
            default -> Generators.regression(w.n(), w.d(), 0.01, SEED);
        };
    }

    public Map<String, Object> run(String command) {
        List<String> names = available(backends);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("schema", SCHEMA);
        report.put("suite", suite.name());
        report.put("command", command);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("repeats", suite.repeats());
        config.put("warmups", suite.warmups());
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
        report.put("peers", peers ? runPeers() : Map.of("ran", false, "results", List.of(), "skipped",
                List.of(Map.of("peer", "all", "why", "peers not asked for (--no-peers or suite)"))));
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
            s.setOrder(BatchOrder.SHUFFLE.order(ds.n(), 1, SEED));
            Params p0 = obj == Objective.WAVE ? new Params(new float[] {-0.3f}, 0f) : Params.zeros(ds.d());
            for (int batch0 : w.batches()) {
                int batch = batch0 == 0 ? ds.n() : Math.min(batch0, ds.n());
                int batches = (ds.n() + batch - 1) / batch;
                int calls = (int) Math.max(1, (ROWS_PER_SAMPLE + ds.n() - 1) / ds.n());
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", kind + "/" + w.name() + "/" + backend + "/batch=" + batch);
        m.put("kind", kind);
        m.put("workload", w.name());
        m.put("objective", w.objective());
        m.put("backend", backend);
        m.put("n", w.n());
        m.put("d", w.d());
        m.put("batch", batch);
        m.put("unit", "s");
        m.putAll(stats(st));
        return m;
    }

    private Stats time(Runnable r) {
        for (int i = 0; i < suite.warmups(); i++) r.run();
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
                int nb = (ds.n() + batch - 1) / batch;
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
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", "convergence/" + w.name() + "/" + backend + "/batch=" + batch);
                m.put("workload", w.name());
                m.put("objective", w.objective());
                m.put("backend", backend);
                m.put("n", ds.n());
                m.put("d", ds.d());
                m.put("batch", batch);
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
