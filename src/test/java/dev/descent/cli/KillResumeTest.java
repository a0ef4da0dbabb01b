package dev.descent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.TestBackends;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training run killed with SIGKILL at a random point and resumed from its last checkpoint ends
 * bit-identical to a run that was never stopped: same final weights (the model file holds their
 * exact float bits) and the same loss history. The run uses momentum (optimizer state), a step
 * schedule (schedule position) and a shuffled order (batch order position), checkpoints at a
 * step count that does not divide the epoch, and is killed twice: once in the first run, once
 * in the first resumed one. The kill points are drawn here and printed.
 */
class KillResumeTest {

    private static List<String> trainArgs(String backend, int epochs) {
        return List.of("train", "--backend", backend, "--rows", "60000", "--features", "24", "--batch", "4", "--epochs", String.valueOf(epochs),
                "--lr", "0.01", "--optimizer", "momentum:0.9", "--schedule", "step:2:0.5", "--order", "shuffle", "--seed", "7",
                "--no-progress");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "ref", "opencl:@cpu", "opencl:@gpu", "cuda"})
    void killedAndResumedEndsBitIdentical(String backend, @TempDir Path dir) throws Exception {
        if (!backend.equals("cpu") && !backend.equals("ref")) TestBackends.open(backend).close();   // skips (or fails when required) when absent
        Path refModel = dir.resolve("ref.json"), refHistory = dir.resolve("ref.csv");
        // the uninterrupted run; on a fast machine (a 16-core host ran 4 epochs on the cpu backend before a
        // child JVM could be killed mid-run) more epochs, until it takes a second
        int epochs = 4;
        double refSeconds;
        while (true) {
            List<String> ref = new ArrayList<>(trainArgs(backend, epochs));
            ref.addAll(List.of("--save-model", refModel.toString(), "--history", refHistory.toString()));
            long t0 = System.nanoTime();
            StringWriter err = new StringWriter();
            assertEquals(0, Main.execute(ref.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err)), err::toString);
            refSeconds = (System.nanoTime() - t0) / 1e9;
            if (refSeconds >= 1.0 || epochs >= 32) break;
            epochs *= 2;
        }

        Path ck = dir.resolve("run.ckpt"), model = dir.resolve("model.json"), history = dir.resolve("history.csv");
        List<String> args = new ArrayList<>(trainArgs(backend, epochs));
        args.addAll(List.of("--checkpoint", ck.toString(), "--checkpoint-every", "997", "--save-model", model.toString(),
                "--history", history.toString()));
        int kills = 0;
        for (int attempt = 0; attempt < 6; attempt++) {
            List<String> a = new ArrayList<>(args);
            if (Files.exists(ck)) a.addAll(List.of("--resume", ck.toString()));
            boolean kill = kills < 2;
            long delayMs = (long) (ThreadLocalRandom.current().nextDouble() * 0.7 * refSeconds * 1000);
            Process p = child(a, dir.resolve("child-" + attempt + ".log"));
            if (kill) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                long before = Files.exists(ck) ? Files.getLastModifiedTime(ck).toMillis() : -1;
                while (p.isAlive() && System.nanoTime() < deadline
                        && (!Files.exists(ck) || Files.getLastModifiedTime(ck).toMillis() == before)) {
                    Thread.sleep(2);
                }
                Thread.sleep(delayMs);
                boolean alive = p.isAlive();
                p.destroyForcibly();                     // SIGKILL: no shutdown hook, no handler runs
                p.waitFor(60, TimeUnit.SECONDS);
                System.out.printf("[kill-resume] %s attempt %d: kill drawn %d ms after a fresh checkpoint (reference run %.2f s): %s%n",
                        backend, attempt, delayMs, refSeconds, alive ? "killed mid-run" : "the run had already finished");
                if (alive) {
                    kills++;
                    continue;
                }
            }
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "resumed run did not finish");
            assertEquals(0, p.exitValue(), () -> log(dir, "child"));
            break;
        }
        assertTrue(kills >= 1, "no kill landed mid-run in six attempts: the run is too short to test");
        try {
            assertSameRun(refModel, refHistory, model, history);
        } catch (AssertionError e) {            // what each child said (backend and device lines, resume points) beside the difference
            throw new AssertionError(e.getMessage() + "\n" + log(dir, "child"), e);
        }
    }

    /** Same final weights (exact bits) and the same history rows but for wall time; names the first differing row. */
    static void assertSameRun(Path refModel, Path refHistory, Path model, Path history) throws Exception {
        assertEquals(weights(refModel), weights(model), "final weights differ from the uninterrupted run");
        List<String> a = lossColumns(refHistory), b = lossColumns(history);
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertEquals(a.get(i), b.get(i), "history row " + i + " differs from the uninterrupted run");
        }
        assertEquals(a.size(), b.size(), "history rows");
    }

    private static Process child(List<String> args, Path log) throws Exception {
        List<String> cmd = mainCommand();
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * A child JVM running descent's CLI as this JVM would: the same class path, and the Vector API
     * module when this JVM has it, so the cpu backend computes the same bits on both sides.
     */
    static List<String> mainCommand() {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true"));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        return cmd;
    }

    private static String log(Path dir, String prefix) {
        StringBuilder sb = new StringBuilder();
        try (var s = Files.list(dir)) {
            for (Path f : s.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList()) {
                sb.append(f.getFileName()).append(":\n").append(Files.readString(f));
            }
        } catch (Exception e) {
            sb.append(e);
        }
        return sb.toString();
    }

    /** The model's weights and intercept as saved: decimal strings that read back to the exact float bits. */
    private static String weights(Path model) throws Exception {
        JsonNode o = new ObjectMapper().readTree(model.toFile());
        return o.path("weights").toString() + " " + o.path("intercept").asText();
    }

    /** Every history column but the wall-clock seconds. */
    private static List<String> lossColumns(Path csv) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            if (line.startsWith("#")) continue;
            out.add(line.substring(0, line.lastIndexOf(',')));
        }
        return out;
    }
}
