package dev.descent.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A catalogue of bad inputs across the command line and files: each ends in exit code 1 (bad
 * data or environment) or 2 (bad usage), with exactly one line on stderr that starts with
 * "descent: " and names the problem, no stack trace or Java exception name, and a file that
 * existed before the command (a history or chart it was told to write) unchanged. {@code @F}
 * in a case stands for the fixture folder; {@code KEEP} is an existing file the command must not touch.
 */
class BadInputCatalogueTest {
    @TempDir
    static Path dir;
    static final byte[] KEPT = "epoch,step,examples,epochs,loss,seconds\n1,1,10,1.0,0.5,0.1\n".getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void fixtures() throws IOException {
        write("ragged.csv", "x,y\n1,2\n3\n");
        write("inf.csv", "x,y\n1,2\n3,Infinity\n");
        write("nan.csv", "x,y\n1,NaN\n3,4\n");
        write("text.csv", "x,y\n1,2\nthree,4\n");
        write("header-only.csv", "x,y\n");
        write("empty.csv", "");
        write("one-col.csv", "y\n1\n2\n");
        write("good.csv", "x,y\n1,2\n3,4\n5,6\n");
        write("labels.csv", "x,y\n1,0.5\n3,2\n");
        write("classes.csv", "x,y\n1,0\n3,2\n2,1\n");
        write("zeros.csv", "x,y\n1,0\n3,0\n");
        Files.write(dir.resolve("binary.csv"), new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10, 0, 0});
        Files.createDirectories(dir.resolve("a-folder.csv"));
        write("not-a-history.csv", "hello\n");
        write("wide.csv", "a,b,c,d\n1,2,3,4\n");
        write("w-short.txt", "1\n2\n");                                    // example weights for good.csv's 3 rows
        write("w-text.txt", "1\n# a comment\nheavy\n1\n");
        write("w-negative.txt", "1\n-2\n1\n");
        write("w-zero.txt", "0\n0\n0\n");
        write("w-long.txt", "1\n1\n1\n1\n");
        // a real checkpoint and model, then damaged and future-format copies of them
        CliTest.Outcome o = CliTest.cli("train", "--backend", "cpu", "--no-progress", "--checkpoint", dir.resolve("run.ckpt").toString(),
                "--save-model", dir.resolve("model.json").toString());
        assertEquals(0, o.code(), o.err());
        byte[] ck = Files.readAllBytes(dir.resolve("run.ckpt"));
        Files.write(dir.resolve("cut.ckpt"), Arrays.copyOf(ck, ck.length - 9));
        byte[] future = ck.clone();
        future["DESCENT CHECKPOINT\n".length() + 3] = 99;
        Files.write(dir.resolve("future.ckpt"), future);
        // sparse (LIBSVM) data: a run's checkpoint, the same shape with one value changed, and a file too wide to densify
        StringBuilder svm = new StringBuilder();
        for (int i = 0; i < 12; i++) svm.append(i % 2 == 0 ? "+1" : "-1").append(" ").append(1 + i % 5).append(":0.5 7:").append(i + 1).append('\n');
        write("small.svm", svm.toString());
        write("small-changed.svm", svm.toString().replace("7:12", "7:12.5"));
        write("wide.svm", "1 1:1 1100000000:2\n-1 5:1\n");                // 2 × 1.1e9: 2.2e9 values dense
        o = CliTest.cli("train", "--backend", "cpu", "--no-progress", "--data", dir.resolve("small.svm").toString(), "--objective", "logistic",
                "--batch", "3", "--epochs", "1", "--checkpoint", dir.resolve("svm.ckpt").toString());
        assertEquals(0, o.code(), o.err());
        String model = Files.readString(dir.resolve("model.json"));
        write("future-model.json", model.replace("\"version\" : 1", "\"version\" : 7"));
        write("no-weights.json", model.replaceAll("(?s)\"weights\" : \\[.*?\\]", "\"weights\" : [ \"x\" ]"));
    }

    private static void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    static Stream<String> cases() {
        return Stream.of(
                // files
                "train --backend cpu --data @F/missing.csv",
                "train --backend cpu --data @F/ragged.csv",
                "train --backend cpu --data @F/inf.csv",
                "train --backend cpu --data @F/nan.csv",
                "train --backend cpu --data @F/text.csv",
                "train --backend cpu --data @F/header-only.csv",
                "train --backend cpu --data @F/empty.csv",
                "train --backend cpu --data @F/binary.csv",
                "train --backend cpu --data @F/a-folder.csv",
                "train --backend cpu --data @F/good.csv --target z",
                "train --backend cpu --data @F/good.csv --target 7",
                "train --backend cpu --data @F/one-col.csv --target y",
                "train --backend cpu --data @F/labels.csv --objective logistic",
                "train --backend cpu --data @F/good.csv --objective wave --target y",
                "train --backend cpu --data @F/labels.csv --objective softmax",
                "train --backend cpu --data @F/classes.csv --objective softmax:2",
                "train --backend cpu --data @F/zeros.csv --objective softmax",
                "plot -o @F/KEEP @F/missing.csv",
                "plot -o @F/chart.txt @F/not-a-history.csv",
                "report compare @F/missing-a @F/missing-b",
                // checkpoints and models
                "train --backend cpu --resume @F/missing.ckpt",
                "train --backend cpu --resume @F/good.csv",
                "train --backend cpu --resume @F/cut.ckpt",
                "train --backend cpu --resume @F/future.ckpt",
                "train --backend cpu --resume @F/a-folder.csv",
                "train --backend cpu --resume @F/run.ckpt --lr 0.5 --history @F/KEEP",
                "train --backend cpu --resume @F/run.ckpt --seed 3",
                "train --backend cpu --resume @F/run.ckpt --epochs 1",
                "train --backend cpu --checkpoint-every 5",
                "train --backend cpu --checkpoint-every -1 --checkpoint @F/x.ckpt",
                "predict --model @F/missing.json --data @F/good.csv",
                "predict --model @F/good.csv --data @F/good.csv",
                "predict --model @F/future-model.json --data @F/good.csv",
                "predict --model @F/no-weights.json --data @F/good.csv",
                "predict --model @F/model.json --data @F/wide.csv",
                "predict --model @F/model.json --data @F/missing.csv",
                "predict --model @F/model.json --data @F/good.csv --out @F/KEEP/sub.csv",
                "predict --data @F/good.csv",
                // sparse (LIBSVM) data
                "train --backend cpu --data @F/small-changed.svm --objective logistic --batch 3 --epochs 2 --resume @F/svm.ckpt",
                "train --backend cpu --data @F/small.svm --target 0",
                "data convert --data @F/wide.svm --out @F/converted",
                "train --backend cpu --data @F/wide.svm --objective logistic --batch 2 --init zeros",
                "predict --model @F/model.json --data @F/small.svm",
                // example weights
                "train --backend cpu --data @F/good.csv --weights @F/w-short.txt --history @F/KEEP",
                "train --backend cpu --data @F/good.csv --weights @F/w-text.txt",
                "train --backend cpu --data @F/good.csv --weights @F/w-negative.txt",
                "train --backend cpu --data @F/good.csv --weights @F/w-zero.txt",
                "train --backend cpu --data @F/good.csv --weights @F/w-long.txt",
                "train --backend cpu --data @F/good.csv --weights @F/missing.txt",
                "sweep --data @F/good.csv --batch 1 --weights @F/w-negative.txt",
                // the command line
                "train --backend cpu --batch 0 --history @F/KEEP",
                "train --backend cpu --batch 1001 --history @F/KEEP",
                "train --backend cpu --lr 0 --history @F/KEEP",
                "train --backend cpu --lr NaN",
                "train --backend cpu --epochs 0",
                "train --backend cpu --epochs x",
                "train --backend cpu --objective svm",
                "train --backend cpu --objective huber:-1",
                "train --backend cpu --objective hinge:0.5",
                "train --backend cpu --objective epsilon-insensitive:x",
                "train --backend cpu --objective softmax:1",
                "train --backend cpu --objective softmax:65",
                "train --backend cpu --objective softmax:2.5",
                "train --backend cpu --optimizer lion",
                "train --backend cpu --l1 -0.5",
                "train --backend cpu --optimizer adam:0.9:0.999:0",
                "train --backend cpu --optimizer adam:-0.5",
                "train --backend cpu --optimizer rmsprop:1.5",
                "train --backend cpu --optimizer adagrad:0.1:2",
                "train --backend cpu --optimizer momentum:2",
                "train --backend cpu --optimizer momentum:x",
                "train --backend cpu --optimizer sgd:0.9",
                "train --backend cpu --schedule cosine",
                "train --backend cpu --weight-decay -1",
                "train --backend cpu --noise -1",
                "train --backend cpu --init abc",
                "train --backend cpu --order random",
                "train --backend cpu --period 15",
                "train --backend cpu --rows 0",
                "train --backend cpu --features 0",
                "train --backend cpu --rows 100000 --features 100000",
                "train --backend cpu --history @F/KEEP.txt",
                "train --backend tpu",
                "train --backend cuda:x",
                "train --backend opencl:no-such-device-xyz",
                "train --backend cpu:1",
                "train --no-such-option",
                "reproduce seed3 --backend cpu",
                "bench nosuch",
                // sweeps
                "sweep --lr 1..0.1:log:0",
                "sweep --lr ..",
                "sweep --lr 0.1,-1",
                "sweep --batch 1,10,2000",
                "sweep --optimizer sgd,lion",
                "sweep --lr 1e-3..1:log:100000 --rows 2 --features 100000 --batch 1",
                "sweep --halving 1",
                "sweep --halving 2:x",
                "sweep --lr 0.1 --batch 10 --out @F/KEEP",
                "sweep --config @F/good.csv",
                "data --rows 0 --out @F/data",
                "data --out @F/KEEP/sub");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneLineNoTraceFilesKept(String line) throws IOException {
        Path keep = dir.resolve("KEEP");
        Files.write(keep, KEPT);
        List<String> args = new ArrayList<>();
        for (String a : line.split(" ")) args.add(a.replace("@F", dir.toString()));
        if (args.get(0).equals("train")) args.add("--no-progress");
        CliTest.Outcome o = CliTest.cli(args.toArray(String[]::new));
        assertTrue(o.code() == 1 || o.code() == 2, "exit code " + o.code() + " for: " + line + "\n" + o.err());
        List<String> lines = Arrays.asList(o.err().strip().split("\n"));
        assertEquals(1, lines.size(), "one line for: " + line + "\n" + o.err());
        assertTrue(lines.get(0).startsWith("descent: "), lines.get(0));
        assertFalse(o.err().matches("(?s).*(Exception|Error:|\\tat |\\n\\s+at ).*"), "no Java exception or stack trace: " + o.err());
        assertArrayEquals(KEPT, Files.readAllBytes(keep), "an existing file was changed by: " + line);
    }

    @org.junit.jupiter.api.Test
    void theCatalogueHoldsAtLeastFortyDistinctInputs() {
        assertTrue(cases().distinct().count() >= 40, "catalogue size " + cases().distinct().count());
    }
}
