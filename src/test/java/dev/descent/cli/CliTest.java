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
