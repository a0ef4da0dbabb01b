package dev.descent.backend.opencl;

import dev.descent.backend.Backend;
import dev.descent.backend.Gradient;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.TestBackends;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Embedding descent in a multi-threaded program. (1) A fresh JVM whose first OpenCL calls come
 * from four threads at the same moment (discovery, context, program build), 50 JVMs in a row:
 * before discovery and context creation were serialised, PoCL crashed the JVM inside
 * clGetDeviceInfo, and threads that survived were told "platforms found but no devices"; with
 * the lock taken out again, this test's first child JVM hung (PoCL 5, 2 cores).
 * (2) In one JVM, four threads open backends while two others compute on open sessions, 50
 * rounds. Every gradient must equal the one computed alone.
 */
class OpenClThreadsTest {
    /** The child JVM of part (1): four threads, released together, each opens a backend and computes a gradient. */
    public static void main(String[] args) throws Exception {
        Dataset ds = Generators.linear(2000, new float[] {1, -2, 0.5f, 3}, 0.7f, 0.1, 7);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(OPENERS);
        List<Future<float[]>> got = new ArrayList<>();
        for (int o = 0; o < OPENERS; o++) {
            got.add(pool.submit(() -> {
                start.await();
                try (Backend b = OpenClBackend.open(null); Session s = b.open(ds, Spec.of(Objective.SQUARED))) {
                    return gradient(s, ds);
                }
            }));
        }
        start.countDown();
        float[] first = got.get(0).get(120, TimeUnit.SECONDS);
        for (Future<float[]> f : got) {
            if (!java.util.Arrays.equals(first, f.get(120, TimeUnit.SECONDS))) {
                System.err.println("gradients differ between threads");
                System.exit(3);
            }
        }
        pool.shutdown();
        System.exit(0);
    }

    @Test
    void freshJvmsWhoseFirstOpenClCallsComeFromFourThreads() throws Exception {
        TestBackends.open("opencl").close();                     // skips (or fails when required) without OpenCL
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.nio.file.Path log = java.nio.file.Files.createTempFile("descent-threads", ".log");
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), OpenClThreadsTest.class.getName())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                boolean ended = p.waitFor(60, TimeUnit.SECONDS);        // without the lock PoCL hung here in round 1
                if (!ended) p.destroyForcibly().waitFor();
                String out = java.nio.file.Files.readString(log);
                assertTrue(ended, "round " + round + " of " + ROUNDS + " hung for 60 s\n" + out);
                assertTrue(p.exitValue() == 0, "round " + round + " of " + ROUNDS + ": exit " + p.exitValue() + "\n" + out);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(log);
        }
    }

    /**
     * Four descent processes started at once on one machine all succeed, each round with an empty
     * PoCL kernel cache, so that every process compiles and writes the same cache entries.
     */
    @Test
    void fourProcessesStartedAtOnceWithAColdKernelCacheAllSucceed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        TestBackends.open("opencl").close();
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int round = 1; round <= 2; round++) {
            java.nio.file.Path cache = java.nio.file.Files.createDirectories(dir.resolve("kcache-" + round));
            List<Process> ps = new ArrayList<>();
            List<java.nio.file.Path> logs = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                java.nio.file.Path log = dir.resolve("r" + round + "-p" + k + ".log");
                ProcessBuilder pb = new ProcessBuilder(javaBin, "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                        "dev.descent.cli.Main", "train", "--backend", "opencl", "--rows", "500", "--epochs", "1", "--no-progress")
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                pb.environment().put("POCL_CACHE_DIR", cache.toString());
                ps.add(pb.start());
                logs.add(log);
            }
            for (int k = 0; k < ps.size(); k++) {
                Process p = ps.get(k);
                boolean ended = p.waitFor(120, TimeUnit.SECONDS);
                if (!ended) p.destroyForcibly().waitFor();
                String out = java.nio.file.Files.readString(logs.get(k));
                assertTrue(ended && p.exitValue() == 0, "round " + round + ", process " + k + ": "
                        + (ended ? "exit " + p.exitValue() : "hung") + "\n" + out);
            }
        }
    }

    static final int ROUNDS = 50, OPENERS = 4, WORKERS = 2;

    @Test
    void fourThreadsOpenBackendsAtOnceWhileOthersCompute() throws Exception {
        TestBackends.open("opencl").close();                     // skips (or fails when required) without OpenCL
        Dataset ds = Generators.linear(2000, new float[] {1, -2, 0.5f, 3}, 0.7f, 0.1, 7);
        Spec spec = Spec.of(Objective.SQUARED);
        float[] alone;
        try (Backend b = OpenClBackend.open(null); Session s = b.open(ds, spec)) {
            alone = gradient(s, ds);
        }
        ExecutorService pool = Executors.newFixedThreadPool(OPENERS + WORKERS);
        try (Backend b = OpenClBackend.open(null)) {
            for (int round = 0; round < ROUNDS; round++) {
                CountDownLatch start = new CountDownLatch(1);
                AtomicBoolean stop = new AtomicBoolean();
                List<Future<?>> openers = new ArrayList<>(), workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    workers.add(pool.submit(() -> {
                        try (Session s = b.open(ds, spec)) {
                            start.await();
                            do {
                                assertArrayEquals(alone, gradient(s, ds), "a gradient computed beside other threads");
                            } while (!stop.get());
                        }
                        return null;
                    }));
                }
                for (int o = 0; o < OPENERS; o++) {
                    openers.add(pool.submit(() -> {
                        start.await();
                        try (Backend mine = OpenClBackend.open(null); Session s = mine.open(ds, spec)) {
                            assertArrayEquals(alone, gradient(s, ds), "a gradient on a backend opened beside others");
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : openers) f.get(120, TimeUnit.SECONDS);
                stop.set(true);
                for (Future<?> f : workers) f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    private static float[] gradient(Session s, Dataset ds) {
        s.setOrder(BatchOrder.IN_ORDER.order(ds.n(), 1, 1));
        s.setParams(Params.zeros(ds.d()));
        Gradient g = s.gradient(0, ds.n(), true);
        float[] out = new float[g.w().length + 2];
        for (int j = 0; j < g.w().length; j++) out[j] = (float) g.w()[j];
        out[out.length - 2] = (float) g.b();
        out[out.length - 1] = (float) g.loss();
        return out;
    }
}
