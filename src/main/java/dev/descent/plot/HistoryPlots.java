package dev.descent.plot;

import dev.descent.train.History;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/** Loss curves of training histories: loss (log scale, the seed's {@code semilogy}) against epochs. */
public final class HistoryPlots {
    private HistoryPlots() {}

    /**
     * One chart with a curve per history. A history whose loss became non-finite keeps its finite
     * part, is named "diverged at epoch e", and gets a dashed vertical line where it diverged.
     */
    public static XYChart lossCurves(String title, List<History> histories, boolean logY) {
        XYChart c = Charts.xy(title, "epochs", "full-data loss" + (logY ? " (log scale)" : ""));
        c.getStyler().setYAxisLogarithmic(logY);
        c.getStyler().setMarkerSize(3);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        List<double[]> divergences = new ArrayList<>();
        int k = 0;
        for (History h : histories) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            double divergedAt = Double.NaN;
            int divergedEpoch = 0;
            for (History.Point p : h.points()) {
                boolean ok = Double.isFinite(p.loss()) && (!logY || p.loss() > 0);
                if (!ok) {
                    divergedAt = p.epochs();
                    divergedEpoch = p.epoch();
                    break;
                }
                xs.add(p.epochs());
                ys.add(p.loss());
                lo = Math.min(lo, p.loss());
                hi = Math.max(hi, p.loss());
            }
            String name = h.label() + (Double.isNaN(divergedAt) ? "" : " — diverged at epoch " + divergedEpoch);
            if (xs.isEmpty()) {       // nothing finite: show where it went, not an empty chart
                xs.add(0.0);
                ys.add(1.0);
            }
            XYSeries s = c.addSeries(unique(c, name), xs, ys);
            Color color = Charts.PALETTE[k++ % Charts.PALETTE.length];
            s.setLineColor(color);
            s.setMarkerColor(color);
            s.setMarker(xs.size() <= 60 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            if (!Double.isNaN(divergedAt)) divergences.add(new double[] {divergedAt, k - 1});
        }
        if (!Double.isFinite(lo)) {
            lo = 0.1;
            hi = 10;
        }
        for (double[] dv : divergences) {
            Color color = Charts.PALETTE[(int) dv[1] % Charts.PALETTE.length];
            Charts.vertical(c, unique(c, "non-finite from here"), dv[0], lo, hi, color, divergences.size() == 1);
        }
        return c;
    }

    private static String unique(XYChart c, String name) {
        String n = name;
        for (int i = 2; c.getSeries(n) != null; i++) n = name + " (" + i + ")";
        return n;
    }
}
