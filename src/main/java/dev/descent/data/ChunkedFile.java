package dev.descent.data;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of a parallel text loader that does not depend on the format, shared by
 * {@link CsvLoader} and {@link LibsvmLoader}: a file cut into chunks at line ends (LF, CRLF or CR;
 * a CRLF kept whole), each chunk read into a worker's own buffer by positional reads and handed
 * to a format's pass, chunks taken in index order by {@link CsvLoader.Settings#threads} workers.
 * A file whose size or modification time changed during the load is refused in one line.
 * A pipe or device is read whole first.
 */
abstract class ChunkedFile {
    /** The longest chunk (a line longer than this has no line end to cut at): one Java array. */
    static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE - 8;
    /** Bytes per read call: the JDK copies a heap buffer's read through a temporary direct buffer of this size. */
    private static final int READ_BYTES = 1 << 20;

    /** The opened file, before any chunking. */
    record Source(Path file, FileChannel ch, byte[] memory, long size, BasicFileAttributes before, CsvLoader.Settings settings) {}

    /** A format's load over an opened file. */
    @FunctionalInterface
    interface Body<T> {
        T load(Source source) throws IOException;
    }

    /**
     * Opens {@code file} (a regular file by channel, anything else read whole) and runs
     * {@code body} on it; a folder, a missing file or a read error is one line.
     *
     * @param what   what the file is, for messages ("data file")
     * @param expect what to give instead, for messages ("a CSV or TSV file")
     */
    static <T> T open(Path file, String what, String expect, CsvLoader.Settings settings, Body<T> body) {
        BasicFileAttributes before = Csv.attributes(file, what);
        if (before.isDirectory()) throw new DescentException(what + " " + file + " is a folder: give " + expect);
        try {
            if (!before.isRegularFile()) {                        // a pipe or device: read whole
                byte[] all = Csv.readFile(file, what, expect, Files::readAllBytes);
                return body.load(new Source(file, null, all, all.length, before, settings));
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                return body.load(new Source(file, ch, null, before.size(), before, settings));
            }
        } catch (NoSuchFileException e) {
            throw Csv.changed(file, what);
        } catch (IOException e) {
            throw new DescentException("cannot read " + what + " " + file + ": " + AtomicFiles.reason(e));
        }
    }

    final Path file;
    final FileChannel ch;           // the file, or null when its bytes are in memory
    final byte[] memory;
    final long size;
    final BasicFileAttributes before;
    final CsvLoader.Settings settings;
    final String what, expect;
    long[] bounds;                  // chunk k spans [bounds[k], bounds[k+1]); set by split()
    int chunks;

    ChunkedFile(Source s, String what, String expect) {
        this.file = s.file();
        this.ch = s.ch();
        this.memory = s.memory();
        this.size = s.size();
        this.before = s.before();
        this.settings = s.settings();
        this.what = what;
        this.expect = expect;
    }

    /** {@code e}, once the file is checked not to have changed (a file that changed says so instead). */
    DescentException fail(DescentException e) {
        finish();
        return e;
    }

    /** Runs the test seam, then checks that the file's size and modification time are as before. */
    void finish() {
        settings.afterRead().run();
        if (ch == null) return;
        BasicFileAttributes after;
        try {
            after = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw Csv.changed(file, what);
        }
        if (after.size() != before.size() || !after.lastModifiedTime().equals(before.lastModifiedTime())) throw Csv.changed(file, what);
    }

    /** Cuts the file into chunks: {@link #bounds} and {@link #chunks}. */
    void split() throws IOException {
        bounds = bounds();
        chunks = bounds.length - 1;
    }

    /** Chunk boundaries: every {@code chunkBytes}, moved on to just after the next line end (a CRLF kept whole). */
    private long[] bounds() throws IOException {
        long[] b = new long[16];
        int k = 1;
        byte[] w = new byte[(int) Math.min(64 << 10, Math.max(2, settings.chunkBytes()))];
        byte[] one = new byte[1];
        long p = 0;
        while (p + settings.chunkBytes() < size) {
            long end = size;
            search:
            for (long q = p + settings.chunkBytes(); q < size; ) {
                int len = (int) Math.min(w.length, size - q);
                read(q, w, len);
                for (int i = 0; i < len; i++) {
                    if (w[i] == '\n') {
                        end = q + i + 1;
                        break search;
                    }
                    if (w[i] == '\r') {
                        long r = q + i;
                        if (r + 1 >= size) break search;
                        if (i + 1 < len) {
                            one[0] = w[i + 1];
                        } else {
                            read(r + 1, one, 1);
                        }
                        end = r + (one[0] == '\n' ? 2 : 1);
                        break search;
                    }
                }
                q += len;
            }
            if (end - p > MAX_CHUNK_BYTES) throw longLine(p);
            if (end >= size) break;
            if (k == b.length) b = Arrays.copyOf(b, 2 * k);
            b[k++] = end;
            p = end;
        }
        if (size - p > MAX_CHUNK_BYTES) throw longLine(p);
        if (k == b.length) b = Arrays.copyOf(b, k + 1);
        b[k++] = size;
        return Arrays.copyOf(b, k);
    }

    DescentException longLine(long from) {
        return fail(new DescentException(what + " " + file + " has over " + MAX_CHUNK_BYTES + " bytes without a line end after byte "
                + from + ": it is not a table of numbers; give " + expect));
    }

    /** Reads {@code len} bytes at {@code pos} into {@code b}; fewer bytes than the size promised: the file changed. */
    void read(long pos, byte[] b, int len) throws IOException {
        if (ch == null) {
            System.arraycopy(memory, (int) pos, b, 0, len);
            return;
        }
        for (int off = 0; off < len; ) {
            int r = ch.read(ByteBuffer.wrap(b, off, Math.min(READ_BYTES, len - off)), pos + off);
            if (r < 0) throw fail(Csv.changed(file, what));
            off += r;
        }
    }

    /** A format's parse of one chunk: its first error, or null. */
    @FunctionalInterface
    interface ChunkParse {
        DescentException parse(int k, byte[] b, int len) throws IOException;
    }

    /**
     * Runs {@code parse} on every chunk and throws the first error in file order (once the file is
     * checked not to have changed), whichever thread found it first; chunks after a failed one are skipped.
     */
    void parseChunks(ChunkParse parse) throws IOException {
        DescentException[] failures = new DescentException[chunks];
        AtomicInteger firstFailed = new AtomicInteger(Integer.MAX_VALUE);
        forEachChunk((k, b, len) -> {
            DescentException e = parse.parse(k, b, len);
            if (e != null) {
                failures[k] = e;
                firstFailed.accumulateAndGet(k, Math::min);
            }
        }, firstFailed);
        for (DescentException f : failures) if (f != null) throw fail(f);
    }

    interface ChunkBody {
        void run(int k, byte[] b, int len) throws IOException;
    }

    /**
     * Runs {@code body} on every chunk, in order of index across {@link Settings#threads} workers,
     * each with its own buffer; chunks after {@code stopAfter} are skipped.
     */
    void forEachChunk(ChunkBody body, AtomicInteger stopAfter) throws IOException {
        AtomicInteger next = new AtomicInteger();
        Throwable[] thrown = new Throwable[1];
        Runnable worker = () -> {
            byte[] buf = new byte[0];
            try {
                for (int k; (k = next.getAndIncrement()) < chunks && k <= stopAfter.get(); ) {
                    int len = (int) (bounds[k + 1] - bounds[k]);
                    if (buf.length < len) buf = new byte[len];
                    read(bounds[k], buf, len);
                    body.run(k, buf, len);
                }
            } catch (Throwable e) {
                synchronized (thrown) {
                    if (thrown[0] == null) thrown[0] = e;
                }
                stopAfter.set(-1);
            }
        };
        int workers = Math.min(settings.threads(), chunks);
        if (workers <= 1) {
            worker.run();
        } else {
            Thread[] ts = new Thread[workers];
            for (int i = 0; i < workers; i++) {
                ts[i] = new Thread(worker, "descent-load-" + i);
                ts[i].setDaemon(true);
                ts[i].start();
            }
            for (Thread th : ts) {
                while (true) {
                    try {
                        th.join();
                        break;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();   // finish the load; the caller sees the flag
                    }
                }
            }
        }
        Throwable e = thrown[0];
        if (e instanceof IOException io) throw io;
        if (e instanceof RuntimeException r) throw r;
        if (e instanceof Error err) throw err;
        if (e != null) throw new IllegalStateException(e);
    }

    /** Eight bytes of a byte[] as one long, for the scans. */
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L, HIGH_BITS = 0x8080808080808080L;

    /**
     * Whether all eight bytes {@code b[i, i+8)} lie in [{@code lo}, 0x7e] ({@code lo} ≤ 0x80): no byte
     * below {@code lo} (the borrow test) and none above 0x7e (the carry test; a high byte sets its
     * own top bit). Exact for "none"; the slow loop then looks at each byte.
     */
    static boolean within(byte[] b, int i, int lo) {
        long w = (long) WORD.get(b, i);
        return ((((w - ONES * lo) & ~w) | ((w + ONES) | w)) & HIGH_BITS) == 0;
    }
}
