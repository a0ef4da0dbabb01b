package dev.descent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.descent.DescentException;
import dev.descent.plot.Charts;
import dev.descent.util.AtomicFiles;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a report folder from the report's data: report.json, report.md, report.html (self-
 * contained: tables and inline SVG charts, opens offline), the charts as PNG, and REPRODUCE.
 * Markdown, HTML and charts are built from the JSON, never from logs.
 */
public final class ReportWriter {
    private ReportWriter() {}

    /** Writes the report folder; returns why the charts were left out, or {@code null} when they were drawn. */
    public static String write(Map<String, Object> report, Path dir) {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String json;
        try {
            json = om.writeValueAsString(report);
        } catch (IOException e) {
            throw new DescentException("cannot encode the report as JSON: " + e.getMessage());
        }
        AtomicFiles.write(dir.resolve("report.json"), json);
        JsonNode r;
        try {
            r = om.readTree(json);
        } catch (IOException e) {
            throw new DescentException("cannot read back report.json: " + e.getMessage());
        }
        Map<String, IChart> charts = charts(r);
        String chartsSkipped = null;
        try {
            for (Map.Entry<String, IChart> c : charts.entrySet()) Charts.save(c.getValue(), dir.resolve(c.getKey() + ".png"));
        } catch (DescentException e) {         // the numbers matter more than the pictures: write the report without them
            chartsSkipped = e.getMessage();
            charts = Map.of();
        }
        AtomicFiles.write(dir.resolve("report.md"), markdown(r, charts.keySet()));
        AtomicFiles.write(dir.resolve("report.html"), html(r, charts));
        AtomicFiles.write(dir.resolve("REPRODUCE"), "# rerun this benchmark (same suite, same seeds) from the project root, at commit "
                + r.at("/environment/git/commit").asText() + ":\n" + r.path("command").asText() + "\n");
        return chartsSkipped;
    }

    // ------------------------------------------------------------------------------------ charts

    /** The device backend when there is one, else the first: the convergence pictures' backend. */
    static String mainBackend(JsonNode r) {
        String best = null;
        for (JsonNode b : r.at("/config/backends")) {
            if (best == null || !b.asText().equals("cpu")) best = b.asText();
        }
        return best == null ? "cpu" : best;
    }

    static Map<String, IChart> charts(JsonNode r) {
        Map<String, IChart> out = new LinkedHashMap<>();
        String firstWorkload = null;
        for (JsonNode b : r.path("benchmarks")) {
            if (b.path("kind").asText().equals("throughput")) {
                firstWorkload = b.path("workload").asText();
                break;
            }
        }
        if (firstWorkload != null) {
            for (String metric : List.of("samples_per_s", "steps_per_s")) {
                XYChart c = Charts.xy("Throughput vs batch size — " + firstWorkload, "batch size (log)",
                        metric.replace("_per_s", "/s") + " (log)");
                c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
                c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
                for (JsonNode backend : r.at("/config/backends")) {
                    List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
                    for (JsonNode b : r.path("benchmarks")) {
                        if (b.path("kind").asText().equals("throughput") && b.path("workload").asText().equals(firstWorkload)
                                && b.path("backend").asText().equals(backend.asText())) {
                            xs.add(b.path("batch").asDouble());
                            ys.add(b.at("/derived/" + metric).asDouble());
                        }
                    }
                    if (!xs.isEmpty()) c.addSeries(backend.asText(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
                }
                out.put("throughput-" + metric.replace("_per_s", ""), c);
            }
        }
        String main = mainBackend(r);
        String conv = null;
        for (JsonNode c : r.path("convergence")) {
            if (c.path("backend").asText().equals(main) && !c.path("objective").asText().equals("wave")) {
                conv = c.path("workload").asText();
                break;
            }
        }
        if (conv != null) {
            for (String axis : List.of("examples", "seconds")) {
                XYChart c = Charts.xy("GD vs SGD vs mini-batch — " + conv + " on " + main,
                        axis.equals("examples") ? "examples seen" : "training time (s)", "full-data loss (log)");
                c.getStyler().setYAxisLogarithmic(true);
                c.getStyler().setMarkerSize(3);
                for (JsonNode cv : r.path("convergence")) {
                    if (!cv.path("workload").asText().equals(conv) || !cv.path("backend").asText().equals(main)) continue;
                    List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
                    for (JsonNode p : cv.path("points")) {
                        double loss = p.get(2).asDouble();
                        double x = axis.equals("examples") ? p.get(0).asDouble() : p.get(1).asDouble();
                        if (!Double.isFinite(loss) || loss <= 0 || (axis.equals("seconds") && x <= 0 && !xs.isEmpty())) continue;
                        xs.add(x);
                        ys.add(loss);
                    }
                    int batch = cv.path("batch").asInt();
                    String name = (batch == cv.path("n").asInt() ? "GD (batch " + batch + ")" : batch == 1 ? "SGD (batch 1)"
                            : "mini-batch " + batch) + ", lr " + cv.path("lr").asText();
                    if (!xs.isEmpty()) c.addSeries(name, xs, ys).setMarker(SeriesMarkers.NONE);
                }
                if (!c.getSeriesCollection().isEmpty()) out.put("convergence-" + axis, c);
            }
        }
        CategoryChart bw = Charts.bars("Full-batch gradient: achieved bandwidth as % of measured read", "workload / backend",
                "% of read bandwidth", Charts.WIDTH, Charts.HEIGHT);
        List<String> names = new ArrayList<>();
        List<Double> pct = new ArrayList<>();
        for (JsonNode b : r.path("benchmarks")) {
            if (b.path("kind").asText().equals("gradient")) {
                names.add(b.path("workload").asText() + " / " + b.path("backend").asText());
                pct.add(b.at("/derived/pct_of_read").asDouble());
            }
        }
        if (!names.isEmpty()) {
            bw.addSeries("% of read", names, pct);
            bw.getStyler().setLegendVisible(false);
            bw.getStyler().setYAxisMin(0.0);
            out.put("bandwidth", bw);
        }
        CategoryChart tt = Charts.bars("Time to reach the target loss (2·σ²/2)", "run", "training seconds", Charts.WIDTH, Charts.HEIGHT);
        List<String> runs = new ArrayList<>();
        List<Double> secs = new ArrayList<>();
        for (JsonNode cv : r.path("convergence")) {
            if (cv.path("time_to_target_s").isNumber()) {
                runs.add(cv.path("workload").asText() + " " + cv.path("backend").asText() + " b=" + cv.path("batch").asText());
                secs.add(cv.path("time_to_target_s").asDouble());
            }
        }
        if (!runs.isEmpty()) {
            tt.addSeries("seconds", runs, secs);
            tt.getStyler().setLegendVisible(false);
            tt.getStyler().setXAxisLabelRotation(30);
            out.put("time-to-target", tt);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------ tables

    private static String ms(JsonNode b) {
        return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", b.path("median").asDouble() * 1e3, b.path("min").asDouble() * 1e3,
                b.path("max").asDouble() * 1e3);
    }

    private static JsonNode peer(JsonNode r, String op, String workload, int d) {
        if (!r.at("/peers/ran").asBoolean() || !r.at("/peers/workload").asText().equals(workload)) return null;
        for (JsonNode p : r.at("/peers/results")) if (p.path("op").asText().equals(op) && p.path("d").asInt() == d) return p;
        return null;
    }

    /** Rows of [cells]: one table per kind, in report order. */
    static List<List<String>> throughputRows(JsonNode r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "batch", "median ms (min–max)", "samples/s", "steps/s", "noisy", "vs peer"));
        for (JsonNode b : r.path("benchmarks")) {
            if (!b.path("kind").asText().equals("throughput")) continue;
            String vs = "";
            JsonNode p = b.path("batch").asInt() == 1 ? peer(r, "sgd-epoch", b.path("workload").asText(), b.path("d").asInt()) : null;
            if (p != null) {
                vs = String.format(Locale.ROOT, "%.2f× scikit-learn SGD, its rows in order, ours shuffled (%.2f M steps/s)",
                        b.at("/derived/steps_per_s").asDouble() / p.path("steps_per_s").asDouble(), p.path("steps_per_s").asDouble() / 1e6);
            }
            rows.add(List.of(b.path("workload").asText(), b.path("backend").asText(), b.path("batch").asText(), ms(b),
                    String.format(Locale.ROOT, "%.3g", b.at("/derived/samples_per_s").asDouble()),
                    String.format(Locale.ROOT, "%.3g", b.at("/derived/steps_per_s").asDouble()), b.path("noisy").asBoolean() ? "noisy" : "",
                    vs));
        }
        return rows;
    }

    static List<List<String>> gradientRows(JsonNode r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "n × d", "median ms per gradient", "GB/s", "% of read", "noisy", "vs numpy"));
        for (JsonNode b : r.path("benchmarks")) {
            if (!b.path("kind").asText().equals("gradient")) continue;
            double calls = b.at("/derived/calls").asDouble();
            double per = b.path("median").asDouble() / calls;
            JsonNode p = peer(r, "gradient", b.path("workload").asText(), b.path("d").asInt());
            String vs = p == null ? "" : String.format(Locale.ROOT, "%.2f× (%.3f ms)", p.path("seconds").asDouble() / per,
                    p.path("seconds").asDouble() * 1e3);
            rows.add(List.of(b.path("workload").asText(), b.path("backend").asText(), b.path("n").asText() + " × " + b.path("d").asText(),
                    String.format(Locale.ROOT, "%.3f", per * 1e3), String.format(Locale.ROOT, "%.1f", b.at("/derived/gbs").asDouble()),
                    String.format(Locale.ROOT, "%.0f%%", b.at("/derived/pct_of_read").asDouble()), b.path("noisy").asBoolean() ? "noisy" : "",
                    vs));
        }
        return rows;
    }

    static List<List<String>> convergenceRows(JsonNode r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("workload", "backend", "batch", "lr", "epochs", "final loss", "target", "time to target (s)", "examples to target"));
        for (JsonNode c : r.path("convergence")) {
            rows.add(List.of(c.path("workload").asText(), c.path("backend").asText(), c.path("batch").asText(), c.path("lr").asText(),
                    c.path("epochs").asText(), c.path("final_loss").isNumber() ? String.format(Locale.ROOT, "%.4e", c.path("final_loss").asDouble()) : "non-finite",
                    c.path("target_loss").isNumber() ? String.format(Locale.ROOT, "%.0e", c.path("target_loss").asDouble()) : "—",
                    c.path("time_to_target_s").isNumber() ? String.format(Locale.ROOT, "%.3g", c.path("time_to_target_s").asDouble())
                            : c.path("target_loss").isNumber() ? "not reached" : "—",
                    c.path("examples_to_target").isNumber() ? c.path("examples_to_target").asText() : ""));
        }
        return rows;
    }

    static List<List<String>> ceilingRows(JsonNode r) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("backend", "device", "read GB/s (min–max)", "copy GB/s (min–max)"));
        Map<String, String> dev = new LinkedHashMap<>();
        for (JsonNode d : r.at("/environment/devices")) dev.put(d.path("backend").asText(), d.path("device").asText());
        for (JsonNode c : r.path("ceilings")) {
            JsonNode rd = c.path("read_gbs"), cp = c.path("copy_gbs");
            rows.add(List.of(c.path("backend").asText(), dev.getOrDefault(c.path("backend").asText(), ""),
                    String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", rd.path("median").asDouble(), rd.path("min").asDouble(), rd.path("max").asDouble()),
                    String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", cp.path("median").asDouble(), cp.path("min").asDouble(), cp.path("max").asDouble())));
        }
        return rows;
    }

    static String envLine(JsonNode r) {
        JsonNode e = r.path("environment");
        return String.format(Locale.ROOT, "%s, %d cores, %.1f GiB, %s (kernel %s), %s; commit %s%s; %s", e.path("cpu").asText(),
                e.path("cores").asInt(), e.path("memory_bytes").asDouble() / 1073741824.0, e.path("os").asText(), e.path("kernel").asText(),
                e.path("jvm").asText(), e.at("/git/commit").asText(), e.at("/git/dirty").asBoolean() ? " (dirty tree)" : "",
                e.path("time").asText());
    }

    static String peersLine(JsonNode r) {
        JsonNode p = r.path("peers");
        StringBuilder sb = new StringBuilder();
        if (p.path("ran").asBoolean()) {
            sb.append("Peers ran on the same data (").append(p.path("workload").asText()).append("): numpy ")
              .append(p.at("/versions/numpy").asText()).append(", scikit-learn ").append(p.at("/versions/sklearn").asText())
              .append(", Python ").append(p.at("/versions/python").asText()).append('.');
        }
        for (JsonNode s : p.path("skipped")) sb.append(" Skipped: ").append(s.path("peer").asText()).append(" (").append(s.path("why").asText()).append(").");
        return sb.toString().trim();
    }

    // ------------------------------------------------------------------------------------ markdown / html

    static String markdown(JsonNode r, Iterable<String> charts) {
        StringBuilder sb = new StringBuilder();
        sb.append("# descent benchmark report: `").append(r.path("suite").asText()).append("`\n\n");
        sb.append(envLine(r)).append("\n\nCommand: `").append(r.path("command").asText()).append("`. ");
        sb.append("Each number is the median of ").append(r.at("/config/repeats").asInt()).append(" timed runs after at least ")
          .append(r.at("/config/warmups").asInt()).append(" warm-up run(s) and ").append(r.at("/config/warmup_seconds").asDouble())
          .append(" s of warm-up, with min–max; 'noisy' marks a spread over ")
          .append((int) (Stats.NOISY * 100)).append("% of the median.\n\n");
        if (r.has("incomplete")) sb.append("**Incomplete report**: ").append(r.path("incomplete").asText()).append(".\n\n");
        section(sb, "Measured ceilings", ceilingRows(r));
        section(sb, "Throughput by batch size", throughputRows(r));
        section(sb, "Full-batch gradient vs its floor (n·d·4 bytes read once)", gradientRows(r));
        section(sb, "GD vs SGD vs mini-batch: convergence", convergenceRows(r));
        sb.append(peersLine(r)).append("\n\n## Charts\n\n");
        for (String c : charts) sb.append("![").append(c).append("](").append(c).append(".png)\n\n");
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<List<String>> rows) {
        sb.append("## ").append(title).append("\n\n");
        for (int i = 0; i < rows.size(); i++) {
            sb.append("| ").append(String.join(" | ", rows.get(i))).append(" |\n");
            if (i == 0) sb.append("|").append("---|".repeat(rows.get(0).size())).append('\n');
        }
        sb.append('\n');
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String html(JsonNode r, Map<String, IChart> charts) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>descent report: ")
                .append(esc(r.path("suite").asText())).append("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
                + "color:#222}table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
                + "text-align:left}th{background:#f0f0f0}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}"
                + ".noisy{color:#b35900}</style></head><body>\n");
        sb.append("<h1>descent benchmark report: ").append(esc(r.path("suite").asText())).append("</h1>\n<p>").append(esc(envLine(r)))
          .append("</p>\n<p>Command: <code>").append(esc(r.path("command").asText())).append("</code>. Medians of ")
          .append(r.at("/config/repeats").asInt()).append(" timed runs after warm-up, with min–max.</p>\n");
        if (r.has("incomplete")) sb.append("<p><strong>Incomplete report</strong>: ").append(esc(r.path("incomplete").asText())).append(".</p>\n");
        table(sb, "Measured ceilings", ceilingRows(r));
        table(sb, "Throughput by batch size", throughputRows(r));
        table(sb, "Full-batch gradient vs its floor", gradientRows(r));
        table(sb, "GD vs SGD vs mini-batch: convergence", convergenceRows(r));
        sb.append("<p>").append(esc(peersLine(r))).append("</p>\n<h2>Charts</h2>\n");
        for (Map.Entry<String, IChart> c : charts.entrySet()) {
            sb.append("<figure class=\"plot\" id=\"").append(c.getKey()).append("\">").append(svg(c.getValue()))
              .append("<figcaption>").append(esc(c.getKey())).append("</figcaption></figure>\n");
        }
        // lets a headless browser confirm that every chart was laid out with a visible size
        sb.append("<script>window.addEventListener('load',function(){var f=document.querySelectorAll('figure.plot svg'),v=0;"
                + "f.forEach(function(s){var b=s.getBoundingClientRect();if(b.width>100&&b.height>100)v++;});"
                + "document.body.setAttribute('data-plots',f.length);document.body.setAttribute('data-plots-visible',v);});</script>\n");
        return sb.append("</body></html>\n").toString();
    }

    private static void table(StringBuilder sb, String title, List<List<String>> rows) {
        sb.append("<h2>").append(esc(title)).append("</h2>\n<table>\n");
        for (int i = 0; i < rows.size(); i++) {
            String tag = i == 0 ? "th" : "td";
            sb.append("<tr>");
            for (String cell : rows.get(i)) {
                sb.append('<').append(tag).append(cell.equals("noisy") && i > 0 ? " class=\"noisy\"" : "").append('>').append(esc(cell))
                  .append("</").append(tag).append('>');
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private static String svg(IChart chart) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            String s = out.toString(StandardCharsets.UTF_8);
            int i = s.indexOf("<svg");
            return i < 0 ? s : s.substring(i);       // drop the XML prolog and DOCTYPE: inline in HTML
        } catch (IOException e) {
            throw new DescentException("cannot render a chart as SVG: " + e.getMessage());
        }
    }

}
