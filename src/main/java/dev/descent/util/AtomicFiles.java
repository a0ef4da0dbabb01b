package dev.descent.util;

import dev.descent.DescentException;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files whole or not at all: to a temporary file beside the target, then an atomic move. */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(Path file, String content) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (dir != null) Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DescentException("cannot create folder " + dir + ": " + e.getMessage() + " (check the path and its permissions)");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(content);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the failure below is the one to report
                }
            }
            throw new DescentException("cannot write " + file + ": " + e.getClass().getSimpleName() + " " + e.getMessage()
                    + " (is the folder writable?)");
        }
    }
}
