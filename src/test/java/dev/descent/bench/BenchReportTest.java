package dev.descent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.descent.backend.TestBackends;
import dev.descent.cli.CliAccess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** `descent bench smoke` end to end: the report folder, its schema, its HTML in a real browser, and `report compare`. */
class BenchReportTest {
    @TempDir
    static Path tmp;
    static Path a, b, cpuA, cpuB;

    /** Two runs as a user makes them: two processes (one JVM's JIT profile would carry from one run into the next). */
    @BeforeAll
    static void runTwice() throws Exception {
        a = tmp.resolve("a");
        b = tmp.resolve("b");
        cpuA = tmp.resolve("cpu-a");
        cpuB = tmp.resolve("cpu-b");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (Path p : List.of(a, b, cpuA, cpuB)) {
            List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Djava.awt.headless=true", "-cp",
                    System.getProperty("java.class.path"), "dev.descent.cli.Main", "bench", "smoke", "--out", p.toString()));
            if (p.getFileName().toString().startsWith("cpu")) cmd.addAll(List.of("--backends", "cpu", "--no-peers"));
            Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(proc.waitFor(300, TimeUnit.SECONDS), "bench smoke timed out");
            assertEquals(0, proc.exitValue(), log);
        }
    }

    @Test
    void theFolderHoldsEveryPart() throws Exception {
        for (String f : List.of("report.json", "report.md", "report.html", "REPRODUCE", "throughput-samples.png",
                "convergence-examples.png", "convergence-seconds.png", "bandwidth.png")) {
            assertTrue(Files.size(a.resolve(f)) > 100, f);
        }
        assertTrue(Files.readString(a.resolve("REPRODUCE")).contains("./descent bench smoke"));
        JsonNode r = new ObjectMapper().readTree(a.resolve("report.json").toFile());
        for (JsonNode x : r.path("benchmarks")) {
            assertEquals(r.at("/config/repeats").asInt() * r.at("/config/forks").asInt(), x.path("samples").size(),
                    "every raw sample of every fork is kept");
        }
        assertTrue(Files.readString(a.resolve("report.md")).contains("| linear-5k-16 |"));
    }

    /** The acceptance of issue 12 item 1, on a real run: ceilings at or above the native probe's, no workload above 100%. */
    @Test
    void hostBackendsAreReportedAgainstACeilingAtLeastTheNativeProbesAndNoWorkloadExceedsIt() throws Exception {
        JsonNode r = new ObjectMapper().readTree(a.resolve("report.json").toFile());
        JsonNode nat = null;
        for (JsonNode c : r.path("ceilings")) if (c.path("backend").asText().equals(Limits.NATIVE)) nat = c;
        Assumptions.assumeTrue(nat != null, "no native probe on this machine (no gcc, no numpy)");
        for (JsonNode c : r.path("ceilings")) {
            if (!c.path("host_memory").asBoolean()) continue;
            assertTrue(c.path("read_used").asDouble() >= nat.at("/read_gbs/max").asDouble(), c.toString());
        }
        for (JsonNode b : r.path("benchmarks")) {
            JsonNode pct = b.at("/derived/pct_of_read");
            assertTrue(pct.isMissingNode() || pct.asDouble() <= 100, b.toString());
            assertTrue(!pct.isMissingNode() || b.at("/derived/ceiling_note").isTextual(), "no percentage without its reason: " + b);
        }
    }

    @Test
    void reportJsonValidatesAgainstTheSchemaInTheRepo() throws Exception {
        JsonSchema schema;
        try (InputStream in = BenchReportTest.class.getResourceAsStream("/report.schema.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
        }
        for (Path p : List.of(a, b)) {
            Set<ValidationMessage> errors = schema.validate(new ObjectMapper().readTree(p.resolve("report.json").toFile()));
            assertTrue(errors.isEmpty(), errors.toString());
        }
        ObjectNode broken = (ObjectNode) new ObjectMapper().readTree(a.resolve("report.json").toFile());
        broken.remove("environment");
        assertFalse(schema.validate(broken).isEmpty(), "the schema must reject a report without its environment");
    }

    /** Headless Chromium loads the HTML from disk (no network) and every chart is laid out with a visible size. */
    @Test
    void htmlOpensOfflineWithEveryPlotVisible() throws Exception {
        Path chromium = java.util.stream.Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
                .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (chromium == null) {
            if (TestBackends.required("chromium")) fail("chromium is required (DESCENT_REQUIRE) but not installed");
            Assumptions.assumeTrue(false, "chromium not installed");
        }
        String html = Files.readString(a.resolve("report.html"));
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"(https?:)?//").matcher(html).find(), "self-contained: nothing fetched");
        int figures = html.split("<figure class=\"plot\"", -1).length - 1;
        assertTrue(figures >= 4, figures + " figures");
        Path profile = Files.createTempDirectory(tmp, "chromium");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1200,900", "--virtual-time-budget=5000", "--dump-dom",
                a.resolve("report.html").toUri().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium timed out");
        Matcher m = Pattern.compile("data-plots=\"(\\d+)\" data-plots-visible=\"(\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the page's script did not run: " + dom.substring(0, Math.min(300, dom.length())));
        assertEquals(figures, Integer.parseInt(m.group(1)));
        assertEquals(figures, Integer.parseInt(m.group(2)), "every plot visible");
    }

    /**
     * On the CPU reference. PoCL's OpenCL timings on this 2-core machine move by up to 1.8× from one
     * process to the next with tight ranges inside each run (seen: batch 100, 15.7 vs 27.9 ms), which
     * no within-run statistic can tell from a real change; see the README. On the quiet machine two CPU
     * runs differed by at most 8%.
     */
    @Test
    void twoRunsOfTheSameSuiteCompareBenchmarkByBenchmark() {
        // Two real runs on a shared 2-core machine differ by up to 1.7× per benchmark (seen in CI at a
        // 50% threshold), so whether they "regress" is a fact about the machine, not about descent:
        // here every benchmark must be matched and judged (exit 0 or 1, never a usage error), and the
        // no-false-alarm property is checked on controlled noise below.
        var o = CliAccess.cli("report", "compare", cpuA.toString(), cpuB.toString());
        assertTrue(o.code() == 0 || o.code() == 1, o.out() + o.err());
        for (String id : List.of("throughput/linear-5k-16/cpu/batch=1 ", "throughput/linear-5k-16/cpu/batch=100 ",
                "gradient/linear-5k-16/cpu/batch=5000 ")) {
            assertTrue(o.out().contains(id), id + " in " + o.out());
        }
        // every backend's: even a 500% threshold was crossed once (cpu batch 1, 7.2×, while another build ran beside CI),
        // so the same rule: matched and judged, exit 0 or 1
        var all = CliAccess.cli("report", "compare", a.toString(), b.toString(), "--threshold", "5");
        assertTrue(all.code() == 0 || all.code() == 1, "every backend's benchmarks compare: " + all.out() + all.err());
        for (String id : List.of("throughput/linear-5k-16/cpu/batch=1 ", "throughput/linear-5k-16/ref/batch=1 ", "gradient/linear-5k-16/ref/batch=5000 ")) {
            assertTrue(all.out().contains(id), id + " in " + all.out());
        }
    }

    /**
     * The default threshold is what the runs can resolve: a change inside a benchmark's measured
     * between-fork spread (at least Compare.MIN_THRESHOLD) is not a regression, with no threshold given.
     */
    @Test
    void changesWithinTheMeasuredBetweenForkSpreadShowNoRegression() throws Exception {
        ObjectMapper om = new ObjectMapper();
        ObjectNode r = (ObjectNode) om.readTree(a.resolve("report.json").toFile());
        int i = 0;
        for (JsonNode bench : r.path("benchmarks")) {
            ObjectNode m = (ObjectNode) bench;
            assertTrue(m.path("fork_spread").isNumber(), "every benchmark of a forked run carries its spread: " + m);
            double resolvable = Math.max(Compare.MIN_THRESHOLD, m.path("fork_spread").asDouble());
            double f = 1 + 0.9 * resolvable * Math.sin(++i);        // a fixed jitter inside what the run can resolve
            ArrayNode samples = om.createArrayNode();
            for (JsonNode s : m.path("samples")) samples.add(s.asDouble() * f);
            m.set("samples", samples);
            for (String k : List.of("median", "min", "max")) m.put(k, m.path(k).asDouble() * f);
        }
        Path jittered = tmp.resolve("jittered.json");
        om.writeValue(jittered.toFile(), r);
        var o = CliAccess.cli("report", "compare", a.toString(), jittered.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertFalse(o.out().contains("REGRESSION"), o.out());
    }

    /** Through a real JVM exit: the table must reach stdout (it is print()ed, which autoflush does not cover). */
    @Test
    void compareWritesItsTableToStdoutBeforeExiting() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.descent.cli.Main", "report", "compare",
                cpuA.toString(), cpuA.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertTrue(out.startsWith("benchmark") && out.contains("throughput/linear-5k-16/cpu/batch=1 "), out);
    }

    @Test
    void aBenchmarkTwiceAsSlowIsARegression() throws Exception {
        ObjectMapper om = new ObjectMapper();
        ObjectNode r = (ObjectNode) om.readTree(a.resolve("report.json").toFile());
        ObjectNode slow = (ObjectNode) r.path("benchmarks").get(0);
        // every sample twice A's slowest: unambiguous even when A's own samples were noisy (seen on a
        // busy 2-core machine: a spread of 0.9–4.4× around A's median, which a plain 2× overlaps)
        double slowest = slow.path("max").asDouble();
        ArrayNode samples = om.createArrayNode();
        for (JsonNode ignored : slow.path("samples")) samples.add(slowest * 2);
        slow.set("samples", samples);
        for (String k : List.of("median", "min", "max")) slow.put(k, slowest * 2);
        Path slower = tmp.resolve("slower.json");
        om.writeValue(slower.toFile(), r);
        var o = CliAccess.cli("report", "compare", a.toString(), slower.toString());
        assertEquals(1, o.code(), o.out());
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(slow.path("id").asText()) + " .*REGRESSION$").matcher(o.out());
        assertTrue(m.find(), o.out());
        assertEquals(1, o.out().split("REGRESSION", -1).length - 1, "only that benchmark: " + o.out());
    }

    @Test
    void badInput(@TempDir Path out) throws Exception {
        CliAccess.assertOneClearLine(CliAccess.cli("bench", "enormous"), 2, "unknown suite 'enormous'");
        CliAccess.assertOneClearLine(CliAccess.cli("bench", "smoke", "--out", a.toString()), 2, "exists: choose another --out");
        Path file = out.resolve("file");
        Files.writeString(file, "x");
        CliAccess.assertOneClearLine(CliAccess.cli("bench", "smoke", "--out", file.resolve("r").toString()), 1, "cannot create folder");
        Path notReport = out.resolve("n.json");
        Files.writeString(notReport, "{\"hello\": 1}");
        CliAccess.assertOneClearLine(CliAccess.cli("report", "compare", a.toString(), notReport.toString()), 1, "is not a descent report");
        Files.writeString(notReport, "not json");
        CliAccess.assertOneClearLine(CliAccess.cli("report", "compare", notReport.toString(), a.toString()), 1, "it is not JSON");
        CliAccess.assertOneClearLine(CliAccess.cli("report", "compare", a.toString(), out.resolve("missing").toString()), 1,
                "does not exist");
    }

}
