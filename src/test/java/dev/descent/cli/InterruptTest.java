package dev.descent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.TestBackends;
import dev.descent.backend.ref.RefBackend;
import dev.descent.bench.BenchRunner;
import dev.descent.seeds.Seed1;
import dev.descent.train.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C (SIGINT) during a long command writes what is complete and exits 130; nothing is left
 * half-written. The train case is end to end: a real child process, a real signal.
 */
class InterruptTest {

    private static List<String> trainArgs(String backend) {
        return List.of("train", "--backend", backend, "--rows", "60000", "--features", "24", "--batch", "4", "--epochs", "4",
                "--lr", "0.01", "--optimizer", "adam", "--order", "replacement", "--seed", "11", "--no-progress");   // Adam: two state slots and the update count survive the interrupt
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl:@cpu"})
    void ctrlCDuringTrainWritesCheckpointAndHistoryAndExits130(String backend, @TempDir Path dir) throws Exception {
        if (!backend.equals("cpu")) TestBackends.open(backend).close();
        Path ck = dir.resolve("run.ckpt"), history = dir.resolve("history.json"), model = dir.resolve("model.json");
        List<String> cmd = KillResumeTest.mainCommand();
        cmd.addAll(trainArgs(backend));
        cmd.addAll(List.of("--checkpoint", ck.toString(), "--checkpoint-every", "5000", "--history", history.toString(),
                "--save-model", model.toString()));
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && !Files.exists(ck) && System.nanoTime() < deadline) Thread.sleep(2);
        assertTrue(p.isAlive(), () -> "the run ended before the first checkpoint: " + read(log));
        // a process started with SIGINT ignored (a background job without job control, nohup) passes that on
        // and the JVM then leaves SIGINT alone, as it should; SIGTERM takes the same path in descent
        boolean intIgnored = ignored(2);
        String sig = intIgnored ? "TERM" : "INT";
        System.out.println("[interrupt] sending SIG" + sig + (intIgnored ? " (SIGINT is ignored in this process tree)" : ""));
        new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "no exit after SIG" + sig);
        String out = read(log);
        assertEquals(intIgnored ? 143 : 130, p.exitValue(), out);
        assertTrue(out.contains("descent: stopped on request after"), out);
        assertTrue(out.contains("--resume " + ck), out);
        assertFalse(out.contains("Exception"), out);
        assertFalse(Files.exists(model), "an interrupted run must not save a model");
        var json = new ObjectMapper().readTree(history.toFile());
        assertFalse(json.at("/config/complete").asBoolean(true), "history must say it is incomplete");
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a temporary file was left behind");
        }

        // the interrupted run resumes to exactly what an uninterrupted one gives
        Path refModel = dir.resolve("ref.json"), refHistory = dir.resolve("ref.csv"), resumedModel = dir.resolve("resumed.json"),
                resumedHistory = dir.resolve("resumed.csv");
        List<String> ref = new ArrayList<>(trainArgs(backend));
        ref.addAll(List.of("--save-model", refModel.toString(), "--history", refHistory.toString()));
        assertEquals(0, run(ref));
        List<String> resume = new ArrayList<>(trainArgs(backend));
        resume.addAll(List.of("--resume", ck.toString(), "--save-model", resumedModel.toString(), "--history", resumedHistory.toString()));
        assertEquals(0, run(resume));
        KillResumeTest.assertSameRun(refModel, refHistory, resumedModel, resumedHistory);
    }

    @Test
    void reproduceStopsBetweenRunsKeepingTheCompletedHistories(@TempDir Path dir) {
        AtomicInteger polls = new AtomicInteger();
        var out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (var b = new RefBackend()) {
            var runs = Seed1.run(b, 1, out, dir, () -> polls.incrementAndGet() > 2);
            assertEquals(2, runs.size());
        }
        for (Seed1.RunSpec r : Seed1.RUNS.subList(0, 2)) {
            assertTrue(History.readCsv(dir.resolve(r.fileName())).points().size() > 1, r.fileName());
        }
        assertFalse(Files.exists(dir.resolve(Seed1.RUNS.get(2).fileName())));
    }

    @Test
    void benchStoppedBeforeAnythingWritesNothingAndSaysSo(@TempDir Path dir) {
        var runner = new BenchRunner("smoke", List.of("cpu"), false, new PrintWriter(new StringWriter()));
        runner.stopWhen(() -> true);
        var e = assertThrows(BenchRunner.Stopped.class, () -> runner.run("test", List.of(), dir));
        assertTrue(e.getMessage().contains("no report written"), e.getMessage());
    }

    private static int run(List<String> args) {
        StringWriter err = new StringWriter();
        int rc = Main.execute(args.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err));
        if (rc != 0) System.out.println(err);
        return rc;
    }

    /** Whether signal {@code sig} is ignored in this process (and so in its children), from /proc/self/status. */
    static boolean ignored(int sig) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> (sig - 1) & 1) == 1;
        }
        return false;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (Exception e) {
            return String.valueOf(e);
        }
    }
}
