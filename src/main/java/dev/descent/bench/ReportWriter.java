package dev.descent.bench;

import dev.descent.DescentException;
import dev.descent.plot.Charts;
import dev.descent.util.AtomicFiles;
import dev.descent.util.Markup;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.IChart;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a report folder from the report's data: report.json, report.md, report.html (self-
 * contained: tables and inline SVG charts, opens offline), the charts as PNG, and REPRODUCE.
 * Markdown, HTML and charts are built from the report's records ({@link ReportTables}, {@link ReportCharts}), never from logs.
 */
public final class ReportWriter {
    private ReportWriter() {}

    /** Writes the report folder; returns why the charts were left out, or {@code null} when they were drawn. */
    public static String write(Report report, Path dir) {
        String json;
        try {
            json = Report.json().writeValueAsString(report);
        } catch (IOException e) {
            throw new DescentException("cannot encode the report as JSON: " + e.getMessage());
        }
        AtomicFiles.write(dir.resolve("report.json"), json);
        Map<String, IChart> charts = ReportCharts.all(report);
        String chartsSkipped = null;
        try {
            for (Map.Entry<String, IChart> c : charts.entrySet()) Charts.save(c.getValue(), dir.resolve(c.getKey() + ".png"));
        } catch (DescentException e) {         // the numbers matter more than the pictures: write the report without them
            chartsSkipped = e.getMessage();
            charts = Map.of();
        }
        AtomicFiles.write(dir.resolve("report.md"), markdown(report, charts.keySet()));
        AtomicFiles.write(dir.resolve("report.html"), html(report, charts));
        AtomicFiles.write(dir.resolve("REPRODUCE"), "# rerun this benchmark (same suite, same seeds) from the project root, at commit "
                + report.environment().git().commit() + ":\n" + report.command() + "\n");
        return chartsSkipped;
    }

    /** What the numbers are: medians, their within-run and between-process spread, and the ceilings. */
    private static String howToRead(Report r) {
        return "Each number is the median of " + r.config().repeats() + " timed runs in each of " + r.config().forks()
                + " process(es) after at least " + r.config().warmups() + " warm-up run(s) and " + r.config().warmupSeconds()
                + " s of warm-up, with min–max over all of them; 'between forks' is the spread (max − min) of the processes' medians "
                + "as a share of the median: a change smaller than that cannot be told from noise. 'noisy' marks a within-run spread over "
                + (int) (Stats.NOISY * 100) + "% of the median. Ceilings are the best repetition of each probe (a probe can only "
                + "under-measure); the native probe (membw.c, or numpy) measures the host's memory in the same run and refuses any "
                + "backend figure above it by more than its own spread. Workloads whose data fit in the cache get no percentage.";
    }

    // ------------------------------------------------------------------------------------ markdown / html

    static String markdown(Report r, Iterable<String> charts) {
        StringBuilder sb = new StringBuilder();
        sb.append("# descent benchmark report: `").append(r.suite()).append("`\n\n");
        sb.append(ReportTables.envLine(r)).append("\n\nCommand: `").append(r.command()).append("`. ").append(howToRead(r)).append("\n\n");
        if (r.incomplete() != null) sb.append("**Incomplete report**: ").append(r.incomplete()).append(".\n\n");
        section(sb, "Measured ceilings", ReportTables.ceilingRows(r));
        section(sb, "Throughput by batch size", ReportTables.throughputRows(r));
        section(sb, "Full-batch gradient vs its floor (n·d·4 bytes read once)", ReportTables.gradientRows(r));
        section(sb, "GD vs SGD vs mini-batch: convergence", ReportTables.convergenceRows(r));
        sb.append(ReportTables.peersLine(r)).append("\n\n## Charts\n\n");
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

    static String html(Report r, Map<String, IChart> charts) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>descent report: ")
                .append(Markup.escape(r.suite())).append("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;"
                + "color:#222}table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
                + "text-align:left}th{background:#f0f0f0}figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}"
                + ".noisy{color:#b35900}</style></head><body>\n");
        sb.append("<h1>descent benchmark report: ").append(Markup.escape(r.suite())).append("</h1>\n<p>").append(Markup.escape(ReportTables.envLine(r)))
          .append("</p>\n<p>Command: <code>").append(Markup.escape(r.command())).append("</code>. ").append(Markup.escape(howToRead(r))).append("</p>\n");
        if (r.incomplete() != null) sb.append("<p><strong>Incomplete report</strong>: ").append(Markup.escape(r.incomplete())).append(".</p>\n");
        table(sb, "Measured ceilings", ReportTables.ceilingRows(r));
        table(sb, "Throughput by batch size", ReportTables.throughputRows(r));
        table(sb, "Full-batch gradient vs its floor", ReportTables.gradientRows(r));
        table(sb, "GD vs SGD vs mini-batch: convergence", ReportTables.convergenceRows(r));
        sb.append("<p>").append(Markup.escape(ReportTables.peersLine(r))).append("</p>\n<h2>Charts</h2>\n");
        for (Map.Entry<String, IChart> c : charts.entrySet()) {
            sb.append("<figure class=\"plot\" id=\"").append(c.getKey()).append("\">").append(svg(c.getValue()))
              .append("<figcaption>").append(Markup.escape(c.getKey())).append("</figcaption></figure>\n");
        }
        // lets a headless browser confirm that every chart was laid out with a visible size
        sb.append("<script>window.addEventListener('load',function(){var f=document.querySelectorAll('figure.plot svg'),v=0;"
                + "f.forEach(function(s){var b=s.getBoundingClientRect();if(b.width>100&&b.height>100)v++;});"
                + "document.body.setAttribute('data-plots',f.length);document.body.setAttribute('data-plots-visible',v);});</script>\n");
        return sb.append("</body></html>\n").toString();
    }

    private static void table(StringBuilder sb, String title, List<List<String>> rows) {
        sb.append("<h2>").append(Markup.escape(title)).append("</h2>\n<table>\n");
        for (int i = 0; i < rows.size(); i++) {
            String tag = i == 0 ? "th" : "td";
            sb.append("<tr>");
            for (String cell : rows.get(i)) {
                sb.append('<').append(tag).append(cell.equals("noisy") && i > 0 ? " class=\"noisy\"" : "").append('>').append(Markup.escape(cell))
                  .append("</").append(tag).append('>');
            }
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    /** A chart as an SVG element to inline in HTML (the XML prolog and DOCTYPE dropped). */
    public static String svg(IChart chart) {
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
