package dev.descent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.data.Dataset;
import dev.descent.data.Npy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** numpy and scikit-learn on the same bytes (written as .npy), when python3 has them; skipped peers say why. */
final class PeerRun {
    private PeerRun() {}

    static Report.Peers run(Suite.Workload w, Dataset ds, int repeats, PrintWriter log) {
        Path script = BenchRunner.home().resolve("bench/peers/peers.py");
        if (!Files.exists(script)) return Report.Peers.skipped("bench/peers/peers.py not found under " + BenchRunner.home());
        if (ds.isSparse()) return Report.Peers.skipped("sparse data: peers.py takes a dense X.npy");
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("descent-peers");
            Npy.write(tmp.resolve("X.npy"), ds.features(), ds.n(), ds.d());
            Npy.write(tmp.resolve("y.npy"), ds.targets(), ds.n());
            String py = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            Process p = new ProcessBuilder(py, script.toString(), tmp.toString(), "--sgd", "--repeats", String.valueOf(repeats))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Report.Peers.skipped("peers.py failed (exit " + p.exitValue() + ")");
            }
            var om = Report.json();
            JsonNode r = om.readTree(out);
            List<Report.PeerResult> results = new ArrayList<>();
            for (JsonNode x : r.path("results")) results.add(om.treeToValue(x, Report.PeerResult.class));
            List<Report.Skip> skipped = new ArrayList<>();
            for (JsonNode x : r.path("skipped")) skipped.add(om.treeToValue(x, Report.Skip.class));
            log.printf("[bench] peers: %s%n", r.path("results"));
            return new Report.Peers(true, w.name(), new Report.Versions(r.path("python").asText(), r.path("numpy").asText(),
                    r.path("sklearn").asText()), results, skipped);
        } catch (IOException e) {
            return Report.Peers.skipped("python3 could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Report.Peers.skipped("interrupted");
        } finally {
            dev.descent.util.AtomicFiles.removeTempFolder(tmp);
        }
    }
}
