package dev.descent.plot;

import dev.descent.util.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/** The heat map's PNG: its drawing on Java 2D. The only class of the heat map that loads AWT. */
final class HeatMapPng implements HeatMap.Ink {
    private final Graphics2D g;

    private HeatMapPng(Graphics2D g) {
        this.g = g;
    }

    static void write(HeatMap map, Path file) {
        BufferedImage img = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            map.draw(new HeatMapPng(g));
        } finally {
            g.dispose();
        }
        AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
    }

    private static Color colour(HeatMap.Rgb c) {
        return new Color(c.r(), c.g(), c.b());
    }

    @Override
    public void fill(HeatMap.Rgb c, int x, int y, int w, int h) {
        g.setColor(colour(c));
        g.fillRect(x, y, w, h);
    }

    @Override
    public void line(HeatMap.Rgb c, float width, int x1, int y1, int x2, int y2) {
        g.setColor(colour(c));
        g.setStroke(new BasicStroke(width));
        g.drawLine(x1, y1, x2, y2);
    }

    @Override
    public void frame(HeatMap.Rgb c, float width, int x, int y, int w, int h) {
        g.setColor(colour(c));
        g.setStroke(new BasicStroke(width));
        g.drawRect(x, y, w, h);
    }

    @Override
    public void text(String s, HeatMap.Face f, HeatMap.Rgb c, int x, int y, HeatMap.Align a, boolean centred, boolean turned) {
        g.setFont(new Font(Font.SANS_SERIF, f.bold() ? Font.BOLD : Font.PLAIN, f.size()));
        g.setColor(colour(c));
        FontMetrics fm = g.getFontMetrics();
        int x0 = a == HeatMap.Align.START ? x : a == HeatMap.Align.MIDDLE ? x - fm.stringWidth(s) / 2 : x - fm.stringWidth(s);
        int y0 = centred ? y + fm.getAscent() / 2 - 1 : y;
        if (!turned) {
            g.drawString(s, x0, y0);
            return;
        }
        AffineTransform t = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(s, x0, y0);
        g.setTransform(t);
    }

    @Override
    public void hatched(int x, int y, int w, int h) {
        fill(HeatMap.DIVERGED, x, y, w, h);
        Shape clip = g.getClip();
        g.clipRect(x, y, w, h);
        for (int k = -h; k < w; k += 6) line(HeatMap.HATCH, 1.2f, x + k, y + h, x + k + h, y);
        g.setClip(clip);
    }
}
