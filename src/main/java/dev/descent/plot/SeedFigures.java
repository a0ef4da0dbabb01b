package dev.descent.plot;

import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.seeds.Seed1;
import dev.descent.seeds.Seed2;
import dev.descent.train.History;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Every figure of the two seed tutorials, drawn from descent's own runs. */
public final class SeedFigures {
    private SeedFigures() {}

    private static final Color LOSS_RED = new Color(200, 30, 30, 180);
    private static final Color ORIGIN_BLUE = new Color(30, 80, 200);

    /** The files {@link #seed1} and {@link #seed2} write, for tests and the README. */
    public static List<String> files() {
        List<String> f = new ArrayList<>();
        for (Seed1.RunSpec r : Seed1.RUNS) {
            String base = r.fileName().replace(".csv", "");
            f.add(base + ".png");
            f.add(base + ".svg");
        }
        f.addAll(List.of("seed1-all.png", "seed1-all.svg", "seed2-curves.png", "seed2-curves.svg", "seed2-surface.png",
                "seed2-surface.svg", "seed2-updates.png", "seed2-walk.gif", "seed2-walk-final.png"));
        return f;
    }

    /** Seed 1: each run's loss (log scale) against epochs, and all five overlaid. */
    public static void seed1(List<Seed1.Outcome> runs, Path dir) {
        List<History> all = new ArrayList<>();
        for (Seed1.Outcome o : runs) {
            History h = o.result().history();
            String title = String.format(Locale.ROOT, "Seed 1: batch size %d, learning rate %s", o.spec().batchSize(), lr(o.spec().lr()));
            if (o.result().diverged()) {
                title += String.format(Locale.ROOT, " — diverged at epoch %d, step %d", o.result().divergence().epoch(),
                        o.result().divergence().step());
            }
            Charts.savePngAndSvg(HistoryPlots.lossCurves(title, List.of(h), true), dir, o.spec().fileName().replace(".csv", ""));
            all.add(h);
        }
        XYChart c = HistoryPlots.lossCurves("Seed 1: GD, SGD and mini-batch SGD on linear regression", all, true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        // a diverged run would stretch the axis to 1e36 and flatten the others: it leaves through the top
        double top = 0;
        for (Seed1.Outcome o : runs) {
            if (!o.result().diverged()) for (History.Point p : o.result().history().points()) top = Math.max(top, p.loss());
        }
        if (top > 0) c.getStyler().setYAxisMax(top * 10);
        Charts.savePngAndSvg(c, dir, "seed1-all");
    }

    private static String lr(double lr) {
        return new java.math.BigDecimal(Double.toString(lr)).stripTrailingZeros().toPlainString();
    }

    /** Seed 2's figures: per-example loss curves, the (x, w) surface, update vectors + gradient histogram, the SGD walk. */
    public static void seed2(Seed2.Outcome o, Path dir) {
        double[] ws = Generators.linspaceDouble(Seed2.W_MIN, Seed2.W_MAX, 100);
        Charts.savePngAndSvg(curves(ws), dir, "seed2-curves");
        Charts.savePngAndSvg(surface(o.surface()), dir, "seed2-surface");
        Charts.savePngRow(List.of(updates(ws, o.gradients()), histogram(o.gradients())), dir.resolve("seed2-updates.png"));
        List<BufferedImage> frames = new ArrayList<>();
        Seed2.Walk w = o.walk();
        for (int i = 0; i < w.x().length; i++) frames.add(Charts.image(walkFrame(ws, w, i)));
        Charts.saveGif(frames, dir.resolve("seed2-walk.gif"), 100);
        Charts.save(walkFrame(ws, w, w.x().length - 1), dir.resolve("seed2-walk-final.png"));
    }

    private static double[] lossOver(double[] ws, double x) {
        double[] l = new double[ws.length];
        for (int k = 0; k < ws.length; k++) l[k] = Objective.WAVE.loss(ws[k] * x, 0);
        return l;
    }

    /** The tutorial's first figure: one loss surface per example, for x = linspace(−5, 5, 3). */
    static XYChart curves(double[] ws) {
        // TODO(look): XChart puts this chart's x ticks on data points (−0.5586, …); cosmetic
        double[] xs = Generators.linspaceDouble(Seed2.X_MIN, Seed2.X_MAX, 3);
        XYChart c = Charts.xy("Seed 2: one loss surface per input (3 surfaces)", "Weight values (w)",
                "loss (−y² + y³)·e^(−y²), y = w·x", 640, 440);
        c.getStyler().setXAxisMin(Seed2.W_MIN).setXAxisMax(Seed2.W_MAX);
        for (double x : xs) {
            XYSeries s = c.addSeries(String.format(Locale.ROOT, "x = %.1f", x), ws, lossOver(ws, x));
            s.setMarker(SeriesMarkers.NONE);
        }
        return c;
    }

    /**
     * The loss over the tutorial's 100 × 100 (x, w) grid as a heat map: cells are square markers
     * coloured by loss in 24 bands of a dark-to-light "hot" scale; the global minimum is marked.
     */
    static XYChart surface(Seed2.Surface min) {
        double[] xs = Generators.linspaceDouble(Seed2.X_MIN, Seed2.X_MAX, 100);
        double[] ws = Generators.linspaceDouble(Seed2.W_MIN, Seed2.W_MAX, 100);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        double[][] l = new double[100][100];
        for (int i = 0; i < 100; i++)
            for (int j = 0; j < 100; j++) {
                l[i][j] = Objective.WAVE.loss(ws[j] * xs[i], 0);
                lo = Math.min(lo, l[i][j]);
                hi = Math.max(hi, l[i][j]);
            }
        XYChart c = Charts.xy(String.format(Locale.ROOT, "Seed 2: Global Minimum is %.2f (at x = %.2f, w = %.2f)", min.min(), min.x(), min.w()),
                "Input data (x)", "The model parameter (w)", Charts.WIDTH, 560);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(9);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setXAxisMin(Seed2.X_MIN).setXAxisMax(Seed2.X_MAX).setYAxisMin(Seed2.W_MIN).setYAxisMax(Seed2.W_MAX);
        c.getStyler().setPlotGridLinesVisible(false);
        int bands = 24;
        for (int b = 0; b < bands; b++) {
            List<Double> bx = new ArrayList<>(), bw = new ArrayList<>();
            double a = lo + (hi - lo) * b / bands, z = lo + (hi - lo) * (b + 1) / bands;
            for (int i = 0; i < 100; i++)
                for (int j = 0; j < 100; j++) {
                    if (l[i][j] >= a && (l[i][j] < z || b == bands - 1)) {
                        bx.add(xs[i]);
                        bw.add(ws[j]);
                    }
                }
            if (bx.isEmpty()) continue;
            XYSeries s = c.addSeries(String.format(Locale.ROOT, "loss %.2f … %.2f", a, z), bx, bw);
            Color col = hot((double) b / (bands - 1));
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(col);
            s.setShowInLegend(b % 4 == 0 || b == bands - 1);
        }
        XYSeries m = c.addSeries(String.format(Locale.ROOT, "global minimum %.4f", min.min()), new double[] {min.x()}, new double[] {min.w()});
        m.setMarker(SeriesMarkers.CIRCLE);
        m.setMarkerColor(new Color(0, 200, 255));
        c.getStyler().setMarkerSize(9);
        return c;
    }

    /** matplotlib-like "hot": black → red → yellow → white as t goes 0 → 1. */
    static Color hot(double t) {
        double r = Math.min(1, t / 0.4), g = Math.min(1, Math.max(0, (t - 0.4) / 0.4)), b = Math.min(1, Math.max(0, (t - 0.8) / 0.2));
        return new Color((float) r, (float) g, (float) b);
    }

    /** Update vectors at w0 on 10 loss surfaces (the tutorial's left panel). */
    static XYChart updates(double[] ws, Seed2.Gradients g) {
        double[] xs = Generators.linspaceDouble(Seed2.X_MIN, Seed2.X_MAX, g.values().length);
        XYChart c = Charts.xy("Update vectors computed using the gradients at w_not", "Weight (w)",
                g.values().length + " individual loss surfaces per data input x", 640, 520);
        c.getStyler().setXAxisMin(Seed2.W_MIN).setXAxisMax(Seed2.W_MAX);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        double lo = 0, hi = 0;
        for (int i = 0; i < xs.length; i++) {
            double[] l = lossOver(ws, xs[i]);
            for (double v : l) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            XYSeries s = c.addSeries("surface " + (i + 1), ws, l);
            s.setLineColor(LOSS_RED);
            s.setMarker(SeriesMarkers.NONE);
            s.setShowInLegend(false);
        }
        for (int i = 0; i < xs.length; i++) {
            double w0 = Seed2.W0, w1 = w0 - Seed2.ETA * g.values()[i];
            double l0 = Objective.WAVE.loss(w0 * xs[i], 0), l1 = Objective.WAVE.loss(w1 * xs[i], 0);
            XYSeries p = c.addSeries("w_not on surface " + (i + 1), new double[] {w0}, new double[] {l0});
            p.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            p.setMarker(SeriesMarkers.CIRCLE);
            p.setMarkerColor(Color.BLACK);
            p.setShowInLegend(false);
            Charts.arrow(c, "update " + (i + 1), w0, l0, w1, l1, Color.BLACK);
        }
        Charts.vertical(c, String.format(Locale.ROOT, "w_not=%.2f", Seed2.W0), Seed2.W0, lo, hi, ORIGIN_BLUE, true);
        return c;
    }

    /** The gradients' histogram with (min, max, mean) in the legend (the tutorial's right panel). */
    static CategoryChart histogram(Seed2.Gradients g) {
        List<Double> vals = new ArrayList<>();
        for (double v : g.values()) vals.add(v);
        Histogram h = new Histogram(vals, 10);
        CategoryChart c = Charts.bars("Frequency of the magnitudes of the computed gradients", "Gradient values",
                "Frequency of " + g.values().length + " gradients", 640, 520);
        c.getStyler().setXAxisDecimalPattern("0.00");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        CategorySeries s = c.addSeries(String.format(Locale.ROOT, "(Min, Max, Mean)=(%.2f,%.2f,%.2f)", g.min(), g.max(), g.mean()),
                h.getxAxisData(), h.getyAxisData());
        s.setFillColor(Charts.PALETTE[0]);
        c.getStyler().setYAxisMin(0.0).setYAxisMax(h.getyAxisData().stream().mapToDouble(Double::doubleValue).max().orElse(1) + 0.5);
        return c;
    }

    /** Frame i of the SGD walk: example i's loss surface, the current w, the update arrow, the origin. */
    static XYChart walkFrame(double[] ws, Seed2.Walk w, int i) {
        XYChart c = Charts.xy(String.format(Locale.ROOT, "Changes in loss surface given the %d th input data", i + 1), "Weights (w)",
                "Loss surface for input x = " + String.format(Locale.ROOT, "%.2f", w.x()[i]), 640, 440);
        c.getStyler().setXAxisMin(Seed2.W_MIN).setXAxisMax(Seed2.W_MAX).setYAxisMin(-1.0).setYAxisMax(0.5);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        Charts.vertical(c, String.format(Locale.ROOT, "origin =%.2f", Seed2.W0), Seed2.W0, -1.0, 0.5, ORIGIN_BLUE, true);
        XYSeries s = c.addSeries(String.format(Locale.ROOT, "current loss =%.2f", w.lossAfter()[i]), ws, lossOver(ws, w.x()[i]));
        s.setLineColor(LOSS_RED);
        s.setMarker(SeriesMarkers.NONE);
        XYSeries p = c.addSeries("w", new double[] {w.wBefore()[i]}, new double[] {w.lossBefore()[i]});
        p.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        p.setMarker(SeriesMarkers.CIRCLE);
        p.setMarkerColor(Color.BLACK);
        p.setShowInLegend(false);
        Charts.arrow(c, "update", w.wBefore()[i], w.lossBefore()[i], w.wAfter()[i], w.lossAfter()[i], Color.BLACK);
        return c;
    }
}
