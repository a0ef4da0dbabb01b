package dev.descent.data;

import dev.descent.DescentException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The CSV loader as it was before the parallel loader (commit ce7045f), kept as the reference
 * the new {@link Csv} must agree with: the same {@link Table} or the same message for every input.
 * One intended change is carried over: the non-finite message gains the line's byte offset.
 *
 * <p>Loads a numeric delimited text file (comma, tab, semicolon or whitespace separated; CRLF
 * or LF; UTF-8, a byte-order mark allowed) into a {@link Dataset}. A header line is detected
 * when its first line is not all numbers. The target column is chosen by name (needs a header)
 * or by 0-based index (negative counts from the end; the default −1 is the last column), or
 * there is none.
 *
 * <p>Every failure is one {@link DescentException} line naming the file, the line and the byte
 * offset of its start, and what to do: a folder, a binary or non-UTF-8 file, a file that changed
 * while being read, a ragged row, a value that is not a number, a last line cut short.
 */
final class CsvBefore {
    private CsvBefore() {}

    /** The most values one dataset holds: one Java array. */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private record Target(String spec) {
        boolean none() { return spec == null; }
    }

    static Dataset load(Path file, Csv.Target target) {
        return table(file, target).data();
    }

    /** As {@link #load}, with the header's column names when the file has one (for a saved model). */
    static Table table(Path file, Csv.Target target) {
        return parse(file, Csv.lines(file, "data file", "a CSV or TSV file"), new Target(target.spec()));
    }

    private static Table parse(Path file, List<Csv.Line> lines, Target target) {
        Csv.Line first = null;
        for (Csv.Line l : lines) {
            if (!l.text().isBlank()) {
                first = l;
                break;
            }
        }
        if (first == null) throw new DescentException("data file " + file + " is empty: it has no rows");
        String firstText = first.text();
        String delim = firstText.contains(",") ? "," : firstText.contains("\t") ? "\t" : firstText.contains(";") ? ";" : "\\s+";
        String[] head = split(firstText, delim);
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

        float[] values = new float[(int) Math.max(16, Math.min(1 << 20, (long) lines.size() * cols))];
        long count = 0;
        int n = 0;
        for (int li = header ? first.number() : first.number() - 1; li < lines.size(); li++) {
            Csv.Line line = lines.get(li);
            if (line.text().isBlank()) continue;
            String[] f = split(line.text(), delim);
            if (f.length != cols) {
                if (!line.terminated() && f.length < cols) {
                    throw truncated(file, line, "it has " + f.length + " of " + cols + " fields");
                }
                throw new DescentException(file + " " + line.where() + ": expected " + cols + " fields (as in line "
                        + first.number() + "), found " + f.length + ": give every row the same columns");
            }
            if (count + cols > MAX_VALUES) {
                throw new DescentException("data file " + file + " holds over " + MAX_VALUES
                        + " values, the limit of one array: take a sample of its rows");
            }
            if (count + cols > values.length) values = Arrays.copyOf(values, (int) Math.min(MAX_VALUES, 2L * values.length + cols));
            for (int c = 0; c < cols; c++) {
                float x;
                try {
                    x = Float.parseFloat(f[c]);
                } catch (NumberFormatException e) {
                    String s = f[c].toLowerCase(Locale.ROOT);
                    if (!s.equals("nan") && !s.equals("inf") && !s.equals("-inf")) {
                        if (!line.terminated() && c == cols - 1) {
                            throw truncated(file, line, "its last value " + Csv.quote(f[c]) + " is not a number");
                        }
                        throw new DescentException(file + " " + line.where() + ", column " + (c + 1) + ": " + Csv.quote(f[c])
                                + " is not a number: fix or remove that value");
                    }
                    x = Float.NaN;
                }
                if (Float.isInfinite(x) && Double.isFinite(Double.parseDouble(f[c]))) {
                    throw new DescentException(file + " " + line.where() + ", column " + (c + 1) + ": " + Csv.quote(f[c])
                            + " is beyond float32's range (±3.4e38): rescale that column");
                }
                if (!Float.isFinite(x)) {
                    throw new DescentException(file + " " + line.where() + ", column " + (c + 1) + " is " + Csv.bare(f[c])
                            + ": remove or impute non-finite values");
                }
                values[(int) count + c] = x;
            }
            count += cols;
            n++;
        }
        if (n == 0) throw new DescentException("data file " + file + " has a header but no data rows");
        float[] x = new float[n * d];
        float[] t = tcol < 0 ? null : new float[n];
        for (int i = 0; i < n; i++) {
            int j = 0;
            for (int c = 0; c < cols; c++) {
                float v = values[i * cols + c];
                if (c == tcol) t[i] = v;
                else x[i * d + j++] = v;
            }
        }
        return Table.named(new Dataset(file.getFileName().toString(), x, t, n, d), header ? head : null, tcol, target.spec());
    }

    private static DescentException truncated(Path file, Csv.Line line, String why) {
        return new DescentException(file + " " + line.where() + " looks truncated: " + why
                + " and no line end after it: wait until the file is complete, or remove that last line");
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
                throw new DescentException.InvalidArgument("target column " + Csv.quote(s) + " given by name, but " + file
                        + " has no header line: give the 0-based index instead");
            }
            for (int c = 0; c < header.length; c++) if (header[c].equals(s)) return c;
            StringBuilder names = new StringBuilder();
            for (int c = 0; c < Math.min(header.length, 12); c++) names.append(c == 0 ? "" : ", ").append(Csv.quote(header[c]));
            if (header.length > 12) names.append(", … (").append(header.length).append(" in all)");
            throw new DescentException.InvalidArgument("no column named " + Csv.quote(s) + " in " + file + " (columns: "
                    + names + ")");
        }
    }

    private static String[] split(String line, String delim) {
        String[] f = line.strip().split(delim, -1);
        for (int i = 0; i < f.length; i++) f[i] = unquote(f[i].strip());
        return f;
    }

    /** The field without one pair of surrounding double quotes (or a lone one at either end). */
    private static String unquote(String s) {
        int from = s.startsWith("\"") ? 1 : 0;
        int to = s.length() > from && s.endsWith("\"") ? s.length() - 1 : s.length();
        return s.substring(from, to);
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
}
