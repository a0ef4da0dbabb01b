package dev.descent.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A dataset as a folder of NumPy files, so a CSV is parsed once and then loaded at the speed the
 * disk or page cache reads: {@code X.npy} (n, d) float32, {@code y.npy} (n) when there is a
 * target, and {@value #META} with the column names, the source file and the CRC32C of each
 * file's data, checked on every read. {@code descent data convert} writes one; {@code train
 * --data FOLDER} reads one. A folder with only {@code X.npy}/{@code y.npy} (as {@code descent
 * data --out} or numpy writes them) reads too, unchecked and without names.
 */
public final class DataCache {
    private DataCache() {}

    /** The description file: names, source and checksums. */
    public static final String META = "descent-data.json";
    /** The format the description file declares; a different one is refused. */
    static final String FORMAT = "descent data folder 1";

    /** Writes {@code table} to {@code dir} (created if need be); the description last, so a cut-short write fails its checksum. */
    public static void write(Path dir, Table table, String source) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DescentException("cannot create data folder " + dir + ": " + AtomicFiles.reason(e));
        }
        Dataset ds = table.data();
        ObjectNode meta = new ObjectMapper().createObjectNode();
        meta.put("format", FORMAT);
        meta.put("source", source);
        meta.put("rows", ds.n());
        meta.put("features", ds.d());
        if (table.features() != null) {
            ArrayNode names = meta.putArray("feature_names");
            table.features().forEach(names::add);
        }
        meta.put("target", table.target());
        ObjectNode files = meta.putObject("crc32c");
        files.put("X.npy", hex(Npy.writeChecked(dir.resolve("X.npy"), ds.features(), ds.n(), ds.d())));
        Path y = dir.resolve("y.npy");
        if (ds.hasTargets()) {
            files.put("y.npy", hex(Npy.writeChecked(y, ds.targets(), ds.n())));
        } else {
            try {
                Files.deleteIfExists(y);                           // an old target must not pair with new features
            } catch (IOException e) {
                throw new DescentException("cannot remove the old " + y + ": " + AtomicFiles.reason(e));
            }
        }
        try {
            AtomicFiles.write(dir.resolve(META), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(meta) + "\n");
        } catch (IOException e) {
            throw new DescentException("cannot encode " + META + ": " + e.getMessage());
        }
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
        JsonNode meta = null;
        if (Files.isRegularFile(mf)) {
            try {
                meta = new ObjectMapper().readTree(Files.readString(mf));
            } catch (IOException e) {
                throw new DescentException(mf + " is not a descent data description (" + AtomicFiles.reason(e).split("\n")[0]
                        + "): convert the data again with descent data convert");
            }
            if (meta == null || !FORMAT.equals(meta.path("format").asText())) {
                throw new DescentException(mf + " is not a '" + FORMAT + "' description: convert the data again with descent data convert");
            }
        }
        String targetName = meta == null || meta.path("target").isNull() ? null : meta.path("target").asText();
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
        String name = meta != null && meta.hasNonNull("source") ? meta.get("source").asText()
                : dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        Dataset ds = new Dataset(name, x.values(), t, n, d);
        List<String> names = null;
        if (meta != null && meta.path("feature_names").isArray() && meta.get("feature_names").size() == d) {
            names = new ArrayList<>();
            for (JsonNode s : meta.get("feature_names")) names.add(s.asText());
        }
        return new Table(ds, names, t == null ? null : targetName != null ? targetName : "-1", null);
    }

    private static void check(Path dir, JsonNode meta, String file, Npy.Array a) {
        if (meta == null) return;
        String want = meta.path("crc32c").path(file).asText(null);
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
