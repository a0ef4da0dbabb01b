package dev.descent.bench;

import dev.descent.plot.Charts;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report's charts, one method per picture, each drawn from the report's records alone. */
final class ReportCharts {
    private ReportCharts() {}

    /** Every chart that has data, by file name (without extension), in report order. */
    static Map<String, IChart> all(Report r) {
        Map<String, IChart> out = new LinkedHashMap<>();
        out.putAll(throughput(r));
        out.putAll(convergence(r));
        bandwidth(r).ifPresent(c -> out.put("bandwidth", c));
        timeToTarget(r).ifPresent(c -> out.put("time-to-target", c));
        return out;
    }

    /** The device backend when there is one, else the first: the convergence pictures' backend. */
    static String mainBackend(Report r) {
        String best = null;
        for (String b : r.config().backends()) {
            if (best == null || !b.equals("cpu")) best = b;
        }
        return best == null ? "cpu" : best;
    }

    /** Samples/s and steps/s against batch size, one series per backend, for the first throughput workload. */
    static Map<String, IChart> throughput(Report r) {
        Map<String, IChart> out = new LinkedHashMap<>();
        String workload = r.benchmarks().stream().filter(b -> b.kind().equals("throughput")).map(Report.Benchmark::workload).findFirst()
                .orElse(null);
        if (workload == null) return out;
        for (boolean samples : new boolean[] {true, false}) {
            XYChart c = Charts.xy("Throughput vs batch size — " + workload, "batch size (log)", (samples ? "samples/s" : "steps/s") + " (log)");
            c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true);
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
            for (String backend : r.config().backends()) {
                List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
                for (Report.Benchmark b : r.benchmarks()) {
                    if (b.kind().equals("throughput") && b.workload().equals(workload) && b.backend().equals(backend)) {
                        xs.add((double) b.batch());
                        ys.add(samples ? b.derived().samplesPerS() : b.derived().stepsPerS());
                    }
                }
                if (!xs.isEmpty()) c.addSeries(backend, xs, ys).setMarker(SeriesMarkers.CIRCLE);
            }
            out.put(samples ? "throughput-samples" : "throughput-steps", c);
        }
        return out;
    }

    /** Loss against examples seen and against training seconds, GD vs mini-batch vs SGD, on the main backend. */
    static Map<String, IChart> convergence(Report r) {
        Map<String, IChart> out = new LinkedHashMap<>();
        String main = mainBackend(r);
        String workload = r.convergence().stream().filter(c -> c.backend().equals(main) && !c.objective().equals("wave"))
                .map(Report.Curve::workload).findFirst().orElse(null);
        if (workload == null) return out;
        for (boolean byExamples : new boolean[] {true, false}) {
            XYChart c = Charts.xy("GD vs SGD vs mini-batch — " + workload + " on " + main,
                    byExamples ? "examples seen" : "training time (s)", "full-data loss (log)");
            c.getStyler().setYAxisLogarithmic(true);
            c.getStyler().setMarkerSize(3);
            for (Report.Curve cv : r.convergence()) {
                if (!cv.workload().equals(workload) || !cv.backend().equals(main)) continue;
                List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
                for (double[] p : cv.points()) {
                    double loss = p[2], x = byExamples ? p[0] : p[1];
                    if (!Double.isFinite(loss) || loss <= 0 || (!byExamples && x <= 0 && !xs.isEmpty())) continue;
                    xs.add(x);
                    ys.add(loss);
                }
                String name = (cv.batch() == cv.n() ? "GD (batch " + cv.batch() + ")" : cv.batch() == 1 ? "SGD (batch 1)"
                        : "mini-batch " + cv.batch()) + ", lr " + cv.lr();
                if (!xs.isEmpty()) c.addSeries(name, xs, ys).setMarker(SeriesMarkers.NONE);
            }
            if (!c.getSeriesCollection().isEmpty()) out.put(byExamples ? "convergence-examples" : "convergence-seconds", c);
        }
        return out;
    }

    /** The full-batch gradient's GB/s as % of the read ceiling; workloads without a comparable figure are left out. */
    static java.util.Optional<IChart> bandwidth(Report r) {
        List<String> names = new ArrayList<>();
        List<Double> pct = new ArrayList<>();
        for (Report.Benchmark b : r.benchmarks()) {
            if (b.kind().equals("gradient") && b.derived().pctOfRead() != null) {
                names.add(b.workload() + " / " + b.backend());
                pct.add(b.derived().pctOfRead());
            }
        }
        CategoryChart c = Charts.bars("Full-batch gradient: achieved bandwidth as % of the read ceiling", "workload / backend",
                "% of read ceiling", Charts.WIDTH, Charts.HEIGHT);
        if (names.isEmpty()) {          // every workload fits in the cache (smoke): say so rather than leave the chart out
            names.add("no workload larger than the cache");
            pct.add(0.0);
        }
        c.addSeries("% of read", names, pct);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(100.0);
        return java.util.Optional.of(c);
    }

    /** Training seconds to the target loss, per run that reached it. */
    static java.util.Optional<IChart> timeToTarget(Report r) {
        List<String> runs = new ArrayList<>();
        List<Double> secs = new ArrayList<>();
        for (Report.Curve cv : r.convergence()) {
            if (cv.timeToTargetS() != null) {
                runs.add(cv.workload() + " " + cv.backend() + " b=" + cv.batch());
                secs.add(cv.timeToTargetS());
            }
        }
        if (runs.isEmpty()) return java.util.Optional.empty();
        CategoryChart c = Charts.bars("Time to reach the target loss (2·σ²/2)", "run", "training seconds", Charts.WIDTH, Charts.HEIGHT);
        c.addSeries("seconds", runs, secs);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisLabelRotation(30);
        return java.util.Optional.of(c);
    }
}
