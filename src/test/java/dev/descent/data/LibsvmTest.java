package dev.descent.data;

import dev.descent.DescentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LIBSVM reader and writer: the format's corners, one line per bad file (with line and
 * column), writer → reader bit for bit, and the same result for any number of threads and any
 * chunk size. Random inputs print their seed (rerun one with {@code -Dlibsvm.seed=N}).
 */
class LibsvmTest {
    private static final long SEED = Long.getLong("libsvm.seed", System.nanoTime());

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("data.svm");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private static SparseRows load(Path f, int width, int threads, int chunkBytes) {
        return LibsvmLoader.load(f, width, Libsvm.featuresWidth(width), new CsvLoader.Settings(threads, chunkBytes, () -> { }, Csv.MAX_VALUES));
    }

    /** The rows as text, for comparing whole results: {@code label | col:val …} per row, columns 0-based. */
    private static String dump(SparseRows r) {
        StringBuilder sb = new StringBuilder("n=" + r.n() + " d=" + r.d() + "\n");
        int[] cols = r.allCols();
        float[] vals = r.allVals();
        for (int i = 0; i < r.n(); i++) {
            sb.append(r.targets() == null ? "-" : Integer.toHexString(Float.floatToRawIntBits(r.targets()[i]))).append(" |");
            for (long p = r.rowOffsets()[i]; p < r.rowOffsets()[i + 1]; p++) {
                sb.append(' ').append(cols[(int) p]).append(':').append(Integer.toHexString(Float.floatToRawIntBits(vals[(int) p])));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Test
    void readsQidCommentsBlankLinesUnsortedIndicesCrlfTabsAndALastLineWithoutLineEnd() throws IOException {
        Path f = file("\uFEFF# a header comment\n"
                + "+1 qid:3 3:1.5 1:2 # a comment 9:9\r\n"
                + "\n"
                + "   \t \n"
                + "# only a comment\n"
                + "-1\t2:0.25\t5:-3e-2  \t\n"
                + "0\r"
                + "2.5 7:0 4:7 6:1 1:1e-3 2:-1 3:0.5 5:1.5e2 # unsorted, a zero kept\n"
                + "  -0.5 4:1.0E-5 ");
        SparseRows r = Libsvm.read(f);
        assertEquals(5, r.n());
        assertEquals(7, r.d());
        assertArrayEquals(new float[] {1, -1, 0, 2.5f, -0.5f}, r.targets());
        assertArrayEquals(new long[] {0, 2, 4, 4, 11, 12}, r.rowOffsets());
        assertArrayEquals(new int[] {0, 2, 1, 4, 0, 1, 2, 3, 4, 5, 6, 3}, r.allCols());
        assertArrayEquals(new float[] {2, 1.5f, 0.25f, -3e-2f, 1e-3f, -1, 0.5f, 7, 1.5e2f, 1, 0, 1.0E-5f}, r.allVals());
        Dataset ds = r.toDense();
        assertEquals(5 * 7, ds.features().length);
        assertEquals(7f, ds.x(3, 3));
        assertEquals(0f, ds.x(2, 0));
        assertEquals("data.svm", ds.name());
    }

    @Test
    void aLongUnsortedRowIsSortedWithItsValues() throws IOException {
        Random r = new Random(SEED);
        int m = 500;
        int[] perm = new int[m];
        for (int i = 0; i < m; i++) perm[i] = i;
        for (int i = m - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        StringBuilder sb = new StringBuilder("1");
        for (int c : perm) sb.append(' ').append(c + 1).append(':').append(-(float) c - 0.5f);
        SparseRows rows = Libsvm.read(file(sb.append('\n').toString()));
        int[] cols = rows.allCols();
        float[] vals = rows.allVals();
        for (int i = 0; i < m; i++) {
            assertEquals(i, cols[i], "seed " + SEED);
            assertEquals(-(float) i - 0.5f, vals[i], "seed " + SEED);
        }
    }

    @Test
    void aFixedWidthWidensTheDataAndAnIndexBeyondItIsNamed() throws IOException {
        Path f = file("1 2:1\n0 3:1\n");
        assertEquals(10, Libsvm.read(f, 10, null).d());
        assertEquals(10, Libsvm.read(f, 10, null).toDense().d());
        DescentException e = assertThrows(DescentException.class, () -> Libsvm.read(f, 2, null));
        assertEquals(f + " line 2 (byte 6), column 3: index 3 in '3:1' is beyond --features 2: give a larger --features, or leave it "
                + "out to take the largest index", e.getMessage());
    }

    /** Each bad file: its one-line message, with the line, the byte offset of the line and the column of the bad field. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            index 0                 | 1 1:2\\n-1 0:1.5\\n           | line 2 (byte 6), column 4: index 0 in '0:1.5': LIBSVM indices start at 1 (for a 0-based file, add 1 to every index)
            negative index          | 1 -3:1\\n                   | line 1 (byte 0), column 3: index -3 in '-3:1': LIBSVM indices start at 1
            index not a number      | 1 a:1\\n                    | line 1 (byte 0), column 3: index 'a' in 'a:1' is not a positive integer: LIBSVM indices are 1, 2, 3, …
            index too large         | 1 99999999999:1\\n          | line 1 (byte 0), column 3: index 99999999999 in '99999999999:1' is over 2147483639, the most columns descent indexes: renumber the features (hash them)
            duplicate, in order     | 1 2:1 2:3\\n                | line 1 (byte 0), column 7: index 2 appears twice in this row (columns 3 and 7): keep one index:value pair per index
            duplicate, unsorted     | 1 5:1 2:1 5:3\\n            | line 1 (byte 0), column 11: index 5 appears twice in this row (columns 3 and 11): keep one index:value pair per index
            value not a number      | 1 2:x\\n                    | line 1 (byte 0), column 5: value 'x' in '2:x' is not a number: fix or remove that pair
            value missing           | 1 2:\\n                     | line 1 (byte 0), column 3: '2:' has no value after the colon: write index:value
            value NaN               | 1 2:nan\\n                  | line 1 (byte 0), column 5: value in '2:nan' is nan: remove or impute non-finite values
            value Infinity          | 1 2:1 3:-Infinity\\n        | line 1 (byte 0), column 9: value in '3:-Infinity' is -Infinity: remove or impute non-finite values
            value beyond float32    | 1 2:1e39\\n                 | line 1 (byte 0), column 5: value '1e39' in '2:1e39' is beyond float32's range (±3.4e38): rescale that feature
            field without colon     | 1 2:1 7\\n                  | line 1 (byte 0), column 7: '7' is not index:value: write each feature as index:value after the label
            label not a number      | \\n\\nyes 1:1\\n            | line 3 (byte 2), column 1: label 'yes' is not a number: start every row with its label
            label NaN               | NaN 1:1\\n                  | line 1 (byte 0), column 1: label is NaN: remove or impute non-finite values
            label beyond float32    | 1e40 1:1\\n                 | line 1 (byte 0), column 1: label '1e40' is beyond float32's range (±3.4e38): rescale the labels
            label missing           | 1:2 3:4\\n                  | line 1 (byte 0), column 1: label '1:2' is not a number: start every row with its label
            qid not after label     | 1 2:1 qid:4\\n              | line 1 (byte 0), column 7: 'qid:4': a query id goes right after the label: move it there or remove it
            qid not an integer      | 1 qid:x 2:1\\n              | line 1 (byte 0), column 3: 'qid:x': a query id is a non-negative integer (qid:N)
            CRLF, second line       | 1 1:1\\r\\n1 1:1 1:2\\r\\n  | line 2 (byte 7), column 7: index 1 appears twice in this row (columns 3 and 7): keep one index:value pair per index
            """)
    void everyBadFileIsOneLineWithLineAndColumn(String name, String text, String expected) throws IOException {
        Path f = file(text.replace("\\n", "\n").replace("\\r", "\r"));
        for (int threads : new int[] {1, 3}) {
            for (int chunk : new int[] {1, 5, CsvLoader.CHUNK_BYTES}) {
                DescentException e = assertThrows(DescentException.class, () -> load(f, 0, threads, chunk), name);
                assertEquals(f + " " + expected, e.getMessage(), name + " (threads " + threads + ", chunk " + chunk + ")");
                assertFalse(e.getMessage().contains("\n"), name);
            }
        }
    }

    @Test
    void fileLevelErrorsAreOneLineEach() throws IOException {
        Path empty = file("# nothing\n\n");
        assertEquals("data file " + empty + " is empty: it has no rows",
                assertThrows(DescentException.class, () -> Libsvm.read(empty)).getMessage());
        Path labelsOnly = file("1\n0\n");
        assertEquals("data file " + labelsOnly + " has labels but no index:value pairs: give its rows features, or set the width with --features",
                assertThrows(DescentException.class, () -> Libsvm.read(labelsOnly)).getMessage());
        assertEquals(3, Libsvm.read(labelsOnly, 3, null).d());
        Path binary = dir.resolve("bin.svm");
        Files.write(binary, new byte[] {'1', ' ', '1', ':', '2', '\n', '0', 0, '\n'});
        assertEquals("data file " + binary + " looks binary (a zero byte at byte 7, line 2): give a LIBSVM file (label index:value …)",
                assertThrows(DescentException.class, () -> Libsvm.read(binary)).getMessage());
        assertEquals("data file " + dir + " is a folder: give a LIBSVM file (label index:value …)",
                assertThrows(DescentException.class, () -> Libsvm.read(dir)).getMessage());
        Path missing = dir.resolve("no.svm");
        assertEquals("data file " + missing + " does not exist: check the path",
                assertThrows(DescentException.class, () -> Libsvm.read(missing)).getMessage());
        Path big = file("1 1:1 2:2\n0 3:3\n1 2:1\n");
        DescentException e = assertThrows(DescentException.class,
                () -> LibsvmLoader.load(big, 0, "", new CsvLoader.Settings(1, CsvLoader.CHUNK_BYTES, () -> { }, 2)));
        assertEquals("data file " + big + " holds 3 rows, over the 2 that one array holds: take a sample of its rows", e.getMessage());
    }

    /**
     * More pairs than one array holds (here a tiny limit stands for 2³¹−8) load into several row-aligned
     * segments, the same rows as one: a row's pairs never straddle two, and the dataset, the writer and the
     * dense copy read them back unchanged.
     */
    @Test
    void morePairsThanOneArrayHoldsLoadIntoSegments() throws IOException {
        Random rnd = new Random(SEED);
        StringBuilder sb = new StringBuilder();
        int rows = 120;
        for (int i = 0; i < rows; i++) {
            sb.append(rnd.nextBoolean() ? "1" : "-1");
            for (int c = 1; c <= 40; c++) if (rnd.nextInt(4) == 0) sb.append(' ').append(c).append(':').append(rnd.nextInt(9) - 4);
            sb.append('\n');
        }
        Path f = file(sb.toString());
        SparseRows whole = load(f, 0, 1, CsvLoader.CHUNK_BYTES);
        long limit = 150 + rnd.nextInt(200);
        SparseRows cut = LibsvmLoader.load(f, 0, "", new CsvLoader.Settings(2, 97, () -> { }, limit));
        assertEquals(1, whole.segments());
        assertTrue(cut.segments() > 1, "seed " + SEED + ": " + cut.segments() + " segments");
        for (int g = 0; g < cut.segments(); g++) {
            assertTrue(cut.colSegments()[g].length <= limit, "seed " + SEED + ": segment " + g + " holds " + cut.colSegments()[g].length);
            assertEquals(cut.segmentStart(g) + cut.colSegments()[g].length, g + 1 < cut.segments() ? cut.segmentStart(g + 1) : cut.nnz());
        }
        assertEquals(dump(whole), dump(cut), "seed " + SEED);
        for (int i = 0; i < rows; i++) {
            int g = cut.segmentOf(i);
            assertTrue(cut.segmentRows()[g] <= i && i < cut.segmentRows()[g + 1], "row " + i);
            for (int c = 0; c < 40; c++) assertEquals(whole.value(i, c), cut.value(i, c));
        }
        assertEquals(dump(whole), dump(whole.resegment(limit)));
        assertEquals(dump(whole), dump(cut.resegment(Long.MAX_VALUE)));
        assertEquals(1, cut.resegment(Long.MAX_VALUE).segments());
        assertArrayEquals(whole.toDense().features(), cut.toDense().features());
        assertEquals(dump(whole.slice(37, 70)), dump(cut.slice(37, 70)));
        Dataset a = Dataset.sparse(whole), b = Dataset.sparse(cut);
        assertEquals(dev.descent.train.Checkpoint.dataChecksum(a), dev.descent.train.Checkpoint.dataChecksum(b));
        Path out = dir.resolve("out.svm");
        Libsvm.write(out, cut);
        assertEquals(dump(whole), dump(load(out, 0, 1, CsvLoader.CHUNK_BYTES)));
    }

    @Test
    void densifyingDataTooWideForOneArraySaysTheyAreSparseAndWide() {
        int d = 1 << 30;
        SparseRows wide = new SparseRows("wide.svm", new long[] {0, 1, 2, 3}, new int[] {0, d - 1, 7}, new float[] {1, 2, 3},
                new float[] {1, 0, 1}, 3, d);
        DescentException e = assertThrows(DescentException.class, wide::toDense);
        assertEquals("data file wide.svm is sparse and wide: 3 rows × 1073741824 features = 3221225472 values dense (3 stored), over the "
                + "2147483639 one dense dataset holds, and this operation needs dense rows: train and predict on the sparse rows instead "
                + "(a LIBSVM file is read sparse), or take fewer rows or features", e.getMessage());
    }

    @Test
    void plusMinusOneLabelsReadAsZeroOneAndOthersAreLeftAlone() {
        assertArrayEquals(new float[] {1, 0, 0, 1}, Libsvm.zeroOneLabels(new float[] {1, -1, -1, 1}));
        float[] zeroOne = {0, 1, 1};
        assertSame(zeroOne, Libsvm.zeroOneLabels(zeroOne));
        float[] classes = {-1, 1, 2};
        assertSame(classes, Libsvm.zeroOneLabels(classes));
        SparseRows r = new SparseRows("x", new long[] {0, 0, 0}, new int[0], new float[0], new float[] {-1, 1}, 2, 1);
        assertArrayEquals(new float[] {0, 1}, r.withZeroOneLabels().targets());
        assertNull(r.withoutTargets().withZeroOneLabels().targets());
    }

    /** Random dense data with many zeros (and −0, which is omitted and reads back as 0). */
    private static Dataset randomData(Random r, int n, int d) {
        float[] x = new float[n * d], t = new float[n];
        for (int i = 0; i < x.length; i++) {
            int k = r.nextInt(6);
            x[i] = k < 2 ? 0f : k == 2 ? Float.intBitsToFloat(r.nextInt()) : k == 3 ? (float) r.nextGaussian()
                    : k == 4 ? Float.intBitsToFloat(r.nextInt(0x00800000)) : -0f;
            if (!Float.isFinite(x[i])) x[i] = Float.MAX_VALUE;
        }
        for (int i = 0; i < n; i++) t[i] = r.nextBoolean() ? (float) r.nextGaussian() : r.nextBoolean() ? 1 : -1;
        x[d - 1] = 1;                                   // the last column is present, so d reads back
        return new Dataset("random", x, t, n, d);
    }

    @Test
    void writerThenReaderIsBitIdenticalOnRandomData() {
        Random r = new Random(SEED);
        for (int round = 0; round < 20; round++) {
            int n = 1 + r.nextInt(200), d = 1 + r.nextInt(40);
            Dataset ds = randomData(r, n, d);
            Path f = dir.resolve("round" + round + ".svm");
            Libsvm.write(f, ds);
            Dataset back = load(f, 0, 1 + r.nextInt(3), 1 + r.nextInt(300)).toDense();
            String ctx = "seed " + SEED + ", round " + round;
            assertEquals(n, back.n(), ctx);
            assertEquals(d, back.d(), ctx);
            assertArrayEquals(ds.targets(), back.targets(), ctx);
            for (int i = 0; i < n * d; i++) {
                float want = ds.features()[i] == 0 ? 0f : ds.features()[i];    // −0 is omitted with the zeros
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(back.features()[i]), ctx + ", value " + i);
            }
        }
    }

    @Test
    void theResultIsTheSameForAnyNumberOfThreadsAndAnyChunkSize() throws IOException {
        Random r = new Random(SEED);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            if (r.nextInt(10) == 0) sb.append(r.nextBoolean() ? "# comment 3:4\n" : "\n");
            sb.append(r.nextBoolean() ? "+1" : String.valueOf(r.nextGaussian()));
            if (r.nextInt(8) == 0) sb.append(" qid:").append(r.nextInt(9));
            int[] cols = r.ints(r.nextInt(30), 1, 200).distinct().toArray();
            for (int c : cols) sb.append(r.nextBoolean() ? " " : "\t").append(c).append(':').append((float) r.nextGaussian());
            sb.append(r.nextInt(5) == 0 ? " \r\n" : "\n");
        }
        Path f = file(sb.toString());
        String one = dump(load(f, 0, 1, CsvLoader.CHUNK_BYTES));
        for (int t = 0; t < 12; t++) {
            int threads = 1 + r.nextInt(4), chunk = 1 + r.nextInt(2000);
            assertEquals(one, dump(load(f, 0, threads, chunk)), "seed " + SEED + ", threads " + threads + ", chunk " + chunk);
        }
        assertTrue(one.lines().count() > 400);
    }

    @Test
    void theFileNameSaysWhetherItIsLibsvm() {
        assertTrue(Libsvm.hasLibsvmName(Path.of("a/b.svm")));
        assertTrue(Libsvm.hasLibsvmName(Path.of("rcv1.LIBSVM")));
        assertTrue(Libsvm.hasLibsvmName(Path.of("x.svmlight")));
        assertFalse(Libsvm.hasLibsvmName(Path.of("heart_scale")));
        assertFalse(Libsvm.hasLibsvmName(Path.of("a.t")));
        assertFalse(Libsvm.hasLibsvmName(Path.of("a.csv")));
    }

    @Test
    void writingDataWithoutTargetsIsRefused() {
        Dataset ds = new Dataset("x", new float[] {1, 2}, null, 1, 2);
        assertEquals("dataset 'x' has no targets, and every LIBSVM row starts with its label",
                assertThrows(DescentException.class, () -> Libsvm.write(dir.resolve("x.svm"), ds)).getMessage());
        assertTrue(Arrays.asList(Libsvm.EXTENSIONS).contains(".svm"));
    }
}
