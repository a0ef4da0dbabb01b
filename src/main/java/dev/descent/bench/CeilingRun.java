package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ceilings alone, for scripts outside `descent bench` (bench/run-opencl.sh through the JMH
 * module's Ceilings): the native probe before and after the backends (its samples pooled, so the
 * machine's drift during the run widens its spread), each backend's probes, judged by {@link Limits}.
 */
public final class CeilingRun {
    private CeilingRun() {}

    /** The judged ceilings: "native" first (when gcc or numpy could run it), then each backend in order. */
    public static List<Report.Ceiling> measure(List<String> backends, long bytes, int reps, PrintWriter log) {
        long b = Limits.probeBytes(bytes);
        Report.Ceiling before = Limits.measureNative(b, reps, log);
        List<Report.Ceiling> out = new ArrayList<>();
        for (String name : backends) {
            try (Backend backend = Backends.open(name)) {
                out.add(Limits.measure(backend, name, b, reps, log));
            }
        }
        Report.Ceiling after = before == null ? null : Limits.measureNative(b, reps, log);
        if (before != null) {
            out.add(0, new Report.Ceiling(Limits.NATIVE, before.probe(), true, before.bytes(), pool(before.readGbs(), after.readGbs()),
                    pool(before.writeGbs(), after.writeGbs()), pool(before.copyGbs(), after.copyGbs()), null, null, null));
        }
        return Limits.judge(out);
    }

    private static Stats pool(Stats a, Stats z) {
        double[] all = Arrays.copyOf(a.samples(), a.samples().length + z.samples().length);
        System.arraycopy(z.samples(), 0, all, a.samples().length, z.samples().length);
        return Stats.of(all);
    }
}
