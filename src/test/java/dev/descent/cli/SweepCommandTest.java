package dev.descent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.DescentException;
import dev.descent.sweep.Ranges;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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

/**
 * {@code descent sweep} on the seed-1 problem (the tutorial's learning rates 0.002 … 5 over batches
 * 1 … 1000): the report folder, what its JSON says about the diverged (lr 5) and too-slow (lr 0.002)
 * corners, and the printed rerun command of the best configuration, run through the CLI, ending at
 * the sweep's final loss bit for bit. Plus the range syntax.
 */
class SweepCommandTest {
    @TempDir
    static Path dir;
    static CliTest.Outcome seed1;
    static JsonNode json;

    @BeforeAll
    static void sweepSeed1() throws IOException {
        seed1 = CliTest.cli("sweep", "--lr", "0.002,0.02,0.2,5", "--batch", "1,10,100,1000", "--out", dir.resolve("seed1").toString());
        assertEquals(0, seed1.code(), seed1.err());
        json = new ObjectMapper().readTree(dir.resolve("seed1/sweep.json").toFile());
    }

    private static JsonNode config(double lr, int batch) {
        for (JsonNode c : json.get("configurations")) {
            if (c.get("lr").asDouble() == lr && c.get("batch").asInt() == batch) return c;
        }
        throw new AssertionError("no configuration lr " + lr + " batch " + batch);
    }

    @Test
    void theSeed1SweepWritesTheReportFolder() throws IOException {
        for (String f : List.of("sweep.json", "report.md", "report.html", "heatmap.png", "heatmap.svg", "curves-examples.png",
                "curves-seconds.png", "REPRODUCE")) {
            assertTrue(Files.size(dir.resolve("seed1").resolve(f)) > 100, f);
        }
        assertEquals(16, json.get("configurations").size());
        assertEquals(4, json.get("groups").size(), json.get("groups").toString());
        String md = Files.readString(dir.resolve("seed1/report.md"));
        for (String s : List.of("![final loss over learning rate and batch size](heatmap.png)", "curves-examples.png", "Rerun it alone",
                "./descent train --backend cpu", "cores", "Command: `./descent sweep --lr 0.002,0.02,0.2,5", "Time to the target loss")) {
            assertTrue(md.contains(s), "report.md should contain: " + s);
        }
        String html = Files.readString(dir.resolve("seed1/report.html"));
        assertTrue(html.contains("<svg") && html.contains("id=\"heatmap\""), "inline heat map");
        // the SVG is written directly: well-formed XML, a cell per configuration, the diverged ones hatched
        org.w3c.dom.Document svg;
        try {
            svg = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("seed1/heatmap.svg").toFile());
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new AssertionError("heatmap.svg is not well-formed XML: " + e.getMessage());
        }
        int hatched = 0, diverged = 0;
        org.w3c.dom.NodeList rects = svg.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) if ("url(#hatch)".equals(((org.w3c.dom.Element) rects.item(i)).getAttribute("fill"))) hatched++;
        for (JsonNode c : json.get("configurations")) if (c.get("diverged").asBoolean()) diverged++;
        assertTrue(diverged > 0);
        assertEquals(diverged, hatched, "one hatched cell per diverged configuration");
        assertTrue(Files.readString(dir.resolve("seed1/heatmap.svg")).contains(">4.7e-5</text>"), "the best cell's loss is printed");
        byte[] png = Files.readAllBytes(dir.resolve("seed1/heatmap.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertTrue(seed1.out().contains("Groups (configurations with the same batch size and order share each step's rows):"), seed1.out());
        assertTrue(seed1.out().contains("batch 1000, shuffle: 4 configurations"), seed1.out());
    }

    @Test
    void lr5DivergesAndLr0002IsTooSlow() {
        for (int b : new int[] {1, 10, 100}) {
            JsonNode c = config(5, b);
            assertTrue(c.get("diverged").asBoolean(), "lr 5 batch " + b + " diverged: " + c.get("divergence"));
            assertTrue(c.get("divergence").get("step").asInt() >= 1, c.toString());
            assertTrue(c.get("divergence").get("cause").asText().contains("became non-finite"), c.get("divergence").toString());
            assertTrue(c.get("final_loss").isNull(), "a diverged run has no final loss");
        }
        // full batch: 3 steps of GD at lr 5 stay finite, but the loss grows far above where it started
        JsonNode gd = config(5, 1000);
        assertFalse(gd.get("diverged").asBoolean());
        assertTrue(gd.get("final_loss").asDouble() > gd.get("history").get(0).get(3).asDouble(), gd.get("final_loss").toString());
        double best = json.get("best").get("final_loss").asDouble();
        assertTrue(best < 1e-4, "the best reaches the noise floor σ²/2 = 5e-5: " + best);
        for (int b : new int[] {10, 100, 1000}) {
            JsonNode c = config(0.002, b);
            assertFalse(c.get("diverged").asBoolean());
            assertTrue(c.get("final_loss").asDouble() > 1, "lr 0.002 batch " + b + " is still far from the optimum: " + c.get("final_loss"));
        }
        assertTrue(config(0.002, 1).get("final_loss").asDouble() > 2 * best, "even at batch 1, lr 0.002 ends above the best");
        assertTrue(json.get("best").get("alone_identical").asBoolean(), "the in-process check of the best ran alone");
    }

    @Test
    void theBestsRerunCommandGivesTheSweepsFinalLoss() throws IOException {
        String cmd = json.get("best").get("command").asText();
        assertTrue(seed1.out().contains("Rerun it alone: " + cmd), seed1.out());
        List<String> args = new ArrayList<>(Arrays.asList(cmd.split(" ")));
        if (args.get(0).startsWith("DESCENT_VECTOR=")) args.remove(0);       // this JVM already has the Vector API when the sweep used it
        assertEquals("./descent", args.remove(0));
        Path h = dir.resolve("best-history.json");
        args.addAll(List.of("--no-progress", "--history", h.toString()));
        CliTest.Outcome o = CliTest.cli(args.toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        JsonNode points = new ObjectMapper().readTree(h.toFile()).get("points");
        double alone = points.get(points.size() - 1).get("loss").asDouble();
        double swept = json.get("best").get("final_loss").asDouble();
        assertEquals(Double.doubleToRawLongBits(swept), Double.doubleToRawLongBits(alone), "alone " + alone + ", in the sweep " + swept);
        JsonNode best = json.get("configurations").get(json.get("best").get("index").asInt());
        assertEquals(best.get("history").size(), points.size(), "the same recorded points");
        for (int i = 0; i < points.size(); i++) {
            assertEquals(best.get("history").get(i).get(3).asDouble(), points.get(i).get("loss").asDouble(), "point " + i);
        }
    }

    @Test
    void aloneRunsEveryConfigurationAndAConfigFileFillsTheRest() throws IOException {
        Path cfg = dir.resolve("sweep.json-config.json");
        Files.writeString(cfg, "{\"lr\": [0.01, 0.1], \"batch\": \"1,10\", \"optimizer\": \"sgd,momentum:0.5\", \"weight_decay\": 0.001, "
                + "\"epochs\": 2, \"rows\": 300}");
        CliTest.Outcome o = CliTest.cli("sweep", "--config", cfg.toString(), "--epochs", "1", "--alone");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("Best 8 of 8 (final full-data loss after 1 epoch)"), o.out());
        assertTrue(o.out().contains("every configuration bit-identical to the sweep: yes"), o.out());
        assertTrue(o.out().contains("--weight-decay 0.001"), o.out());
        CliTest.assertOneClearLine(CliTest.cli("sweep", "--config", cfg.toString().replace(".json", ".missing")), 2, "--config");
        Path bad = dir.resolve("bad-config.json");
        Files.writeString(bad, "{\"learning_rate\": 0.1}");
        CliTest.assertOneClearLine(CliTest.cli("sweep", "--config", bad.toString()), 2, "unknown key 'learning_rate'");
    }

    /** The same settings as YAML give the same sweep, bit for bit; a broken YAML file or a list where a mapping belongs is one line. */
    @Test
    void aYamlConfigIsTheSameSweepAsItsJson() throws IOException {
        Path json = dir.resolve("same.json"), yaml = dir.resolve("same.yaml");
        Files.writeString(json, "{\"lr\": [0.003, 0.03], \"batch\": \"1,10\", \"optimizer\": \"sgd,momentum:0.5\", \"epochs\": 2, "
                + "\"rows\": 300, \"order\": \"inorder\", \"no-check\": true}");
        Files.writeString(yaml, String.join("\n", "# the same sweep", "lr: [0.003, 0.03]", "batch: 1,10", "optimizer: sgd,momentum:0.5",
                "epochs: 2", "rows: 300", "order: inorder", "no_check: true", ""));
        Path oj = dir.resolve("same-json"), oy = dir.resolve("same-yaml");
        CliTest.Outcome a = CliTest.cli("sweep", "--config", json.toString(), "--out", oj.toString());
        CliTest.Outcome b = CliTest.cli("sweep", "--config", yaml.toString(), "--out", oy.toString());
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        JsonNode ja = new ObjectMapper().readTree(oj.resolve("sweep.json").toFile()), jb = new ObjectMapper().readTree(oy.resolve("sweep.json").toFile());
        assertEquals(8, ja.get("configurations").size());
        for (int i = 0; i < 8; i++) {
            JsonNode ca = ja.get("configurations").get(i), cb = jb.get("configurations").get(i);
            assertEquals(ca.get("name"), cb.get("name"));
            assertEquals(ca.get("history").size(), cb.get("history").size());
            for (int q = 0; q < ca.get("history").size(); q++) {            // [epoch, step, examples, loss, seconds]: all but the time
                assertEquals(Double.doubleToRawLongBits(ca.get("history").get(q).get(3).asDouble()),
                        Double.doubleToRawLongBits(cb.get("history").get(q).get(3).asDouble()), "configuration " + i + ", record " + q);
            }
        }
        Path broken = dir.resolve("broken.yml");
        Files.writeString(broken, "lr: [0.1\nbatch: 1\n");
        CliTest.assertOneClearLine(CliTest.cli("sweep", "--config", broken.toString()), 2, "cannot read it as YAML");
        Path list = dir.resolve("list.yaml");
        Files.writeString(list, "- lr: 0.1\n");
        CliTest.assertOneClearLine(CliTest.cli("sweep", "--config", list.toString()), 2, "one YAML mapping");
    }

    @Test
    void rangesReadListsAndLogAndLinearRanges() {
        assertArrayEquals(new double[] {0.01, 0.1, 1}, Ranges.parse("--lr", "0.01,0.1,1"));
        double[] log = Ranges.parse("--lr", "1e-3..1:log:4");
        assertEquals(4, log.length);
        assertEquals(1e-3, log[0]);
        assertEquals(1.0, log[3]);
        assertEquals(0.01, log[1], 1e-15);
        assertEquals(0.1, log[2], 1e-14);
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, Ranges.parse("--weight-decay", "0..1:lin:5"));
        assertArrayEquals(new double[] {5}, Ranges.parse("--lr", "5..7:log:1"));
        assertArrayEquals(new double[] {0.5, 1, 2, 4}, Ranges.parse("--lr", "0.5,1..4:log:3,2"), "a list of items and ranges, repeats dropped");
        assertArrayEquals(new int[] {1, 10, 100, 1000}, Ranges.ints("--batch", "1..1000:log:4"));
        assertArrayEquals(new int[] {1, 2, 3, 5, 8, 13, 22, 36, 60, 100}, Ranges.ints("--batch", "1..100:log:10"));
        for (String[] bad : new String[][] {{"1..0.1:log:0", "empty"}, {"..", "both ends"}, {"1..2", "spacing and count"},
                {"0..1:log:3", "log range needs both ends > 0"}, {"1..2:cubic:3", "neither log nor lin"}, {"1..2:lin:x", "not a whole number"},
                {"0.1,,1", "empty item"}, {"abc", "not a number"}, {"1,NaN", "not a finite number"}, {"", "give a value"},
                {"2..2:lin:3", "one value"}}) {
            DescentException e = assertThrows(DescentException.class, () -> Ranges.parse("--lr", bad[0]), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]) && !e.getMessage().contains("\n"), bad[0] + ": " + e.getMessage());
        }
        assertTrue(assertThrows(DescentException.class, () -> Ranges.ints("--batch", "1.5,2")).getMessage().contains("not a whole number"));
    }

    /**
     * On a device backend with successive halving: every configuration trained alone on that backend (--alone)
     * ends where the sweep says, bit for bit, and the JSON says which were halved out, when and why.
     */
    @Test
    void aDeviceSweepWithHalvingChecksEveryConfigurationAlone() throws IOException {
        dev.descent.backend.TestBackends.open("opencl:@cpu").close();
        Path out = dir.resolve("halving");
        CliTest.Outcome o = CliTest.cli("sweep", "--backend", "opencl:@cpu", "--lr", "0.002,0.02,0.2", "--batch", "1,10,100", "--epochs", "3",
                "--halving", "3", "--alone", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("every configuration bit-identical to the sweep: yes"), o.out());
        assertTrue(o.out().contains("Halved out: 8 of 9"), o.out());       // 9 → 3 after epoch 1 → 1 after epoch 2
        JsonNode j = new ObjectMapper().readTree(out.resolve("sweep.json").toFile());
        int[] after = new int[4];
        for (JsonNode c : j.get("configurations")) {
            if (c.get("halted").isNull()) continue;
            int e = c.get("halted").get("after_epoch").asInt();
            after[e]++;
            assertTrue(c.get("halted").get("why").asText().startsWith("halved out after epoch " + e), c.toString());
        }
        assertArrayEquals(new int[] {0, 6, 2, 0}, after);
        assertTrue(Files.readString(out.resolve("report.md")).contains("backend opencl:@cpu"), "the report names the backend");
    }

    /** --weights: every configuration of a weighted sweep is its weighted run alone (--alone), and the rerun command carries the file. */
    @Test
    void aWeightedSweepIsItsWeightedRunsAlone() throws IOException {
        Path w = dir.resolve("weights.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) sb.append(i % 6 == 0 ? "0" : Integer.toString(1 + i % 3)).append('\n');
        Files.writeString(w, sb);
        CliTest.Outcome o = CliTest.cli("sweep", "--rows", "300", "--lr", "0.01,0.1", "--batch", "1,10", "--optimizer", "sgd,momentum:0.5",
                "--epochs", "2", "--weights", w.toString(), "--alone");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("every configuration bit-identical to the sweep: yes"), o.out());
        assertTrue(o.out().contains("--weights " + w), o.out());
    }

    /**
     * {@code --roofline}: the ceilings measured after training, the bound printed and written; its flops are every
     * configuration's examples times 4 flops a feature (d = 2), the data (1,000 rows) sit in a cache so the bytes term is
     * left out, and the training time is not under the bound (a ceiling above the machine's would put it there).
     */
    @Test
    void rooflineMeasuresTheCeilingsAndBoundsTheTraining() throws IOException {
        Path out = dir.resolve("roofline");
        CliTest.Outcome o = CliTest.cli("sweep", "--lr", "0.01,0.1", "--batch", "1,10", "--epochs", "2", "--no-check", "--roofline",
                "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("Roofline: training "), o.out());
        JsonNode j = new ObjectMapper().readTree(out.resolve("sweep.json").toFile());
        JsonNode rl = j.get("roofline");
        long examples = 0;
        for (JsonNode c : j.get("configurations")) examples += c.get("examples").asLong();
        assertEquals(4 * 2 * 1000L, examples, "four configurations, two epochs of 1,000 rows");
        assertEquals(examples * 4.0 * 2, rl.get("flops").asDouble(), 1e-9 * examples, rl.toString());
        assertTrue(rl.get("read_gbs").asDouble() > 0, rl.toString());
        assertTrue(rl.get("bytes_left_out").asText().contains("fit in the"), rl.toString());
        double fma = rl.get("fma_gflops").asDouble();
        assertTrue(fma > 0, "the test JVM has the Vector API: " + rl);
        assertEquals("flops", rl.get("by").asText());
        assertEquals(rl.get("flops").asDouble() / (fma * 1e9), rl.get("bound_seconds").asDouble(), 1e-12);
        assertEquals(rl.get("train_seconds").asDouble() / rl.get("bound_seconds").asDouble(), rl.get("ratio").asDouble(), 1e-9);
        assertTrue(rl.get("ratio").asDouble() >= 1, "training faster than its bound means a ceiling is wrong: " + rl);
        assertTrue(Files.readString(out.resolve("report.md")).contains("Roofline: training "), "the report says it too");
    }

    /** A sparse LIBSVM file sweeps (one model after another on the cpu backend); the best's printed rerun command ends at its loss. */
    @Test
    void aSparseFileSweepsAndItsRerunCommandMatches() throws IOException {
        Path svm = dir.resolve("sparse.svm");
        CliTest.Outcome w = CliTest.cli("data", "--sparse", "--rows", "400", "--features", "300", "--format", "libsvm", "--out", svm.toString());
        assertEquals(0, w.code(), w.err());
        Path out = dir.resolve("sparse-sweep");
        CliTest.Outcome o = CliTest.cli("sweep", "--data", svm.toString(), "--format", "libsvm", "--objective", "logistic", "--lr", "0.1,1",
                "--batch", "1,50", "--epochs", "2", "--alone", "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("every configuration bit-identical to the sweep: yes"), o.out());
        JsonNode j = new ObjectMapper().readTree(out.resolve("sweep.json").toFile());
        List<String> args = new ArrayList<>(Arrays.asList(j.get("best").get("command").asText().split(" ")));
        assertEquals("./descent", args.remove(0));
        Path h = dir.resolve("sparse-best-history.json");
        args.addAll(List.of("--no-progress", "--history", h.toString()));
        CliTest.Outcome r = CliTest.cli(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        JsonNode points = new ObjectMapper().readTree(h.toFile()).get("points");
        assertEquals(Double.doubleToRawLongBits(j.get("best").get("final_loss").asDouble()),
                Double.doubleToRawLongBits(points.get(points.size() - 1).get("loss").asDouble()), "the rerun command ends at the sweep's loss");
    }

    /**
     * A Java runtime without java.desktop (a jlink'd JRE, as on the GPU hosts): the sweep trains and writes
     * its numbers, and says the pictures were left out, in one line. Run in a child JVM whose observable
     * modules leave java.desktop out; at session 10 such a sweep ended in "a library did not load". The heat map's SVG is still drawn.
     */
    @Test
    void aRuntimeThatCannotDrawStillWritesTheReportsNumbers() throws Exception {
        Path out = dir.resolve("lean");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "--limit-modules", "java.base,java.logging,java.management,jdk.unsupported,java.naming,java.sql,java.xml",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "sweep", "--lr", "0.02,0.2", "--batch", "1,10", "--epochs", "1",
                "--out", out.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), text);
        assertTrue(text.contains("report written without pictures: the Java runtime's graphics did not load"), text);
        assertFalse(text.contains("Exception") || text.contains("\tat "), text);
        for (String f : new String[] {"report.md", "report.html", "sweep.json", "REPRODUCE", "heatmap.svg"}) assertTrue(Files.size(out.resolve(f)) > 0, f);
        assertFalse(Files.exists(out.resolve("heatmap.png")));
        // the heat map needs no AWT: its SVG is in the page and the Markdown links it
        assertTrue(Files.readString(out.resolve("report.html")).contains("id=\"heatmap\"><svg"), "the heat map inline in report.html");
        assertTrue(Files.readString(out.resolve("report.md")).contains("](heatmap.svg)"), "report.md links the SVG");
        assertEquals(4, new ObjectMapper().readTree(out.resolve("sweep.json").toFile()).get("configurations").size());
    }
}
