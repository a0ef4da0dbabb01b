package dev.descent.data;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * A dataset as a folder of NumPy files, so a CSV is parsed once and then loaded at the speed the
 * disk or page cache reads: {@code X.npy} (n, d) float32, {@code y.npy} (n) when there is a
 * target, and {@value #META} (Java properties, so a load needs no JSON library) with the column names, the source file and the CRC32C of each
 * file's data, checked on every read. {@code descent data convert} writes one; {@code train
 * --data FOLDER} reads one. A folder with only {@code X.npy}/{@code y.npy} (as {@code descent
 * data --out} or numpy writes them) reads too, unchecked and without names.
 */
public final class DataCache {
    private DataCache() {}

    /** The description file: names, source and checksums. */
    public static final String META = "descent-data.properties";
    /** The format the description file declares; a different one is refused. */
    static final String FORMAT = "descent data folder 1";

    /**
     * Writes {@code table} to {@code dir} (created if need be); the description last, so a
     * cut-short write fails its checksum. Sparse data are densified into X.npy when n·d fits one
     * array ({@link SparseRows#MAX_DENSE_VALUES}), and refused in one line, before anything is
     * written, when they do not.
     */
    public static void write(Path dir, Table table, String source) {
        Dataset ds = table.data();
        if (ds.isSparse()) {
            long cells = (long) ds.n() * ds.d();
            DescentException.require(cells <= SparseRows.MAX_DENSE_VALUES, "a data folder holds a dense X.npy, and " + ds.name()
                    + " is sparse and wide: " + ds.n() + " rows × " + ds.d() + " features = " + cells + " values dense (" + ds.stored()
                    + " stored), over the " + SparseRows.MAX_DENSE_VALUES + " one array holds: train and predict on the LIBSVM file "
                    + "itself (it is read sparse), or take fewer rows or features");
            ds = ds.dense();
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DescentException("cannot create data folder " + dir + ": " + AtomicFiles.reason(e));
        }
        Properties meta = new Properties();
        meta.setProperty("format", FORMAT);
        meta.setProperty("source", source);
        meta.setProperty("rows", Integer.toString(ds.n()));
        meta.setProperty("features", Integer.toString(ds.d()));
        if (table.features() != null) {
            for (int j = 0; j < table.features().size(); j++) meta.setProperty("feature." + j, table.features().get(j));
        }
        if (table.target() != null && ds.hasTargets()) meta.setProperty("target", table.target());
        meta.setProperty("crc32c.X.npy", hex(Npy.writeChecked(dir.resolve("X.npy"), ds.features(), ds.n(), ds.d())));
        Path y = dir.resolve("y.npy");
        if (ds.hasTargets()) {
            meta.setProperty("crc32c.y.npy", hex(Npy.writeChecked(y, ds.targets(), ds.n())));
        } else {
            try {
                Files.deleteIfExists(y);                           // an old target must not pair with new features
            } catch (IOException e) {
                throw new DescentException("cannot remove the old " + y + ": " + AtomicFiles.reason(e));
            }
        }
        StringWriter text = new StringWriter();
        try {
            meta.store(text, "descent data folder: X.npy (rows, features) and y.npy (rows) float32; CRC32C of each file's data");
        } catch (IOException e) {
            throw new IllegalStateException(e);                   // a StringWriter does not fail
        }
        AtomicFiles.write(dir.resolve(META), text.toString());
    }

    /**
     * Reads a data folder. {@code target}: {@link Csv.Target#NONE} drops {@code y.npy};
     * {@link Csv.Target#LAST} (the default) takes it when present; any other must name the target
     * the folder was converted with.
     */
    public static Table read(Path dir, Csv.Target target) {
        Path xf = dir.resolve("X.npy"), yf = dir.resolve("y.npy"), mf = dir.resolve(META);
        if (!Files.isRegularFile(xf)) {
            throw new DescentException("data folder " + dir + " has no X.npy: give a CSV file, or a folder written by descent data convert");
        }
        Properties meta = null;
        if (Files.isRegularFile(mf)) {
            meta = new Properties();
            try (Reader r = Files.newBufferedReader(mf, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                meta.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new DescentException(mf + " is not a descent data description: convert the data again with descent data convert");
            }
            if (!FORMAT.equals(meta.getProperty("format"))) {
                throw new DescentException(mf + " is not a '" + FORMAT + "' description: convert the data again with descent data convert");
            }
        }
        String targetName = meta == null ? null : meta.getProperty("target");
        boolean wantTargets = !target.none();
        if (wantTargets && !target.spec().trim().equals("-1") && !target.spec().trim().equals(targetName)) {
            throw new DescentException.InvalidArgument("data folder " + dir + " was converted with target "
                    + (targetName == null ? "none" : Csv.quote(targetName)) + ", not " + Csv.quote(target.spec().trim())
                    + ": give that target (or none), or convert the CSV again with --target");
        }
        Npy.Array x = Npy.read(xf);
        check(dir, meta, "X.npy", x);
        if (x.shape().length != 2) {
            throw new DescentException(xf + " has shape " + shape(x.shape()) + ": X.npy must be 2-D (rows, features)");
        }
        int n = x.shape()[0], d = x.shape()[1];
        float[] t = null;
        if (wantTargets && Files.isRegularFile(yf)) {
            Npy.Array y = Npy.read(yf);
            check(dir, meta, "y.npy", y);
            if (y.shape().length != 1 || y.shape()[0] != n) {
                throw new DescentException(yf + " has shape " + shape(y.shape()) + ": y.npy must be 1-D with X.npy's " + n + " rows");
            }
            t = y.values();
        }
        String name = meta != null && meta.getProperty("source") != null ? meta.getProperty("source")
                : dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        Dataset ds = new Dataset(name, x.values(), t, n, d);
        List<String> names = null;
        if (meta != null && meta.getProperty("feature.0") != null) {
            names = new ArrayList<>();
            for (int j = 0; j < d; j++) names.add(meta.getProperty("feature." + j, ""));
        }
        return new Table(ds, names, t == null ? null : targetName != null ? targetName : "-1", null);
    }

    private static void check(Path dir, Properties meta, String file, Npy.Array a) {
        if (meta == null) return;
        String want = meta.getProperty("crc32c." + file);
        if (want == null) {
            throw new DescentException("data folder " + dir + ": " + META + " has no checksum for " + file + ": convert the data again");
        }
        if (!want.equals(hex(a.crc32c()))) {
            throw new DescentException("data folder " + dir + ": " + file + " does not match its checksum in " + META
                    + " (changed or damaged since it was converted): convert the data again with descent data convert");
        }
    }

    private static String hex(long crc) {
        return String.format(Locale.ROOT, "%08x", crc);
    }

    private static String shape(int[] s) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < s.length; i++) sb.append(i == 0 ? "" : ", ").append(s[i]);
        return sb.append(s.length == 1 ? ",)" : ")").toString();
    }
}
