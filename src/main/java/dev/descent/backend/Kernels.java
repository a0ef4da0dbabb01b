package dev.descent.backend;

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

    /** An OpenCL source with {@code #include "losses.h"} replaced by kernels/common/losses.h. */
    public static String openClSource(String file) {
        byte[] src = bytes("opencl/" + file);
        byte[] common = bytes("common/losses.h");
        if (src == null || common == null) {
            throw new DescentException("OpenCL kernel sources are missing from this build (kernels/opencl/" + file + "): rebuild with mvn package");
        }
        String s = new String(src, StandardCharsets.UTF_8);
        return s.replace("#include \"losses.h\"", new String(common, StandardCharsets.UTF_8));
    }

    /** Whether tests asked for output buffers to be filled with NaN before each kernel writes them. */
    public static boolean poison() {
        return Boolean.getBoolean("descent.poison") || "1".equals(System.getenv("DESCENT_POISON"));
    }
}
