package dev.descent.plot;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;
import dev.descent.util.Markup;

import dev.descent.util.Numbers;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The sweep's heat map: final loss over (learning rate, batch size), one panel per remaining
 * setting (optimizer with its decay, schedule, order). Colour is the final full-data loss on a log
 * scale (viridis: dark is low); a diverged configuration is a black hatched cell marked "diverged";
 * a finite final loss above the initial one is a brown cell marked "grew" (kept out of the colour
 * scale, which would otherwise span its 10³⁰ and flatten the rest); the best configuration is framed in
 * red. One drawing, on Java 2D for the PNG ({@link HeatMapPng}) and written directly as SVG. Nothing here
 * touches AWT: the SVG is written where the Java runtime cannot draw (no java.desktop, no font libraries, as on
 * the GPU hosts), its text placed by the viewer (text-anchor) and the canvas sized from a generous estimate of
 * text widths (the same for the PNG, so both have one layout on every host).
 */
public final class HeatMap {
    /** One configuration's cell. */
    public record Cell(double lr, int batch, double loss, boolean diverged, boolean grew, boolean best) {}

    /** A panel: the cells of one optimizer (and schedule, order). */
    public record Panel(String title, List<Cell> cells) {}

    static final int MAX_PANELS = 16;

    /** A colour, 0–255 a channel. */
    record Rgb(int r, int g, int b) {
        String hex() { return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b); }
    }

    /** A sans-serif face: its size in pixels, bold or plain. */
    record Face(int size, boolean bold) {}

    /** Where a text's x is: its start, middle or end. */
    enum Align { START, MIDDLE, END }

    static final Rgb WHITE = new Rgb(255, 255, 255), BLACK = new Rgb(0, 0, 0), INK = new Rgb(34, 34, 34), GREY = new Rgb(160, 160, 160),
            FOOT_INK = new Rgb(60, 60, 60), DIVERGED = new Rgb(20, 20, 20), HATCH = new Rgb(95, 95, 95), EMPTY = new Rgb(238, 238, 238),
            BEST = new Rgb(230, 20, 60), GREW = new Rgb(166, 86, 40);
    private static final Face TITLE = new Face(15, true), AXIS = new Face(13, false), TICK = new Face(11, false), CELL = new Face(9, false),
            CELL_BOLD = new Face(9, true);

    private final String title;
    private final List<Panel> panels;
    private final double lo, hi;                 // log10 of the colour scale's ends
    private final int cw, ch, width, height, panelH;
    private final List<double[]> lrs = new ArrayList<>();
    private final List<int[]> batches = new ArrayList<>();
    private static final int LEFT = 90, RIGHT = 120, TOP = 48, PANEL_TOP = 30, BOTTOM = 62, FOOT = 56;
    private static final String[] FOOTER = {
            "Colour: the final full-data loss (log scale, dark = low). Black, hatched: diverged (non-finite loss or parameters).",
            "Brown, 'grew': finite, but above the initial loss (left out of the colour scale). Red frame: the best configuration. Grey: not in the sweep."};

    public HeatMap(String title, List<Panel> panels) {
        DescentException.require(!panels.isEmpty(), "a heat map needs at least one panel");
        this.title = title;
        this.panels = panels.subList(0, Math.min(panels.size(), MAX_PANELS));
        double mn = Double.POSITIVE_INFINITY, mx = Double.NEGATIVE_INFINITY;
        int nx = 1, ny = 1;
        for (Panel p : this.panels) {
            TreeSet<Double> xs = new TreeSet<>();
            TreeSet<Integer> ys = new TreeSet<>();
            for (Cell c : p.cells) {
                xs.add(c.lr);
                ys.add(c.batch);
                if (!c.diverged && !c.grew && Double.isFinite(c.loss) && c.loss > 0) {
                    mn = Math.min(mn, c.loss);
                    mx = Math.max(mx, c.loss);
                }
            }
            lrs.add(xs.stream().mapToDouble(Double::doubleValue).toArray());
            batches.add(ys.stream().mapToInt(Integer::intValue).toArray());
            nx = Math.max(nx, xs.size());
            ny = Math.max(ny, ys.size());
        }
        if (!Double.isFinite(mn)) {
            mn = 1;
            mx = 10;
        }
        lo = Math.floor(Math.log10(mn) * 4) / 4;
        hi = Math.max(lo + 1, Math.ceil(Math.log10(mx) * 4) / 4);
        cw = Math.max(30, Math.min(72, 1000 / nx));
        ch = Math.max(22, Math.min(44, 440 / ny));
        int text = estimatedWidth(TITLE, title);
        for (String f : FOOTER) text = Math.max(text, estimatedWidth(TICK, f));
        for (Panel p : this.panels) text = Math.max(text, estimatedWidth(AXIS, p.title));
        width = Math.max(LEFT + nx * cw + RIGHT, LEFT + text + 20);
        panelH = PANEL_TOP + ny * ch + BOTTOM;
        height = TOP + this.panels.size() * panelH + FOOT;
    }

    int width() { return width; }

    int height() { return height; }

    /** Writes the PNG (Java 2D: needs the java.desktop module and fonts; {@link CannotDraw} tells the errors apart). */
    public void savePng(Path file) {
        HeatMapPng.write(this, file);
    }

    /**
     * The drawing as SVG text, written directly: the cells are rectangles, the hatch of a diverged cell a pattern.
     * (Through VectorGraphics2D's DOM this took 1.8 s cold and 0.5 s warm for 1,024 cells, most of a sweep report's time.)
     */
    public String svg() {
        SvgInk ink = new SvgInk();
        ink.out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
                + "<defs><pattern id=\"hatch\" width=\"4.243\" height=\"4.243\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                + "<rect width=\"4.243\" height=\"4.243\" fill=\"%s\"/><line x1=\"2.12\" y1=\"0\" x2=\"2.12\" y2=\"4.243\" stroke=\"%s\" stroke-width=\"1.2\"/>"
                + "</pattern></defs>\n", width, height, width, height, DIVERGED.hex(), HATCH.hex()));
        draw(ink);
        return ink.out.append("</svg>\n").toString();       // the PNG's hatch: 45° lines 6 px apart along a row, 4.243 across
    }

    public void saveSvg(Path file) {
        AtomicFiles.write(file, svg());
    }

    /**
     * A text's width in pixels, estimated on the wide side (sans-serif averages about 0.55 em a character, bold
     * 0.6): for sizing the canvas and spacing the axis labels the same way on every host, with or without fonts.
     */
    static int estimatedWidth(Face f, String s) {
        return (int) Math.ceil(s.length() * f.size() * (f.bold() ? 0.64 : 0.58));
    }

    /** What the drawing needs from a surface: rectangles, lines, text, a hatched cell. */
    interface Ink {
        void fill(Rgb c, int x, int y, int w, int h);

        void line(Rgb c, float width, int x1, int y1, int x2, int y2);

        void frame(Rgb c, float width, int x, int y, int w, int h);

        /**
         * Text at (x, y): x is its start, middle or end; y its baseline, or its vertical middle when {@code centred};
         * turned: a quarter anticlockwise about (0, 0), x and y then in the turned frame.
         */
        void text(String s, Face f, Rgb c, int x, int y, Align a, boolean centred, boolean turned);

        void hatched(int x, int y, int w, int h);
    }

    private static final class SvgInk implements Ink {
        /** control characters are not XML (a data file's name may hold one): blanked */
        private static final java.util.regex.Pattern CONTROL = java.util.regex.Pattern.compile("[\\x00-\\x1f]");
        final StringBuilder out = new StringBuilder(1 << 16);

        @Override
        public void fill(Rgb c, int x, int y, int w, int h) {
            out.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"").append(h)
                    .append("\" fill=\"").append(c.hex()).append("\"/>\n");
        }

        @Override
        public void line(Rgb c, float width, int x1, int y1, int x2, int y2) {
            out.append("<line x1=\"").append(x1).append("\" y1=\"").append(y1).append("\" x2=\"").append(x2).append("\" y2=\"").append(y2)
                    .append("\" stroke=\"").append(c.hex()).append("\" stroke-width=\"").append(width).append("\"/>\n");
        }

        @Override
        public void frame(Rgb c, float width, int x, int y, int w, int h) {
            out.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"").append(h)
                    .append("\" fill=\"none\" stroke=\"").append(c.hex()).append("\" stroke-width=\"").append(width).append("\"/>\n");
        }

        @Override
        public void text(String s, Face f, Rgb c, int x, int y, Align a, boolean centred, boolean turned) {
            out.append("<text x=\"").append(x).append("\" y=\"").append(y).append('"');
            if (turned) out.append(" transform=\"rotate(-90)\"");
            if (a != Align.START) out.append(a == Align.MIDDLE ? " text-anchor=\"middle\"" : " text-anchor=\"end\"");
            if (centred) out.append(" dominant-baseline=\"central\"");
            out.append(" font-family=\"sans-serif\" font-size=\"").append(f.size()).append('"');
            if (f.bold()) out.append(" font-weight=\"bold\"");
            out.append(" fill=\"").append(c.hex()).append("\">");
            out.append(Markup.escape(CONTROL.matcher(s).replaceAll(" "))).append("</text>\n");
        }

        @Override
        public void hatched(int x, int y, int w, int h) {
            out.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"").append(h)
                    .append("\" fill=\"url(#hatch)\"/>\n");
        }
    }

    /** Draws the heat map on an ink: the one layout of the PNG and the SVG. */
    void draw(Ink g) {
        g.fill(WHITE, 0, 0, width, height);
        g.text(title, TITLE, INK, LEFT, 30, Align.START, false, false);
        for (int p = 0; p < panels.size(); p++) drawPanel(g, p, TOP + p * panelH);
        for (int i = 0; i < FOOTER.length; i++) g.text(FOOTER[i], TICK, FOOT_INK, LEFT, height - FOOT + 14 + 16 * i, Align.START, false, false);
    }

    private void drawPanel(Ink g, int p, int y0) {
        Panel panel = panels.get(p);
        double[] xs = lrs.get(p);
        int[] ys = batches.get(p);
        int gx = LEFT, gy = y0 + PANEL_TOP, gw = xs.length * cw, gh = ys.length * ch;
        g.text(panel.title, AXIS, INK, gx, y0 + 20, Align.START, false, false);
        // cells: batch grows upwards
        g.fill(EMPTY, gx, gy, gw, gh);
        Cell bestCell = null;
        for (Cell c : panel.cells) {
            int i = java.util.Arrays.binarySearch(xs, c.lr), j = java.util.Arrays.binarySearch(ys, c.batch);
            int x = gx + i * cw, y = gy + (ys.length - 1 - j) * ch;
            if (c.best) bestCell = c;
            if (c.diverged || !Double.isFinite(c.loss)) {
                g.hatched(x, y, cw, ch);
                label(g, x, y, cw >= 46 ? "diverged" : "div.", WHITE, true);
            } else {
                Rgb col = c.grew ? GREW : colour(c.loss);
                g.fill(col, x, y, cw, ch);
                Rgb ink = luminance(col) > 0.45 ? BLACK : WHITE;
                if (c.grew) label(g, x, y, "grew", WHITE, true);
                else if (cw >= 40) label(g, x, y, Numbers.sci(c.loss), ink, false);
            }
        }
        // grid lines between cells
        for (int i = 1; i < xs.length; i++) g.line(WHITE, 1f, gx + i * cw, gy, gx + i * cw, gy + gh);
        for (int j = 1; j < ys.length; j++) g.line(WHITE, 1f, gx, gy + j * ch, gx + gw, gy + j * ch);
        if (bestCell != null) {
            int i = java.util.Arrays.binarySearch(xs, bestCell.lr), j = java.util.Arrays.binarySearch(ys, bestCell.batch);
            g.frame(BEST, 3f, gx + i * cw + 1, gy + (ys.length - 1 - j) * ch + 1, cw - 2, ch - 2);
        }
        g.frame(GREY, 1f, gx, gy, gw, gh);
        // axes
        for (int j = 0; j < ys.length; j++) {
            g.text(Integer.toString(ys[j]), TICK, INK, gx - 6, gy + (ys.length - 1 - j) * ch + ch / 2, Align.END, true, false);
        }
        int step = Math.max(1, (int) Math.ceil((estimatedWidth(TICK, "0.0015") + 8.0) / cw));
        for (int i = 0; i < xs.length; i += step) g.text(shortNumber(xs[i]), TICK, INK, gx + i * cw + cw / 2, gy + gh + 15, Align.MIDDLE, false, false);
        String xt = "learning rate" + (isLog(xs) ? " (log spaced)" : "");
        g.text(xt, AXIS, INK, gx + gw / 2, gy + gh + 36, Align.MIDDLE, false, false);
        g.text("batch size", AXIS, INK, -(gy + gh / 2), gx - 52, Align.MIDDLE, false, true);
        colourBar(g, gx + gw + 24, gy, Math.max(gh, 120));
    }

    private void colourBar(Ink g, int x, int y, int h) {
        int w = 16;
        for (int k = 0; k < h; k++) {
            double v = hi - (hi - lo) * k / (h - 1.0);
            g.fill(viridis((v - lo) / (hi - lo)), x, y + k, w, 1);
        }
        g.frame(GREY, 1f, x, y, w, h);
        double span = hi - lo;
        double tick = span <= 2 ? 0.5 : span <= 6 ? 1 : Math.ceil(span / 6);
        for (double v = Math.ceil(lo / tick) * tick; v <= hi + 1e-9; v += tick) {
            int yy = y + (int) Math.round((hi - v) / span * (h - 1));
            g.line(INK, 1f, x + w, yy, x + w + 4, yy);
            g.text(Numbers.sci(Math.pow(10, v)), TICK, INK, x + w + 7, yy, Align.START, true, false);
        }
        g.text("final loss", TICK, INK, x - 4, y - 6, Align.START, false, false);
    }

    private void label(Ink g, int x, int y, String s, Rgb ink, boolean bold) {
        g.text(s, bold ? CELL_BOLD : CELL, ink, x + cw / 2, y + ch / 2, Align.MIDDLE, true, false);
    }

    private Rgb colour(double loss) {
        double v = (Math.log10(Math.max(loss, Double.MIN_NORMAL)) - lo) / (hi - lo);
        return viridis(Math.max(0, Math.min(1, v)));
    }

    private static boolean isLog(double[] xs) {
        if (xs.length < 3 || xs[0] <= 0) return false;
        double r = xs[1] / xs[0];
        for (int i = 2; i < xs.length; i++) if (Math.abs(xs[i] / xs[i - 1] / r - 1) > 1e-6) return false;
        return Math.abs(r - 1) > 1e-9;
    }

    private static double luminance(Rgb c) {
        return (0.2126 * c.r() + 0.7152 * c.g() + 0.0722 * c.b()) / 255;
    }

    /** Matplotlib's viridis, 9 anchors, linear between them: 0 = dark purple, 1 = yellow. */
    private static final int[][] VIRIDIS = {{68, 1, 84}, {71, 44, 122}, {59, 81, 139}, {44, 113, 142}, {33, 144, 141},
            {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};

    static Rgb viridis(double t) {
        double x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) x);
        double f = x - i;
        int[] a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Rgb((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }

    /** An axis label: up to two significant digits, plain between 0.001 and 1000. */
    static String shortNumber(double v) {
        if (v != 0 && (Math.abs(v) < 0.001 || Math.abs(v) >= 10000)) return Numbers.sci(v);
        return new BigDecimal(v).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }
}
