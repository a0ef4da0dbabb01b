package dev.descent.train;

import dev.descent.DescentException;
import dev.descent.data.Csv;

import java.io.IOException;
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
     * interpolated within each device call by the share of its batches done. A NaN loss is held as the one
     * canonical NaN: Java leaves a NaN's sign and payload to the hardware and to the JIT's operand order (JLS 4.2.3),
     * so two runs of the same seed may reach differently signed NaNs; the record is the same either way.
     */
    public record Point(int epoch, int step, long examples, double epochs, double loss, double seconds) {
        public Point {
            if (Double.isNaN(loss)) loss = Double.NaN;
        }
    }

    /** An epoch's learning rate (at its first step), its last recorded loss (a NaN canonical, as a point's) and its wall time. */
    public record Epoch(int epoch, double lr, double loss, double seconds) {
        public Epoch {
            if (Double.isNaN(loss)) loss = Double.NaN;
        }
    }

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
        m.put("epochs", epochs.stream().map(e -> ordered("epoch", e.epoch, "lr", e.lr, "loss", json(e.loss), "seconds", e.seconds)).toList());
        m.put("points", points.stream().map(p -> ordered("epoch", p.epoch, "step", p.step, "examples", p.examples, "loss", json(p.loss),
                "seconds", p.seconds)).toList());
        writeAtomically(file, dev.descent.util.Json.write(m));
    }

    /** A map of the given keys and values, in that order. */
    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** Reads a CSV written by {@link #writeCsv}; a file that is not one gets one clear line. */
    public static History readCsv(Path file) {
        List<Csv.Line> lines = Csv.lines(file, "history file", "a history CSV written by descent train --history");
        String label = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        int i = 0;
        if (i < lines.size() && lines.get(i).text().startsWith("# ")) label = lines.get(i++).text().substring(2);
        if (i >= lines.size() || !lines.get(i).text().trim().equals(CSV_HEADER)) {
            throw new DescentException(file + " is not a descent history: its header must be '" + CSV_HEADER + "'");
        }
        History h = new History(label);
        for (i++; i < lines.size(); i++) {
            Csv.Line line = lines.get(i);
            String l = line.text().trim();
            if (l.isEmpty()) continue;
            String[] f = l.split(",", -1);
            if (f.length != HISTORY_FIELDS.length) {
                if (!line.terminated() && f.length < HISTORY_FIELDS.length) throw truncated(file, line, "it has " + f.length + " of 6 fields");
                throw new DescentException(file + " " + line.where() + ": expected 6 fields (" + CSV_HEADER + "), found " + f.length
                        + ": give every row the columns of the header");
            }
            h.add(new Point((int) integer(file, line, f, 0, Integer.MAX_VALUE), (int) integer(file, line, f, 1, Integer.MAX_VALUE),
                    integer(file, line, f, 2, Long.MAX_VALUE), real(file, line, f, 3), real(file, line, f, 4), real(file, line, f, 5)));
        }
        return h;
    }

    private static final String[] HISTORY_FIELDS = CSV_HEADER.split(",");
    private static final java.util.regex.Pattern WHOLE = java.util.regex.Pattern.compile("\\d{1,19}");
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?+(\\d++(\\.\\d*+)?+|\\.\\d++)([eE][+-]?+\\d++)?+");   // possessive: linear time

    /** Field {@code c} of a history row as a whole number in 0..max. */
    private static long integer(Path file, Csv.Line line, String[] f, int c, long max) {
        String s = f[c].strip();
        if (WHOLE.matcher(s).matches()) {
            try {
                long v = Long.parseLong(s);
                if (v <= max) return v;
            } catch (NumberFormatException e) {
                // over Long.MAX_VALUE: reported below
            }
            throw new DescentException(file + " " + line.where() + ", " + HISTORY_FIELDS[c] + ": " + s + " is over " + max
                    + ": fix or remove that row");
        }
        throw bad(file, line, f, c, "is not a whole number ≥ 0");
    }

    /** Field {@code c} of a history row as a number: decimal, or nan, inf, -inf as {@link #writeCsv} writes them. */
    private static double real(Path file, Csv.Line line, String[] f, int c) {
        String s = f[c].strip();
        switch (s.toLowerCase(Locale.ROOT)) {
            case "nan": return Double.NaN;
            case "inf": case "+inf": case "infinity": case "+infinity": return Double.POSITIVE_INFINITY;
            case "-inf": case "-infinity": return Double.NEGATIVE_INFINITY;
            default: break;
        }
        if (DECIMAL.matcher(s).matches()) return Double.parseDouble(s);
        throw bad(file, line, f, c, "is not a number");
    }

    private static DescentException bad(Path file, Csv.Line line, String[] f, int c, String what) {
        if (!line.terminated() && c == f.length - 1) return truncated(file, line, "its last value " + Csv.quote(f[c]) + " " + what);
        return new DescentException(file + " " + line.where() + ", " + HISTORY_FIELDS[c] + ": " + Csv.quote(f[c]) + " " + what
                + ": fix or remove that row");
    }

    private static DescentException truncated(Path file, Csv.Line line, String why) {
        return new DescentException(file + " " + line.where() + " looks truncated: " + why
                + " and no line end after it: wait until the file is complete, or remove that last line");
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
