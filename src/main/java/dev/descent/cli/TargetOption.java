package dev.descent.cli;

import dev.descent.data.Csv;
import dev.descent.data.DataCache;
import dev.descent.data.Table;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --target} option of every command that reads a data file or folder, and the reading itself. */
final class TargetOption {
    @Option(names = "--target", defaultValue = "-1", paramLabel = "NAME|INDEX|none",
            description = "The target column by header name or 0-based index (negative from the end), or none. Default: ${DEFAULT-VALUE}.")
    String value = "-1";

    /** The target column; the default (the last column) means none when {@code targetless} (an objective without targets). */
    Csv.Target target(boolean targetless) {
        if (value.equalsIgnoreCase("none") || targetless && value.equals("-1")) return Csv.Target.NONE;
        return new Csv.Target(value);
    }

    /** A CSV/TSV file, or a data folder written by {@code descent data convert}. */
    Table read(String data, boolean targetless) {
        Path p = Path.of(data);
        Csv.Target t = target(targetless);
        return Files.isDirectory(p) ? DataCache.read(p, t) : Csv.table(p, t);
    }
}
