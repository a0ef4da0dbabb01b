package dev.descent.backend.spi;

import dev.descent.DescentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Loads kernel files packaged from {@code kernels/} (never pasted into Java strings). */
public final class Kernels {
    private Kernels() {}

    /** The bytes of resource {@code kernels/<path>}, or {@code null} when it is not in the build. */
    public static byte[] bytes(String path) {
        try (InputStream in = Kernels.class.getResourceAsStream("/kernels/" + path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new DescentException("cannot read kernel resource kernels/" + path + ": " + e.getMessage());
        }
    }

    /**
     * An OpenCL source with each {@code #include "X.h"} replaced by kernels/common/X.h, recursively
     * and once per header (the OpenCL compiler is given one string and cannot look for files).
     */
    public static String openClSource(String file) {
        byte[] src = bytes("opencl/" + file);
        if (src == null) {
            throw new DescentException("OpenCL kernel sources are missing from this build (kernels/opencl/" + file + "): rebuild with mvn package");
        }
        return splice(new String(src, StandardCharsets.UTF_8), new java.util.HashSet<>());
    }

    private static final java.util.regex.Pattern INCLUDE = java.util.regex.Pattern.compile("(?m)^#include \"([A-Za-z0-9_]+\\.h)\"\\s*$");

    private static String splice(String source, java.util.Set<String> done) {
        java.util.regex.Matcher m = INCLUDE.matcher(source);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String header = m.group(1);
            String body = "";
            if (done.add(header)) {
                byte[] h = bytes("common/" + header);
                if (h == null) {
                    throw new DescentException("kernel header kernels/common/" + header + " is missing from this build: rebuild with mvn package");
                }
                body = splice(new String(h, StandardCharsets.UTF_8), done);
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(body));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether tests asked for output buffers to be filled with NaN before each kernel writes them. */
    public static boolean poison() {
        return Boolean.getBoolean("descent.poison") || "1".equals(System.getenv("DESCENT_POISON"));
    }
}
