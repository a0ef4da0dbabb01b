package dev.descent.cli;

import dev.descent.DescentException;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.ref.RefBackend;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    public record Outcome(int code, String out, String err) {
        List<String> errLines() {
            return err.isBlank() ? List.of() : Arrays.asList(err.strip().split("\n"));
        }
    }

    static Outcome cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Outcome(code, out.toString(), err.toString());
    }

    /** One line, naming the problem; no stack trace. */
    static void assertOneClearLine(Outcome o, int code, String mentions) {
        assertEquals(code, o.code(), o.err());
        List<String> lines = o.errLines();
        assertEquals(1, lines.size(), "expected one line, got: " + o.err());
        assertTrue(lines.get(0).startsWith("descent: "), lines.get(0));
        assertTrue(lines.get(0).contains(mentions), "'" + lines.get(0) + "' should mention '" + mentions + "'");
        assertFalse(o.err().contains("Exception"), o.err());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--batch 0                                 | 2 | batch size must be ≥ 1",
            "--batch 1001                              | 2 | larger than the dataset",
            "--lr 0                                    | 2 | learning rate must be a finite number > 0",
            "--lr -1                                   | 2 | learning rate",
            "--lr NaN                                  | 2 | learning rate",
            "--lr Infinity                             | 2 | learning rate",
            "--epochs 0                                | 2 | epochs must be ≥ 1",
            "--objective svm                           | 2 | unknown objective 'svm'",
            "--optimizer lion                          | 2 | unknown optimizer 'lion'",
            "--schedule cosine                         | 2 | unknown schedule 'cosine'",
            "--backend tpu                             | 2 | unknown backend 'tpu'",
            "--order random                            | 2 | unknown batch order 'random'",
            "--period 15                               | 2 | multiple of the batch size",
            "--rows 0                                  | 2 | --rows must be ≥ 1",
            "--batch x                                 | 2 | --batch",
            "--history h.txt                           | 2 | .csv or .json",
            "--rows 2000000000 --features 1000         | 1 | do not fit in one array",
            "--rows 100000 --features 100000           | 1 | 10000000000 values do not fit",
    })
    void badTrainOptions(String args, int code, String mentions) {
        List<String> a = new ArrayList<>(List.of("train", "--no-progress"));
        a.addAll(Arrays.asList(args.trim().split("\\s+")));
        if (!a.contains("--backend")) a.addAll(List.of("--backend", "cpu"));
        assertOneClearLine(cli(a.toArray(String[]::new)), code, mentions);
    }

    @Test
    void badDataFiles(@TempDir Path dir) throws Exception {
        assertOneClearLine(cli("train", "--backend", "cpu", "--data", dir.resolve("missing.csv").toString()), 1, "does not exist");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "x,y\n1,2\n3\n");
        assertOneClearLine(cli("train", "--backend", "cpu", "--data", bad.toString()), 1, "line 3");
        Files.writeString(bad, "x,y\n1,2\n3,Infinity\n");
        assertOneClearLine(cli("train", "--backend", "cpu", "--data", bad.toString()), 1, "line 3 (byte 8), column 2");
        Files.writeString(bad, "x,y\n");
        assertOneClearLine(cli("train", "--backend", "cpu", "--data", bad.toString()), 1, "no data rows");
        Files.writeString(bad, "x,y\n1,2\n3,4\n");
        assertOneClearLine(cli("train", "--backend", "cpu", "--data", bad.toString(), "--objective", "wave", "--target", "y"), 2,
                "takes no targets");
        assertOneClearLine(cli("train", "--backend", "cpu", "--data", bad.toString(), "--objective", "logistic"), 2, "0/1 labels");
    }

    @Test
    void aCsvConvertedToAFolderTrainsAsTheCsvDoes(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("d.csv"), folder = dir.resolve("d"), h1 = dir.resolve("h1.csv"), h2 = dir.resolve("h2.csv");
        StringBuilder sb = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 200; i++) sb.append(i % 7 * 0.25).append(',').append(i % 5 - 2).append(',').append(i % 7 - i % 5).append('\n');
        Files.writeString(csv, sb);
        Outcome c = cli("data", "convert", "--data", csv.toString(), "--target", "y", "--out", folder.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.err().contains("d.csv (200 × 2, target y) written to " + folder), c.err());
        Outcome l = cli("data", "load", "--data", folder.toString());
        assertTrue(l.out().contains("200 rows × 2 features, target y"), l.out());
        for (Path[] run : new Path[][] {{csv, h1}, {folder, h2}}) {
            Outcome o = cli("train", "--backend", "cpu", "--data", run[0].toString(), "--target", "y", "--epochs", "2", "--batch", "20",
                    "--no-progress", "--history", run[1].toString());
            assertEquals(0, o.code(), o.err());
        }
        String noSeconds = "(?m),[^,\\n]*$";                          // the same losses; the seconds differ
        assertEquals(Files.readString(h1).replaceAll(noSeconds, ""), Files.readString(h2).replaceAll(noSeconds, ""));
        assertOneClearLine(cli("train", "--backend", "cpu", "--data", folder.toString(), "--target", "a"), 2, "converted with target 'y'");
        assertOneClearLine(cli("data", "--rows", "10"), 2, "Missing required option: '--out=DIR'");
    }

    /**
     * --weights: a file of ones trains to the unweighted bits; a file of random weights (some 0) trains to the parameters a
     * session on the same rows with Dataset.withWeights reaches (batch 1 in order, from zero), and to other parameters than
     * the unweighted run's; the run's description says the data are weighted.
     */
    @Test
    void aWeightsFileTrainsAsTheJavaApiDoes(@TempDir Path dir) throws Exception {
        java.util.Random rng = new java.util.Random(7);
        int n = 150;
        float[] x = new float[2 * n], t = new float[n], v = new float[n];
        StringBuilder csv = new StringBuilder("a,b,y\n"), ones = new StringBuilder(), w = new StringBuilder("# example weights\n");
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) rng.nextGaussian();
            x[2 * i + 1] = (float) rng.nextGaussian();
            t[i] = (float) (2 * x[2 * i] - x[2 * i + 1] + 0.5 + 0.3 * rng.nextGaussian());
            v[i] = i % 4 == 0 ? 0f : (float) (0.25 * (1 + rng.nextInt(8)));
            csv.append(x[2 * i]).append(',').append(x[2 * i + 1]).append(',').append(t[i]).append('\n');
            ones.append("1\n");
            w.append(v[i]).append('\n');
        }
        Path data = dir.resolve("d.csv"), wOnes = dir.resolve("ones.txt"), wFile = dir.resolve("w.txt");
        Files.writeString(data, csv);
        Files.writeString(wOnes, ones);
        Files.writeString(wFile, w);
        float[][] got = new float[3][];
        String[] weights = {null, wOnes.toString(), wFile.toString()};
        for (int k = 0; k < 3; k++) {
            Path m = dir.resolve("m" + k + ".json");
            List<String> args = new ArrayList<>(List.of("train", "--backend", "cpu", "--data", data.toString(), "--batch", "1", "--order", "inorder",
                    "--init", "zeros", "--lr", "0.02", "--epochs", "2", "--no-progress", "--save-model", m.toString()));
            if (weights[k] != null) args.addAll(List.of("--weights", weights[k]));
            Outcome o = cli(args.toArray(String[]::new));
            assertEquals(0, o.code(), o.err());
            assertEquals(k >= 1, o.err().contains("weighted"), o.err());
            got[k] = dev.descent.model.Model.load(m).params().packed();
        }
        assertArrayEquals(got[0], got[1], "weights of 1 are no weights");
        dev.descent.data.Dataset ds = new dev.descent.data.Dataset("d", x, t, n, 2).withWeights(v);
        try (var b = dev.descent.backend.Backends.open("cpu");
             var s = b.open(ds, new dev.descent.backend.Spec(dev.descent.model.Objective.SQUARED, true, dev.descent.optim.Optimizer.SGD))) {
            s.setParams(dev.descent.model.Params.zeros(2));
            s.resetState();
            for (int e = 1; e <= 2; e++) {
                s.setOrder(dev.descent.data.BatchOrder.IN_ORDER.order(n, e, 42));
                s.run(new dev.descent.backend.Run(1, 0, n, dev.descent.optim.Rate.constant(0.02), n));
            }
            assertArrayEquals(s.params().packed(), got[2], "the CLI's weighted run vs a weighted session");
        }
        assertFalse(java.util.Arrays.equals(got[0], got[2]), "the weights changed nothing");
    }

    @Test
    void aFailedRunLeavesAnExistingHistoryWhole(@TempDir Path dir) throws Exception {
        Path h = dir.resolve("h.csv");
        Files.writeString(h, "precious");
        assertEquals(2, cli("train", "--backend", "cpu", "--batch", "0", "--history", h.toString()).code());
        assertEquals("precious", Files.readString(h));
        Outcome div = cli("train", "--backend", "cpu", "--no-progress", "--lr", "5", "--order", "inorder", "--history", h.toString());
        assertEquals(1, div.code());
        assertTrue(div.err().contains("diverged:"), div.err());
        assertTrue(Files.readString(h).contains("epoch,step,examples,epochs,loss"), "the diverged run's history is saved");
    }

    @Test
    void trainRunsAndSavesHistory(@TempDir Path dir) {
        Path h = dir.resolve("h.json");
        Outcome o = cli("train", "--backend", "cpu", "--no-progress", "--batch", "10", "--lr", "0.2", "--optimizer", "momentum:0.5",
                "--schedule", "step", "--history", h.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("Batch size 10, Learning rate 0.200000, Epoch 1, loss"), o.out());
        assertTrue(o.out().contains("300 steps, 3000 examples in "), "3 epochs of 1000 rows in batches of 10: " + o.out());
        assertTrue(Files.exists(h));
    }

    @Test
    void devicesListsEveryBackend() {
        Outcome o = cli("devices");
        assertEquals(0, o.code());
        for (String b : List.of("cuda", "opencl", "cpu")) assertTrue(o.out().contains(b), o.out());
        assertTrue(o.out().contains("auto"));
    }

    @Test
    void usageErrorsAndHelp() {
        assertEquals(2, cli("frobnicate").code());
        assertEquals(2, cli().code());
        assertEquals(2, cli("reproduce", "seed3", "--backend", "cpu").code());
        for (String c : List.of("reproduce", "train", "devices")) {
            Outcome o = cli(c, "--help");
            assertEquals(0, o.code());
            assertTrue(o.out().contains("Usage: descent " + c), o.out());
        }
    }

    @Test
    void parameterDimensionMismatchIsNamed() {
        try (Session s = new RefBackend().open(Generators.linear(10, new float[] {1, 2}, 0, 0, 1), Spec.of(Objective.SQUARED))) {
            DescentException e = assertThrows(DescentException.class, () -> s.setParams(Params.zeros(3)));
            assertTrue(e.getMessage().contains("d = 3") && e.getMessage().contains("d = 2"), e.getMessage());
        }
    }

    @Test
    void dataOverTheHeapFailsBeforeAllocatingWithBytesNeededAndAvailable() {
        DescentException e = assertThrows(DescentException.class, () -> dev.descent.util.Memory.requireHeap("a test table", 1L << 50));
        assertTrue(e.getMessage().startsWith("a test table needs 1.0 PiB of Java heap, ") && e.getMessage().contains(" is available (max heap "),
                e.getMessage());
    }
}
