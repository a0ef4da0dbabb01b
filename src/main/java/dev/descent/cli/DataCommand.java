package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.data.DataCache;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.data.Libsvm;
import dev.descent.data.Npy;
import dev.descent.data.Table;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Write the synthetic linear-regression data descent trains on as NumPy files (X.npy n×d, y.npy n, w.npy d), "
                + "so peers (numpy, PyTorch, scikit-learn) run on the same bytes, or with --format libsvm as one LIBSVM file. "
                + "Subcommands convert a CSV or LIBSVM file to such a folder "
                + "(parsed once, then loaded at read speed) and load data as train would.",
        subcommands = {DataCommand.Convert.class, DataCommand.Load.class})
final class DataCommand implements Callable<Integer> {
    @Option(names = {"-n", "--rows"}, defaultValue = "1000000", description = "Rows. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = {"-d", "--features"}, paramLabel = "D", description = "Features. Default: 64 (with --sparse, rcv1's 47236).")
    Integer d;

    @Option(names = "--sparse", description = "Sparse rows shaped like a text collection (rcv1 by default): power-law feature "
            + "popularity, log-normal stored values per row (mean --nnz), unit-length rows, 0/1 labels from a planted model; "
            + "needs --format libsvm.")
    boolean sparse;

    @Option(names = "--nnz", defaultValue = "75", paramLabel = "MEAN",
            description = "With --sparse: the mean of stored values per row. Default: ${DEFAULT-VALUE} (rcv1's).")
    double nnz;

    @Option(names = "--noise", defaultValue = "0.01", description = "Label noise σ. Default: ${DEFAULT-VALUE}.")
    double noise;

    @Option(names = "--seed", defaultValue = "1", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR|FILE", description = "Folder for X.npy, y.npy and w.npy; with --format libsvm, the file (required).")
    Path out;

    @Option(names = "--format", defaultValue = "npy", paramLabel = "npy|libsvm",
            description = "npy: X.npy, y.npy, w.npy in the folder --out; libsvm: one LIBSVM file --out (label index:value …, zeros "
                    + "omitted, numbers as Java's Float.toString, so it reads back bit-identically). Default: ${DEFAULT-VALUE}.")
    String format;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (out == null) throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--out=DIR'");
        int d = this.d != null ? this.d : sparse ? Generators.RCV1_FEATURES : 64;
        DescentException.require(n >= 1 && d >= 1, "--rows and --features must be ≥ 1");
        boolean libsvm = switch (format.toLowerCase(Locale.ROOT)) {
            case "npy" -> false;
            case "libsvm" -> true;
            default -> throw new DescentException.InvalidArgument("--format '" + format + "': use npy or libsvm");
        };
        if (libsvm) DescentException.require(!Files.isDirectory(out), "--format libsvm writes one file, but --out " + out
                + " is a folder: name the file, e.g. " + out.resolve("data.svm"));
        if (sparse) {
            DescentException.require(libsvm, "--sparse data are written as one LIBSVM file: add --format libsvm");
            dev.descent.util.AtomicFiles.folder(out);
            Libsvm.write(out, Generators.sparse(n, d, nnz, noise, seed));
            return 0;
        }
        Dataset ds = Generators.regression(n, d, noise, seed);
        if (libsvm) {
            dev.descent.util.AtomicFiles.folder(out);
            Libsvm.write(out, ds);
            return 0;
        }
        float[] w = Generators.trueWeights(d, seed);
        Npy.write(out.resolve("X.npy"), ds.features(), n, d);
        Npy.write(out.resolve("y.npy"), ds.targets(), n);
        Npy.write(out.resolve("w.npy"), w, d);
        return 0;
    }


    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Parse a CSV/TSV or LIBSVM file (see --format) once and write it as a data folder: X.npy (n×d float32), y.npy (n, when there is a target) "
                    + "and " + DataCache.META + " (column names, source, CRC32C of each file, checked on every read). "
                    + "train --data FOLDER then loads it at read speed. X.npy is dense: a LIBSVM file is densified when n·d fits one "
                    + "array (2^31−8 values) and refused when wider (train on the LIBSVM file itself, which stays sparse).")
    static final class Convert implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "FILE", description = "The CSV, TSV or LIBSVM file.")
        Path data;

        @CommandLine.Mixin
        TargetOption target = new TargetOption();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write (created if need be).")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            Table table = target.read(data.toString(), false);
            long t1 = System.nanoTime();
            DataCache.write(out, table, data.getFileName().toString());
            long t2 = System.nanoTime();
            Dataset ds = table.data();
            spec.commandLine().getErr().printf(Locale.ROOT, "descent: %s (%d × %d%s) written to %s: parsed in %.3f s, written in %.3f s%n",
                    data.getFileName(), ds.n(), ds.d(), ds.hasTargets() ? ", target " + table.target() : ", no target", out,
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            return 0;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Load a CSV/TSV or LIBSVM file (see --format) or a data folder as train --data does, and print its shape, "
                    + "the load time and the rate.")
    static final class Load implements Callable<Integer> {
        @Option(names = "--data", required = true, paramLabel = "FILE|DIR", description = "A CSV, TSV or LIBSVM file, or a data folder.")
        String data;

        @CommandLine.Mixin
        TargetOption target = new TargetOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws java.io.IOException {
            long t0 = System.nanoTime();
            Path p = Path.of(data);
            Table table = target.read(data, false);                      // a LIBSVM file as train reads it: sparse
            Dataset ds = table.data();
            String what = String.format(Locale.ROOT, "%d rows × %d features%s%s", ds.n(), ds.d(),
                    ds.isSparse() ? ", " + ds.stored() + " stored values (sparse)" : "",
                    ds.hasTargets() ? ", target " + table.target() : ", no target");
            double s = (System.nanoTime() - t0) / 1e9;
            long bytes = 0;
            if (Files.isDirectory(p)) {
                try (var files = Files.list(p)) {
                    bytes = files.filter(f -> f.toString().endsWith(".npy")).mapToLong(f -> f.toFile().length()).sum();
                }
            } else {
                bytes = Files.size(p);
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: %s; loaded %d bytes in %.3f s (%.0f MB/s)%n", data, what, bytes, s, bytes / s / 1e6);
            return 0;
        }
    }
}
