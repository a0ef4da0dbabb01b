package dev.descent.data;

import dev.descent.DescentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataTest {
    @Test
    void datasetNamesTheRowAndColumnOfANonFiniteValue() {
        float[] x = {1, 2, 3, 4, Float.NaN, 6};
        DescentException e = assertThrows(DescentException.class, () -> new Dataset("m", x, null, 3, 2));
        assertTrue(e.getMessage().contains("row 3, column 1"), e.getMessage());
        DescentException t = assertThrows(DescentException.class,
                () -> new Dataset("m", new float[] {1, 2}, new float[] {0, Float.POSITIVE_INFINITY}, 2, 1));
        assertTrue(t.getMessage().contains("target at row 2"), t.getMessage());
        assertThrows(DescentException.class, () -> new Dataset("m", new float[0], null, 0, 2));
        assertThrows(DescentException.class, () -> new Dataset("m", new float[3], null, 2, 2));
    }

    @Test
    void csvWithHeaderTargetByName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.csv");
        Files.writeString(f, "a,y,b\r\n1,10,2\r\n3,30,4\r\n");
        Dataset ds = Csv.load(f, new Csv.Target("y"));
        assertEquals(2, ds.n());
        assertEquals(2, ds.d());
        assertArrayEquals(new float[] {1, 2, 3, 4}, ds.features());
        assertArrayEquals(new float[] {10, 30}, ds.targets());
    }

    @Test
    void tsvWithoutHeaderTheSharedAirfoilFile() {
        Path f = Path.of("../shared/data/airfoil_self_noise.dat");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(f), "shared data not beside the checkout");
        Dataset ds = Csv.load(f, Csv.Target.LAST);
        assertEquals(1503, ds.n());
        assertEquals(5, ds.d());
        assertEquals(126.201f, ds.t(0), 1e-4);
        Dataset st = Standardization.fit(ds, true).apply(ds);
        double s = 0;
        for (int i = 0; i < st.n(); i++) s += st.x(i, 0);
        assertEquals(0, s / st.n(), 1e-5);
        assertEquals(800f, ds.x(0, 0));                          // the original is untouched
    }

    /**
     * Sparse data are standardized without centring: each column's std is the dense column's
     * (absent values as 0, n − 1), the recorded means are 0, the rows stay sparse with each stored
     * value divided by its column's std; a centring scaling is refused on sparse data in one line.
     */
    @Test
    void sparseStandardizationScalesWithoutCentring() {
        Dataset sp = Dataset.sparse(Generators.sparse(300, 40, 6, 0.01, 9)), dense = sp.dense();
        Standardization s = Standardization.fit(sp, false), full = Standardization.fit(dense, false);
        assertFalse(s.centres());
        assertArrayEquals(new double[sp.d()], s.mean());
        for (int j = 0; j < sp.d(); j++) assertEquals(full.std()[j], s.std()[j], 1e-12 * full.std()[j], "column " + j);
        Dataset st = s.apply(sp);
        assertTrue(st.isSparse());
        assertEquals(sp.stored(), st.stored());
        assertArrayEquals(sp.rowsSparse().allCols(), st.rowsSparse().allCols());
        for (int i = 0; i < sp.n(); i++) {
            for (int j = 0; j < sp.d(); j++) assertEquals(s.scale(sp.x(i, j), j), st.x(i, j), "row " + i + ", column " + j);
        }
        assertArrayEquals(sp.targets(), st.targets(), "0/1 labels are not scaled");
        DescentException e = assertThrows(DescentException.class, () -> full.apply(sp));
        assertTrue(e.getMessage().contains("sparse") && e.getMessage().contains("centres") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void csvErrorsNameTheLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "1,2,3\n4,5\n");
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(f, Csv.Target.LAST)).getMessage().contains("line 2"));
        Files.writeString(f, "1,2,3\n4,x,6\n");
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(f, Csv.Target.LAST)).getMessage().contains("line 2 (byte 6), column 2"));
        Files.writeString(f, "1,2,3\n4,nan,6\n");
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(f, Csv.Target.LAST)).getMessage().contains("line 2 (byte 6), column 2 is nan"));
        Files.writeString(f, "");
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(f, Csv.Target.LAST)).getMessage().contains("empty"));
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(dir.resolve("none.csv"), Csv.Target.LAST))
                .getMessage().contains("does not exist"));
        Files.writeString(f, "1,2\n3,4\n");
        assertNull(Csv.load(f, Csv.Target.NONE).targets());
        assertThrows(DescentException.InvalidArgument.class, () -> Csv.load(f, new Csv.Target("y")));
        assertThrows(DescentException.InvalidArgument.class, () -> Csv.load(f, new Csv.Target("5")));
    }

    /** The message of the DescentException {@code load} throws, checked to be one clean line naming {@code file}. */
    private static String failure(Path file, org.junit.jupiter.api.function.Executable load) {
        String m = assertThrows(DescentException.class, load).getMessage();
        LoaderFuzzTest.assertCleanMessage(file, m);
        return m;
    }

    private static void assertHas(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "'" + p + "' not in: " + message);
    }

    @Test
    void csvRowErrorsNameTheLineAndItsByteOffset(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "x,y\n1,2\n3\n");
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "line 3 (byte 8): expected 2 fields (as in line 1), found 1");
        Files.writeString(f, "1,2,3\n4,1.2.3,6\n");
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "line 2 (byte 6), column 2: '1.2.3' is not a number: fix or remove");
        Files.writeString(f, "x,y\r\n1,2\r\n\r\n5,é\r\n");                 // CRLF, a blank line, a two-byte character
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "line 4 (byte 12), column 2: 'é' is not a number");
        Files.writeString(f, "x,y\n1,1e39\n");
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "line 2 (byte 4), column 2: '1e39' is beyond float32's range");
        Files.writeString(f, "x,y\n1,a\u2028\u0001'\n");                       // control characters are escaped: the message stays one line
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "'a\\u2028\\u0001\\u0027' is not a number");
    }

    @Test
    void csvTruncatedLastLineSaysSo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("cut.csv");
        Files.writeString(f, "x,y,z\n1,2,3\n4,5");
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)),
                "cut.csv line 3 (byte 12) looks truncated: it has 2 of 3 fields", "wait until the file is complete");
        Files.writeString(f, "x,y\n1,2\n3,4.5e");
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "line 3 (byte 8) looks truncated: its last value '4.5e' is not a number");
        Files.writeString(f, "x,y\n1,2\n3,4.5");                              // a whole last line without a line end is fine
        assertEquals(2, Csv.load(f, Csv.Target.LAST).n());
    }

    @Test
    void csvChangedWhileBeingReadSaysWaitAndRetry(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("growing.csv");
        Files.writeString(f, "x,y\n1,2\n");
        String m = failure(f, () -> Csv.lines(f, "data file", "a CSV or TSV file", p -> {
            byte[] b = Files.readAllBytes(p);
            Files.writeString(p, "3,4\n", java.nio.file.StandardOpenOption.APPEND);    // the writer is still at work
            return b;
        }));
        assertHas(m, "data file " + f + " changed while being read: wait until it is complete and try again");
        m = failure(f, () -> Csv.lines(f, "data file", "a CSV or TSV file", p -> {
            byte[] b = Files.readAllBytes(p);
            Files.delete(p);
            return b;
        }));
        assertHas(m, "changed while being read");
    }

    @Test
    void csvFilesThatAreNotTextSayWhatTheyAre(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("odd.csv");
        Files.write(f, new byte[] {'1', ',', '2', 0, 1, '\n'});
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "looks binary (a zero byte at byte 3, line 1): give a CSV or TSV file");
        Files.write(f, new byte[] {'x', ',', 'y', '\n', '1', ',', (byte) 0xe9, '\n'});
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "is not UTF-8 text (byte 6, line 2)");
        Npy.write(f, new float[] {1, 2}, 2);
        assertHas(failure(f, () -> Csv.load(f, Csv.Target.LAST)), "is a NumPy .npy file, not text");
        Path folder = Files.createDirectory(dir.resolve("folder.csv"));
        assertHas(failure(folder, () -> Csv.load(folder, Csv.Target.LAST)), "is a folder: give a CSV or TSV file");
        Files.writeString(f, "\uFEFF1,2\n3,4\n");                           // a byte-order mark is not a header
        assertEquals(2, Csv.load(f, Csv.Target.LAST).n());
    }

    /** A .npy file with the given header dictionary fields and data bytes. */
    private static byte[] npy(int major, String descr, String shape, int dataBytes) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int prefix = major == 1 ? 10 : 12;
        dict += " ".repeat((64 - (prefix + dict.length() + 1) % 64) % 64) + "\n";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(prefix + dict.length() + dataBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) b.putShort((short) dict.length());
        else b.putInt(dict.length());
        b.put(dict.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return b.array();
    }

    @Test
    void npyReadsWhatItWritesAndNumpyFormat2(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.npy");
        Npy.write(f, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Npy.Array a = Npy.read(f);
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, a.values());
        Files.write(f, npy(2, "<f4", "(2,)", 8));
        assertArrayEquals(new int[] {2}, Npy.read(f).shape());
        Files.write(f, npy(1, "<f4", "()", 4));
        assertArrayEquals(new int[0], Npy.read(f).shape());
    }

    @Test
    void npyBadFilesAreOneLineEach(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("X.npy");
        Npy.write(f, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        byte[] good = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(good, good.length - 5));
        assertHas(failure(f, () -> Npy.read(f)), "is truncated: " + (good.length - 5) + " bytes, its shape (2, 3) needs " + good.length);
        Files.write(f, Arrays.copyOf(good, 30));
        assertHas(failure(f, () -> Npy.read(f)), "is truncated: 30 bytes, its .npy header alone claims");
        Files.write(f, Arrays.copyOf(good, 4));
        assertHas(failure(f, () -> Npy.read(f)), "is truncated: 4 bytes, shorter than a .npy header");
        Files.write(f, Arrays.copyOf(good, good.length + 4));
        assertHas(failure(f, () -> Npy.read(f)), "has 4 bytes more than its shape (2, 3) needs");
        Files.writeString(f, "x,y\n1,2\n");
        assertHas(failure(f, () -> Npy.read(f)), "is not a NumPy .npy file");
        Files.write(f, npy(1, "<f8", "(2,)", 16));
        assertHas(failure(f, () -> Npy.read(f)), "holds dtype '<f8'; descent reads little-endian float32");
        Files.write(f, npy(9, "<f4", "(2,)", 8));
        assertHas(failure(f, () -> Npy.read(f)), "is .npy format 9.0; descent reads formats 1.0 to 3.0");
        Files.write(f, npy(1, "<f4", "(-1, 4)", 16));
        assertHas(failure(f, () -> Npy.read(f)), "shape '(-1, 4)' is not a tuple of non-negative integers");
        Files.write(f, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, '{'});
        assertHas(failure(f, () -> Npy.read(f)), "is truncated: 13 bytes, its .npy header alone claims 4294967307");
    }

    @Test
    void npyForgedHugeShapesAllocateNothing(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("forged.npy");
        Files.write(f, npy(1, "<f4", "(100000, 100000)", 16));
        assertHas(failure(f, () -> Npy.read(f)), "holds over 2147483639 values, the limit of one array");
        Files.write(f, npy(1, "<f4", "(4294967296, 4294967296, 4294967296)", 16));   // a product that overflows a long
        assertHas(failure(f, () -> Npy.read(f)), "holds over 2147483639 values");
        Files.write(f, npy(1, "<f4", "(2000000000,)", 16));                          // within the limit, not in the file
        assertHas(failure(f, () -> Npy.read(f)), "is truncated: 144 bytes, its shape (2000000000,) needs 8000000128");
    }

    @Test
    void npyChangedWhileBeingReadSaysWaitAndRetry(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("y.npy");
        Npy.write(f, new float[] {1, 2}, 2);
        assertHas(failure(f, () -> Npy.read(f, () -> {
            try {
                Files.write(f, new byte[4], java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })), "changed while being read: wait until it is complete and try again");
        Path folder = Files.createDirectory(dir.resolve("dir.npy"));
        assertHas(failure(folder, () -> Npy.read(folder)), "is a folder");
        assertHas(failure(dir.resolve("none.npy"), () -> Npy.read(dir.resolve("none.npy"))), "does not exist");
    }

    @Test
    void historyCsvReadsNonFiniteLossesAndNamesBadRows(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("h.csv");
        String head = "# run\n" + dev.descent.train.History.CSV_HEADER + "\n";
        Files.writeString(f, head + "0,0,0,0.000000,nan,0.000000\n1,1,4,0.500000,inf,0.001000\n");
        dev.descent.train.History h = dev.descent.train.History.readCsv(f);
        assertEquals("run", h.label());
        assertTrue(Double.isNaN(h.points().get(0).loss()));
        assertEquals(Double.POSITIVE_INFINITY, h.points().get(1).loss());
        Files.writeString(f, head + "0,0,0,0.0,2.5,0\nx,1,4,0.5,1,0\n");
        assertHas(failure(f, () -> dev.descent.train.History.readCsv(f)), "line 4 (byte 62), epoch: 'x' is not a whole number");
        Files.writeString(f, head + "0,0,0,0.0,2.5,0\n1,1,4,0.5,1.0,0.2e");
        assertHas(failure(f, () -> dev.descent.train.History.readCsv(f)), "line 4 (byte 62) looks truncated: its last value '0.2e'");
        Files.writeString(f, head + "0,0,0,0.0,2.5\n");
        assertHas(failure(f, () -> dev.descent.train.History.readCsv(f)), "line 3 (byte 46): expected 6 fields");
        Files.write(f, new byte[] {'#', ' ', (byte) 0xff, '\n'});
        assertHas(failure(f, () -> dev.descent.train.History.readCsv(f)), "history file", "is not UTF-8 text (byte 2, line 1)");
        Path folder = Files.createDirectory(dir.resolve("runs.csv"));
        assertHas(failure(folder, () -> dev.descent.train.History.readCsv(folder)), "is a folder");
    }

    @Test
    void batchOrders() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, BatchOrder.IN_ORDER.order(5, 1, 9));
        int[] p = BatchOrder.SHUFFLE.order(100, 1, 9);
        assertArrayEquals(p, BatchOrder.SHUFFLE.order(100, 1, 9));
        assertFalse(Arrays.equals(p, BatchOrder.SHUFFLE.order(100, 2, 9)));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        assertArrayEquals(BatchOrder.IN_ORDER.order(100, 1, 0), sorted);
        int[] r = BatchOrder.REPLACEMENT.order(100, 3, 9);
        assertEquals(100, r.length);
        assertTrue(Arrays.stream(r).allMatch(i -> i >= 0 && i < 100));
        assertTrue(Arrays.stream(r).distinct().count() < 100, "with replacement repeats rows");
    }

    @Test
    void linearGeneratorIsSeeded() {
        assertArrayEquals(Generators.linear(50, new float[] {1, 2}, 0, 0.1, 3).features(),
                Generators.linear(50, new float[] {1, 2}, 0, 0.1, 3).features());
        double[] l = Generators.linspaceDouble(-5, 5, 10);
        assertEquals(-5, l[0]);
        assertEquals(5, l[9]);
        assertEquals(-5 + 10.0 / 9, l[1], 1e-15);
    }

    /** Bad CSR layouts are one line each, checked before any column is read (a later offset bounds an earlier row). */
    @Test
    void badSparseLayoutsAreOneLine() {
        String[][] cases = {
            {"ends past the stored values"}, {"ends before it starts"}, {"stores column 6, beyond its 5 features"},
            {"stores column 2 after column 3"}, {"is NaN"}};
        SparseRows[] rows = {
            new SparseRows("a", new long[] {0, 3, 1}, new int[] {0}, new float[] {1f}, null, 2, 5),
            new SparseRows("b", new long[] {0, 1, 0, 1}, new int[] {0}, new float[] {1f}, null, 3, 5),
            new SparseRows("c", new long[] {0, 1}, new int[] {5}, new float[] {1f}, null, 1, 5),
            new SparseRows("d", new long[] {0, 2}, new int[] {2, 1}, new float[] {1f, 2f}, null, 1, 5),
            new SparseRows("e", new long[] {0, 1}, new int[] {0}, new float[] {Float.NaN}, null, 1, 5)};
        for (int i = 0; i < rows.length; i++) {
            SparseRows r = rows[i];
            DescentException e = assertThrows(DescentException.class, () -> Dataset.sparse(r));
            assertTrue(e.getMessage().contains(cases[i][0]) && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
