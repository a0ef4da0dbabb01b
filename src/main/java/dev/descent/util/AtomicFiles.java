package dev.descent.util;

import dev.descent.DescentException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files whole or not at all: to a temporary file beside the target, then an atomic move,
 * so a failure (or a crash) never leaves a half-written file or clobbers an old one. The result is
 * readable by all (rw-r--r--), as an ordinary file would be.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Something that writes the file's bytes. */
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    public static void write(Path file, String content) {
        write(file, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    public static void write(Path file, Body body) {
        write(file, body, false);
    }

    /**
     * As {@link #write(Path, Body)}, and the bytes reach the disk (fsync) before the move, so
     * even a power loss leaves either the old file or the whole new one: for checkpoints.
     */
    public static void writeDurably(Path file, Body body) {
        write(file, body, true);
    }

    private static void write(Path file, Body body, boolean durable) {
        Path dir = folder(file);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                body.write(out);
                out.flush();
                if (durable) ch.force(true);
            }
            publish(tmp, file);
        } catch (IOException e) {
            throw cannotWrite(file, e, tmp);
        } catch (RuntimeException | Error e) {       // a body that fails any other way leaves no temporary file behind
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) return;
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // best effort: the failure being reported matters more
        }
    }

    /** Removes a temporary folder of plain files (null: nothing), best effort: one left behind is harmless. */
    public static void removeTempFolder(Path dir) {
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary folder left behind
        }
    }

    /** For encoders that only take a path: {@code body} gets a temporary path (same extension) to write. */
    public static void writeVia(Path file, PathBody body) {
        Path dir = folder(file);
        String name = file.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.')) : "";
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + name, ext);
            body.write(tmp);
            publish(tmp, file);
        } catch (IOException e) {
            throw cannotWrite(file, e, tmp);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Something that writes a file at a path. */
    public interface PathBody {
        void write(Path tmp) throws IOException;
    }

    /** The file's folder, created if needed; a clear line when that is impossible or it is not writable. */
    public static Path folder(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DescentException("cannot create folder " + dir + ": " + reason(e) + " (give a writable folder)");
        }
        if (!Files.isWritable(dir)) throw new DescentException("cannot write to " + dir + ": the folder is not writable");
        return dir;
    }

    /** The operating system's reason in words ("Not a directory", "permission denied"), without exception names. */
    public static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileAlreadyExistsException f) return f.getFile() + " exists and is not a folder";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        return String.valueOf(e.getMessage());
    }

    private static void publish(Path tmp, Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: keep its default permissions
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static DescentException cannotWrite(Path file, IOException e, Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write failure is the one to report
            }
        }
        return new DescentException("cannot write " + file + ": " + reason(e) + " (is the folder writable?)");
    }
}
