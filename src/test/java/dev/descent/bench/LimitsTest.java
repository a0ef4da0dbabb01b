package dev.descent.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ceiling verdicts and the rates against them, on figures chosen to sit on each side of every rule. */
class LimitsTest {
    static Stats gbs(double... s) {
        return Stats.of(s);
    }

    static Report.Ceiling ceiling(String backend, boolean host, Stats read, Stats write, Stats copy) {
        return new Report.Ceiling(backend, "test", host, 256L << 20, read, write, copy, null, null, null);
    }

    /** The numbers: native read 27.7; the CPU probe's copy 51.6 and OpenCL's read 7.9. */
    static final Report.Ceiling NATIVE = ceiling(Limits.NATIVE, true, gbs(26, 27, 27.7), gbs(12, 12.5, 13), gbs(24, 25, 26));

    @Test
    void aBackendFigureAboveTheNativeProbeBeyondItsSpreadIsRefusedAndTheNativeCeilingUsed() {
        var judged = Limits.judge(List.of(NATIVE, ceiling("cpu", true, gbs(24, 24.7, 25), gbs(10, 11, 12), gbs(50, 51.6, 52))));
        Report.Ceiling cpu = judged.get(1);
        assertEquals(27.7, cpu.readUsed(), 1e-12);
        assertEquals(Limits.NATIVE, cpu.usedFrom());
        assertEquals(1, cpu.errors().size(), cpu.errors().toString());
        assertTrue(cpu.errors().get(0).startsWith("copy 52.0 GB/s is above the native probe's 26.0 GB/s"), cpu.errors().get(0));
    }

    @Test
    void aSlowProbeIsReplacedByTheNativeCeilingAndWithinTheSpreadABackendMayExceedIt() {
        var judged = Limits.judge(List.of(NATIVE, ceiling("opencl", true, gbs(7, 7.9, 7.5), gbs(9, 9, 9), gbs(14, 14, 14)),
                ceiling("fast", true, gbs(28, 28.5, 29), gbs(12, 12, 12), gbs(25, 25, 25))));
        assertEquals(27.7, judged.get(1).readUsed(), 1e-12);
        assertEquals(29, judged.get(2).readUsed(), 1e-12, "29 is within the native read's spread (1.7/27 = 6%)");
        assertEquals("fast", judged.get(2).usedFrom());
        assertTrue(judged.get(2).errors().isEmpty());
    }

    @Test
    void deviceMemoryIsNotJudgedByTheHostProbe() {
        var judged = Limits.judge(List.of(NATIVE, ceiling("cuda", false, gbs(4000, 4100), gbs(4000, 4000), gbs(7000, 7000))));
        assertEquals(4100, judged.get(1).readUsed(), 1e-9);
        assertTrue(judged.get(1).errors().isEmpty());
    }

    static Report.Benchmark gradient(int n, int d, double seconds) {
        Report.Identity id = new Report.Identity("gradient/w/cpu/batch=" + n, "gradient", "w", "squared", "cpu", n, d, n);
        return Report.Benchmark.of(id, Stats.of(new double[] {seconds}), new Report.Derived(null, null, 1L, 4.0 * n * d, null, null, null, null, null));
    }

    @Test
    void aWorkloadIsAPercentOfTheCeilingOnlyWhenItsDataOutgrowTheCacheAndStayBelowTheCeiling() {
        var judged = Limits.judge(List.of(NATIVE, ceiling("cpu", true, gbs(10, 11), gbs(9, 9), gbs(14, 14))));
        long llc = 32L << 20;
        int n = 1_000_000, d = 64;                          // 256 MB: 8× the cache
        double bytes = 4.0 * n * d;
        var out = Limits.derive(List.of(gradient(n, d, bytes / 13.85e9), gradient(n, d, bytes / 30e9), gradient(5_000, 16, 1e-4)), judged, llc);
        assertEquals(50, out.get(0).derived().pctOfRead(), 1e-9);
        assertNull(out.get(1).derived().pctOfRead());
        assertTrue(out.get(1).derived().ceilingNote().contains("above the read ceiling 27.7 GB/s: a measurement error"),
                out.get(1).derived().ceilingNote());
        assertNull(out.get(2).derived().pctOfRead());
        assertTrue(out.get(2).derived().ceilingNote().startsWith("in cache"), out.get(2).derived().ceilingNote());
    }
}
