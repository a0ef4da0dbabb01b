package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.backend.cpu.CpuBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds and opens backends. {@code auto} picks CUDA if a device and driver answer, else OpenCL
 * if a platform answers, else the CPU reference, and says which and why.
 */
public final class Backends {
    private Backends() {}

    /** Whether a backend can start here, and what it found or why not, in one line. */
    public record Probe(String name, boolean available, String detail) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-7s %-11s %s", name, available ? "available" : "unavailable", detail);
        }
    }

    /** Every backend, available or not. */
    public static List<Probe> probeAll() {
        List<Probe> out = new ArrayList<>();
        out.add(probe("cuda"));
        out.add(probe("opencl"));
        out.add(probe("cpu"));
        return out;
    }

    public static Probe probe(String name) {
        return switch (name) {
            case "cpu" -> new Probe("cpu", true, new CpuBackend().device());
            case "opencl" -> safeProbe("opencl", "dev.descent.backend.opencl.OpenClBackend");
            case "cuda" -> safeProbe("cuda", "dev.descent.backend.cuda.CudaBackend");
            default -> throw unknown(name);
        };
    }

    /** Probes through a static {@code probe()} method, so a missing native library cannot escape as an Error. */
    private static Probe safeProbe(String name, String cls) {
        try {
            return (Probe) Class.forName(cls).getMethod("probe").invoke(null);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable c = e.getCause();
            return new Probe(name, false, c.getClass().getSimpleName() + ": " + c.getMessage());
        } catch (ReflectiveOperationException | LinkageError e) {
            return new Probe(name, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Opens a backend by name: {@code auto}, {@code cpu}, {@code opencl[:device]} (device by
     * index or by a part of its name) or {@code cuda[:index]}.
     */
    public static Backend open(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        String name = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        String device = s.contains(":") ? spec.trim().substring(s.indexOf(':') + 1) : null;
        return switch (name) {
            case "auto" -> {
                for (String k : List.of("cuda", "opencl")) {
                    if (probe(k).available()) yield open(k);
                }
                yield new CpuBackend();
            }
            case "cpu" -> new CpuBackend();
            case "opencl" -> openVia("dev.descent.backend.opencl.OpenClBackend", device);
            case "cuda" -> openVia("dev.descent.backend.cuda.CudaBackend", device);
            default -> throw unknown(spec);
        };
    }

    /** Calls a backend's static {@code open(String)}; its own DescentException passes through. */
    private static Backend openVia(String cls, String device) {
        try {
            return (Backend) Class.forName(cls).getMethod("open", String.class).invoke(null, device);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof DescentException de) throw de;
            throw new DescentException(cls.substring(cls.lastIndexOf('.') + 1) + " failed to start: " + e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new DescentException("backend " + cls + " is not in this build: " + e);
        }
    }

    private static DescentException unknown(String name) {
        return new DescentException.InvalidArgument("unknown backend '" + name + "': use auto, cpu, opencl[:device] or cuda[:index]");
    }
}
