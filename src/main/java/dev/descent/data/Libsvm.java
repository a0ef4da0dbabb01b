package dev.descent.data;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * LIBSVM / SVMlight text files: one row a line, {@code label index:value index:value …}.
 * <ul>
 *   <li>The label is any real number (±1, 0/1, a class id, a regression target); for the 0/1-label
 *       losses, {@link #zeroOneLabels} reads ±1 as 0/1.</li>
 *   <li>Indices are 1-based positive integers; a row's pairs may come in any order (they are
 *       sorted), but an index twice in one row is an error, as is index 0 or a negative one.</li>
 *   <li>{@code qid:N} right after the label (SVMlight's query id) is accepted and ignored.</li>
 *   <li>{@code #} starts a comment to the end of the line; blank and comment-only lines are skipped;
 *       spaces and tabs separate fields; LF, CRLF or CR end lines; the last line needs no line end.</li>
 *   <li>Values must be finite float32 numbers (Java's float syntax; parsed bit-identically to
 *       {@link Float#parseFloat}).</li>
 *   <li>The width d is the largest index, or the width asked for (an index beyond it is an error).</li>
 * </ul>
 * Every bad file is one {@link DescentException} line naming the file, the line, the byte
 * offset of its start and the column (1-based, in bytes) of the bad field, and what to do.
 * The file is parsed in parallel ({@link LibsvmLoader}); the result does not depend on the
 * number of threads.
 */
public final class Libsvm {
    private Libsvm() {}

    /** File name endings read as LIBSVM without {@code --format libsvm}. */
    public static final String[] EXTENSIONS = {".svm", ".libsvm", ".svmlight"};

    /** Whether {@code file}'s name ends in one of {@link #EXTENSIONS}. */
    public static boolean hasLibsvmName(Path file) {
        Path name = file.getFileName();
        if (name == null) return false;
        String s = name.toString().toLowerCase(Locale.ROOT);
        for (String e : EXTENSIONS) if (s.endsWith(e)) return true;
        return false;
    }

    /** Reads {@code file}; its width is the largest index. */
    public static SparseRows read(Path file) {
        return read(file, 0, null);
    }

    /**
     * Reads {@code file} with {@code width} columns (0: the largest index).
     *
     * @param widthFrom the end of the message for an index beyond the width: where the width comes
     *                  from and what to do (null: {@code --features}'s)
     */
    public static SparseRows read(Path file, int width, String widthFrom) {
        DescentException.require(width >= 0, "--features must be ≥ 1 (got " + width + ")");
        return LibsvmLoader.load(file, width, widthFrom != null ? widthFrom : featuresWidth(width), CsvLoader.Settings.DEFAULT);
    }

    /** The message's end for an index beyond {@code --features width}. */
    static String featuresWidth(int width) {
        return "--features " + width + ": give a larger --features, or leave it out to take the largest index";
    }

    /**
     * Labels for the 0/1-label losses: when every label is −1 or +1 (LIBSVM's usual binary
     * labels), a copy with −1 as 0 and +1 as 1; otherwise {@code t} itself (0/1 labels pass as
     * they are; other labels are left for the objective's own check to refuse).
     */
    public static float[] zeroOneLabels(float[] t) {
        for (float v : t) if (v != 1f && v != -1f) return t;
        float[] out = new float[t.length];
        for (int i = 0; i < t.length; i++) out[i] = t[i] > 0 ? 1f : 0f;
        return out;
    }

    /**
     * Writes {@code ds} as a LIBSVM file (replaced atomically): the target as the label, then the
     * non-zero features as {@code index:value} with 1-based indices in increasing order. Numbers
     * are written with {@link Float#toString}, so the file reads back bit-identically (a −0 feature
     * is omitted with the zeros and reads back as 0). A sparse dataset writes its stored pairs
     * ({@link #write(Path, SparseRows)}).
     */
    public static void write(Path file, Dataset ds) {
        DescentException.require(ds.hasTargets(), "dataset '" + ds.name() + "' has no targets, and every LIBSVM row starts with its label");
        if (ds.isSparse()) {
            write(file, ds.rowsSparse());
            return;
        }
        float[] x = ds.features(), t = ds.targets();
        int d = ds.d();
        writeRows(file, ds.n(), (i, sb) -> {
            sb.append(t[i]);
            for (int j = 0, base = i * d; j < d; j++) {
                float v = x[base + j];
                if (v != 0) sb.append(' ').append(j + 1).append(':').append(v);
            }
        });
    }

    /** Sparse rows as a LIBSVM file, every stored pair written (as {@link #write(Path, Dataset)} writes numbers). */
    public static void write(Path file, SparseRows rows) {
        DescentException.require(rows.targets() != null, "data '" + rows.name() + "' have no targets, and every LIBSVM row starts with its label");
        long[] off = rows.rowOffsets();
        writeRows(file, rows.n(), (i, sb) -> {
            sb.append(rows.targets()[i]);
            int s = rows.segmentOf(i);
            int[] cols = rows.colSegments()[s];
            float[] vals = rows.valSegments()[s];
            long b = rows.segmentStart(s);
            for (int p = (int) (off[i] - b), e = (int) (off[i + 1] - b); p < e; p++) sb.append(' ').append(cols[p] + 1).append(':').append(vals[p]);
        });
    }

    /** Appends row i's text (without its line end) to a builder. */
    private interface RowText {
        void append(int i, StringBuilder sb);
    }

    /** Writes n rows whole or not at all, in 1 MiB pieces. */
    private static void writeRows(Path file, int n, RowText row) {
        AtomicFiles.write(file, out -> {
            StringBuilder sb = new StringBuilder(1 << 20);
            for (int i = 0; i < n; i++) {
                row.append(i, sb);
                sb.append('\n');
                if (sb.length() >= 1 << 20) {
                    out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                    sb.setLength(0);
                }
            }
            out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        });
    }
}
