package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Table;
import dev.descent.model.Model;
import dev.descent.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Apply a model saved by 'descent train --save-model' to a CSV/TSV file: one output row per data row "
                + "(prediction; probability and label for logistic; decision and label for hinge, squared-hinge and modified-huber). When the file also holds the target column, "
                + "the loss (and accuracy) are reported on stderr.")
final class PredictCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model file from descent train --save-model.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "CSV/TSV (or a data folder from descent data convert) with the model's feature columns (in training order), "
                    + "and optionally its target column.")
    Path data;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the predictions as CSV to FILE (default: standard output).")
    Path out;

    @Override
    public Integer call() {
        if (out != null) AtomicFiles.folder(out);
        Model m = Model.load(model);
        Table all = read(data, Csv.Target.NONE);
        Table table = all;
        boolean labelled = false;
        if (java.nio.file.Files.isDirectory(data) && m.target() != null && java.nio.file.Files.exists(data.resolve("y.npy"))) {
            try {
                table = read(data, new Csv.Target(m.target()));          // a folder keeps its targets apart from X
                labelled = table.data().hasTargets();
            } catch (DescentException.InvalidArgument e) {
                table = all;                                            // converted with another target: predict only
            }
        }
        if (!labelled && all.data().d() == m.d() + 1 && m.target() != null
                && (m.target().matches("-?\\d+") || all.features() != null && all.features().contains(m.target()))) {
            table = read(data, new Csv.Target(m.target()));
            labelled = true;
        }
        Dataset ds = table.data();
        if (ds.d() != m.d()) {
            throw new DescentException.InvalidArgument(data + " has " + ds.d() + " columns, the model takes " + m.d() + " features"
                    + (m.target() != null ? " (and optionally its target " + m.target() + ")" : "")
                    + ": give the columns it was trained on, in the same order");
        }
        if (m.features() != null && table.features() != null && !m.features().equals(table.features())) {
            throw new DescentException.InvalidArgument(data + " has the columns " + String.join(", ", table.features())
                    + " but the model was trained on " + String.join(", ", m.features()) + ": give those, in that order");
        }
        double[] y = m.predict(ds);
        StringBuilder sb = new StringBuilder(m.outputName() + (m.classifies() ? ",label\n" : "\n"));
        for (double v : y) {
            sb.append(String.format(Locale.ROOT, "%.9g", v));
            if (m.classifies()) sb.append(',').append(m.label(v));
            sb.append('\n');
        }
        if (out != null) {
            AtomicFiles.write(out, sb.toString());
            spec.commandLine().getErr().println("descent: " + y.length + " predictions written to " + out);
        } else {
            spec.commandLine().getOut().print(sb);
            spec.commandLine().getOut().flush();
        }
        if (labelled) spec.commandLine().getErr().println("descent: on " + data + ": " + score(m, ds, y));
        return 0;
    }

    /** A CSV/TSV file, or a data folder from {@code descent data convert}. */
    private static Table read(java.nio.file.Path file, Csv.Target target) {
        return java.nio.file.Files.isDirectory(file) ? dev.descent.data.DataCache.read(file, target) : Csv.table(file, target);
    }

    /** Mean loss in the data's units, and accuracy for a classifier. */
    private static String score(Model m, Dataset ds, double[] y) {
        int n = ds.n();
        if (m.classifies()) {
            boolean logistic = m.objective() == dev.descent.model.Objective.LOGISTIC;
            double loss = 0;
            int right = 0;
            for (int i = 0; i < n; i++) {
                double t = ds.t(i), p = y[i];
                loss += logistic ? -(t * Math.log(Math.max(p, 1e-300)) + (1 - t) * Math.log(Math.max(1 - p, 1e-300))) : m.objective().loss(p, t);
                if (m.label(p) == t) right++;
            }
            return String.format(Locale.ROOT, "accuracy %.4f (%d of %d), mean %s loss %.6g", (double) right / n, right, n,
                    logistic ? "log" : m.objective().cliName(), loss / n);
        }
        double se = 0;
        for (int i = 0; i < n; i++) se += (y[i] - ds.t(i)) * (y[i] - ds.t(i));
        return String.format(Locale.ROOT, "RMSE %.6g, mean squared error / 2 %.6g over %d rows", Math.sqrt(se / n), se / n / 2, n);
    }
}
