package dev.descent.plot;

import dev.descent.backend.Backend;
import dev.descent.backend.ref.RefBackend;
import dev.descent.cli.CliAccess;
import dev.descent.seeds.Seed1;
import dev.descent.seeds.Seed2;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Renders every figure and checks it is a real picture: size, not blank, and for the GIF its frames. */
class FiguresTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void draw() {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Backend b = new RefBackend()) {
            SeedFigures.seed1(Seed1.run(b, 1, sink, null), dir);
            SeedFigures.seed2(Seed2.run(b, sink, null), dir);
        }
    }

    /** Standard deviation of the pixels' grey level: a blank or single-colour image is near 0. */
    static double pixelSpread(BufferedImage img) {
        double s = 0, s2 = 0;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y += 2)
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y);
                double g = 0.299 * ((rgb >> 16) & 255) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255);
                s += g;
                s2 += g * g;
                n++;
            }
        double m = s / n;
        return Math.sqrt(Math.max(0, s2 / n - m * m));
    }

    @Test
    void everyFigureIsWrittenAndNotBlank() throws Exception {
        for (String f : SeedFigures.files()) {
            Path p = dir.resolve(f);
            assertTrue(Files.exists(p), f + " missing");
            assertTrue(Files.size(p) > 4_000, f + " is only " + Files.size(p) + " bytes");
            if (f.endsWith(".png")) {
                BufferedImage img = ImageIO.read(p.toFile());
                assertTrue(img.getWidth() >= 600 && img.getHeight() >= 400, f + " is " + img.getWidth() + "×" + img.getHeight());
                assertTrue(pixelSpread(img) > 10, f + " looks blank (spread " + pixelSpread(img) + ")");
            }
            if (f.endsWith(".svg")) {
                String svg = Files.readString(p);
                assertTrue(svg.contains("<svg") && svg.contains("</svg>"), f);
            }
        }
    }

    @Test
    void theWalkHasOneFramePerExample() throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(dir.resolve("seed2-walk.gif").toFile())) {
            ImageReader r = ImageIO.getImageReadersByFormatName("gif").next();
            r.setInput(in);
            assertEquals(100, r.getNumImages(true));
            BufferedImage first = r.read(0), last = r.read(99);
            assertTrue(pixelSpread(first) > 10 && pixelSpread(last) > 10);
        }
    }

    @Test
    void trainPlotAndPlotCommand(@TempDir Path out) throws Exception {
        var o = CliAccess.cli("train", "--backend", "cpu", "--no-progress", "--history", out.resolve("h.csv").toString(),
                "--plot", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(pixelSpread(ImageIO.read(out.resolve("loss.png").toFile())) > 10);
        var p = CliAccess.cli("plot", out.resolve("h.csv").toString(), out.resolve("h.csv").toString(), "--out",
                out.resolve("both.svg").toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(Files.readString(out.resolve("both.svg")).contains("<svg"));
    }

    @Test
    void badInputGetsOneLine(@TempDir Path out) throws Exception {
        Path file = out.resolve("a-file");
        Files.writeString(file, "not a folder");
        CliAccess.assertOneClearLine(CliAccess.cli("reproduce", "seed2", "--backend", "cpu", "--out", out.toString(),
                "--plots", file.resolve("figs").toString()), 1, "cannot create folder");
        Path notHistory = out.resolve("x.csv");
        Files.writeString(notHistory, "a,b\n1,2\n");
        CliAccess.assertOneClearLine(CliAccess.cli("plot", notHistory.toString(), "--out", out.resolve("p.png").toString()), 1,
                "is not a descent history");
        CliAccess.assertOneClearLine(CliAccess.cli("plot", out.resolve("missing.csv").toString(), "--out",
                out.resolve("p.png").toString()), 1, "does not exist");
        Path h = out.resolve("h.csv");
        assertEquals(0, CliAccess.cli("train", "--backend", "cpu", "--no-progress", "--epochs", "1", "--history", h.toString()).code());
        CliAccess.assertOneClearLine(CliAccess.cli("plot", h.toString(), "--out", out.resolve("p.jpg").toString()), 2,
                "name a .png or .svg file");
    }
}
