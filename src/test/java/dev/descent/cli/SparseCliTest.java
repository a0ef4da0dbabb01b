package dev.descent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.data.Libsvm;
import dev.descent.data.SparseRows;
import dev.descent.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LIBSVM files stay sparse from the command line to the model: read as a sparse dataset, trained
 * on the stored values, predicted without densifying, standardized without centring, checkpointed
 * and resumed bit-identically; data convert densifies what fits and refuses what does not.
 */
class SparseCliTest {

    /** rcv1-shaped rows written as a LIBSVM file by the command line's own generator. */
    private static Path rcv1Like(Path dir, int rows, String... more) {
        Path f = dir.resolve("rcv1-" + rows + ".svm");
        List<String> args = new ArrayList<>(List.of("data", "--sparse", "--rows", String.valueOf(rows), "--format", "libsvm", "--out", f.toString()));
        args.addAll(List.of(more));
        CliTest.Outcome w = CliTest.cli(args.toArray(String[]::new));
        assertEquals(0, w.code(), w.err());
        return f;
    }

    private static double accuracy(CliTest.Outcome o) {
        Matcher m = Pattern.compile("accuracy ([0-9.]+)").matcher(o.err());
        assertTrue(m.find(), o.err());
        return Double.parseDouble(m.group(1));
    }

    /**
     * 50,000 rcv1-shaped rows: 50,000 × ~47,000 is over 2.3·10⁹ values dense, more than one dense
     * dataset holds (2^31 − 8), so a run that densified would be refused. It trains (batch-1 SGD,
     * one epoch) and predicts every row.
     */
    @Test
    void wideRcv1ShapedFileTrainsAndPredictsWithoutDensifying(@TempDir Path dir) throws Exception {
        Path svm = rcv1Like(dir, 50_000), model = dir.resolve("m.json"), out = dir.resolve("p.csv");
        CliTest.Outcome t = CliTest.cli("train", "--backend", "cpu", "--data", svm.toString(), "--objective", "logistic", "--batch", "1",
                "--epochs", "1", "--lr", "0.5", "--init", "zeros", "--save-model", model.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        Matcher shape = Pattern.compile("\\(50000 × (\\d+), sparse, (\\d+) stored\\)").matcher(t.err());
        assertTrue(shape.find(), "the run names its data sparse: " + t.err());
        long d = Long.parseLong(shape.group(1));
        assertTrue(50_000 * d > SparseRows.MAX_DENSE_VALUES, "the file must be too wide to densify: d = " + d);
        CliTest.Outcome p = CliTest.cli("predict", "--model", model.toString(), "--data", svm.toString(), "--out", out.toString());
        assertEquals(0, p.code(), p.err());
        assertEquals(50_001, Files.readAllLines(out).size(), "a header and one prediction per row");
        assertTrue(accuracy(p) > 0.8, "labels from a planted linear model: " + p.err());
    }

    /** The command line reads a LIBSVM file as a sparse dataset (the API view of what train runs on), sized for auto by its stored values. */
    @Test
    void libsvmFileIsReadSparse(@TempDir Path dir) {
        Path svm = rcv1Like(dir, 500, "--features", "300", "--nnz", "10");
        Dataset ds = new TargetOption().read(svm.toString(), false, 0, true).data();
        assertTrue(ds.isSparse(), ds.toString());
        assertEquals(Libsvm.read(svm).nnz(), ds.stored());
        assertEquals(3 * ds.stored(), TrainCommand.problem(ds, 10, 3).batchValues(), "auto weighs the stored values");
        assertEquals(3L * ds.n() * ds.d(), TrainCommand.problem(ds.dense(), 10, 3).batchValues(), "and n·d dense");
        CliTest.Outcome load = CliTest.cli("data", "load", "--data", svm.toString());
        assertEquals(0, load.code(), load.err());
        assertTrue(load.out().contains("500 rows × ") && load.out().contains(" stored values (sparse), target label"), load.out());
    }

    /** Bit-identical resume on a sparse file through the command line, on cpu and on OpenCL where present; another file is refused. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl:@cpu"})
    void sparseCheckpointResumesBitIdentical(String backend, @TempDir Path dir) throws Exception {
        if (!backend.equals("cpu")) dev.descent.backend.TestBackends.open(backend).close();   // skips (or fails when required) when absent
        Path svm = rcv1Like(dir, 2000, "--features", "5000", "--nnz", "30");
        Path refModel = dir.resolve("ref.json"), refHistory = dir.resolve("ref.csv"), ck = dir.resolve("run.ckpt"),
                model = dir.resolve("resumed.json"), history = dir.resolve("resumed.csv");
        List<String> args = List.of("train", "--backend", backend, "--data", svm.toString(), "--objective", "logistic", "--batch", "4",
                "--lr", "0.5", "--optimizer", "momentum:0.9", "--schedule", "step:2:0.5", "--seed", "5", "--no-progress");
        assertEquals(0, run(args, "--epochs", "3", "--save-model", refModel.toString(), "--history", refHistory.toString()));
        assertEquals(0, run(args, "--epochs", "1", "--checkpoint", ck.toString()));
        assertEquals(0, run(args, "--epochs", "3", "--resume", ck.toString(), "--save-model", model.toString(), "--history", history.toString()));
        KillResumeTest.assertSameRun(refModel, refHistory, model, history);

        Path other = dir.resolve("other.svm");                       // the same shape, other values
        CliTest.Outcome o = CliTest.cli("data", "--sparse", "--rows", "2000", "--features", "5000", "--nnz", "30", "--seed", "2",
                "--format", "libsvm", "--out", other.toString());
        assertEquals(0, o.code(), o.err());
        List<String> again = new ArrayList<>(args.subList(0, 4));
        again.add(other.toString());
        again.addAll(args.subList(5, args.size()));
        again.addAll(List.of("--epochs", "3", "--resume", ck.toString()));
        CliTest.Outcome refused = CliTest.cli(again.toArray(String[]::new));
        CliTest.assertOneClearLine(refused, 2, "was written by a different run (data ");
        assertTrue(refused.err().contains(" sparse "), refused.err());
    }

    private static int run(List<String> args, String... more) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of(more));
        CliTest.Outcome o = CliTest.cli(a.toArray(String[]::new));
        assertEquals(0, o.code(), String.join(" ", a) + ": " + o.err());
        return o.code();
    }

    /**
     * --standardize on sparse rows divides each column by its std without centring; the model
     * records means of 0 and those stds, and predict applies them: its mean log loss on the raw
     * file is the training run's final full-data loss (float32 on the backend against double here).
     */
    @Test
    void standardizedSparseScalesWithoutCentringAndPredictAppliesIt(@TempDir Path dir) throws Exception {
        Path svm = rcv1Like(dir, 1000, "--features", "200", "--nnz", "8"), model = dir.resolve("m.json"), hist = dir.resolve("h.csv");
        CliTest.Outcome t = CliTest.cli("train", "--backend", "cpu", "--data", svm.toString(), "--objective", "logistic", "--standardize",
                "--batch", "10", "--epochs", "2", "--lr", "0.05", "--init", "zeros", "--save-model", model.toString(),
                "--history", hist.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.err().contains("(standardized) (1000 × ") && t.err().contains(", sparse, "), "stays sparse: " + t.err());
        JsonNode s = new ObjectMapper().readTree(model.toFile()).path("standardization");
        Dataset raw = Dataset.sparse(Libsvm.read(svm));
        assertEquals(raw.d(), s.path("mean").size());
        for (JsonNode m : s.path("mean")) assertEquals(0.0, m.asDouble(), "no centring");
        Model m = Model.load(model);
        for (int j : new int[] {0, 1, 7, raw.d() - 1}) {                 // the std with absent values as 0 (n − 1), as dense data give it
            double mean = 0, ss = 0;
            for (int i = 0; i < raw.n(); i++) mean += raw.x(i, j);
            mean /= raw.n();
            for (int i = 0; i < raw.n(); i++) ss += (raw.x(i, j) - mean) * (raw.x(i, j) - mean);
            double sd = Math.sqrt(ss / (raw.n() - 1));
            assertEquals(sd > 0 ? sd : 1, m.scaling().std()[j], 1e-12 * Math.max(1, sd), "column " + j);
        }
        CliTest.Outcome p = CliTest.cli("predict", "--model", model.toString(), "--data", svm.toString(), "--out", dir.resolve("p.csv").toString());
        assertEquals(0, p.code(), p.err());
        Matcher loss = Pattern.compile("mean log loss ([0-9.eE+-]+)").matcher(p.err());
        assertTrue(loss.find(), p.err());
        List<String> rows = Files.readAllLines(hist);
        String last = rows.get(rows.size() - 1);
        double trained = Double.parseDouble(last.split(",")[4]);
        assertEquals(trained, Double.parseDouble(loss.group(1)), 1e-4 * trained, "predict's loss on the raw file against training's last loss");
    }

    /** data convert densifies a LIBSVM file that fits one array, and the folder predicts what the file does. */
    @Test
    void convertDensifiesWhatFits(@TempDir Path dir) throws Exception {
        Path svm = rcv1Like(dir, 300, "--features", "50", "--nnz", "6"), folder = dir.resolve("folder"), model = dir.resolve("m.json");
        CliTest.Outcome c = CliTest.cli("data", "convert", "--data", svm.toString(), "--out", folder.toString());
        assertEquals(0, c.code(), c.err());
        assertEquals(0, CliTest.cli("train", "--backend", "cpu", "--data", svm.toString(), "--objective", "logistic", "--epochs", "2",
                "--save-model", model.toString(), "--no-progress").code());
        Path a = dir.resolve("a.csv"), b = dir.resolve("b.csv");
        assertEquals(0, CliTest.cli("predict", "--model", model.toString(), "--data", svm.toString(), "--out", a.toString()).code());
        assertEquals(0, CliTest.cli("predict", "--model", model.toString(), "--data", folder.toString(), "--out", b.toString()).code());
        assertEquals(Files.readAllLines(a), Files.readAllLines(b), "sparse rows and their dense copy predict the same bits");
    }
}
