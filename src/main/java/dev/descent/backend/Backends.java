package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.backend.spi.BackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds and opens backends. They are discovered with {@link ServiceLoader} ({@link BackendProvider});
 * {@code auto} tries them by preference (CUDA if a device and driver answer, else an OpenCL GPU,
 * else the fast cpu backend; an OpenCL device on the host's cores only for large problems) and
 * says which and why ({@link #choose}).
 */
public final class Backends {
    private Backends() {}

    private static volatile List<BackendProvider> providers;

    /** Every provider on the class path, by preference (highest first). */
    static List<BackendProvider> providers() {
        List<BackendProvider> p = providers;
        if (p == null) {
            List<BackendProvider> found = new ArrayList<>();
            ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader()).forEach(found::add);
            found.sort(Comparator.comparingInt(BackendProvider::preference).reversed());
            providers = p = List.copyOf(found);
        }
        return p;
    }

    private static BackendProvider provider(String name) {
        for (BackendProvider p : providers()) if (p.name().equals(name)) return p;
        throw unknown(name);
    }

    /** Every backend, available or not. */
    public static List<Probe> probeAll() {
        List<Probe> out = new ArrayList<>();
        for (BackendProvider p : providers()) out.add(safeProbe(p));
        return out;
    }

    public static Probe probe(String name) {
        return safeProbe(provider(name));
    }

    /** A missing native library cannot escape a probe as an Error. */
    private static Probe safeProbe(BackendProvider p) {
        try {
            return p.probe();
        } catch (DescentException e) {
            return new Probe(p.name(), false, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Probe(p.name(), false, "could not start: " + e.getMessage());
        }
    }

    /**
     * Opens a backend by name: {@code auto}, {@code cpu}, {@code ref}, {@code opencl[:device]}
     * (device by index or by a part of its name) or {@code cuda[:index]}.
     */
    public static Backend open(String selector) {
        return open(selector, null);
    }

    /** As {@link #open(String)}, with the problem {@code auto} chooses for (null: not known). */
    public static Backend open(String selector, Problem problem) {
        String s = selector.trim().toLowerCase(Locale.ROOT);
        String name = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        String device = s.contains(":") ? selector.trim().substring(s.indexOf(':') + 1) : null;
        if (name.equals("auto")) return openWith(provider(choose(problem).name()), null);
        return openWith(provider(name), device);
    }

    /**
     * The size of the work per launch that {@code auto} weighs: rows per step times features.
     *
     * @param batchValues rows per step × d (the largest a run uses: a full-data loss pass counts n × d)
     */
    public record Problem(long batchValues) {
        /** A training problem: the larger of a batch's values and a full-data loss pass. */
        public static Problem training(int n, int d, int batch) {
            return training(n, d, batch, 1);
        }

        /** The same for a model of {@code heads} outputs (softmax's k): each row's work is k dot products. */
        public static Problem training(int n, int d, int batch, int heads) {
            return new Problem(Math.max((long) batch, n) * d * heads);
        }
    }

    /**
     * An OpenCL device on the host's own cores (PoCL) is worth its launch overhead only when each
     * launch has this many values to compute (rows × d): below it, the cpu backend runs the same
     * cores without launches or a kernel compile.
     */
    public static final long HOST_DEVICE_MIN_VALUES = 1L << 20;

    /** What {@code auto} picks for the problem, and why, in words. */
    public record Choice(String name, String why) {}

    /**
     * CUDA when a device answers, else an OpenCL GPU, else the cpu backend; an OpenCL device on
     * the host's cores only for a problem of at least {@link #HOST_DEVICE_MIN_VALUES} values per
     * launch (unknown size: the cpu backend).
     */
    public static Choice choose(Problem problem) {
        List<BackendProvider> all = providers();
        String passed = null;
        for (int i = 0; i < all.size(); i++) {
            BackendProvider p = all.get(i);
            if (i < all.size() - 1 && !safeProbe(p).available()) continue;
            if (i < all.size() - 1 && onHostCores(p)) {
                if (problem != null && problem.batchValues() >= HOST_DEVICE_MIN_VALUES) {
                    return new Choice(p.name(), p.name() + "'s device runs on this machine's CPU cores, and "
                            + problem.batchValues() + " values per launch repay its launch overhead");
                }
                if (passed == null) passed = p.name() + "'s device runs on this machine's CPU cores, where the cpu backend "
                        + "is quicker for " + (problem == null ? "a problem of unknown size" : problem.batchValues()
                        + " values per launch (under " + HOST_DEVICE_MIN_VALUES + ")");
                continue;
            }
            return new Choice(p.name(), passed != null ? passed : i == 0 ? "the preferred backend answers"
                    : "no backend before it in the order cuda, opencl, cpu answers");
        }
        throw new DescentException("no backend in this build");
    }

    private static boolean onHostCores(BackendProvider p) {
        try {
            return p.onHostCores();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static Backend openWith(BackendProvider p, String device) {
        try {
            return p.open(device);
        } catch (LinkageError e) {
            throw new DescentException(p.name() + " failed to start: a library did not load (" + e.getMessage() + ")");
        }
    }

    private static DescentException unknown(String name) {
        return new DescentException.InvalidArgument("unknown backend '" + name + "': use auto, cpu, ref, opencl[:device] or cuda[:index]");
    }
}
