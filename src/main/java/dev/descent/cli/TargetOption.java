package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.data.Csv;
import dev.descent.data.DataCache;
import dev.descent.data.Dataset;
import dev.descent.data.Libsvm;
import dev.descent.data.SparseRows;
import dev.descent.data.Table;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The {@code --target} and {@code --format} options of every command that reads a data file or folder, and the reading itself. */
final class TargetOption {
    @Option(names = "--target", defaultValue = "-1", paramLabel = "NAME|INDEX|none",
            description = "The target column by header name or 0-based index (negative from the end), or none. A LIBSVM file's target "
                    + "is its label. Default: ${DEFAULT-VALUE}.")
    String value = "-1";

    @Mixin
    Format format = new Format();

    /** The {@code --format} option: how a data file is read. */
    static final class Format {
        @Option(names = "--format", paramLabel = "csv|libsvm",
                description = "How to read a data file: csv (CSV/TSV) or libsvm (LIBSVM/SVMlight: label index:value …, 1-based "
                        + "indices). Default: libsvm for a name ending in .svm, .libsvm or .svmlight, else csv.")
        String value;

        /** Whether {@code data} is read as LIBSVM: by {@code --format}, else by its name. */
        boolean libsvm(Path data) {
            if (value == null) return Libsvm.hasLibsvmName(data);
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "libsvm", "svmlight" -> true;
                case "csv", "tsv" -> false;
                default -> throw new DescentException.InvalidArgument("--format '" + value + "': use csv or libsvm");
            };
        }

        /** LIBSVM rows, refusing a folder. */
        SparseRows libsvmRows(Path data, int width, String widthFrom) {
            if (Files.isDirectory(data)) {
                throw new DescentException.InvalidArgument("--format libsvm reads a file, but " + data + " is a folder: give the LIBSVM "
                        + "file, or leave --format out for a data folder");
            }
            return Libsvm.read(data, width, widthFrom);
        }
    }

    /** The target column; the default (the last column) means none when {@code targetless} (an objective without targets). */
    Csv.Target target(boolean targetless) {
        if (value.equalsIgnoreCase("none") || targetless && value.equals("-1")) return Csv.Target.NONE;
        return new Csv.Target(value);
    }

    /**
     * A CSV/TSV file, a LIBSVM file (its width the largest index; read as a sparse dataset), or a
     * data folder written by {@code descent data convert}.
     */
    Table read(String data, boolean targetless) {
        return read(data, targetless, 0, false);
    }

    /**
     * As {@link #read(String, boolean)}; a LIBSVM file with {@code width} columns (0: the largest
     * index) and, when {@code zeroOneLabels}, ±1 labels read as 0/1 (for the 0/1-label losses).
     * A LIBSVM file stays sparse ({@link Dataset#sparse}), never densified.
     */
    Table read(String data, boolean targetless, int width, boolean zeroOneLabels) {
        Path p = Path.of(data);
        Csv.Target t = target(targetless);
        if (format.libsvm(p)) {
            if (t != Csv.Target.NONE && !value.equals("-1")) {
                throw new DescentException.InvalidArgument("--target " + value + ": a LIBSVM file's target is its label (each row's first "
                        + "field): leave --target out, or give --target none");
            }
            SparseRows rows = format.libsvmRows(p, width, null);
            if (t == Csv.Target.NONE) rows = rows.withoutTargets();
            else if (zeroOneLabels) rows = rows.withZeroOneLabels();
            return new Table(Dataset.sparse(rows), null, t == Csv.Target.NONE ? null : "label", null);   // kept sparse: every backend trains on CSR
        }
        return Files.isDirectory(p) ? DataCache.read(p, t) : Csv.table(p, t);
    }
}
