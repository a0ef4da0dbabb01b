package dev.descent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "use as a library" examples, as the README prints them: the first Java block of the
 * sections "Using it from Java" and "Sweeps" is cut out of README.md, put in a method that declares what
 * the prose assumes (a dataset, an epoch, a seed), compiled with the JDK's compiler against the test
 * class path (or, in CI, descent-core's jar and its dependencies alone), and run. An example that stops
 * compiling or running fails here.
 */
class ReadmeExamplesTest {
    private static final String IMPORTS = """
            import dev.descent.backend.*;
            import dev.descent.data.*;
            import dev.descent.model.*;
            import dev.descent.optim.*;
            import dev.descent.sweep.*;
            import dev.descent.train.*;
            """;

    /** The first ```java block after the heading that starts with {@code heading}. */
    static String block(String readme, String heading) {
        int h = readme.indexOf("\n" + heading);
        assertTrue(h >= 0, "README.md has no heading " + heading);
        int a = readme.indexOf("```java\n", h);
        int b = readme.indexOf("```", a + 8);
        assertTrue(a >= 0 && b > a, "README.md has no Java block after " + heading);
        return readme.substring(a + 8, b);
    }

    @Test
    void theLibraryExamplesCompileAndRun(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        String session = block(readme, "## Using it from Java");
        String sweep = block(readme, "## Sweeps");
        String source = IMPORTS + """
                public class ReadmeExamples implements Runnable {
                    public void run() {
                        session();
                        sweep();
                    }
                    void session() {
                        Dataset dataset = Generators.classification(40_000, 8, 0.1, 7);   // the run below takes 1000 batches of 32
                        int epoch = 1;
                        long seed = 42;
                """ + session + """
                    }
                    void sweep() {
                        Dataset data = Generators.regression(500, 3, 0.01, 9);
                """ + sweep + """
                        if (!Double.isFinite(best.finalLoss())) throw new IllegalStateException("the sweep's best loss is not finite");
                    }
                }
                """;
        Path src = dir.resolve("ReadmeExamples.java");
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // -Ddescent.readme.classpath=…: against that class path alone (CI: descent-core and its dependencies, so the
        // library example needs nothing of the application); else against the test class path
        String only = System.getProperty("descent.readme.classpath");
        String cp = only != null ? only : System.getProperty("java.class.path");
        int rc = javac.run(null, null, err, "-proc:none", "-cp", cp, "-d", dir.toString(), src.toString());
        assertEquals(0, rc, "the README's examples do not compile against " + (only != null ? only : "the test class path") + ":\n"
                + err.toString(StandardCharsets.UTF_8) + "\n" + source);
        List<URL> urls = new java.util.ArrayList<>(List.of(dir.toUri().toURL()));
        if (only != null) for (String e : only.split(java.io.File.pathSeparator)) urls.add(Path.of(e).toUri().toURL());
        ClassLoader parent = only != null ? ClassLoader.getPlatformClassLoader() : getClass().getClassLoader();
        try (URLClassLoader cl = new URLClassLoader(urls.toArray(URL[]::new), parent)) {
            Runnable r = (Runnable) cl.loadClass("ReadmeExamples").getDeclaredConstructor().newInstance();
            r.run();
        }
        assertTrue(List.of(session, sweep).stream().noneMatch(String::isBlank));
    }
}
