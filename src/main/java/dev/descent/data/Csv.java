package dev.descent.data;

import dev.descent.DescentException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads a numeric delimited text file (comma, tab, semicolon or whitespace separated; CRLF
 * or LF) into a {@link Dataset}. A header line is detected when its first line is not all
 * numbers. The target column is chosen by name (needs a header) or by 0-based index
 * (negative counts from the end; the default −1 is the last column), or there is none.
 */
public final class Csv {
    private Csv() {}

    /** Which column holds the target. */
    public record Target(String spec) {
        public static final Target LAST = new Target("-1");
        public static final Target NONE = new Target(null);

        boolean none() { return spec == null; }
    }

    public static Dataset load(Path file, Target target) {
        List<String> lines;
        if (Files.isDirectory(file)) throw new DescentException("data file " + file + " is a folder: give a CSV or TSV file");
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines = r.lines().toList();
        } catch (NoSuchFileException e) {
            throw new DescentException("data file " + file + " does not exist: check the path");
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
                throw new DescentException("data file " + file + " is not UTF-8 text: give a CSV or TSV file");
            }
            throw new DescentException("cannot read data file " + file + ": " + dev.descent.util.AtomicFiles.reason(e.getCause()));
        } catch (IOException e) {
            throw new DescentException("cannot read data file " + file + ": " + dev.descent.util.AtomicFiles.reason(e));
        }
        String first = null;
        int firstLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                first = lines.get(i);
                firstLine = i;
                break;
            }
        }
        if (first == null) throw new DescentException("data file " + file + " is empty: it has no rows");
        String delim = first.contains(",") ? "," : first.contains("\t") ? "\t" : first.contains(";") ? ";" : "\\s+";
        String[] head = split(first, delim);
        boolean header = false;
        for (String h : head) {
            if (!isNumber(h)) {
                header = true;
                break;
            }
        }
        int cols = head.length;
        int tcol = targetColumn(file, target, header ? head : null, cols);
        int d = tcol < 0 ? cols : cols - 1;
        if (d < 1) throw new DescentException("data file " + file + " has no feature columns besides the target");

        List<float[]> rows = new ArrayList<>();
        for (int li = header ? firstLine + 1 : firstLine; li < lines.size(); li++) {
            String line = lines.get(li);
            if (line.isBlank()) continue;
            String[] f = split(line, delim);
            if (f.length != cols) {
                throw new DescentException(file + " line " + (li + 1) + ": expected " + cols + " fields, found " + f.length);
            }
            float[] v = new float[cols];
            for (int c = 0; c < cols; c++) {
                float x;
                try {
                    x = Float.parseFloat(f[c]);
                } catch (NumberFormatException e) {
                    String s = f[c].toLowerCase(Locale.ROOT);
                    if (!s.equals("nan") && !s.equals("inf") && !s.equals("-inf")) {
                        throw new DescentException(file + " line " + (li + 1) + ", column " + (c + 1) + ": '" + f[c] + "' is not a number");
                    }
                    x = Float.NaN;
                }
                if (!Float.isFinite(x)) {
                    throw new DescentException(file + " line " + (li + 1) + ", column " + (c + 1) + " is " + f[c]
                            + ": remove or impute non-finite values");
                }
                v[c] = x;
            }
            rows.add(v);
        }
        int n = rows.size();
        if (n == 0) throw new DescentException("data file " + file + " has a header but no data rows");
        float[] x = new float[n * d];
        float[] t = tcol < 0 ? null : new float[n];
        for (int i = 0; i < n; i++) {
            float[] v = rows.get(i);
            int j = 0;
            for (int c = 0; c < cols; c++) {
                if (c == tcol) t[i] = v[c];
                else x[i * d + j++] = v[c];
            }
        }
        return new Dataset(file.getFileName().toString(), x, t, n, d);
    }

    private static int targetColumn(Path file, Target target, String[] header, int cols) {
        if (target.none()) return -1;
        String s = target.spec().trim();
        try {
            int k = Integer.parseInt(s);
            int c = k < 0 ? cols + k : k;
            if (c < 0 || c >= cols) {
                throw new DescentException.InvalidArgument("target column " + k + " is outside " + file + "'s " + cols
                        + " columns: use 0.." + (cols - 1) + " or a negative index from the end");
            }
            return c;
        } catch (NumberFormatException e) {
            if (header == null) {
                throw new DescentException.InvalidArgument("target column '" + s + "' given by name, but " + file
                        + " has no header line: give the 0-based index instead");
            }
            for (int c = 0; c < header.length; c++) if (header[c].equals(s)) return c;
            throw new DescentException.InvalidArgument("no column named '" + s + "' in " + file + " (columns: "
                    + String.join(", ", header) + ")");
        }
    }

    private static String[] split(String line, String delim) {
        String[] f = line.strip().split(delim, -1);
        for (int i = 0; i < f.length; i++) f[i] = f[i].strip().replaceAll("^\"|\"$", "");
        return f;
    }

    private static boolean isNumber(String s) {
        try {
            Float.parseFloat(s);
            return true;
        } catch (NumberFormatException e) {
            String l = s.toLowerCase(Locale.ROOT);
            return l.equals("nan") || l.equals("inf") || l.equals("-inf");
        }
    }

    /** A copy of the dataset with every feature column (and the target) scaled to mean 0, std 1. */
    public static Dataset standardize(Dataset ds) {
        int n = ds.n(), d = ds.d();
        float[] x = ds.features().clone();
        for (int j = 0; j < d; j++) {
            double s = 0, s2 = 0;
            for (int i = 0; i < n; i++) s += x[i * d + j];
            double mean = s / n;
            for (int i = 0; i < n; i++) s2 += (x[i * d + j] - mean) * (x[i * d + j] - mean);
            double sd = n > 1 ? Math.sqrt(s2 / (n - 1)) : 0;
            double inv = sd > 0 ? 1 / sd : 1;
            for (int i = 0; i < n; i++) x[i * d + j] = (float) ((x[i * d + j] - mean) * inv);
        }
        float[] t = ds.targets() == null ? null : ds.targets().clone();
        if (t != null) {
            double s = 0, s2 = 0;
            for (float v : t) s += v;
            double mean = s / n;
            for (float v : t) s2 += (v - mean) * (v - mean);
            double sd = n > 1 ? Math.sqrt(s2 / (n - 1)) : 0;
            double inv = sd > 0 ? 1 / sd : 1;
            for (int i = 0; i < n; i++) t[i] = (float) ((t[i] - mean) * inv);
        }
        return new Dataset(ds.name() + " (standardized)", x, t, n, d);
    }
}
