package dev.descent.data;

import dev.descent.DescentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parallel CSV loader against the String-based loader it replaced ({@link CsvBefore}): the
 * same table or the same message, for any number of threads and any chunk size; its number
 * parser bit for bit against {@link Float#parseFloat}. Inputs are fresh random each run; every
 * message prints the seed (rerun one with {@code -Dcsv.seed=N}).
 */
class CsvLoaderTest {
    private static final long SEED = Long.getLong("csv.seed", System.nanoTime());

    private static CsvLoader.Settings settings(int threads, int chunkBytes) {
        return new CsvLoader.Settings(threads, chunkBytes, () -> { }, Csv.MAX_VALUES);
    }

    // ---- the number parser

    /** A random text the CSV number parser may meet: Java float syntax in all its forms, and near misses. */
    private static String randomNumberText(Random r) {
        switch (r.nextInt(10)) {
            case 0: {                                            // random strings over the float grammar's alphabet
                String alphabet = "0123456789.eE+-xXpPfFdDaAbcInfityN \t\"";
                StringBuilder sb = new StringBuilder();
                for (int i = 1 + r.nextInt(12); i > 0; i--) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
                return sb.toString();
            }
            case 1: return Float.toString(Float.intBitsToFloat(r.nextInt()));          // every float, NaN and Infinity included
            case 2: {                                            // long mantissas at and beside the midpoint of two floats
                float f = Float.intBitsToFloat(r.nextInt() & 0x7f7fffff);
                String s = new BigDecimal(((double) f + (double) Math.nextUp(f)) / 2).toPlainString();
                int how = r.nextInt(3);
                return how == 0 ? s : how == 1 ? s + "0000000001" : s.substring(0, Math.max(1, s.length() - 1));
            }
            case 3: return Double.toString(Double.longBitsToDouble(r.nextLong()));     // beyond float32's range, both ways
            case 4: return String.format(Locale.ROOT, "%.18e", (double) Float.intBitsToFloat(r.nextInt()));   // numpy.savetxt's default
            case 5: {                                            // subnormals
                float f = Float.intBitsToFloat(r.nextInt(0x00800000)) * (r.nextBoolean() ? 1 : -1);
                return r.nextBoolean() ? new BigDecimal(f).toString() : String.format(Locale.ROOT, "%." + r.nextInt(12) + "e", (double) f);
            }
            case 6: {                                            // short decimals: the exact fast path and its edges
                long m = r.nextInt(1 << (1 + r.nextInt(26)));
                int p = r.nextInt(26) - 13;
                String s = (r.nextBoolean() ? "-" : r.nextInt(5) == 0 ? "+" : "") + m;
                return r.nextBoolean() ? s + "e" + p : new BigDecimal(m).scaleByPowerOfTen(p).toPlainString();
            }
            case 7: return String.format(Locale.ROOT, "%." + r.nextInt(9) + "f", r.nextGaussian() * Math.pow(10, r.nextInt(12) - 4));
            case 8: {                                            // spellings of infinity and not-a-number, and suffixes
                String[] s = {"inf", "-inf", "nan", "NaN", "Infinity", "-Infinity", "+Infinity", "INF", "infinity", "+nan", "1f", "2.5d",
                        "0x1p3", "0x1.8p-2f", "1e", "e5", ".", "-", "+", "1e+", ".e1", "1.e1", ".5", "5.", "00001.5000", "1e0001", "1e-0045"};
                return s[r.nextInt(s.length)];
            }
            default: {                                           // exponents far out, digits many
                StringBuilder sb = new StringBuilder(r.nextBoolean() ? "-" : "");
                for (int i = 1 + r.nextInt(25); i > 0; i--) sb.append((char) ('0' + r.nextInt(10)));
                if (r.nextBoolean()) sb.insert(sb.length() / 2 + 1, '.');
                return sb.append('e').append(r.nextInt(100) - 60).toString();
            }
        }
    }

    @Test
    void numbersParseBitIdenticalToFloatParseFloat() {
        Random r = new Random(SEED);
        int compared = 0;
        for (int i = 0; i < 150_000; i++) {
            String s = randomNumberText(r);
            String want, got;
            try {
                want = Integer.toHexString(Float.floatToRawIntBits(Float.parseFloat(s)));
            } catch (NumberFormatException e) {
                want = "rejected";
            }
            byte[] b = (" ," + s + ", ").getBytes(StandardCharsets.ISO_8859_1);     // a slice inside a larger array
            try {
                got = Integer.toHexString(Float.floatToRawIntBits(CsvLoader.parseFloat(b, 2, 2 + s.length())));
            } catch (NumberFormatException e) {
                got = "rejected";
            }
            assertEquals(want, got, "'" + s + "' (seed " + SEED + ")");
            compared++;
        }
        assertEquals(150_000, compared);
    }

    // ---- whole files against the reference

    private static final String[] TOKENS = {"1", "-2.5", "3e2", "1e39", "-1e39", "0x1p3", "1f", ".5", "5.", "-0", "0", "1.17549435E-38",
        "1e-45", "1e-50", "0.1000000000000000055511151231257827", "nan", "NaN", "inf", "-inf", "Infinity", "abc", "", "\"2\"",
        "\" 3 \"", "\"4", "5\"", "1.2.3", "é", "\u00a0", "\u2028", "1\u0001", "7 8", "+4", "1e", "\t6\t"};

    /** A random small delimited file: delimiters, padding, quotes, line ends, blank lines, headers and bad values. */
    private static byte[] randomFile(Random r) {
        String[] delims = {",", "\t", ";", " ", "  ", " , ", "\t,"};
        String delim = delims[r.nextInt(delims.length)];
        int cols = 1 + r.nextInt(4), rows = r.nextInt(7);
        StringBuilder sb = new StringBuilder();
        if (r.nextInt(8) == 0) sb.append('\uFEFF');
        List<String> lines = new ArrayList<>();
        if (r.nextInt(3) == 0) {
            String[] names = {"a", "y", "x1", "\"q\"", "é", "y "};
            List<String> h = new ArrayList<>();
            for (int c = 0; c < cols; c++) h.add(names[r.nextInt(names.length)]);
            lines.add(String.join(delim, h));
        }
        for (int i = 0; i < rows; i++) {
            int k = r.nextInt(12) == 0 ? cols + r.nextInt(3) - 1 : cols;   // now and then a ragged row
            List<String> f = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                String v = r.nextInt(6) == 0 ? TOKENS[r.nextInt(TOKENS.length)]
                        : r.nextBoolean() ? Float.toString((float) r.nextGaussian()) : String.format(Locale.ROOT, "%.4f", r.nextGaussian());
                if (r.nextInt(10) == 0) v = "\"" + v + "\"";
                if (r.nextInt(10) == 0) v = " " + v + (r.nextBoolean() ? "\t" : "");
                f.add(v);
            }
            lines.add(String.join(delim, f));
            if (r.nextInt(10) == 0) lines.add(r.nextBoolean() ? "" : r.nextBoolean() ? " \t" : "\u000b");   // blank lines
        }
        String[] ends = {"\n", "\r\n", "\r"};
        String end = ends[r.nextInt(3)];
        for (int i = 0; i < lines.size(); i++) {
            sb.append(lines.get(i));
            if (i < lines.size() - 1 || r.nextInt(5) != 0) sb.append(r.nextInt(8) == 0 ? ends[r.nextInt(3)] : end);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        out.writeBytes(b);
        byte[] a = out.toByteArray();
        if (a.length > 0 && r.nextInt(25) == 0) a[r.nextInt(a.length)] = 0;                 // binary
        if (a.length > 0 && r.nextInt(25) == 0) a[r.nextInt(a.length)] = (byte) 0xff;       // not UTF-8
        return a;
    }

    /** What a load gave: the table's every bit, or the exception's kind and message. */
    private static String outcome(Supplier<Table> load) {
        try {
            Table t = load.get();
            Dataset d = t.data();
            int[] x = new int[d.features().length];
            for (int i = 0; i < x.length; i++) x[i] = Float.floatToRawIntBits(d.features()[i]);
            String y = "none";
            if (d.targets() != null) {
                int[] ty = new int[d.n()];
                for (int i = 0; i < ty.length; i++) ty[i] = Float.floatToRawIntBits(d.targets()[i]);
                y = Arrays.toString(ty);
            }
            return d.name() + " " + d.n() + "×" + d.d() + " x=" + Arrays.toString(x) + " t=" + y + " names=" + t.features() + " target=" + t.target();
        } catch (DescentException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static final Csv.Target[] TARGETS = {Csv.Target.LAST, Csv.Target.NONE, new Csv.Target("y"), new Csv.Target("0"),
        new Csv.Target("-2"), new Csv.Target("7")};

    /** Asserts the loader gives what the reference gives, and returns that. */
    private static String assertSameAsReference(Path f, Csv.Target target, CsvLoader.Settings s, String context) {
        String want = outcome(() -> CsvBefore.table(f, target));
        String got = outcome(() -> CsvLoader.load(f, target, s));
        assertEquals(want, got, context + ", target " + target.spec() + ", " + s.threads() + " threads, chunks of " + s.chunkBytes()
                + " bytes (seed " + SEED + ")");
        return want;
    }

    @Test
    void randomFilesGiveTheReferenceTableOrMessageForAnyThreadsAndChunks(@TempDir Path dir) throws IOException {
        Random r = new Random(SEED);
        Path f = dir.resolve("r.csv");
        int tables = 0, errors = 0;
        for (int i = 0; i < 1500; i++) {
            byte[] content = randomFile(r);
            Files.write(f, content);
            Csv.Target target = TARGETS[r.nextInt(TARGETS.length)];
            CsvLoader.Settings s = settings(1 + r.nextInt(4), r.nextInt(4) == 0 ? CsvLoader.CHUNK_BYTES : 1 + r.nextInt(24));
            String outcome = assertSameAsReference(f, target, s, "file " + i + " " + Csv.quote(new String(content, StandardCharsets.UTF_8)));
            if (outcome.startsWith("r.csv")) tables++;
            else errors++;
        }
        assertTrue(tables > 150 && errors > 150, "both outcomes exercised: " + tables + " tables, " + errors + " errors");
    }

    @Test
    void theFuzzCorpusGivesTheReferenceOutcome(@TempDir Path dir) throws IOException {
        Path corpus = Path.of("src/test/resources/dev/descent/data/LoaderFuzzTestInputs/csvLoad");
        List<Path> inputs;
        try (Stream<Path> s = Files.list(corpus)) {
            inputs = s.sorted().toList();
        }
        assertTrue(inputs.size() >= 10, "the corpus is there");
        Path f = dir.resolve("data.csv");
        for (Path in : inputs) {
            Files.copy(in, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (Csv.Target t : TARGETS) {
                for (CsvLoader.Settings s : List.of(settings(1, CsvLoader.CHUNK_BYTES), settings(3, 1), settings(2, 5))) {
                    assertSameAsReference(f, t, s, "corpus input " + in.getFileName());
                }
            }
        }
    }

    @Test
    void aLargerFileLoadsIdenticallyForEveryThreadCountAndChunkSize(@TempDir Path dir) throws IOException {
        Random r = new Random(SEED);
        StringBuilder sb = new StringBuilder("\uFEFFa,b,\"c\",y\r\n");
        for (int i = 0; i < 4000; i++) {
            for (int c = 0; c < 4; c++) {
                String v = switch (r.nextInt(5)) {
                    case 0 -> Float.toString((float) r.nextGaussian());
                    case 1 -> String.format(Locale.ROOT, "%.6f", r.nextGaussian());
                    case 2 -> "\"" + String.format(Locale.ROOT, "%.18e", r.nextGaussian()) + "\"";
                    case 3 -> " " + (r.nextInt(2001) - 1000) + " ";
                    default -> String.format(Locale.ROOT, "%.3e", r.nextGaussian() * 1e-40);          // subnormal
                };
                sb.append(c == 0 ? "" : ",").append(v);
            }
            sb.append(i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
            if (i % 397 == 0) sb.append("  \r\n");
        }
        Path f = dir.resolve("big.csv");
        Files.writeString(f, sb);
        String want = outcome(() -> CsvBefore.table(f, new Csv.Target("y")));
        assertTrue(want.startsWith("big.csv 4000×3"), want.substring(0, 40));
        for (int threads : new int[] {1, 2, 3, 8}) {
            for (int chunk : new int[] {1, 7, 64, 4096, CsvLoader.CHUNK_BYTES}) {
                String got = outcome(() -> CsvLoader.load(f, new Csv.Target("y"), settings(threads, chunk)));
                assertTrue(want.equals(got), threads + " threads, chunks of " + chunk + " bytes differ (seed " + SEED + ")");
            }
        }
    }

    @Test
    void aFileThatChangesWhileBeingReadSaysSo(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("growing.csv");
        Files.writeString(f, "x,y\n1,2\n3,4\n");
        CsvLoader.Settings appending = new CsvLoader.Settings(2, 3, () -> {
            try {
                Files.writeString(f, "5,6\n", StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Csv.MAX_VALUES);
        String m = outcome(() -> CsvLoader.load(f, Csv.Target.LAST, appending));
        assertTrue(m.contains("data file " + f + " changed while being read: wait until it is complete and try again"), m);
        Files.writeString(f, "x,y\n1,zz\n");                       // it wins over what the changed bytes say
        m = outcome(() -> CsvLoader.load(f, Csv.Target.LAST, appending));
        assertTrue(m.contains("changed while being read"), m);
    }

    @Test
    void theValueLimitComesAfterAnyEarlierRowError(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("many.csv");
        Files.writeString(f, "x,y\n1,2\n3,4\n5,6\n7,8\n");
        for (int chunk : new int[] {1, 4, 1 << 20}) {
            CsvLoader.Settings six = new CsvLoader.Settings(2, chunk, () -> { }, 6);
            assertEquals(4, CsvLoader.load(f, Csv.Target.LAST, new CsvLoader.Settings(2, chunk, () -> { }, 8)).data().n());
            assertTrue(outcome(() -> CsvLoader.load(f, Csv.Target.LAST, six)).endsWith("holds over 6 values, the limit of one array: take a sample of its rows"));
            Files.writeString(f, "x,y\n1,2\n3,4\n5,6\n7\n");            // the row at the limit: its field count is checked first
            assertTrue(outcome(() -> CsvLoader.load(f, Csv.Target.LAST, six)).contains("line 5 (byte 16): expected 2 fields"));
            Files.writeString(f, "x,y\n1,2\n3,q\n5,6\n7,8\n");          // an earlier bad value
            assertTrue(outcome(() -> CsvLoader.load(f, Csv.Target.LAST, six)).contains("line 3 (byte 8), column 2: 'q' is not a number"));
            Files.writeString(f, "x,y\n1,2\n3,4\n5,6\n7,q\n");          // a bad value after the limit: the limit
            assertTrue(outcome(() -> CsvLoader.load(f, Csv.Target.LAST, six)).contains("holds over 6 values"));
            Files.writeString(f, "x,y\n1,2\n3,4\n5,6\n7,8\n");
        }
    }

    private static final Pattern ROW_WHERE = Pattern.compile("line \\d+ \\(byte \\d+\\)");
    private static final Pattern FILE_WHERE = Pattern.compile("\\(a zero byte at byte \\d+, line \\d+\\)|\\(byte \\d+, line \\d+\\)");

    @Test
    void everyRowErrorNamesItsLineAndByteOffset(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.csv");
        String[] rowErrors = {"x,y\n1,2\n3\n", "x,y\n1,q\n", "x,y\n1,nan\n", "x,y\n1,-inf\n", "x,y\n1,Infinity\n", "x,y\n1,1e39\n",
            "x,y\n1,2\n3,4.5e", "x,y\n1,2\n3", "x;y\r\n\r\n1;é\r\n", "x y\n1  2  3\n", "x,y\n1,\"\"\n", "\uFEFF1,2\n3,NaN\n"};
        for (String content : rowErrors) {
            Files.writeString(f, content);
            for (CsvLoader.Settings s : List.of(settings(1, CsvLoader.CHUNK_BYTES), settings(2, 2))) {
                String m = outcome(() -> CsvLoader.load(f, Csv.Target.LAST, s));
                assertTrue(m.startsWith("DescentException: ") && ROW_WHERE.matcher(m).find(), Csv.quote(content) + " gave: " + m);
                LoaderFuzzTest.assertCleanMessage(f, m.substring("DescentException: ".length()));
            }
        }
        for (byte[] content : new byte[][] {{'1', ',', '2', '\n', '3', 0}, {'1', ',', '2', '\r', '3', (byte) 0xc3}}) {
            Files.write(f, content);
            String m = outcome(() -> CsvLoader.load(f, Csv.Target.LAST, settings(2, 1)));
            assertTrue(FILE_WHERE.matcher(m).find() && m.contains("line 2"), m);
        }
    }

    @Test
    void csvTableKeepsTheHeaderNames(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.csv");
        Files.writeString(f, "a,y\n1,10\n2,20\n");
        Table t = Csv.table(f, new Csv.Target("y"));
        assertArrayEquals(new float[] {1, 2}, t.data().features());
        assertEquals(List.of("a"), t.features());
    }
}
