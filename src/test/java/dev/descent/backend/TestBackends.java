package dev.descent.backend;

import org.junit.jupiter.api.Assumptions;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The device backends under test. A backend that cannot start here is skipped with its reason,
 * unless {@code DESCENT_REQUIRE} (comma-separated: opencl, cuda) names it: then the test fails.
 */
public final class TestBackends {
    private TestBackends() {}

    /** Backend selectors under test: OpenCL with each kernel family (PoCL runs both), and CUDA. */
    public static List<String> deviceBackends() {
        return List.of("cpu", "opencl:@cpu", "opencl:@gpu", "cuda");
    }

    public static boolean required(String name) {
        String req = System.getenv("DESCENT_REQUIRE");
        if (req == null) req = System.getProperty("descent.require", "");
        return Arrays.asList(req.toLowerCase(Locale.ROOT).split("[,\\s]+")).contains(name);
    }

    /** Opens the backend, or skips (fails when required) with the reason it is unavailable. */
    public static Backend open(String selector) {
        String name = selector.contains(":") ? selector.substring(0, selector.indexOf(':')) : selector;
        Probe p = Backends.probe(name);
        if (!p.available()) {
            if (required(name)) fail(name + " is required (DESCENT_REQUIRE) but unavailable: " + p.detail());
            Assumptions.assumeTrue(false, name + " unavailable: " + p.detail());
        }
        return Backends.open(selector);
    }

    /**
     * Backends a test class opens once and closes after its last test ({@code @AfterAll}: {@link #closeAll}),
     * each opened by {@link #open} (skipping, or failing when required, where it cannot start).
     */
    public static final class Cache {
        private final Map<String, Backend> open = new HashMap<>();

        public synchronized Backend get(String selector) {
            return open.computeIfAbsent(selector, TestBackends::open);
        }

        public synchronized void closeAll() {
            open.values().forEach(Backend::close);
            open.clear();
        }
    }
}
