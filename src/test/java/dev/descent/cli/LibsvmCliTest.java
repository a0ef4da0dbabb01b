package dev.descent.cli;

import dev.descent.data.Generators;
import dev.descent.data.Libsvm;
import dev.descent.data.SparseRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LIBSVM files through the command line: write, load, train, predict; the sparse generator; the one-line refusals. */
class LibsvmCliTest {

    @Test
    void generatedLibsvmTrainsAndPredicts(@TempDir Path dir) throws Exception {
        Path svm = dir.resolve("data.svm"), model = dir.resolve("m.json"), out = dir.resolve("p.csv");
        CliTest.Outcome w = CliTest.cli("data", "--rows", "400", "--features", "3", "--format", "libsvm", "--out", svm.toString());
        assertEquals(0, w.code(), w.err());
        CliTest.Outcome load = CliTest.cli("data", "load", "--data", svm.toString());
        assertEquals(0, load.code(), load.err());
        assertTrue(load.out().contains("400 rows × 3 features"), load.out());
        CliTest.Outcome t = CliTest.cli("train", "--backend", "cpu", "--data", svm.toString(), "--epochs", "5", "--batch", "10",
                "--lr", "0.05", "--init", "zeros", "--save-model", model.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        CliTest.Outcome p = CliTest.cli("predict", "--model", model.toString(), "--data", svm.toString(), "--out", out.toString());
        assertEquals(0, p.code(), p.err());
        assertEquals(401, Files.readAllLines(out).size(), "a header and one prediction per row");
        assertTrue(p.err().contains("RMSE"), "a labelled LIBSVM file is scored: " + p.err());
    }

    /** A file without a LIBSVM name is read as LIBSVM with --format libsvm, ±1 labels as 0/1 for logistic. */
    @Test
    void formatOptionAndPlusMinusOneLabels(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("heart_like");
        StringBuilder sb = new StringBuilder();
        java.util.Random rng = new java.util.Random(4);
        for (int i = 0; i < 300; i++) {
            double a = rng.nextGaussian(), b = rng.nextGaussian();
            sb.append(a + 0.5 * b > 0 ? "+1" : "-1").append(" 1:").append((float) a).append(" 2:").append((float) b).append('\n');
        }
        Files.writeString(f, sb);
        CliTest.Outcome csv = CliTest.cli("train", "--backend", "cpu", "--data", f.toString(), "--objective", "logistic", "--no-progress");
        assertEquals(1, csv.errLines().size(), "read as CSV without --format: one line, " + csv.err());
        Path model = dir.resolve("m.json");
        CliTest.Outcome t = CliTest.cli("train", "--backend", "cpu", "--data", f.toString(), "--format", "libsvm", "--objective", "logistic",
                "--epochs", "20", "--batch", "10", "--lr", "0.5", "--init", "zeros", "--save-model", model.toString(), "--no-progress");
        assertEquals(0, t.code(), t.err());
        CliTest.Outcome p = CliTest.cli("predict", "--model", model.toString(), "--data", f.toString(), "--format", "libsvm",
                "--out", dir.resolve("p.csv").toString());
        assertEquals(0, p.code(), p.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("accuracy ([0-9.]+)").matcher(p.err());
        assertTrue(m.find(), p.err());
        assertTrue(Double.parseDouble(m.group(1)) > 0.95, "a separable problem: " + p.err());
    }

    @Test
    void sparseGeneratorWritesLibsvmThatLoadsSparse(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("rcv1-like.svm");
        CliTest.Outcome w = CliTest.cli("data", "--sparse", "--rows", "300", "--nnz", "20", "--format", "libsvm", "--out", f.toString());
        assertEquals(0, w.code(), w.err());
        SparseRows want = Generators.sparse(300, Generators.RCV1_FEATURES, 20, 0.01, 1), got = Libsvm.read(f, Generators.RCV1_FEATURES, "test");
        assertArrayEquals(want.allCols(), got.allCols());
        assertArrayEquals(want.allVals(), got.allVals());
        CliTest.Outcome load = CliTest.cli("data", "load", "--data", f.toString());
        assertEquals(0, load.code(), load.err());
        assertTrue(load.out().contains("300 rows × ") && load.out().contains("stored values"), load.out());
        CliTest.Outcome npy = CliTest.cli("data", "--sparse", "--rows", "10", "--out", dir.resolve("x").toString());
        assertEquals(List.of("descent: --sparse data are written as one LIBSVM file: add --format libsvm"), npy.errLines());
    }
}
