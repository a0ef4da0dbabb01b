package dev.descent.plot;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;

import javax.imageio.ImageIO;
import dev.descent.util.Numbers;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
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
 * red. One drawing, on Java 2D for the PNG and written directly as SVG.
 */
public final class HeatMap {
    /** One configuration's cell. */
    public record Cell(double lr, int batch, double loss, boolean diverged, boolean grew, boolean best) {}

    /** A panel: the cells of one optimizer (and schedule, order). */
    public record Panel(String title, List<Cell> cells) {}

    static final int MAX_PANELS = 16;

    private static final Color DIVERGED = new Color(20, 20, 20), HATCH = new Color(95, 95, 95), EMPTY = new Color(238, 238, 238),
            BEST = new Color(230, 20, 60), GREW = new Color(166, 86, 40);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15), AXIS = new Font(Font.SANS_SERIF, Font.PLAIN, 13),
            TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11), CELL = new Font(Font.SANS_SERIF, Font.PLAIN, 9),
            CELL_BOLD = new Font(Font.SANS_SERIF, Font.BOLD, 9);

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
        java.awt.Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int text = probe.getFontMetrics(TITLE).stringWidth(title);
        for (String f : FOOTER) text = Math.max(text, probe.getFontMetrics(TICK).stringWidth(f));
        for (Panel p : this.panels) text = Math.max(text, probe.getFontMetrics(AXIS).stringWidth(p.title));
        probe.dispose();
        width = Math.max(LEFT + nx * cw + RIGHT, LEFT + text + 20);
        panelH = PANEL_TOP + ny * ch + BOTTOM;
        height = TOP + this.panels.size() * panelH + FOOT;
    }

    int width() { return width; }

    int height() { return height; }

    public void savePng(Path file) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        draw(new Java2dInk(g));
        g.dispose();
        AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
    }

    /**
     * The same drawing as SVG text, written directly: the cells are rectangles, the hatch of a diverged cell a
     * pattern. (Through VectorGraphics2D's DOM this took 1.8 s cold and 0.5 s warm for 1,024 cells, most of a
     * sweep report's time.) Text is placed with Java 2D's font metrics, as in the PNG.
     */
    public String svg() {
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            SvgInk ink = new SvgInk(probe);
            ink.out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
                    + "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
                    + "<rect width=\"6\" height=\"6\" fill=\"%s\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"%s\" stroke-width=\"1.2\"/>"
                    + "</pattern></defs>\n", width, height, width, height, hex(DIVERGED), hex(HATCH)));
            draw(ink);
            return ink.out.append("</svg>\n").toString();
        } finally {
            probe.dispose();
        }
    }

    public void saveSvg(Path file) {
        AtomicFiles.write(file, svg());
    }

    /** What the drawing needs from a surface: rectangles, lines, text and its width, a hatched cell. */
    private interface Ink {
        void fill(Color c, int x, int y, int w, int h);

        void line(Color c, float width, int x1, int y1, int x2, int y2);

        void frame(Color c, float width, int x, int y, int w, int h);

        /** text with its baseline's left end at (x, y); upright, or turned a quarter anticlockwise about (0, 0) */
        void text(String s, Font f, Color c, int x, int y, boolean turned);

        void hatched(int x, int y, int w, int h);

        FontMetrics metrics(Font f);
    }

    private static final class Java2dInk implements Ink {
        private final Graphics2D g;

        Java2dInk(Graphics2D g) {
            this.g = g;
        }

        @Override
        public void fill(Color c, int x, int y, int w, int h) {
            g.setColor(c);
            g.fillRect(x, y, w, h);
        }

        @Override
        public void line(Color c, float width, int x1, int y1, int x2, int y2) {
            g.setColor(c);
            g.setStroke(new BasicStroke(width));
            g.drawLine(x1, y1, x2, y2);
        }

        @Override
        public void frame(Color c, float width, int x, int y, int w, int h) {
            g.setColor(c);
            g.setStroke(new BasicStroke(width));
            g.drawRect(x, y, w, h);
        }

        @Override
        public void text(String s, Font f, Color c, int x, int y, boolean turned) {
            g.setFont(f);
            g.setColor(c);
            if (!turned) {
                g.drawString(s, x, y);
                return;
            }
            AffineTransform t = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(s, x, y);
            g.setTransform(t);
        }

        @Override
        public void hatched(int x, int y, int w, int h) {
            fill(DIVERGED, x, y, w, h);
            Shape clip = g.getClip();
            g.clipRect(x, y, w, h);
            for (int k = -h; k < w; k += 6) line(HATCH, 1.2f, x + k, y + h, x + k + h, y);
            g.setClip(clip);
        }

        @Override
        public FontMetrics metrics(Font f) {
            return g.getFontMetrics(f);
        }
    }

    private static final class SvgInk implements Ink {
        final StringBuilder out = new StringBuilder(1 << 16);
        private final Graphics2D probe;

        SvgInk(Graphics2D probe) {
            this.probe = probe;
        }

        @Override
        public void fill(Color c, int x, int y, int w, int h) {
            out.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"").append(h)
                    .append("\" fill=\"").append(hex(c)).append("\"/>\n");
        }

        @Override
        public void line(Color c, float width, int x1, int y1, int x2, int y2) {
            out.append("<line x1=\"").append(x1).append("\" y1=\"").append(y1).append("\" x2=\"").append(x2).append("\" y2=\"").append(y2)
                    .append("\" stroke=\"").append(hex(c)).append("\" stroke-width=\"").append(width).append("\"/>\n");
        }

        @Override
        public void frame(Color c, float width, int x, int y, int w, int h) {
            out.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"").append(h)
                    .append("\" fill=\"none\" stroke=\"").append(hex(c)).append("\" stroke-width=\"").append(width).append("\"/>\n");
        }

        @Override
        public void text(String s, Font f, Color c, int x, int y, boolean turned) {
            out.append("<text x=\"").append(x).append("\" y=\"").append(y).append('"');
            if (turned) out.append(" transform=\"rotate(-90)\"");
            out.append(" font-family=\"sans-serif\" font-size=\"").append(f.getSize()).append('"');
            if (f.isBold()) out.append(" font-weight=\"bold\"");
            out.append(" fill=\"").append(hex(c)).append("\">");
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '&' -> out.append("&amp;");
                    default -> out.append(ch);
                }
            }
            out.append("</text>\n");
        }

        @Override
        public void hatched(int x, int y, int w, int h) {
            out.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(w).append("\" height=\"").append(h)
                    .append("\" fill=\"url(#hatch)\"/>\n");
        }

        @Override
        public FontMetrics metrics(Font f) {
            return probe.getFontMetrics(f);
        }
    }

    private static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    private void draw(Ink g) {
        g.fill(Color.WHITE, 0, 0, width, height);
        g.text(title, TITLE, new Color(34, 34, 34), LEFT, 30, false);
        for (int p = 0; p < panels.size(); p++) drawPanel(g, p, TOP + p * panelH);
        for (int i = 0; i < FOOTER.length; i++) g.text(FOOTER[i], TICK, new Color(60, 60, 60), LEFT, height - FOOT + 14 + 16 * i, false);
    }

    private void drawPanel(Ink g, int p, int y0) {
        Panel panel = panels.get(p);
        double[] xs = lrs.get(p);
        int[] ys = batches.get(p);
        int gx = LEFT, gy = y0 + PANEL_TOP, gw = xs.length * cw, gh = ys.length * ch;
        Color text = new Color(34, 34, 34), frame = new Color(160, 160, 160);
        g.text(panel.title, AXIS, text, gx, y0 + 20, false);
        // cells: batch grows upwards
        g.fill(EMPTY, gx, gy, gw, gh);
        Cell bestCell = null;
        for (Cell c : panel.cells) {
            int i = java.util.Arrays.binarySearch(xs, c.lr), j = java.util.Arrays.binarySearch(ys, c.batch);
            int x = gx + i * cw, y = gy + (ys.length - 1 - j) * ch;
            if (c.best) bestCell = c;
            if (c.diverged || !Double.isFinite(c.loss)) {
                g.hatched(x, y, cw, ch);
                label(g, x, y, cw >= 46 ? "diverged" : "div.", Color.WHITE, true);
            } else {
                Color col = c.grew ? GREW : colour(c.loss);
                g.fill(col, x, y, cw, ch);
                Color ink = luminance(col) > 0.45 ? Color.BLACK : Color.WHITE;
                if (c.grew) label(g, x, y, "grew", Color.WHITE, true);
                else if (cw >= 40) label(g, x, y, Numbers.sci(c.loss), ink, false);
            }
        }
        // grid lines between cells
        for (int i = 1; i < xs.length; i++) g.line(Color.WHITE, 1f, gx + i * cw, gy, gx + i * cw, gy + gh);
        for (int j = 1; j < ys.length; j++) g.line(Color.WHITE, 1f, gx, gy + j * ch, gx + gw, gy + j * ch);
        if (bestCell != null) {
            int i = java.util.Arrays.binarySearch(xs, bestCell.lr), j = java.util.Arrays.binarySearch(ys, bestCell.batch);
            g.frame(BEST, 3f, gx + i * cw + 1, gy + (ys.length - 1 - j) * ch + 1, cw - 2, ch - 2);
        }
        g.frame(frame, 1f, gx, gy, gw, gh);
        // axes
        FontMetrics fm = g.metrics(TICK);
        for (int j = 0; j < ys.length; j++) {
            String s = Integer.toString(ys[j]);
            g.text(s, TICK, text, gx - 6 - fm.stringWidth(s), gy + (ys.length - 1 - j) * ch + ch / 2 + fm.getAscent() / 2 - 1, false);
        }
        int step = Math.max(1, (int) Math.ceil((fm.stringWidth("0.0015") + 8.0) / cw));
        for (int i = 0; i < xs.length; i += step) {
            String s = shortNumber(xs[i]);
            g.text(s, TICK, text, gx + i * cw + cw / 2 - fm.stringWidth(s) / 2, gy + gh + 15, false);
        }
        fm = g.metrics(AXIS);
        String xt = "learning rate" + (isLog(xs) ? " (log spaced)" : "");
        g.text(xt, AXIS, text, gx + gw / 2 - fm.stringWidth(xt) / 2, gy + gh + 36, false);
        String yt = "batch size";
        g.text(yt, AXIS, text, -(gy + gh / 2 + fm.stringWidth(yt) / 2), gx - 52, true);
        colourBar(g, gx + gw + 24, gy, Math.max(gh, 120));
    }

    private void colourBar(Ink g, int x, int y, int h) {
        int w = 16;
        for (int k = 0; k < h; k++) {
            double v = hi - (hi - lo) * k / (h - 1.0);
            g.fill(viridis((v - lo) / (hi - lo)), x, y + k, w, 1);
        }
        Color text = new Color(34, 34, 34);
        g.frame(new Color(160, 160, 160), 1f, x, y, w, h);
        FontMetrics fm = g.metrics(TICK);
        double span = hi - lo;
        double tick = span <= 2 ? 0.5 : span <= 6 ? 1 : Math.ceil(span / 6);
        for (double v = Math.ceil(lo / tick) * tick; v <= hi + 1e-9; v += tick) {
            int yy = y + (int) Math.round((hi - v) / span * (h - 1));
            g.line(text, 1f, x + w, yy, x + w + 4, yy);
            g.text(Numbers.sci(Math.pow(10, v)), TICK, text, x + w + 7, yy + fm.getAscent() / 2 - 1, false);
        }
        g.text("final loss", TICK, text, x - 4, y - 6, false);
    }

    private void label(Ink g, int x, int y, String s, Color ink, boolean bold) {
        Font f = bold ? CELL_BOLD : CELL;
        FontMetrics fm = g.metrics(f);
        g.text(s, f, ink, x + (cw - fm.stringWidth(s)) / 2, y + ch / 2 + fm.getAscent() / 2 - 1, false);
    }

    private Color colour(double loss) {
        double v = (Math.log10(Math.max(loss, Double.MIN_NORMAL)) - lo) / (hi - lo);
        return viridis(Math.max(0, Math.min(1, v)));
    }

    private static boolean isLog(double[] xs) {
        if (xs.length < 3 || xs[0] <= 0) return false;
        double r = xs[1] / xs[0];
        for (int i = 2; i < xs.length; i++) if (Math.abs(xs[i] / xs[i - 1] / r - 1) > 1e-6) return false;
        return Math.abs(r - 1) > 1e-9;
    }

    private static double luminance(Color c) {
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255;
    }

    /** Matplotlib's viridis, 9 anchors, linear between them: 0 = dark purple, 1 = yellow. */
    private static final int[][] VIRIDIS = {{68, 1, 84}, {71, 44, 122}, {59, 81, 139}, {44, 113, 142}, {33, 144, 141},
            {39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37}};

    static Color viridis(double t) {
        double x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) x);
        double f = x - i;
        int[] a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }

    /** An axis label: up to two significant digits, plain between 0.001 and 1000. */
    static String shortNumber(double v) {
        if (v != 0 && (Math.abs(v) < 0.001 || Math.abs(v) >= 10000)) return Numbers.sci(v);
        return new BigDecimal(v).round(new MathContext(2)).stripTrailingZeros().toPlainString();
    }
}
