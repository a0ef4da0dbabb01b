package dev.descent.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.descent.DescentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The full-data loss over a training run, and each epoch's summary. */
public final class History {
    /**
     * A recorded loss: after {@code step} (1-based batch within the epoch; 0 before training) of
     * {@code epoch}; {@code seconds} is the training time so far (loss evaluations excluded),
     * interpolated within each device call by the share of its batches done.
     */
    public record Point(int epoch, int step, long examples, double epochs, double loss, double seconds) {}

    /** An epoch's learning rate (at its first step), its last recorded loss and its wall time. */
    public record Epoch(int epoch, double lr, double loss, double seconds) {}

    public static final String CSV_HEADER = "epoch,step,examples,epochs,loss,seconds";

    private final String label;
    private final List<Point> points = new ArrayList<>();
    private final List<Epoch> epochs = new ArrayList<>();

    public History(String label) {
        this.label = label;
    }

    public String label() { return label; }
    public List<Point> points() { return List.copyOf(points); }
    public List<Epoch> epochs() { return List.copyOf(epochs); }

    void add(Point p) { points.add(p); }
    void add(Epoch e) { epochs.add(e); }

    /** An independent copy (a checkpoint keeps one while training goes on). */
    public History copy() {
        History h = new History(label);
        h.points.addAll(points);
        h.epochs.addAll(epochs);
        return h;
    }

    /** A history rebuilt from its parts (a checkpoint being read). */
    public static History of(String label, List<Point> points, List<Epoch> epochs) {
        History h = new History(label);
        h.points.addAll(points);
        h.epochs.addAll(epochs);
        return h;
    }

    /** The last recorded loss (NaN when nothing was recorded). */
    public double lastLoss() {
        return points.isEmpty() ? Double.NaN : points.get(points.size() - 1).loss();
    }

    /** Writes the points as CSV ({@link #CSV_HEADER}); written to a temporary file then moved, so a failure leaves any old file whole. */
    public void writeCsv(Path file) {
        StringBuilder sb = new StringBuilder("# ").append(label.replace('\n', ' ')).append('\n').append(CSV_HEADER).append('\n');
        for (Point p : points) {
            sb.append(p.epoch).append(',').append(p.step).append(',').append(p.examples).append(',')
              .append(String.format(Locale.ROOT, "%.6f", p.epochs)).append(',').append(fmt(p.loss)).append(',')
              .append(String.format(Locale.ROOT, "%.6f", p.seconds)).append('\n');
        }
        writeAtomically(file, sb.toString());
    }

    /** Writes label, points and epochs as JSON. */
    public void writeJson(Path file, Map<String, Object> config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        m.put("config", config);
        m.put("epochs", epochs.stream().map(e -> Map.of("epoch", e.epoch, "lr", e.lr, "loss", json(e.loss), "seconds", e.seconds)).toList());
        m.put("points", points.stream().map(p -> Map.of("epoch", p.epoch, "step", p.step, "examples", p.examples, "loss", json(p.loss), "seconds", p.seconds)).toList());
        try {
            writeAtomically(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
        } catch (IOException e) {
            throw new DescentException("cannot encode history as JSON: " + e.getMessage());
        }
    }

    /** Reads a CSV written by {@link #writeCsv}; a file that is not one gets one clear line. */
    public static History readCsv(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DescentException("history file " + file + " does not exist");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DescentException("cannot read history file " + file + ": " + e.getMessage());
        }
        String label = file.getFileName().toString();
        int i = 0;
        if (i < lines.size() && lines.get(i).startsWith("# ")) label = lines.get(i++).substring(2);
        if (i >= lines.size() || !lines.get(i).trim().equals(CSV_HEADER)) {
            throw new DescentException(file + " is not a descent history: its header must be '" + CSV_HEADER + "'");
        }
        History h = new History(label);
        for (i++; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty()) continue;
            String[] f = l.split(",");
            try {
                if (f.length != 6) throw new NumberFormatException("expected 6 fields");
                h.add(new Point(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
            } catch (NumberFormatException e) {
                throw new DescentException(file + " line " + (i + 1) + " is not a history row (" + e.getMessage() + ")");
            }
        }
        return h;
    }

    private static Object json(double v) {
        return Double.isFinite(v) ? (Object) v : String.valueOf(v);
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.9e", v) : (Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
    }

    private static void writeAtomically(Path file, String content) {
        dev.descent.util.AtomicFiles.write(file, content);
    }
}
