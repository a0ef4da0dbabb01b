package dev.descent.data;

import dev.descent.DescentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The LIBSVM loader behind {@link Libsvm#read}, built as {@link CsvLoader} is: the file cut into
 * chunks at line ends ({@link ChunkedFile}), then two passes over the chunks on all cores.
 * <ol>
 *   <li>A scan counts each chunk's lines, rows (lines with a field before any {@code #}) and
 *       {@code index:value} pairs (colons outside comments, less {@code qid:} fields), and finds
 *       its first zero byte. From the counts every chunk knows its first line number, its first
 *       row and its first pair, and the CSR arrays are allocated at their exact size.</li>
 *   <li>A parse writes each row's label and pairs straight into those arrays, parsing numbers
 *       from the bytes with {@link CsvLoader#parseFloat} (bit-identical to
 *       {@link Float#parseFloat}), sorts a row's pairs when they came unsorted, and checks it
 *       for repeated indices. Each chunk keeps its largest index; d is their maximum.</li>
 * </ol>
 * Only well-formed pairs are written and each was counted, so no chunk writes past its share;
 * a line that is not well formed is the chunk's error. Errors are reported in file order (the
 * first chunk's error wins), so the result and the message do not depend on the number of threads.
 * Memory: the CSR arrays, one chunk buffer per thread; no per-row objects.
 */
final class LibsvmLoader {
    private LibsvmLoader() {}

    private static final String WHAT = "data file", EXPECT = "a LIBSVM file (label index:value …)";
    /** The largest index: d columns must fit one int, and a dense row one array. */
    static final int MAX_INDEX = Integer.MAX_VALUE - 8;
    /** Rows out of order longer than this are sorted as packed longs; shorter ones by insertion. */
    private static final int INSERTION_SORT_MAX = 24;

    /**
     * @param width     the fixed width, or 0 for the largest index
     * @param widthFrom the end of the message for an index beyond the width: where the width comes from, and what to do
     */
    static SparseRows load(Path file, int width, String widthFrom, CsvLoader.Settings settings) {
        return ChunkedFile.open(file, WHAT, EXPECT, settings, source -> new Run(source, width, widthFrom).rows());
    }

    /** What the scan learns about one chunk. */
    private static final class Scan {
        int lines;                 // lines that start in the chunk
        int rows;                  // of them, with a field before any comment
        long pairs;                // colons outside comments, less qid: fields
        long zeroAt = -1;          // the first zero byte, and the index of its line in the chunk
        int zeroLine;
    }

    /** One load: the file, its chunks, and what the passes found. */
    private static final class Run extends ChunkedFile {
        final int width;
        final String widthFrom;
        int bom;
        long[] lineBase, rowBase, pairBase;   // the line number before, the row and the pair at, each chunk's start
        long[] offsets;                       // (n+1) row starts
        int[] chunkSegment;                   // (chunks) the segment each chunk's pairs go to
        long[] segmentBase;                   // (segments) the pair each segment starts at
        int[][] cols;                         // (segments) 0-based columns
        float[][] vals;                       // (segments) values
        float[] t;                            // (n) labels
        int[] maxIndex;                       // (chunks) each chunk's largest index

        Run(Source source, int width, String widthFrom) {
            super(source, WHAT, EXPECT);
            this.width = width;
            this.widthFrom = widthFrom;
        }

        SparseRows rows() throws IOException {
            byte[] pre = new byte[(int) Math.min(3, size)];
            read(0, pre, pre.length);
            bom = pre.length == 3 && (pre[0] & 0xff) == 0xef && (pre[1] & 0xff) == 0xbb && (pre[2] & 0xff) == 0xbf ? 3 : 0;
            split();

            Scan[] scans = new Scan[chunks];
            forEachChunk((k, b, len) -> scans[k] = scan(k, b, len), new AtomicInteger(Integer.MAX_VALUE));
            lineBase = new long[chunks + 1];
            rowBase = new long[chunks + 1];
            pairBase = new long[chunks + 1];
            for (int k = 0; k < chunks; k++) {
                lineBase[k + 1] = lineBase[k] + scans[k].lines;
                rowBase[k + 1] = rowBase[k] + scans[k].rows;
                pairBase[k + 1] = pairBase[k] + scans[k].pairs;
            }
            for (int k = 0; k < chunks; k++) {
                Scan s = scans[k];
                if (s.zeroAt >= 0) {
                    throw fail(new DescentException(WHAT + " " + file + " looks binary (a zero byte at byte " + s.zeroAt + ", line "
                            + (lineBase[k] + s.zeroLine + 1) + "): give " + EXPECT));
                }
            }
            long n = rowBase[chunks], pairs = pairBase[chunks];
            if (n == 0) throw fail(new DescentException(WHAT + " " + file + " is empty: it has no rows"));
            if (n > settings.maxValues()) {
                throw fail(new DescentException(WHAT + " " + file + " holds " + n + " rows, over the " + settings.maxValues()
                        + " that one array holds: take a sample of its rows"));
            }
            // The pairs in segments of whole chunks (so of whole rows), each at most one array (SparseRows): a chunk
            // is at most MAX_CHUNK_BYTES and a pair takes at least 3 of them, so one chunk always fits.
            chunkSegment = new int[chunks];
            int segs = 0;
            long[] bases = new long[chunks + 1];
            for (int k = 0; k < chunks; k++) {
                long segPairs = pairBase[k + 1] - bases[segs];
                if (scans[k].pairs > settings.maxValues()) {
                    throw new IllegalStateException("chunk " + k + " holds " + scans[k].pairs + " pairs, over one segment's " + settings.maxValues());
                }
                if (k > 0 && segPairs > settings.maxValues()) bases[++segs] = pairBase[k];
                chunkSegment[k] = segs;
            }
            segs++;
            segmentBase = Arrays.copyOf(bases, segs);
            offsets = new long[(int) n + 1];
            cols = new int[segs][];
            vals = new float[segs][];
            for (int g = 0; g < segs; g++) {
                long end = g + 1 < segs ? segmentBase[g + 1] : pairs;
                cols[g] = new int[(int) (end - segmentBase[g])];
                vals[g] = new float[(int) (end - segmentBase[g])];
            }
            t = new float[(int) n];
            maxIndex = new int[chunks];

            parseChunks(this::parse);
            finish();
            int d = width;
            if (d == 0) {
                for (int m : maxIndex) d = Math.max(d, m);
                if (d == 0) {
                    throw new DescentException(WHAT + " " + file + " has labels but no index:value pairs: give its rows features, "
                            + "or set the width with --features");
                }
            }
            int[] segmentRows = new int[segs + 1];
            for (int k = 0; k < chunks; k++) if (k == 0 || chunkSegment[k] != chunkSegment[k - 1]) segmentRows[chunkSegment[k]] = (int) rowBase[k];
            segmentRows[segs] = (int) n;
            return new SparseRows(file.getFileName().toString(), offsets, cols, vals, segmentRows, t, (int) n, d);
        }

        /** The first pass over chunk {@code k}: lines, rows, pairs and the first zero byte. */
        Scan scan(int k, byte[] b, int len) {
            Scan s = new Scan();
            long g = bounds[k];
            int line = 0;
            long pairs = 0;
            for (int i = k == 0 ? bom : 0; i < len; ) {
                boolean row = false, comment = false;
                int token = -1;                                      // the start of the field the scan is in, or −1
                for (; i < len; i++) {
                    int c = b[i];
                    if (c == '\n' || c == '\r') break;
                    if (comment) {
                        if (c == 0 && s.zeroAt < 0) {
                            s.zeroAt = g + i;
                            s.zeroLine = line;
                        }
                        continue;
                    }
                    if (c == ' ' || c == '\t') {
                        token = -1;
                    } else if (c == '#') {
                        comment = true;
                    } else {
                        row = true;
                        if (token < 0) token = i;
                        if (c == ':') {
                            if (!(i - token == 3 && b[token] == 'q' && b[token + 1] == 'i' && b[token + 2] == 'd')) pairs++;
                        } else if (c == 0 && s.zeroAt < 0) {
                            s.zeroAt = g + i;
                            s.zeroLine = line;
                        }
                    }
                }
                if (row) s.rows++;
                line++;
                if (i < len) i += b[i] == '\r' && i + 1 < len && b[i + 1] == '\n' ? 2 : 1;
            }
            s.lines = line;
            s.pairs = pairs;
            return s;
        }

        /** The second pass over chunk {@code k}: its rows into the CSR arrays; the chunk's first error, or null. */
        DescentException parse(int k, byte[] b, int len) {
            long g = bounds[k], number = lineBase[k];
            int row = (int) rowBase[k];
            int seg = chunkSegment[k];
            long base = segmentBase[seg];                            // this chunk's pairs at local positions p − base of its segment
            int[] cols = this.cols[seg];
            float[] vals = this.vals[seg];
            int p = (int) (pairBase[k] - base), pairEnd = (int) (pairBase[k + 1] - base);
            int top = 0;
            long[] scratch = null;
            for (int i = k == 0 ? bom : 0; i < len; ) {
                int s = i;
                while (i < len && b[i] != '\n' && b[i] != '\r') i++;
                int lineEnd = i;
                if (i < len) i += b[i] == '\r' && i + 1 < len && b[i + 1] == '\n' ? 2 : 1;
                number++;
                int e = s;
                while (e < lineEnd && b[e] != '#') e++;                  // the comment, if any, is not data
                int f = skipBlanks(b, s, e);
                if (f == e) continue;                                    // blank or comment only

                // the label
                int q = fieldEnd(b, f, e);
                float label;
                try {
                    label = CsvLoader.parseFloat(b, f, q);
                } catch (NumberFormatException ex) {
                    if (!spelledNonFinite(b, f, q)) {
                        return error(number, g + s, f - s, "label " + quote(b, f, q) + " is not a number: start every row with its label");
                    }
                    label = Float.NaN;
                }
                if (!Float.isFinite(label)) return nonFinite(number, g + s, f - s, "label", b, f, q, q, "the labels");
                t[row] = label;

                // the pairs
                int first = p;
                boolean sorted = true;
                int prev = -1;                                           // the largest column so far
                int field = 0;                                           // fields after the label
                for (f = skipBlanks(b, q, e); f < e; f = skipBlanks(b, q, e), field++) {
                    q = fieldEnd(b, f, e);
                    int colon = f;
                    while (colon < q && b[colon] != ':') colon++;
                    if (colon == q) {
                        return error(number, g + s, f - s, quote(b, f, q) + " is not index:value: write each feature as index:value "
                                + "after the label");
                    }
                    if (colon - f == 3 && b[f] == 'q' && b[f + 1] == 'i' && b[f + 2] == 'd') {
                        if (field != 0) {
                            return error(number, g + s, f - s, quote(b, f, q) + ": a query id goes right after the label: move it there "
                                    + "or remove it");
                        }
                        if (!digits(b, colon + 1, q)) {
                            return error(number, g + s, f - s, quote(b, f, q) + ": a query id is a non-negative integer (qid:N)");
                        }
                        continue;
                    }
                    long idx = index(b, f, colon);
                    if (idx < 1) {
                        String why = idx == 0 ? "index 0 in " + quote(b, f, q) + ": LIBSVM indices start at 1 (for a 0-based file, add 1 "
                                + "to every index)"
                                : idx == -1 ? "index " + quote(b, f, colon) + " in " + quote(b, f, q) + " is not a positive integer: LIBSVM "
                                + "indices are 1, 2, 3, …"
                                : "index " + text(b, f, colon) + " in " + quote(b, f, q)
                                + ": LIBSVM indices start at 1";
                        return error(number, g + s, f - s, why);
                    }
                    if (width > 0 && idx > width) {
                        return error(number, g + s, f - s, "index " + text(b, f, colon) + " in " + quote(b, f, q) + " is beyond " + widthFrom);
                    }
                    if (idx > MAX_INDEX) {
                        return error(number, g + s, f - s, "index " + text(b, f, colon) + " in " + quote(b, f, q) + " is over " + MAX_INDEX
                                + ", the most columns descent indexes: renumber the features (hash them)");
                    }
                    if (colon + 1 == q) {
                        return error(number, g + s, f - s, quote(b, f, q) + " has no value after the colon: write index:value");
                    }
                    float v;
                    try {
                        v = CsvLoader.parseFloat(b, colon + 1, q);
                    } catch (NumberFormatException ex) {
                        if (!spelledNonFinite(b, colon + 1, q)) {
                            return error(number, g + s, colon + 1 - s, "value " + quote(b, colon + 1, q) + " in " + quote(b, f, q)
                                    + " is not a number: fix or remove that pair");
                        }
                        v = Float.NaN;
                    }
                    if (!Float.isFinite(v)) return nonFinite(number, g + s, colon + 1 - s, "value", b, colon + 1, q, f, "that feature");
                    int c = (int) idx - 1;
                    if (c <= prev) {
                        if (c == prev) return duplicate(number, g + s, b, s, e, c);
                        sorted = false;
                    }
                    if (p == pairEnd) throw new IllegalStateException("chunk " + k + " has more pairs than its scan counted");
                    cols[p] = c;
                    vals[p] = v;
                    p++;
                    prev = Math.max(prev, c);
                    top = Math.max(top, c + 1);
                }
                if (!sorted) {
                    if (p - first > INSERTION_SORT_MAX && (scratch == null || scratch.length < p - first)) {
                        scratch = new long[Math.max(p - first, scratch == null ? 0 : 2 * scratch.length)];
                    }
                    int dup = sortRow(cols, vals, first, p, scratch);
                    if (dup >= 0) return duplicate(number, g + s, b, s, e, dup);
                }
                offsets[row + 1] = base + p;
                row++;
            }
            if (p != pairEnd) throw new IllegalStateException("chunk " + k + " has fewer pairs than its scan counted");
            maxIndex[k] = top;
            return null;
        }

        /** The message for column {@code c} (0-based) given twice in the line {@code b[s, e)}, naming both places. */
        private DescentException duplicate(long number, long lineAt, byte[] b, int s, int e, int c) {
            int firstAt = -1, secondAt = -1;
            int f = skipBlanks(b, fieldEnd(b, skipBlanks(b, s, e), e), e);
            for (; f < e; f = skipBlanks(b, fieldEnd(b, f, e), e)) {
                int q = fieldEnd(b, f, e), colon = f;
                while (colon < q && b[colon] != ':') colon++;
                if (index(b, f, colon) == c + 1L) {
                    if (firstAt < 0) {
                        firstAt = f;
                    } else {
                        secondAt = f;
                        break;
                    }
                }
            }
            return error(number, lineAt, secondAt - s, "index " + (c + 1) + " appears twice in this row (columns " + (firstAt - s + 1)
                    + " and " + (secondAt - s + 1) + "): keep one index:value pair per index");
        }

        /**
         * Sorts the pairs [from, to) by column (cols and vals Modified); the column given twice, or −1.
         * Short rows by insertion; longer ones packed as (column, value bits) longs into {@code scratch}.
         */
        private static int sortRow(int[] cols, float[] vals, int from, int to, long[] scratch) {
            if (to - from <= INSERTION_SORT_MAX) {
                for (int i = from + 1; i < to; i++) {
                    int c = cols[i];
                    float v = vals[i];
                    int j = i - 1;
                    while (j >= from && cols[j] > c) {
                        cols[j + 1] = cols[j];
                        vals[j + 1] = vals[j];
                        j--;
                    }
                    cols[j + 1] = c;
                    vals[j + 1] = v;
                }
            } else {
                int m = to - from;
                for (int i = 0; i < m; i++) scratch[i] = (long) cols[from + i] << 32 | (Float.floatToRawIntBits(vals[from + i]) & 0xffffffffL);
                Arrays.sort(scratch, 0, m);
                for (int i = 0; i < m; i++) {
                    cols[from + i] = (int) (scratch[i] >>> 32);
                    vals[from + i] = Float.intBitsToFloat((int) scratch[i]);
                }
            }
            for (int i = from + 1; i < to; i++) if (cols[i] == cols[i - 1]) return cols[i];
            return -1;
        }

        /** A finite-value error: beyond float32's range when the text is a finite number, else NaN/Infinity. */
        private DescentException nonFinite(long number, long lineAt, int column, String what, byte[] b, int vs, int ve, int fieldStart,
                                           String fix) {
            String text = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
            String in = what.equals("value") ? " in " + quote(b, fieldStart, ve) : "";
            boolean finiteText;
            try {
                finiteText = Double.isFinite(Double.parseDouble(text));
            } catch (NumberFormatException ex) {
                finiteText = false;
            }
            if (finiteText) {
                return error(number, lineAt, column, what + " " + quote(b, vs, ve) + in + " is beyond float32's range (±3.4e38): rescale "
                        + fix);
            }
            return error(number, lineAt, column, what + in + " is " + Csv.bare(text) + ": remove or impute non-finite values");
        }

        /** {@code FILE line N (byte B), column C: why} (C 1-based, in bytes from the line's start). */
        private DescentException error(long number, long lineAt, int column, String why) {
            return new DescentException(file + " " + Csv.where(number, lineAt) + ", column " + (column + 1) + ": " + why);
        }
    }

    private static int skipBlanks(byte[] b, int i, int e) {
        while (i < e && (b[i] == ' ' || b[i] == '\t')) i++;
        return i;
    }

    private static int fieldEnd(byte[] b, int i, int e) {
        while (i < e && b[i] != ' ' && b[i] != '\t') i++;
        return i;
    }

    /** Whether {@code b[s, e)} is one or more ASCII digits. */
    private static boolean digits(byte[] b, int s, int e) {
        if (s == e) return false;
        for (int i = s; i < e; i++) if (b[i] < '0' || b[i] > '9') return false;
        return true;
    }

    /**
     * The index {@code b[s, e)}: its value (capped at 2^40 for long digit runs); −1 when it is not digits; −2 for a minus sign and digits (a negative index).
     */
    private static long index(byte[] b, int s, int e) {
        if (e - s >= 2 && b[s] == '-' && digits(b, s + 1, e)) return -2;
        if (!digits(b, s, e)) return -1;
        long v = 0;
        for (int i = s; i < e; i++) v = Math.min(10 * v + (b[i] - '0'), 1L << 40);
        return v;
    }

    /** ASCII text, for a message. */
    private static String text(byte[] b, int s, int e) {
        return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    }

    /** Whether {@code b[s, e)} is NaN or infinity in a spelling Java does not parse (nan, inf, +inf, -infinity, …), as C's strtod reads them. */
    private static boolean spelledNonFinite(byte[] b, int s, int e) {
        if (s < e && (b[s] == '+' || b[s] == '-')) s++;
        String t = text(b, s, e).toLowerCase(java.util.Locale.ROOT);
        return t.equals("nan") || t.equals("inf") || t.equals("infinity");
    }

    /** A field quoted for a message (see {@link Csv#quote}). */
    private static String quote(byte[] b, int s, int e) {
        return Csv.quote(new String(b, s, e - s, StandardCharsets.UTF_8));
    }
}
