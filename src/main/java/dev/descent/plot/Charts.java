package dev.descent.plot;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.GifEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The one place charts get their look and are written, so every picture in descent (seed
 * figures, training curves, benchmark reports) looks alike. Headless; PNG, SVG and animated GIF;
 * each file is written to a temporary name and moved into place, so a failure leaves nothing half-written.
 */
public final class Charts {
    private Charts() {}

    public static final int WIDTH = 800, HEIGHT = 500;

    /** Colours for series, in order (colour-blind-safe Okabe–Ito, then grey). */
    public static final Color[] PALETTE = {
            new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
            new Color(230, 159, 0), new Color(86, 180, 233), new Color(120, 120, 120)};

    static {
        System.setProperty("java.awt.headless", "true");
    }

    public static XYChart xy(String title, String xTitle, String yTitle) {
        return xy(title, xTitle, yTitle, WIDTH, HEIGHT);
    }

    public static XYChart xy(String title, String xTitle, String yTitle, int width, int height) {
        XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setMarkerSize(5);
        return c;
    }

    public static CategoryChart bars(String title, String xTitle, String yTitle, int width, int height) {
        CategoryChart c = new CategoryChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setOverlapped(true);
        return c;
    }

    private static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(160, 160, 160));
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setLegendBorderColor(new Color(200, 200, 200));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setChartTitleBoxVisible(false);
        s.setSeriesColors(PALETTE);
        s.setAntiAlias(true);
        s.setPlotGridLinesStroke(new BasicStroke(0.6f));
        s.setXAxisTickMarkSpacingHint(70);
        s.setYAxisTickMarkSpacingHint(45);
        if (s instanceof org.knowm.xchart.style.XYStyler xy) {
            xy.setSeriesLines(new BasicStroke[] {new BasicStroke(2f)});   // solid lines (XChart cycles dashes by default)
        }
    }

    /** A line from (x0, y0) to (x1, y1) with a marker at its end: an update vector. */
    public static XYSeries arrow(XYChart c, String name, double x0, double y0, double x1, double y1, Color color) {
        XYSeries s = c.addSeries(name, new double[] {x0, x1}, new double[] {y0, y1});
        s.setLineColor(color);
        s.setMarker(SeriesMarkers.NONE);
        s.setShowInLegend(false);
        XYSeries head = c.addSeries(name + " head", new double[] {x1}, new double[] {y1});
        head.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        head.setMarker(SeriesMarkers.DIAMOND);
        head.setMarkerColor(color);
        head.setShowInLegend(false);
        return s;
    }

    /** A dashed vertical line at x from y0 to y1. */
    public static XYSeries vertical(XYChart c, String name, double x, double y0, double y1, Color color, boolean inLegend) {
        XYSeries s = c.addSeries(name, new double[] {x, x}, new double[] {y0, y1});
        s.setLineColor(color);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        s.setShowInLegend(inLegend);
        return s;
    }

    /** Writes a chart as PNG or SVG, chosen by the file's extension. */
    public static void save(IChart chart, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".svg") && !name.endsWith(".png")) {
            throw new DescentException.InvalidArgument("plot file " + file + ": name a .png or .svg file");
        }
        drawing(() -> AtomicFiles.write(file, out -> {
            if (name.endsWith(".svg")) VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            else BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }));
    }

    /**
     * Runs a drawing; a Java runtime that cannot draw text (its font library or a system library it
     * needs is missing, as on a bare GPU host) becomes one line saying what to install.
     */
    static void drawing(Runnable draw) {
        try {
            draw.run();
        } catch (Error e) {
            if (!CannotDraw.is(e)) throw e;
            throw new DescentException("cannot draw charts: the Java runtime's graphics did not load (" + e.getMessage()
                    + "): install fonts and their libraries (Debian/Ubuntu: apt-get install fontconfig fonts-dejavu-core libharfbuzz0b)");
        }
    }

    /** Writes {@code base}.png and {@code base}.svg in {@code dir}. */
    public static void savePngAndSvg(IChart chart, Path dir, String base) {
        save(chart, dir.resolve(base + ".png"));
        save(chart, dir.resolve(base + ".svg"));
    }

    /** Charts side by side in one PNG. */
    public static void savePngRow(List<? extends IChart> charts, Path file) {
        drawing(() -> AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(charts, 1, charts.size(), out, BitmapEncoder.BitmapFormat.PNG)));
    }

    public static BufferedImage image(IChart chart) {
        BufferedImage[] img = new BufferedImage[1];
        drawing(() -> img[0] = BitmapEncoder.getBufferedImage(chart));
        return img[0];
    }

    /** An animated GIF, looping forever, {@code delayMs} per frame. */
    public static void saveGif(List<BufferedImage> frames, Path file, int delayMs) {
        drawing(() -> AtomicFiles.writeVia(file, tmp -> GifEncoder.saveGif(tmp.toString(), frames, 0, delayMs)));
    }
}
