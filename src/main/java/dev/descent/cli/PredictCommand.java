package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;
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
        description = "Apply a model saved by 'descent train --save-model' to a CSV/TSV or LIBSVM file: one output row per data row "
                + "(prediction; probability and label for logistic; decision and label for hinge, squared-hinge and modified-huber). When the file also holds the target column, "
                + "the loss (and accuracy) are reported on stderr.")
final class PredictCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model file from descent train --save-model.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "CSV/TSV (or a data folder from descent data convert) with the model's feature columns (in training order), "
                    + "and optionally its target column; or a LIBSVM file (its labels the targets, ±1 read as 0/1 for a 0/1 classifier).")
    Path data;

    @picocli.CommandLine.Mixin
    TargetOption.Format format = new TargetOption.Format();

    @Option(names = "--out", paramLabel = "FILE", description = "Write the predictions as CSV to FILE (default: standard output).")
    Path out;

    @Override
    public Integer call() {
        if (out != null) AtomicFiles.folder(out);
        Model m = Model.load(model);
        if (format.libsvm(data)) {
            SparseRows rows = format.libsvmRows(data, m.d(), "the model's " + m.d() + " features: give data with the features it was "
                    + "trained on");
            if (m.objective().binaryLabels()) rows = rows.withZeroOneLabels();
            return predict(m, Dataset.sparse(rows), true);                // kept sparse: margins over stored values only
        }
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
        return predict(m, ds, labelled);
    }

    /** Predictions for {@code ds} (its columns checked against the model's); the score too when {@code labelled}. */
    private Integer predict(Model m, Dataset ds, boolean labelled) {
        if (m.objective() == dev.descent.model.Objective.SOFTMAX) return softmax(m, ds, labelled);
        double[] y = m.predict(ds);
        StringBuilder sb = new StringBuilder(m.outputName() + (m.classifies() ? ",label\n" : "\n"));
        for (double v : y) {
            sb.append(String.format(Locale.ROOT, "%.9g", v));
            if (m.classifies()) sb.append(',').append(m.label(v));
            sb.append('\n');
        }
        emit(sb, y.length);
        if (labelled) spec.commandLine().getErr().println("descent: on " + data + ": " + score(m, ds, y));
        return 0;
    }

    /** Softmax: the class and the k class probabilities per row; accuracy and mean log loss when the data are labelled. */
    private Integer softmax(Model m, Dataset ds, boolean labelled) {
        double[][] p = m.probabilities(ds);
        int[] y = Model.argmax(p);
        int k = m.classes();
        StringBuilder sb = new StringBuilder("class");
        for (int c = 0; c < k; c++) sb.append(",p").append(c);
        sb.append('\n');
        for (int i = 0; i < y.length; i++) {
            sb.append(y[i]);
            for (int c = 0; c < k; c++) sb.append(',').append(String.format(Locale.ROOT, "%.6g", p[i][c]));
            sb.append('\n');
        }
        emit(sb, y.length);
        if (labelled) {
            double loss = 0;
            int right = 0;
            for (int i = 0; i < y.length; i++) {
                double t = ds.t(i);
                DescentException.require(t == Math.rint(t) && t >= 0 && t < k, "row " + (i + 1) + " of " + data + " has label " + t
                        + ", outside the model's classes 0.." + (k - 1));
                loss -= Math.log(Math.max(p[i][(int) t], 1e-300));
                if (y[i] == t) right++;
            }
            spec.commandLine().getErr().println(String.format(Locale.ROOT, "descent: on %s: accuracy %.4f (%d of %d), mean log loss %.6g",
                    data, (double) right / y.length, right, y.length, loss / y.length));
        }
        return 0;
    }

    private void emit(StringBuilder sb, int rows) {
        if (out != null) {
            AtomicFiles.write(out, sb.toString());
            spec.commandLine().getErr().println("descent: " + rows + " predictions written to " + out);
        } else {
            spec.commandLine().getOut().print(sb);
            spec.commandLine().getOut().flush();
        }
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
