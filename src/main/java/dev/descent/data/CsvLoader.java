package dev.descent.data;

import ch.randelshofer.fastdoubleparser.JavaFloatParser;
import dev.descent.DescentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CSV/TSV loader behind {@link Csv#table}: the file is cut into chunks at line ends, and two
 * passes run over the chunks on all cores.
 * <ol>
 *   <li>A scan counts each chunk's lines and non-blank lines and finds its first zero byte and
 *       first byte that is not UTF-8. From the counts every chunk knows the line number and the
 *       row index it starts at, and the dataset's arrays are allocated at their exact size.</li>
 *   <li>A parse writes each row's floats straight into those arrays, so the result is the same for
 *       any number of threads or chunk size. Plain ASCII rows are split in place and their numbers
 *       parsed from the bytes (an exact short-decimal path, else FastDoubleParser's
 *       {@code JavaFloatParser}, both bit-identical to {@link Float#parseFloat}); any other row,
 *       and any row the fast path rejects, goes through {@link Csv#parseRow}, the String-based
 *       reference, which gives every message.</li>
 * </ol>
 * Errors are reported in file order: the first chunk's error wins, whichever thread finds it
 * first. Memory: the dataset's floats plus one chunk buffer per thread; no per-row objects.
 * The chunking, the reads and the check that the file did not change are {@link ChunkedFile}'s,
 * shared with the LIBSVM loader.
 */
final class CsvLoader {
    private CsvLoader() {}

    /**
     * The bytes a chunk spans before it runs on to the next line end: large enough that a chunk's
     * fixed costs vanish, small enough that every thread's buffer stays small.
     */
    static final int CHUNK_BYTES = 8 << 20;

    private static final String WHAT = "data file", EXPECT = "a CSV or TSV file";

    /**
     * How a load runs.
     *
     * @param threads    worker threads (1: the calling thread only)
     * @param chunkBytes the nominal chunk size (tests use a few bytes, so small files have many chunks)
     * @param afterRead  run once the bytes are read, before the check that the file did not change (a seam for tests)
     * @param maxValues  the most values (features and targets) a dense dataset may hold: {@link Csv#MAX_VALUES}, less in
     *                   tests; for a LIBSVM file the most rows, and the most pairs one segment holds ({@link SparseRows})
     */
    record Settings(int threads, int chunkBytes, Runnable afterRead, long maxValues) {
        static final Settings DEFAULT = new Settings(Runtime.getRuntime().availableProcessors(), CHUNK_BYTES, () -> { }, Csv.MAX_VALUES);

        Settings {
            if (threads < 1 || chunkBytes < 1 || maxValues < 1 || maxValues > Csv.MAX_VALUES) {
                throw new IllegalArgumentException("threads, chunkBytes ≥ 1 and maxValues in 1.." + Csv.MAX_VALUES);
            }
        }
    }

    static Table load(Path file, Csv.Target target, Settings settings) {
        return ChunkedFile.open(file, WHAT, EXPECT, settings, source -> new Run(source).table(target));
    }

    /** Byte classes for the scan. */
    private static final byte ORDINARY = 0, SPACE = 1, LINE_END = 2, ZERO = 3, HIGH = 4;
    private static final byte[] CLASS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) CLASS[c] = c >= 0x80 ? HIGH : Character.isWhitespace(c) ? SPACE : ORDINARY;
        CLASS['\n'] = LINE_END;
        CLASS['\r'] = LINE_END;
        CLASS[0] = ZERO;
    }

    /** What the scan learns about one chunk. */
    private static final class Scan {
        int lines;                 // lines that start in the chunk
        int rows;                  // of them, not blank
        int firstRowLine = -1;     // the first non-blank line: its index in the chunk, and its byte offset
        long firstRowAt;
        long zeroAt = -1;          // the first zero byte, and the index of its line in the chunk
        int zeroLine;
        long badAt = -1;           // the first byte that is not UTF-8, and the index of its line
        int badLine;
    }

    /** One load: the file, its chunks, and what the passes found. */
    private static final class Run extends ChunkedFile {
        int bom;

        // set before the parse
        Csv.Layout layout;
        long firstNumber;
        long[] lineBase, rowBase;       // the line number before, and the row index at, each chunk's start
        long limitRow = Long.MAX_VALUE; // the row that would take the values over Settings.maxValues
        float[] x, t;                   // x: (n, d) row-major; t: (n) or null

        Run(Source source) {
            super(source, WHAT, EXPECT);
        }

        Table table(Csv.Target target) throws IOException {
            byte[] pre = new byte[(int) Math.min(6, size)];
            read(0, pre, pre.length);
            if (pre.length >= 6 && (pre[0] & 0xff) == 0x93 && pre[1] == 'N' && pre[2] == 'U' && pre[3] == 'M' && pre[4] == 'P' && pre[5] == 'Y') {
                throw fail(new DescentException(WHAT + " " + file + " is a NumPy .npy file, not text: give " + EXPECT
                        + " (numpy.savetxt writes one)"));
            }
            bom = pre.length >= 3 && (pre[0] & 0xff) == 0xef && (pre[1] & 0xff) == 0xbb && (pre[2] & 0xff) == 0xbf ? 3 : 0;
            split();

            Scan[] scans = new Scan[chunks];
            forEachChunk((k, b, len) -> scans[k] = scan(k, b, len), new AtomicInteger(Integer.MAX_VALUE));
            lineBase = new long[chunks + 1];
            for (int k = 0; k < chunks; k++) lineBase[k + 1] = lineBase[k] + scans[k].lines;
            for (int k = 0; k < chunks; k++) {
                Scan s = scans[k];
                if (s.zeroAt >= 0) {
                    throw fail(new DescentException(WHAT + " " + file + " looks binary (a zero byte at byte " + s.zeroAt + ", line "
                            + (lineBase[k] + s.zeroLine + 1) + "): give " + EXPECT));
                }
            }
            for (int k = 0; k < chunks; k++) {
                Scan s = scans[k];
                if (s.badAt >= 0) {
                    throw fail(new DescentException(WHAT + " " + file + " is not UTF-8 text (byte " + s.badAt + ", line "
                            + (lineBase[k] + s.badLine + 1) + "): save it as UTF-8, or give " + EXPECT));
                }
            }
            int fk = 0;
            while (fk < chunks && scans[fk].rows == 0) fk++;
            if (fk == chunks) throw fail(new DescentException("data file " + file + " is empty: it has no rows"));
            firstNumber = lineBase[fk] + scans[fk].firstRowLine + 1;
            try {
                layout = Csv.layout(file, firstLine(scans[fk].firstRowAt, bounds[fk + 1]), target);
            } catch (DescentException e) {
                throw fail(e);
            }
            rowBase = new long[chunks + 1];
            for (int k = 0; k < chunks; k++) rowBase[k + 1] = rowBase[k] + scans[k].rows - (layout.header() && k == fk ? 1 : 0);
            long n = rowBase[chunks];
            if (n == 0) throw fail(new DescentException("data file " + file + " has a header but no data rows"));
            int cols = layout.cols();
            if (n * cols > settings.maxValues()) {
                limitRow = settings.maxValues() / cols;               // parse up to it for an earlier error, allocate nothing
            } else {
                x = new float[(int) (n * layout.d())];
                t = layout.targetColumn() < 0 ? null : new float[(int) n];
            }

            parseChunks((k, b, len) -> rowBase[k] > limitRow ? null : parse(k, b, len));
            if (x == null) throw fail(Csv.tooManyValues(file, settings.maxValues()));
            finish();
            return Table.named(new Dataset(file.getFileName().toString(), x, t, (int) n, layout.d()),
                    layout.header() ? layout.head() : null, layout.targetColumn(), target.spec());
        }

        /** The text of the line that starts at {@code at}, read up to its line end (at most up to {@code limit}). */
        String firstLine(long at, long limit) throws IOException {
            byte[] b = new byte[(int) (limit - at)];
            read(at, b, b.length);
            int e = 0;
            while (e < b.length && b[e] != '\n' && b[e] != '\r') e++;
            return new String(b, 0, e, StandardCharsets.UTF_8);
        }

        /** The first pass over chunk {@code k}: lines, non-blank lines, the first zero byte and the first byte that is not UTF-8. */
        Scan scan(int k, byte[] b, int len) {
            Scan s = new Scan();
            long g = bounds[k];
            boolean high = false;
            int line = 0;
            for (int i = k == 0 ? bom : 0; i < len; ) {
                int start = i;
                boolean blank = true, lineHigh = false;
                for (; i + 8 <= len; i += 8) {                  // eight printable non-space ASCII bytes at a time
                    if (!ChunkedFile.within(b, i, 0x21)) break;
                    blank = false;
                }
                for (; i < len; i++) {
                    byte cls = CLASS[b[i] & 0xff];
                    if (cls == ORDINARY) {
                        blank = false;
                    } else if (cls == LINE_END) {
                        break;
                    } else if (cls == HIGH) {
                        lineHigh = true;
                    } else if (cls == ZERO && s.zeroAt < 0) {
                        s.zeroAt = g + i;
                        s.zeroLine = line;
                        blank = false;
                    }
                }
                if (lineHigh) {
                    high = true;
                    if (blank) blank = new String(b, start, i - start, StandardCharsets.UTF_8).isBlank();
                }
                if (!blank) {
                    if (s.firstRowLine < 0) {
                        s.firstRowLine = line;
                        s.firstRowAt = g + start;
                    }
                    s.rows++;
                }
                line++;
                if (i < len) i += b[i] == '\r' && i + 1 < len && b[i + 1] == '\n' ? 2 : 1;
            }
            s.lines = line;
            if (high) {
                int bad = Csv.firstNonUtf8(b, 0, len);
                if (bad >= 0) {
                    s.badAt = g + bad;
                    int ends = 0;
                    for (int i = 0; i < bad; i++) {
                        if (b[i] == '\n' || (b[i] == '\r' && (i + 1 >= len || b[i + 1] != '\n'))) ends++;
                    }
                    s.badLine = ends;
                }
            }
            return s;
        }

        /** The second pass over chunk {@code k}: its rows into {@link #x} and {@link #t}; the chunk's first error, or null. */
        DescentException parse(int k, byte[] b, int len) {
            long g = bounds[k], number = lineBase[k], row = rowBase[k];
            boolean header = layout.header();
            for (int i = k == 0 ? bom : 0; i < len; ) {
                int s = i;
                boolean simple = true;                               // printable ASCII and tabs only
                for (; i + 8 <= len && ChunkedFile.within(b, i, 0x20); i += 8) { /* eight printable bytes */ }
                for (; i < len; i++) {
                    int c = b[i];
                    if (c == '\n' || c == '\r') break;
                    if (c < 0x20 ? c != '\t' : c > 0x7e) simple = false;
                }
                int e = i;
                boolean terminated = i < len;
                if (terminated) i += b[i] == '\r' && i + 1 < len && b[i + 1] == '\n' ? 2 : 1;
                number++;
                if (header && number == firstNumber) continue;
                String text;
                if (simple) {
                    int fs = s, fe = e;
                    while (fs < fe && (b[fs] == ' ' || b[fs] == '\t')) fs++;
                    while (fe > fs && (b[fe - 1] == ' ' || b[fe - 1] == '\t')) fe--;
                    if (fs == fe) continue;                              // blank
                    if (row < limitRow && fastRow(b, fs, fe, (int) row)) {
                        row++;
                        continue;
                    }
                    text = new String(b, s, e - s, StandardCharsets.ISO_8859_1);
                } else {
                    text = new String(b, s, e - s, StandardCharsets.UTF_8);
                    if (text.isBlank()) continue;
                }
                try {                                                    // the reference gives the message (or the values)
                    Csv.parseRow(file, number, g + s, text, terminated, layout, firstNumber, x, t, (int) Math.min(row, Integer.MAX_VALUE),
                            row == limitRow);
                } catch (DescentException ex) {
                    return ex;
                }
                if (row == limitRow) return null;
                row++;
            }
            return null;
        }

        /**
         * A plain ASCII row {@code b[s, e)} (not blank, stripped) split and parsed in place into
         * {@link #x} and {@link #t} at {@code row}; false when the row needs the reference (a bad
         * field count or value, a non-finite number), which then gives the message.
         */
        private boolean fastRow(byte[] b, int s, int e, int row) {
            int cols = layout.cols(), tcol = layout.targetColumn(), delim = layout.delimByte();
            float[] x = this.x, t = this.t;
            int xi = x == null ? 0 : row * layout.d();
            int c = 0;
            for (int p = s; ; ) {
                // the common field, a short decimal, parsed as it is scanned: Clinger's exact path (see parseFloat)
                int i = p;
                while (i < e && b[i] != delim && (b[i] == ' ' || b[i] == '\t')) i++;      // padding, not a tab delimiter
                boolean negative = false;
                if (i < e && (b[i] == '-' || b[i] == '+')) negative = b[i++] == '-';
                int m = 0, digits = 0, fraction = 0;
                boolean dot = false;
                for (; i < e; i++) {
                    int ch = b[i];
                    if (ch >= '0' && ch <= '9') {
                        if (digits == 9) break;                              // m stays an int; longer: the general path
                        m = 10 * m + (ch - '0');
                        digits++;
                        if (dot) fraction++;
                    } else if (ch == '.' && !dot) {
                        dot = true;
                    } else {
                        break;
                    }
                }
                int q = -1;
                float v = 0;
                if (digits > 0 && m <= EXACT_MANTISSA && fraction <= 10) {
                    int end = i;
                    if (delim < 0) {
                        if (i == e || b[i] == ' ' || b[i] == '\t') q = i;
                    } else {
                        while (end < e && b[end] != delim && (b[end] == ' ' || b[end] == '\t')) end++;
                        if (end == e || b[end] == delim) q = end;
                    }
                    if (q >= 0) {
                        v = (float) m / POW10[fraction];
                        if (negative) v = -v;
                    }
                }
                if (q < 0) {                                                 // any other field: split, strip, unquote, parse
                    q = p;
                    if (delim < 0) {
                        while (q < e && b[q] != ' ' && b[q] != '\t') q++;
                    } else {
                        while (q < e && b[q] != delim) q++;
                    }
                    int fs = p, fe = q;
                    while (fs < fe && (b[fs] == ' ' || b[fs] == '\t')) fs++;
                    while (fe > fs && (b[fe - 1] == ' ' || b[fe - 1] == '\t')) fe--;
                    if (fs < fe && b[fs] == '"') fs++;                       // one pair of quotes, or a lone one at either end
                    if (fe > fs && b[fe - 1] == '"') fe--;
                    while (fs < fe && (b[fs] == ' ' || b[fs] == '\t')) fs++;   // Float.parseFloat trims what the quotes held
                    while (fe > fs && (b[fe - 1] == ' ' || b[fe - 1] == '\t')) fe--;
                    try {
                        v = parseFloat(b, fs, fe);
                    } catch (NumberFormatException ex) {
                        return false;
                    }
                    if (!Float.isFinite(v)) return false;
                }
                if (c == cols) return false;
                if (x != null) {
                    if (c == tcol) t[row] = v;
                    else x[xi++] = v;
                }
                c++;
                if (q >= e) break;
                p = q + 1;
                if (delim < 0) while (p < e && (b[p] == ' ' || b[p] == '\t')) p++;
            }
            return c == cols;
        }
    }

    /** Powers of ten that float32 holds exactly (5^10 < 2^24). */
    private static final float[] POW10 = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
    /** The largest mantissa float32 holds exactly. */
    private static final long EXACT_MANTISSA = 1L << 24;

    /**
     * {@code Float.parseFloat} of the ASCII text {@code b[s, e)}, bit for bit, without a String.
     * A short decimal (mantissa ≤ 2^24, decimal exponent within ±10) is one correctly rounded float
     * multiply or divide of two exact floats (Clinger's fast path); anything else goes to
     * FastDoubleParser, which accepts Java's whole float grammar (hex, suffixes, Infinity, NaN).
     *
     * @throws NumberFormatException where {@code Float.parseFloat} throws
     */
    static float parseFloat(byte[] b, int s, int e) {
        int i = s;
        boolean negative = false;
        if (i < e && (b[i] == '-' || b[i] == '+')) negative = b[i++] == '-';
        long m = 0;
        int digits = 0, fraction = 0;
        boolean dot = false;
        for (; i < e; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                m = 10 * m + (c - '0');
                digits++;
                if (dot) fraction++;
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        if (digits == 0 || digits > 18) return JavaFloatParser.parseFloat(b, s, e - s);
        int exp = 0;
        if (i < e && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean expNegative = false;
            if (i < e && (b[i] == '-' || b[i] == '+')) expNegative = b[i++] == '-';
            int expDigits = 0;
            for (; i < e && b[i] >= '0' && b[i] <= '9' && expDigits < 4; i++, expDigits++) exp = 10 * exp + (b[i] - '0');
            if (expDigits == 0 || expDigits == 4) return JavaFloatParser.parseFloat(b, s, e - s);
            if (expNegative) exp = -exp;
        }
        if (i != e) return JavaFloatParser.parseFloat(b, s, e - s);
        int p = exp - fraction;
        if (m <= EXACT_MANTISSA && p >= -10 && p <= 10) {
            float v = p >= 0 ? (float) m * POW10[p] : (float) m / POW10[-p];
            return negative ? -v : v;
        }
        return JavaFloatParser.parseFloat(b, s, e - s);
    }
}
