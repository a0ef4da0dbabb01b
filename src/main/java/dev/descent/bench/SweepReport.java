package dev.descent.bench;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.descent.DescentException;
import dev.descent.data.BatchOrder;
import dev.descent.optim.Schedule;
import dev.descent.plot.CannotDraw;
import dev.descent.plot.Charts;
import dev.descent.sweep.Config;
import dev.descent.plot.HeatMap;
import dev.descent.util.Numbers;
import dev.descent.sweep.Outcome;
import dev.descent.sweep.SweepResult;
import dev.descent.train.History;
import dev.descent.util.AtomicFiles;
import dev.descent.util.Markup;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A sweep's report folder, written from the {@link SweepResult} alone: {@code sweep.json} (every
 * configuration's settings, history, final loss, divergence, steps, examples, time, rerun command),
 * {@code report.md} and {@code report.html} (self-contained, charts inline), {@code heatmap.png/.svg}
 * (final loss over learning rate × batch, one panel per optimizer), {@code curves-examples.png} and
 * {@code curves-seconds.png} (the best five), and {@code REPRODUCE}.
 */
public final class SweepReport {
    /** What the sweep shared, in words, and how it was asked for. */
    public record Context(String command, String data, String objective, boolean bias, int epochs, long seed, int period, String init,
                          double targetLoss, String targetRule) {}

    /** The best configuration trained alone on the sweep's backend in the same process: its final loss, wall seconds, and whether every bit matched. */
    public record Check(int index, double finalLoss, double seconds, boolean identical) {}

    /** Every configuration trained alone on the sweep's backend, one after another: wall seconds each and whether each matched bit for bit. */
    public record Alone(double[] seconds, boolean[] identical) {
        public double total() {
            double s = 0;
            for (double x : seconds) s += x;
            return s;
        }

        public boolean allIdentical() {
            for (boolean b : identical) if (!b) return false;
            return true;
        }
    }

    /** When a configuration first recorded a loss at or below the target. */
    public record Reached(long examples, double epochs, double seconds) {}

    public static final int BEST_CURVES = 5;

    private final Context ctx;
    private final SweepResult r;
    private final List<String> rerun;
    private final Check check;
    private final Alone alone;
    private final Roofline roofline;

    /** {@code rerun}: for each configuration, the command that trains it alone; {@code check}, {@code alone}: null when not run. */
    public SweepReport(Context ctx, SweepResult r, List<String> rerun, Check check, Alone alone) {
        this(ctx, r, rerun, check, alone, null);
    }

    /** As above, with the sweep's roofline ({@code descent sweep --roofline}; null when not measured). */
    public SweepReport(Context ctx, SweepResult r, List<String> rerun, Check check, Alone alone, Roofline roofline) {
        DescentException.require(rerun.size() == r.outcomes().size(), "one rerun command per configuration");
        this.ctx = ctx;
        this.r = r;
        this.rerun = List.copyOf(rerun);
        this.check = check;
        this.alone = alone;
        this.roofline = roofline;
    }

    /** The first recorded loss at or below {@code target}, or null. */
    public static Reached reached(Outcome o, double target) {
        for (History.Point p : o.history().points()) {
            if (Double.isFinite(p.loss()) && p.loss() <= target) return new Reached(p.examples(), p.epochs(), p.seconds());
        }
        return null;
    }

    /** The non-diverged configurations with a finite final loss, lowest first. */
    public static List<Outcome> ranked(SweepResult r) {
        return r.outcomes().stream().filter(o -> !o.diverged() && Double.isFinite(o.finalLoss()))
                .sorted(Comparator.comparingDouble(Outcome::finalLoss).thenComparingInt(Outcome::index)).toList();
    }

    // ------------------------------------------------------------------------------------ JSON

    /** sweep.json's text: {@link #head}, then each {@link #configuration} encoded on its own under "configurations" (last) (in parallel: most of a big sweep's bytes). */
    private String jsonText(Map<String, Object> env) {
        // Jackson's Schubfach double writer: shortest digits that read back to the same double (Java 17's Double.toString
        // sometimes prints one more)
        ObjectMapper om = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
        try {
            String head = om.writeValueAsString(head(env));
            List<String> cs = r.outcomes().parallelStream().map(o -> {
                try {
                    return om.writeValueAsString(configuration(o));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
            int end = head.lastIndexOf('}');
            StringBuilder sb = new StringBuilder(head.length() + cs.stream().mapToInt(String::length).sum() + 4 * cs.size() + 64);
            sb.append(head, 0, end).append(cs.isEmpty() ? "" : ",\n").append("  \"configurations\" : [ ");
            for (int i = 0; i < cs.size(); i++) sb.append(i == 0 ? "" : ", ").append(cs.get(i));
            return sb.append(" ]\n}").toString();
        } catch (IOException | java.io.UncheckedIOException e) {
            Throwable why = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;     // Jackson's own words, no class name
            throw new DescentException("cannot encode the sweep as JSON: " + why.getMessage());
        }
    }

    /** Everything in sweep.json but the configurations. */
    private Map<String, Object> head(Map<String, Object> env) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", 1);
        m.put("command", ctx.command());
        m.put("environment", env);
        Map<String, Object> shared = new LinkedHashMap<>();
        shared.put("data", ctx.data());
        shared.put("objective", ctx.objective());
        shared.put("bias", ctx.bias());
        shared.put("epochs", ctx.epochs());
        shared.put("seed", ctx.seed());
        shared.put("period", ctx.period());
        shared.put("init", ctx.init());
        m.put("shared", shared);
        m.put("target_loss", finite(ctx.targetLoss()));
        m.put("target_rule", ctx.targetRule());
        m.put("configurations_count", r.outcomes().size());
        m.put("groups", r.groups());
        m.put("kernels", r.kernels());
        m.put("threads", r.threads());
        m.put("seconds", r.seconds());
        m.put("loss_seconds", r.lossSeconds());
        m.put("open_seconds", r.openSeconds());
        if (roofline != null) m.put("roofline", roofline.json());
        Outcome best = r.best();
        if (best != null) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("index", best.index());
            b.put("name", best.config().name());
            b.put("final_loss", finite(best.finalLoss()));
            b.put("command", rerun.get(best.index()));
            if (check != null) {
                b.put("alone_final_loss", finite(check.finalLoss()));
                b.put("alone_seconds", check.seconds());
                b.put("alone_identical", check.identical());
            }
            m.put("best", b);
        }
        if (alone != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("backend", r.backend());
            a.put("seconds_total", alone.total());
            a.put("sweep_seconds", r.seconds());
            a.put("ratio", alone.total() / r.seconds());
            a.put("all_identical", alone.allIdentical());
            m.put("alone", a);
        }
        return m;
    }

    /** One configuration's entry in sweep.json: its settings, outcome, time to the target, rerun command and history. */
    private Map<String, Object> configuration(Outcome o) {
        Map<String, Object> c = new LinkedHashMap<>();
        Config k = o.config();
        c.put("index", o.index());
        c.put("name", k.name());
        c.put("lr", k.lr());
        c.put("batch", k.batchSize());
        c.put("optimizer", k.optimizer().toString());
        c.put("weight_decay", k.optimizer().weightDecay());
        c.put("schedule", k.schedule().toString());
        c.put("order", k.order().cliName());
        c.put("group", o.group());
        c.put("final_loss", finite(o.finalLoss()));
        c.put("diverged", o.diverged());
        if (o.diverged()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("epoch", o.divergence().epoch());
            d.put("step", o.divergence().step());
            d.put("cause", o.divergence().what() + " became non-finite");
            c.put("divergence", d);
        } else {
            c.put("divergence", null);
        }
        if (o.halted()) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("after_epoch", o.halt().epoch());
            h.put("rank", o.halt().rank());
            h.put("of", o.halt().of());
            h.put("kept", o.halt().kept());
            h.put("why", o.halt().why());
            c.put("halted", h);
        } else {
            c.put("halted", null);
        }
        c.put("steps", o.steps());
        c.put("examples", o.examples());
        List<History.Point> ps = o.history().points();
        c.put("seconds", ps.isEmpty() ? 0.0 : ps.get(ps.size() - 1).seconds());
        if (alone != null) {
            c.put("alone_seconds", alone.seconds()[o.index()]);
            c.put("alone_identical", alone.identical()[o.index()]);
        }
        Reached t = Double.isFinite(ctx.targetLoss()) ? reached(o, ctx.targetLoss()) : null;
        if (t != null) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("examples", t.examples());
            tm.put("epochs", t.epochs());
            tm.put("seconds", t.seconds());
            c.put("to_target", tm);
        } else {
            c.put("to_target", null);
        }
        c.put("command", rerun.get(o.index()));
        c.put("history_columns", List.of("epoch", "step", "examples", "loss", "seconds"));
        List<Object[]> h = new ArrayList<>();
        for (History.Point p : ps) h.add(new Object[] {p.epoch(), p.step(), p.examples(), finite(p.loss()), p.seconds()});
        c.put("history", h);
        return c;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Where it ran: CPU model, cores, memory, OS, JVM, git commit (and whether the tree was dirty), time. */
    static Map<String, Object> environment() {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("time", Instant.now().toString());
        e.put("cpu", firstLine("/proc/cpuinfo", "model name", System.getProperty("os.arch")));
        e.put("cores", Runtime.getRuntime().availableProcessors());
        String mem = firstLine("/proc/meminfo", "MemTotal", null);
        e.put("memory_bytes", mem == null ? -1 : Long.parseLong(mem.replaceAll("[^0-9]", "")) * 1024);
        String os = firstLine("/etc/os-release", "PRETTY_NAME", System.getProperty("os.name"));
        e.put("os", os.replace("\"", "").replaceFirst("^=", ""));
        e.put("kernel", System.getProperty("os.version"));
        e.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        e.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        String commit = Environments.run("git", "rev-parse", "HEAD"),
                status = Environments.run("git", "status", "--porcelain", "--untracked-files=no");
        e.put("commit", commit == null ? "unknown" : commit);
        e.put("dirty", status == null ? null : !status.isBlank());
        return e;
    }

    private static String firstLine(String file, String key, String dflt) {
        try {
            for (String l : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                if (l.startsWith(key)) {
                    int i = l.indexOf(':') >= 0 && !key.equals("PRETTY_NAME") ? l.indexOf(':') : l.indexOf('=');
                    return l.substring(i + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return dflt;
    }

    private static String envLine(Map<String, Object> e) {
        long mem = ((Number) e.get("memory_bytes")).longValue();
        return String.format(Locale.ROOT, "%s, %d cores, %s memory, %s (kernel %s), %s, max heap %.1f GiB; commit %s%s; %s", e.get("cpu"),
                (Integer) e.get("cores"), mem < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GiB", mem / 1073741824.0), e.get("os"),
                e.get("kernel"), e.get("jvm"), ((Number) e.get("max_heap_bytes")).longValue() / 1073741824.0, e.get("commit"),
                Boolean.TRUE.equals(e.get("dirty")) ? " (dirty tree)" : "", e.get("time"));
    }

    // ------------------------------------------------------------------------------------ charts

    /** The heat map's panels: one per optimizer (with its decay), schedule and order. */
    HeatMap heatMap() {
        Map<String, List<HeatMap.Cell>> panels = new LinkedHashMap<>();
        Outcome best = r.best();
        for (Outcome o : r.outcomes()) {
            Config c = o.config();
            String key = "optimizer " + c.optimizer() + (c.schedule() instanceof Schedule.Constant ? "" : ", schedule " + c.schedule())
                    + (c.order() == BatchOrder.SHUFFLE ? "" : ", " + c.order().cliName());
            double initial = o.history().points().isEmpty() ? Double.NaN : o.history().points().get(0).loss();
            boolean grew = !o.diverged() && Double.isFinite(o.finalLoss()) && o.finalLoss() > initial;
            panels.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new HeatMap.Cell(c.lr(), c.batchSize(), o.finalLoss(), o.diverged(), grew, best != null && o.index() == best.index()));
        }
        List<HeatMap.Panel> ps = new ArrayList<>();
        for (var e : panels.entrySet()) ps.add(new HeatMap.Panel(e.getKey(), e.getValue()));
        return new HeatMap(String.format(Locale.ROOT, "Final loss after %d epoch%s: %d configurations, %s", ctx.epochs(),
                ctx.epochs() == 1 ? "" : "s", r.outcomes().size(), ctx.data()), ps);
    }

    /** Loss against examples seen, or against the sweep's clock, for the best configurations. */
    XYChart curves(boolean byExamples) {
        List<Outcome> all = ranked(r);
        List<Outcome> top = all.subList(0, Math.min(BEST_CURVES, all.size()));
        XYChart c = Charts.xy("Best " + top.size() + " configurations: loss vs " + (byExamples ? "examples seen" : "time"),
                byExamples ? "examples seen" : "sweep training time (s; one clock for every configuration)", "full-data loss (log)");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        double xmax = 0;
        for (Outcome o : top) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (History.Point p : o.history().points()) {
                double x = byExamples ? p.examples() : p.seconds();
                if (!Double.isFinite(p.loss()) || p.loss() <= 0) continue;
                xs.add(x);
                ys.add(p.loss());
                xmax = Math.max(xmax, x);
            }
            if (xs.isEmpty()) continue;
            String name = o.config().name();
            for (int i = 2; c.getSeries(name) != null; i++) name = o.config().name() + " (" + i + ")";
            XYSeries s = c.addSeries(name, xs, ys);
            s.setMarker(SeriesMarkers.NONE);
        }
        if (Double.isFinite(ctx.targetLoss()) && ctx.targetLoss() > 0 && !c.getSeriesCollection().isEmpty()) {
            XYSeries t = c.addSeries("target loss " + Numbers.sci(ctx.targetLoss()), new double[] {0, Math.max(xmax, 1e-9)},
                    new double[] {ctx.targetLoss(), ctx.targetLoss()});
            t.setMarker(SeriesMarkers.NONE);
            t.setLineColor(new java.awt.Color(120, 120, 120));
            t.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f));
        }
        return c;
    }

    // ------------------------------------------------------------------------------------ the folder

    /**
     * Loads and compiles the report's code on a daemon thread while a device trains (its host threads mostly wait): the report of
     * a two-configuration sweep of 64 rows on the cpu backend, written to a temporary folder that is deleted after. The seed
     * problem's 1,024-configuration report took 0.60–0.68 s in a cold JVM and 0.19–0.24 s written a second time (2-core Xeon,
     * without pictures); on an H200 host the cold report was 0.53 s of a 1.2 s sweep. Anything that fails here is left for the
     * real report to meet and say.
     */
    public static CompletableFuture<Void> warmUp() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            Path dir = null;
            try {
                dev.descent.data.Dataset ds = dev.descent.data.Generators.regression(64, 2, 0.1, 1);
                SweepResult w = dev.descent.sweep.Sweep.builder(ds, dev.descent.model.Objective.SQUARED).backend("cpu").threads(1).period(0)
                        .addAll(List.of(Config.of(0.01, 1, dev.descent.optim.Optimizer.SGD), Config.of(0.1, 8, dev.descent.optim.Optimizer.SGD)))
                        .build().run(2, 1);
                dir = Files.createTempDirectory("descent-report-warm-up");
                new SweepReport(new Context("warm-up", "warm-up", "squared", true, 2, 1, 0, "zeros", w.best().finalLoss() * 2, "warm-up"), w,
                        List.of("warm-up", "warm-up"), null, null).write(dir);
            } catch (IOException | RuntimeException | Error ignored) {
                // the real report meets and says whatever failed here
            } finally {
                dev.descent.util.AtomicFiles.removeTempFolder(dir);
                done.complete(null);
            }
        }, "descent-report-warm-up");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /**
     * Writes the folder; returns why the pictures were left out, or null when they were drawn. The parts are independent until
     * written, so they run at once on the common pool: the environment (two git processes), sweep.json (each configuration
     * encoded on its own: most of a big sweep's bytes), the table of every configuration, the heat map and pictures (this
     * thread), report.md and report.html. Every part is joined on every path, so the numbers are on disk before any failure of
     * the pictures or the pages is reported.
     */
    public String write(Path dir) {
        CompletableFuture<Map<String, Object>> env = CompletableFuture.supplyAsync(SweepReport::environment);
        CompletableFuture<Void> jsonWritten = env.thenAcceptAsync(e -> AtomicFiles.write(dir.resolve("sweep.json"), jsonText(e)));
        CompletableFuture<List<List<String>>> rows = CompletableFuture.supplyAsync(this::targetRows);
        Throwable failed = null;
        try {
            return pages(dir, env, rows);
        } catch (RuntimeException | Error e) {
            failed = e;
            throw e;
        } finally {
            try {
                jsonWritten.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException re ? re : e;
                if (failed == null) throw cause;
                failed.addSuppressed(cause);
            }
        }
    }

    /** The heat map (SVG always: it needs no AWT; PNG where Java can draw), the curves, report.md, report.html, REPRODUCE. */
    private String pages(Path dir, CompletableFuture<Map<String, Object>> envF, CompletableFuture<List<List<String>>> rowsF) {
        HeatMap hm = heatMap();
        String heatSvg = hm.svg();
        AtomicFiles.write(dir.resolve("heatmap.svg"), heatSvg);
        String skipped = null;
        boolean png = false;
        Map<String, IChart> charts = new LinkedHashMap<>();
        try {
            hm.savePng(dir.resolve("heatmap.png"));
            png = true;
            if (!ranked(r).isEmpty()) {
                charts.put("curves-examples", curves(true));
                charts.put("curves-seconds", curves(false));
                for (var c : charts.entrySet()) Charts.save(c.getValue(), dir.resolve(c.getKey() + ".png"));
            }
        } catch (DescentException | Error e) {       // the numbers matter more than the pictures
            if (e instanceof Error err && !CannotDraw.is(err)) throw err;
            skipped = e instanceof Error ? "the Java runtime's graphics did not load (" + e.getMessage() + ")" : e.getMessage();
            charts = Map.of();
        }
        Map<String, Object> env = joined(envF);
        List<List<String>> rows = joined(rowsF);
        String heatFile = png ? "heatmap.png" : "heatmap.svg";
        Set<String> chartNames = charts.keySet();
        CompletableFuture<Void> md = CompletableFuture.runAsync(() -> AtomicFiles.write(dir.resolve("report.md"), markdown(env, heatFile, chartNames, rows)));
        AtomicFiles.write(dir.resolve("report.html"), html(env, heatSvg, charts, rows));
        joined(md);
        AtomicFiles.write(dir.resolve("REPRODUCE"), "# rerun this sweep from the project root, at commit " + env.get("commit") + ":\n"
                + ctx.command() + "\n");
        return skipped;
    }

    /** A part's value, its failure rethrown as it was thrown. */
    private static <T> T joined(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    private List<String> summary(Map<String, Object> env) {
        List<String> s = new ArrayList<>();
        int k = r.outcomes().size();
        long diverged = r.outcomes().stream().filter(Outcome::diverged).count();
        s.add(String.format(Locale.ROOT, "%d configurations of %s%s on %s, %d epoch%s, seed %d, initial parameters %s, period %s; "
                        + "trained at once on %s in %d group%s (each step reads a batch's rows once for every configuration of its group):",
                k, ctx.objective(), ctx.bias() ? " + bias" : "", ctx.data(), ctx.epochs(), ctx.epochs() == 1 ? "" : "s", ctx.seed(), ctx.init(),
                ctx.period() == 0 ? "the default (about 100 records per epoch, fewer on large data)" : ctx.period() + " examples",
                r.backend().equals("cpu") ? "the CPU" : "backend " + r.backend(), r.groups().size(), r.groups().size() == 1 ? "" : "s"));
        s.add(String.format(Locale.ROOT, "Wall time %.3f s (of which %s%.3f s evaluating the recorded full-data losses), %d thread%s, %s: %s.",
                r.seconds(), r.openSeconds() > 0 ? String.format(Locale.ROOT, "%.3f s opening the backend, ", r.openSeconds()) : "",
                r.lossSeconds(), r.threads(), r.threads() == 1 ? "" : "s",
                r.backend().equals("cpu") ? "row kernels in the cpu backend's order" : "device", r.kernels()));
        if (roofline != null) s.add(roofline.line());
        long halted = r.outcomes().stream().filter(Outcome::halted).count();
        s.add(diverged + " diverged (stopped at the step whose loss or parameters became non-finite; they cost nothing afterwards), "
                + (halted > 0 ? halted + " halved out (successive halving: stopped after an epoch where they ranked below the kept share; "
                        + "their losses are after fewer epochs), " : "")
                + (k - diverged - halted) + " ran every epoch.");
        if (Double.isFinite(ctx.targetLoss())) {
            long hit = r.outcomes().stream().filter(o -> reached(o, ctx.targetLoss()) != null).count();
            s.add("Target loss " + Numbers.sci(ctx.targetLoss()) + " (" + ctx.targetRule() + "): " + hit + " of " + k + " reached it.");
        }
        if (alone != null) {
            s.add(String.format(Locale.ROOT, "Trained alone instead, one after another with descent's " + r.backend() + " backend in this process: %.3f s "
                            + "(sum of wall times) against %.3f s for the sweep, %.1f× the sweep's time; every configuration's final "
                            + "parameters and recorded losses bit-identical to its run alone: %s.", alone.total(), r.seconds(),
                    alone.total() / r.seconds(), alone.allIdentical() ? "yes" : "NO"));
        }
        s.add("Each configuration's history, final parameters and divergence are those of the same configuration trained alone by "
                + "`descent train --backend " + r.backend() + "` in the same JVM, bit for bit; only the times differ: a history's seconds are the sweep's "
                + "clock, shared by all configurations.");
        return s;
    }

    private List<String> bestLines() {
        List<String> s = new ArrayList<>();
        Outcome b = r.best();
        if (b == null) {
            s.add("Every configuration diverged: no best configuration.");
            return s;
        }
        s.add(String.format(Locale.ROOT, "**%s**: final loss %s (exactly %s), %d steps, %d examples.", b.config().name(),
                Numbers.sci(b.finalLoss()), Double.toString(b.finalLoss()), b.steps(), b.examples()));
        if (check != null) {
            s.add(String.format(Locale.ROOT, "Checked in this process: trained alone on the cpu backend it ends at loss %s in %.3f s "
                    + "(wall); parameters and every recorded loss bit-identical to the sweep's: %s.", Double.toString(check.finalLoss()),
                    check.seconds(), check.identical() ? "yes" : "NO"));
        }
        return s;
    }

    private List<List<String>> targetRows() {
        List<List<String>> rows = new ArrayList<>();
        boolean t = Double.isFinite(ctx.targetLoss());
        rows.add(List.of("rank", "configuration", "final loss", "status", t ? "examples to target" : "examples", t ? "epochs to target" : "epochs",
                t ? "sweep s to target" : "sweep s"));
        List<Outcome> order = new ArrayList<>(ranked(r));
        boolean[] listed = new boolean[r.outcomes().size()];
        for (Outcome o : order) listed[o.index()] = true;
        for (Outcome o : r.outcomes()) if (!listed[o.index()]) order.add(o);     // by index: a record's equals compares whole histories
        int rank = 0;
        for (Outcome o : order) {
            rank++;
            String status = o.diverged() ? "diverged: " + o.divergence().what() + " non-finite at epoch " + o.divergence().epoch() + ", step "
                    + o.divergence().step() : o.halted() ? o.halt().why() : "ran " + ctx.epochs() + " epoch" + (ctx.epochs() == 1 ? "" : "s");
            Reached re = t ? reached(o, ctx.targetLoss()) : null;
            String ex = t ? re == null ? "not reached" : Long.toString(re.examples()) : Long.toString(o.examples());
            String ep = t ? re == null ? "" : String.format(Locale.ROOT, "%.3f", re.epochs()) : Integer.toString(o.halted() ? o.halt().epoch() : ctx.epochs());
            List<History.Point> ps = o.history().points();
            String sec = t ? re == null ? "" : String.format(Locale.ROOT, "%.4f", re.seconds())
                    : String.format(Locale.ROOT, "%.4f", ps.isEmpty() ? 0 : ps.get(ps.size() - 1).seconds());
            rows.add(List.of(o.diverged() ? "—" : Integer.toString(rank), o.config().name(), o.diverged() ? "—" : Numbers.sci(o.finalLoss()),
                    status, ex, ep, sec));
        }
        return rows;
    }

    private String markdown(Map<String, Object> env, String heatFile, Iterable<String> charts, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder("# descent sweep: ").append(r.outcomes().size()).append(" configurations\n\n");
        sb.append(envLine(env)).append("\n\nCommand: `").append(ctx.command()).append("`\n\n## Summary\n\n");
        List<String> sum = summary(env);
        for (int i = 0; i < sum.size(); i++) {
            sb.append("- ").append(sum.get(i)).append('\n');
            if (i == 0) for (String g : r.groups()) sb.append("  - ").append(g).append('\n');
        }
        sb.append("\n## Best configuration\n\n");
        for (String l : bestLines()) sb.append(l).append("\n\n");
        if (r.best() != null) sb.append("Rerun it alone:\n\n```\n").append(rerun.get(r.best().index())).append("\n```\n\n");
        sb.append("## Final loss over (learning rate, batch size)\n\n![final loss over learning rate and batch size](").append(heatFile).append(")\n\n");
        boolean any = false;
        for (String c : charts) {
            if (!any) sb.append("## The best ").append(BEST_CURVES).append(": loss vs examples and vs time\n\n");
            any = true;
            sb.append("![").append(c).append("](").append(c).append(".png)\n\n");
        }
        sb.append("## Time to the target loss, every configuration\n\n");
        if (!Double.isFinite(ctx.targetLoss())) sb.append("No target loss (every configuration diverged).\n\n");
        for (int i = 0; i < rows.size(); i++) {
            sb.append("| ").append(String.join(" | ", rows.get(i).stream().map(x -> x.replace("|", "\\|")).toList())).append(" |\n");
            if (i == 0) sb.append("|").append("---|".repeat(rows.get(0).size())).append('\n');
        }
        return sb.append('\n').toString();
    }

    private static String md(String s) {        // the little Markdown the lines use: `code` and **bold**
        return Markup.escape(s).replaceAll("`([^`]*)`", "<code>$1</code>").replaceAll("\\*\\*([^*]*)\\*\\*", "<strong>$1</strong>");
    }

    private String html(Map<String, Object> env, String heatSvg, Map<String, IChart> charts, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>descent sweep: ")
                .append(r.outcomes().size()).append(" configurations</title>\n<style>body{font-family:sans-serif;max-width:1300px;margin:2em auto;"
                + "color:#222}table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
                + "text-align:left}th{background:#f0f0f0}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}pre{background:#f6f6f6;"
                + "padding:8px;overflow-x:auto}</style></head><body>\n");
        sb.append("<h1>descent sweep: ").append(r.outcomes().size()).append(" configurations</h1>\n<p>").append(Markup.escape(envLine(env)))
          .append("</p>\n<p>Command: <code>").append(Markup.escape(ctx.command())).append("</code></p>\n<h2>Summary</h2>\n<ul>\n");
        List<String> sum = summary(env);
        for (int i = 0; i < sum.size(); i++) {
            sb.append("<li>").append(md(sum.get(i)));
            if (i == 0) {
                sb.append("<ul>");
                for (String g : r.groups()) sb.append("<li>").append(Markup.escape(g)).append("</li>");
                sb.append("</ul>");
            }
            sb.append("</li>\n");
        }
        sb.append("</ul>\n<h2>Best configuration</h2>\n");
        for (String l : bestLines()) sb.append("<p>").append(md(l)).append("</p>\n");
        if (r.best() != null) sb.append("<p>Rerun it alone:</p>\n<pre>").append(Markup.escape(rerun.get(r.best().index()))).append("</pre>\n");
        sb.append("<h2>Final loss over (learning rate, batch size)</h2>\n<figure class=\"plot\" id=\"heatmap\">").append(heatSvg)
          .append("<figcaption>heatmap</figcaption></figure>\n");
        if (!charts.isEmpty()) sb.append("<h2>The best ").append(BEST_CURVES).append(": loss vs examples and vs time</h2>\n");
        for (Map.Entry<String, IChart> c : charts.entrySet()) {
            sb.append("<figure class=\"plot\" id=\"").append(c.getKey()).append("\">").append(ReportWriter.svg(c.getValue()))
              .append("<figcaption>").append(Markup.escape(c.getKey())).append("</figcaption></figure>\n");
        }
        sb.append("<h2>Time to the target loss, every configuration</h2>\n<table>\n");
        for (int i = 0; i < rows.size(); i++) {
            String tag = i == 0 ? "th" : "td";
            sb.append("<tr>");
            for (String cell : rows.get(i)) sb.append('<').append(tag).append('>').append(Markup.escape(cell)).append("</").append(tag).append('>');
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n</body></html>\n").toString();
    }
}
