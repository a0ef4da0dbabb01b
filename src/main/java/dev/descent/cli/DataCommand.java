package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.data.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Write the synthetic linear-regression data descent trains on as NumPy files (X.npy n×d, y.npy n, w.npy d), "
                + "so peers (numpy, PyTorch, scikit-learn) run on the same bytes.")
final class DataCommand implements Callable<Integer> {
    @Option(names = {"-n", "--rows"}, defaultValue = "1000000", description = "Rows. Default: ${DEFAULT-VALUE}.")
    int n;

    @Option(names = {"-d", "--features"}, defaultValue = "64", description = "Features. Default: ${DEFAULT-VALUE}.")
    int d;

    @Option(names = "--noise", defaultValue = "0.01", description = "Label noise σ. Default: ${DEFAULT-VALUE}.")
    double noise;

    @Option(names = "--seed", defaultValue = "1", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for X.npy, y.npy and w.npy.")
    Path out;

    @Override
    public Integer call() {
        DescentException.require(n >= 1 && d >= 1, "--rows and --features must be ≥ 1");
        Dataset ds = Generators.regression(n, d, noise, seed);
        float[] w = Generators.trueWeights(d, seed);
        Npy.write(out.resolve("X.npy"), ds.features(), n, d);
        Npy.write(out.resolve("y.npy"), ds.targets(), n);
        Npy.write(out.resolve("w.npy"), w, d);
        return 0;
    }
}
