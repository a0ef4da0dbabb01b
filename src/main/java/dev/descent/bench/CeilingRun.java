package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The ceilings alone, for scripts outside `descent bench` (bench/run-opencl.sh through the JMH
 * module's Ceilings): the native probe before and after each backend's (its samples pooled, so the
 * machine's drift during the run widens its spread), each backend's probes, judged by {@link Limits}.
 */
public final class CeilingRun {
    private CeilingRun() {}

    /** The judged ceilings: "native" first (when gcc or numpy could run it), then each backend in order. */
    public static List<Report.Ceiling> measure(List<String> backends, long bytes, int reps, PrintWriter log) {
        long b = Limits.probeBytes(bytes);
        List<Report.Ceiling> natives = new ArrayList<>(), out = new ArrayList<>();
        natives.add(Limits.measureNative(b, reps, log));
        for (String name : backends) {
            try (Backend backend = Backends.open(name)) {
                out.add(Limits.measure(backend, name, b, reps, log));
            }
            if (natives.get(0) != null) natives.add(Limits.measureNative(b, reps, log));
        }
        Report.Ceiling nat = Limits.pool(natives);
        if (nat != null) out.add(0, nat);
        return Limits.judge(out);
    }
}
