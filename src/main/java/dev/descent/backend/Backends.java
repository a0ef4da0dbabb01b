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
 * {@code auto} tries them by preference (CUDA if a device and driver answer, else OpenCL if a
 * platform answers, else the CPU reference) and says which and why.
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
     * Opens a backend by name: {@code auto}, {@code cpu}, {@code opencl[:device]} (device by
     * index or by a part of its name) or {@code cuda[:index]}.
     */
    public static Backend open(String selector) {
        String s = selector.trim().toLowerCase(Locale.ROOT);
        String name = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        String device = s.contains(":") ? selector.trim().substring(s.indexOf(':') + 1) : null;
        if (name.equals("auto")) {
            List<BackendProvider> all = providers();
            for (int i = 0; i < all.size(); i++) {
                BackendProvider p = all.get(i);
                if (i == all.size() - 1 || safeProbe(p).available()) return openWith(p, null);
            }
            throw new DescentException("no backend in this build");
        }
        return openWith(provider(name), device);
    }

    private static Backend openWith(BackendProvider p, String device) {
        try {
            return p.open(device);
        } catch (LinkageError e) {
            throw new DescentException(p.name() + " failed to start: a library did not load (" + e.getMessage() + ")");
        }
    }

    private static DescentException unknown(String name) {
        return new DescentException.InvalidArgument("unknown backend '" + name + "': use auto, cpu, opencl[:device] or cuda[:index]");
    }
}
