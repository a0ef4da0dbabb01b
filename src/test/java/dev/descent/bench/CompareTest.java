package dev.descent.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `report compare` on the committed schema-1 reports and on controlled spreads. */
class CompareTest {
    static final Path QUICK_1 = Path.of("bench/results/quick-2core-20261125");

    @Test
    void aCommittedSchemaOneReportLoadsAndComparesWithItself() {
        Report r = Compare.load(QUICK_1);
        assertEquals(Report.SCHEMA_1, r.schema());
        assertNull(r.ceilings().get(0).writeGbs(), "schema 1 had no write probe");
        var res = Compare.compare(r, r, null);
        assertFalse(res.regression());
        assertEquals(r.benchmarks().size(), res.rows().size());
        assertNotNull(r.convergence().get(0).points());
    }

    @Test
    void aSchemaTwoReportComparesWithASchemaOneReportBenchmarkByBenchmark() {
        Report two = Compare.load(Path.of("bench/results/quick-2core-20261126"));
        assertEquals(Report.SCHEMA, two.schema());
        assertTrue(two.benchmarks().stream().allMatch(b -> b.forkSpread() != null), "every benchmark of a 2-fork run has its spread");
        var res = Compare.compare(Compare.load(QUICK_1), two, null);
        assertTrue(res.onlyA().isEmpty() && res.onlyB().isEmpty(), res.onlyA() + " " + res.onlyB());
    }

    static Report.Benchmark bench(String id, double... samples) {
        Report.Identity who = new Report.Identity(id, "throughput", "w", "squared", "cpu", 1000, 2, 1);
        return Report.Benchmark.of(who, Stats.of(samples), new Report.Derived(1000L, 1000L, null, null, null, null, null, null, null));
    }

    /** A schema-1 report of 2 forks × 3 repeats: samples pooled in fork order. */
    static Report schema1(Report.Benchmark... b) {
        List<Report.Benchmark> bs = java.util.Arrays.stream(b).map(x -> x.with(x.stats(), null, null, x.derived())).toList();
        return new Report(Report.SCHEMA_1, "smoke", "test", new Report.Config(2, 3, 1, 0, 1, List.of("cpu"), 0.25, 1, ""), null, List.of(), bs,
                List.of(), null, null);
    }

    @Test
    void schemaOneForkMediansAreRecoveredFromThePooledSamples() {
        Report r = schema1(bench("x", 1.0, 1.1, 0.9, 2.0, 2.1, 1.9));
        assertEquals(List.of(1.0, 2.0), Compare.forkMedians(r, r.benchmarks().get(0)));
        assertEquals(1.0 / 1.5, Compare.forkSpread(r, r.benchmarks().get(0)), 1e-12);
    }

    @Test
    void theDefaultThresholdIsTheLargerBetweenForkSpreadSoAChangeInsideItIsNotARegression() {
        // A: forks at 1.00 and 1.30 (spread 26%); B is 20% slower with tight ranges that do not overlap A's
        Report a = schema1(bench("x", 1.0, 1.0, 1.0, 1.3, 1.3, 1.3));
        Report b = schema1(bench("x", 1.38, 1.38, 1.38, 1.38, 1.38, 1.38));
        var auto = Compare.compare(a, b, null);
        assertEquals(0.3 / 1.15, auto.rows().get(0).threshold(), 1e-12);
        assertFalse(auto.regression(), Compare.table(auto, null));
        assertTrue(Compare.compare(a, b, 0.1).regression(), "a hand-set 10% still judges it");
        Report c = schema1(bench("x", 1.6, 1.6, 1.6, 1.6, 1.6, 1.6));
        assertTrue(Compare.compare(a, c, null).regression(), "39% slower is beyond the 26% spread");
    }
}
