package dev.descent.data;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads a numeric delimited text file (comma, tab, semicolon or whitespace separated; CRLF
 * or LF; UTF-8, a byte-order mark allowed) into a {@link Dataset}. A header line is detected
 * when its first line is not all numbers. The target column is chosen by name (needs a header)
 * or by 0-based index (negative counts from the end; the default −1 is the last column), or
 * there is none.
 *
 * <p>Every failure is one {@link DescentException} line naming the file, the line and the byte
 * offset of its start, and what to do: a folder, a binary or non-UTF-8 file, a file that changed
 * while being read, a ragged row, a value that is not a number, a last line cut short.
 */
public final class Csv {
    private Csv() {}

    /** The largest text file {@link #lines} reads whole: one Java array (data files have no such limit). */
    static final long MAX_TEXT_BYTES = Integer.MAX_VALUE - 8;
    /** The most values one dataset holds: one Java array. */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;
    /** How much of a bad value or name a message quotes. */
    private static final int QUOTE_CHARS = 40;

    /** Which column holds the target. */
    public record Target(String spec) {
        public static final Target LAST = new Target("-1");
        public static final Target NONE = new Target(null);

        boolean none() { return spec == null; }
    }

    /**
     * One line of a text file: its 1-based number, the byte offset of its start, its text without
     * the line end, and whether a line end followed it (a last line without one may be cut short).
     */
    public record Line(int number, long byteOffset, String text, boolean terminated) {
        /** {@code line 3 (byte 57)}, for messages. */
        public String where() {
            return "line " + number + " (byte " + byteOffset + ")";
        }
    }

    /** Reads a file whole; a seam so tests can change the file while it is being read. */
    @FunctionalInterface
    interface ByteReader {
        byte[] read(Path file) throws IOException;
    }

    public static Dataset load(Path file, Target target) {
        return table(file, target).data();
    }

    /**
     * As {@link #load}, with the header's column names when the file has one (for a saved model).
     * The file is read in chunks split at line ends and parsed on all cores straight into the
     * dataset's arrays (see {@link CsvLoader}); the result does not depend on the number of threads.
     */
    public static Table table(Path file, Target target) {
        return CsvLoader.load(file, target, CsvLoader.Settings.DEFAULT);
    }

    /** How the first non-blank line splits the file: its delimiter, fields, header and target column. */
    record Layout(String delim, String[] head, boolean header, int cols, int targetColumn, int d) {
        /** The single delimiter byte, or −1 for runs of whitespace. */
        int delimByte() { return delim.equals("\\s+") ? -1 : delim.charAt(0); }
    }

    /** The layout the first non-blank line gives (the delimiter it contains, a header if any field is not a number). */
    static Layout layout(Path file, String firstText, Target target) {
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
        return new Layout(delim, head, header, cols, tcol, d);
    }

    /** {@code line 3 (byte 57)}, for messages. */
    static String where(long number, long byteOffset) {
        return "line " + number + " (byte " + byteOffset + ")";
    }

    /**
     * One data row parsed the String way: the reference the fast path in {@link CsvLoader} agrees
     * with, and the path for any line the fast path does not take (non-ASCII, control characters,
     * a bad value). Writes the row's features to {@code x} at {@code row·d} and its target to
     * {@code t} (both Modified) unless {@code x} is null; with {@code fieldsOnly} only the number
     * of fields is checked.
     *
     * @param number      the line's 1-based number
     * @param byteOffset  the byte offset of the line's start
     * @param terminated  whether a line end followed it
     * @param firstNumber the number of the first non-blank line, for messages
     */
    static void parseRow(Path file, long number, long byteOffset, String text, boolean terminated, Layout layout,
                         long firstNumber, float[] x, float[] t, int row, boolean fieldsOnly) {
        int cols = layout.cols(), tcol = layout.targetColumn(), d = layout.d();
        String[] f = split(text, layout.delim());
        if (f.length != cols) {
            if (!terminated && f.length < cols) {
                throw truncated(file, number, byteOffset, "it has " + f.length + " of " + cols + " fields");
            }
            throw new DescentException(file + " " + where(number, byteOffset) + ": expected " + cols + " fields (as in line "
                    + firstNumber + "), found " + f.length + ": give every row the same columns");
        }
        if (fieldsOnly) return;
        int j = 0;
        for (int c = 0; c < cols; c++) {
            float v;
            try {
                v = Float.parseFloat(f[c]);
            } catch (NumberFormatException e) {
                String s = f[c].toLowerCase(Locale.ROOT);
                if (!s.equals("nan") && !s.equals("inf") && !s.equals("-inf")) {
                    if (!terminated && c == cols - 1) {
                        throw truncated(file, number, byteOffset, "its last value " + quote(f[c]) + " is not a number");
                    }
                    throw new DescentException(file + " " + where(number, byteOffset) + ", column " + (c + 1) + ": " + quote(f[c])
                            + " is not a number: fix or remove that value");
                }
                v = Float.NaN;
            }
            if (Float.isInfinite(v) && Double.isFinite(Double.parseDouble(f[c]))) {
                throw new DescentException(file + " " + where(number, byteOffset) + ", column " + (c + 1) + ": " + quote(f[c])
                        + " is beyond float32's range (±3.4e38): rescale that column");
            }
            if (!Float.isFinite(v)) {
                throw new DescentException(file + " " + where(number, byteOffset) + ", column " + (c + 1) + " is " + bare(f[c])
                        + ": remove or impute non-finite values");
            }
            if (x == null) continue;
            if (c == tcol) t[row] = v;
            else x[row * d + j++] = v;
        }
    }

    /** The error for a row that too many values precede: the dataset would not fit one array. */
    static DescentException tooManyValues(Path file, long maxValues) {
        return new DescentException("data file " + file + " holds over " + maxValues
                + " values, the limit of one array: take a sample of its rows");
    }

    private static DescentException truncated(Path file, long number, long byteOffset, String why) {
        return new DescentException(file + " " + where(number, byteOffset) + " looks truncated: " + why
                + " and no line end after it: wait until the file is complete, or remove that last line");
    }

    /**
     * The lines of a UTF-8 text file (LF, CRLF or CR line ends; a leading byte-order mark
     * dropped), read whole and checked not to have changed while being read. A folder, a missing
     * file, a binary file or one that is not UTF-8 is one {@link DescentException} line.
     *
     * @param what   what the file is, for messages ("data file", "history file")
     * @param expect what to give instead, for messages ("a CSV or TSV file")
     */
    public static List<Line> lines(Path file, String what, String expect) {
        return lines(file, what, expect, Files::readAllBytes);
    }

    static List<Line> lines(Path file, String what, String expect, ByteReader reader) {
        byte[] b = readFile(file, what, expect, reader);
        if (b.length >= 6 && (b[0] & 0xff) == 0x93 && b[1] == 'N' && b[2] == 'U' && b[3] == 'M' && b[4] == 'P' && b[5] == 'Y') {
            throw new DescentException(what + " " + file + " is a NumPy .npy file, not text: give " + expect
                    + " (numpy.savetxt writes one)");
        }
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                throw new DescentException(what + " " + file + " looks binary (a zero byte at byte " + i + ", line "
                        + lineAt(b, i) + "): give " + expect);
            }
        }
        int bad = firstNonUtf8(b);
        if (bad >= 0) {
            throw new DescentException(what + " " + file + " is not UTF-8 text (byte " + bad + ", line " + lineAt(b, bad)
                    + "): save it as UTF-8, or give " + expect);
        }
        int start = b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf ? 3 : 0;
        List<Line> out = new ArrayList<>();
        int number = 1;
        for (int i = start; i < b.length; ) {
            int end = i;
            while (end < b.length && b[end] != '\n' && b[end] != '\r') end++;
            String text = new String(b, i, end - i, StandardCharsets.UTF_8);
            boolean terminated = end < b.length;
            out.add(new Line(number++, i, text, terminated));
            i = end + (end + 1 < b.length && b[end] == '\r' && b[end + 1] == '\n' ? 2 : 1);
        }
        return out;
    }

    /**
     * A file's bytes, read whole; a file whose size or modification time differs before and after
     * the read changed while being read (still being written or copied), and that is one line.
     */
    static byte[] readFile(Path file, String what, String expect, ByteReader reader) {
        BasicFileAttributes before = attributes(file, what);
        if (before.isDirectory()) throw new DescentException(what + " " + file + " is a folder: give " + expect);
        if (before.size() > MAX_TEXT_BYTES) {
            throw new DescentException(what + " " + file + " is " + before.size() + " bytes, over the " + MAX_TEXT_BYTES
                    + " that one text file may hold: split it or take a sample of its rows");
        }
        byte[] b;
        try {
            b = reader.read(file);
        } catch (NoSuchFileException e) {
            throw changed(file, what);
        } catch (IOException e) {
            throw new DescentException("cannot read " + what + " " + file + ": " + AtomicFiles.reason(e));
        }
        if (before.isRegularFile()) {
            BasicFileAttributes after;
            try {
                after = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (IOException e) {
                throw changed(file, what);
            }
            if (after.size() != before.size() || !after.lastModifiedTime().equals(before.lastModifiedTime())) throw changed(file, what);
        }
        return b;
    }

    /** The attributes of a file that must exist. */
    static BasicFileAttributes attributes(Path file, String what) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new DescentException(what + " " + file + " does not exist: check the path");
        } catch (IOException e) {
            throw new DescentException("cannot read " + what + " " + file + ": " + AtomicFiles.reason(e));
        }
    }

    static DescentException changed(Path file, String what) {
        return new DescentException(what + " " + file + " changed while being read: wait until it is complete and try again");
    }

    /** The byte offset of the first byte that is not UTF-8, or −1. */
    private static int firstNonUtf8(byte[] b) {
        return firstNonUtf8(b, 0, b.length);
    }

    /** The offset, from {@code from}, of the first byte in {@code b[from, from+length)} that is not UTF-8, or −1. */
    static int firstNonUtf8(byte[] b, int from, int length) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, from, length).slice();
        CharBuffer out = CharBuffer.allocate(1 << 16);
        while (true) {
            CoderResult r = dec.decode(in, out, true);
            if (r.isError()) return in.position();
            if (r.isUnderflow()) break;
            out.clear();
        }
        while (true) {
            CoderResult r = dec.flush(out);
            if (r.isError()) return in.position();
            if (r.isUnderflow()) return -1;
            out.clear();
        }
    }

    /** The 1-based line that byte {@code offset} is on. */
    private static int lineAt(byte[] b, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (b[i] == '\n' || (b[i] == '\r' && (i + 1 >= b.length || b[i + 1] != '\n'))) line++;
        }
        return line;
    }

    /**
     * A value or name quoted for a one-line message: {@code 'text'}, quotes, control and
     * line-separator characters escaped as {@code \\uXXXX}, cut to {@value #QUOTE_CHARS} characters.
     */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        int limit = Math.min(s.length(), QUOTE_CHARS);
        if (limit < s.length() && Character.isHighSurrogate(s.charAt(limit - 1))) limit--;   // keep pairs whole
        for (int i = 0; i < limit; i++) {
            char ch = s.charAt(i);
            int type = Character.getType(ch);
            if (Character.isISOControl(ch) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.FORMAT || ch == '\'') {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        if (s.length() > limit) sb.append("…");
        return sb.append('\'').toString();
    }

    /** {@link #quote} without the quotes. */
    static String bare(String s) {
        String q = quote(s);
        return q.substring(1, q.length() - 1);
    }

    static int targetColumn(Path file, Target target, String[] header, int cols) {
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
                throw new DescentException.InvalidArgument("target column " + quote(s) + " given by name, but " + file
                        + " has no header line: give the 0-based index instead");
            }
            for (int c = 0; c < header.length; c++) if (header[c].equals(s)) return c;
            StringBuilder names = new StringBuilder();
            for (int c = 0; c < Math.min(header.length, 12); c++) names.append(c == 0 ? "" : ", ").append(quote(header[c]));
            if (header.length > 12) names.append(", … (").append(header.length).append(" in all)");
            throw new DescentException.InvalidArgument("no column named " + quote(s) + " in " + file + " (columns: "
                    + names + ")");
        }
    }

    static String[] split(String line, String delim) {
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

    static boolean isNumber(String s) {
        try {
            Float.parseFloat(s);
            return true;
        } catch (NumberFormatException e) {
            String l = s.toLowerCase(Locale.ROOT);
            return l.equals("nan") || l.equals("inf") || l.equals("-inf");
        }
    }
}
