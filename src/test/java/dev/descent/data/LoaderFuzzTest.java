package dev.descent.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.descent.DescentException;
import dev.descent.train.History;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz targets for the data loaders: {@link Csv#load}, {@link Npy#read} and {@link History#readCsv}.
 * Each input is written to a file and loaded. The property: the load ends in a value (a
 * {@link Dataset}, an {@link Npy.Array} whose shape matches its values, a {@link History}) or in a
 * {@link DescentException} whose message is one line that names the file and carries no Java
 * exception class name or parser text. Any other throwable, a hang or an OutOfMemoryError is a
 * finding.
 *
 * <p>{@code mvn -B verify} runs each target over its committed inputs only
 * ({@code src/test/resources/dev/descent/data/LoaderFuzzTestInputs/<method>/}), in well under a
 * second. {@code JAZZER_FUZZ=1} fuzzes one target for its {@code maxDuration}; see the README's
 * Fuzzing section for the command. Crashing inputs land in the inputs folder and then run as
 * regressions in every build.
 */
class LoaderFuzzTest {
    /** Java's own words, which must never reach a user. */
    private static final Pattern JAVA_TEXT = Pattern.compile(
            "Exception|Error\\b|java\\.|javax\\.|For input string|Input length|NumberFormat|ArrayIndex|NullPointer");
    /** A value quoted from the file ({@link Csv#quote} escapes quotes inside it): may say anything. */
    private static final Pattern QUOTED = Pattern.compile("'[^']*'");
    /** Line breaks of any kind: a message is one line. */
    private static final Pattern LINE_BREAK = Pattern.compile("[\\n\\r\\u000b\\u000c\\u0085\\u2028\\u2029]");

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "6m")
    void csvLoad(byte[] input) throws IOException {
        Path f = write("data.csv", input);
        for (Csv.Target t : new Csv.Target[] {Csv.Target.LAST, Csv.Target.NONE, new Csv.Target("y"), new Csv.Target("0")}) {
            loadsOrSaysWhy(f, () -> {
                Dataset ds = Csv.load(f, t);
                assertTrue(ds.n() >= 1 && ds.d() >= 1);
                assertEquals((long) ds.n() * ds.d(), ds.features().length);
                return ds;
            });
        }
    }

    @FuzzTest(maxDuration = "3m")
    void npyRead(byte[] input) throws IOException {
        Path f = write("X.npy", input);
        loadsOrSaysWhy(f, () -> {
            Npy.Array a = Npy.read(f);
            long count = 1;
            for (int s : a.shape()) {
                assertTrue(s >= 0, "negative dimension");
                count *= s;
            }
            assertEquals(count, a.values().length, "values for the shape");
            return a;
        });
    }

    @FuzzTest(maxDuration = "2m")
    void historyReadCsv(byte[] input) throws IOException {
        Path f = write("history.csv", input);
        loadsOrSaysWhy(f, () -> History.readCsv(f));
    }

    private static Path write(String name, byte[] input) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, input);
        return f;
    }

    /** The loader returns a value, or throws a DescentException with one clean line naming the file. */
    static void loadsOrSaysWhy(Path file, Supplier<Object> load) {
        Object v;
        try {
            v = load.get();
        } catch (DescentException e) {
            assertCleanMessage(file, e.getMessage());
            return;
        }
        assertNotNull(v);
    }

    static void assertCleanMessage(Path file, String m) {
        assertNotNull(m, "a DescentException without a message");
        assertTrue(!m.isBlank(), "a blank message");
        assertTrue(!LINE_BREAK.matcher(m).find(), () -> "more than one line: " + m);
        String own = QUOTED.matcher(m.replace(file.toString(), "FILE")).replaceAll("''");
        assertTrue(!JAVA_TEXT.matcher(own).find(), () -> "Java's words in the message: " + m);
        assertTrue(m.contains(file.getFileName().toString()), () -> "the file is not named: " + m);
        assertTrue(m.length() < 1000, () -> "not a short line (" + m.length() + " characters): " + m.substring(0, 200));
    }
}
