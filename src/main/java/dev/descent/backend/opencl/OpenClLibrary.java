package dev.descent.backend.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether the OpenCL ICD loader ({@code libOpenCL.so.1} or {@code libOpenCL.so}) is present, found
 * the way the dynamic loader would look (LD_LIBRARY_PATH, java.library.path, /etc/ld.so.conf and
 * the default folders), before JOCL tries to load it. JOCL's native stub prints its own lines
 * ("Could not load libOpenCL.so.1, error ...") straight to the terminal when the library is
 * missing; asking first keeps that noise away, so descent says it once, in its own words.
 */
final class OpenClLibrary {
    private OpenClLibrary() {}

    static final List<String> NAMES = List.of("libOpenCL.so.1", "libOpenCL.so");
    private static final List<String> DEFAULT_DIRS = List.of("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib",
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu");

    private static volatile String cached;

    /**
     * Null when a loadable-looking loader library is found (the system property
     * {@code descent.opencl.libraryPath}, a colon-separated folder list, replaces the search path) (or this is not Linux, where JOCL's own
     * search is the only judge); otherwise why not, in words, for `descent devices`.
     */
    static String missing() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return null;
        String c = cached;
        if (c == null) cached = c = search();
        return c.isEmpty() ? null : c;
    }

    private static String search() {
        List<String> unusable = new ArrayList<>();
        for (Path dir : dirs()) {
            for (String name : NAMES) {
                Path f = dir.resolve(name);
                if (!Files.exists(f)) continue;
                if (isElf(f)) return "";
                unusable.add(f.toString());
            }
        }
        return unusable.isEmpty() ? "libOpenCL.so.1 not found in the library path"
                : "libOpenCL found but not loadable: " + String.join(", ", unusable)
                        + (unusable.size() > 1 ? " are not shared libraries" : " is not a shared library");
    }

    private static boolean isElf(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] m = in.readNBytes(4);
            return m.length == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** The folders the dynamic loader searches, in its order. */
    static Set<Path> dirs() {
        Set<Path> out = new LinkedHashSet<>();
        String only = System.getProperty("descent.opencl.libraryPath");      // tests: stand for another machine
        if (only != null) {
            for (String p : only.split(":")) if (!p.isBlank()) out.add(Path.of(p));
            return out;
        }
        for (String var : new String[] {System.getenv("LD_LIBRARY_PATH"), System.getProperty("java.library.path")}) {
            if (var == null) continue;
            for (String p : var.split(":")) if (!p.isBlank()) out.add(Path.of(p));
        }
        readConf(Path.of("/etc/ld.so.conf"), out, 0);
        for (String d : DEFAULT_DIRS) out.add(Path.of(d));
        return out;
    }

    private static void readConf(Path conf, Set<Path> out, int depth) {
        if (depth > 4 || !Files.isReadable(conf)) return;
        List<String> lines;
        try {
            lines = Files.readAllLines(conf);
        } catch (IOException e) {
            return;
        }
        for (String raw : lines) {
            String line = raw.replaceAll("#.*", "").trim();
            if (line.isEmpty()) continue;
            if (line.startsWith("include")) {
                String pattern = line.substring("include".length()).trim();
                Path p = Path.of(pattern);
                Path dir = p.getParent() == null ? conf.getParent() : (p.isAbsolute() ? p.getParent() : conf.getParent().resolve(p.getParent()));
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p.getFileName().toString())) {
                    List<Path> files = new ArrayList<>();
                    ds.forEach(files::add);
                    files.sort(null);
                    for (Path f : files) readConf(f, out, depth + 1);
                } catch (IOException | RuntimeException e) {
                    // an unreadable include adds no folders
                }
            } else if (line.startsWith("/")) {
                out.add(Path.of(line));
            }
        }
    }
}
