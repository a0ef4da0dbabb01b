package dev.descent.backend;

import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every backend called from any thread (issue #16, "any thread"): the way an engine's task threads
 * or a pool call a trainer backend. A script of session calls (open, order, parameters, a run with
 * records, a gradient, a step, the records' losses, save and restore, close) runs once on one
 * thread, then with every call on the next thread of a pool, then as four sessions of one backend
 * driven at once from four threads; all must give the single-thread results bit for bit (same
 * backend, same device, same inputs). Dense and sparse rows. CUDA makes its context current per
 * call; OpenCL and the Java backends need nothing.
 */
class AnyThreadTest {
    private static final TestBackends.Cache OPEN = new TestBackends.Cache();

    static Backend backend(String name) {
        return OPEN.get(name);
    }

    @AfterAll
    static void closeAll() {
        OPEN.closeAll();
    }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (String b : List.of("ref", "cpu", "opencl:@cpu", "opencl:@gpu", "cuda"))
            for (boolean sparse : new boolean[] {false, true}) a.add(Arguments.of(b, sparse));
        return a.stream();
    }

    /** What a script returns: the records, their losses, a gradient with its loss, the final parameters and state. */
    record Outcome(float[] snapshots, double[] losses, float[] gradient, double gradientLoss, float[] params, double[] state) {}

    /** The calls, each handed to {@code on} (which runs it on some thread and returns its value). */
    interface On {
        <T> T call(Callable<T> c) throws Exception;
    }

    static Dataset data(boolean sparse, int salt) {
        return sparse ? SparseConformanceTest.randomSparse(Objective.LOGISTIC, 257 + salt, 300, 0.03)
                : BackendConformanceTest.random(Objective.LOGISTIC, 257 + salt, 11);
    }

    static Outcome script(Backend b, Dataset ds, long seed, On on) throws Exception {
        Spec spec = new Spec(Objective.LOGISTIC, true, Optimizer.momentum(0.9).withWeightDecay(1e-3, false));
        Params p0 = Params.zeros(ds.d());
        int[] order = BatchOrder.SHUFFLE.order(ds.n(), 1, seed);
        Session s = on.call(() -> b.open(ds, spec));
        try {
            on.call(() -> { s.setOrder(order); return null; });
            on.call(() -> { s.setParams(p0); s.resetState(); return null; });
            RunResult r = on.call(() -> s.run(new Run(8, 0, 20, Rate.constant(0.1), 4)));
            double[] losses = on.call(() -> s.losses(r.snapshots(), r.records()));
            Gradient g = on.call(() -> s.gradient(0, ds.n(), true));
            double[] saved = on.call(s::saveState);
            on.call(() -> { s.step(16, 32, 0.05); return null; });
            on.call(() -> { s.restoreState(saved); return null; });
            on.call(() -> { s.step(16, 32, 0.05); return null; });
            float[] params = on.call(() -> s.params().packed());
            double[] state = on.call(s::saveState);
            return new Outcome(r.snapshots(), losses, g.packed().packed(), g.loss(), params, state);
        } finally {
            on.call(() -> { s.close(); return null; });
        }
    }

    static void assertSame(Outcome want, Outcome got, String where) {
        assertArrayEquals(want.snapshots(), got.snapshots(), where + ": records");
        assertArrayEquals(want.losses(), got.losses(), where + ": recorded losses");
        assertArrayEquals(want.gradient(), got.gradient(), where + ": gradient");
        assertEquals(want.gradientLoss(), got.gradientLoss(), 0, where + ": gradient's loss");
        assertArrayEquals(want.params(), got.params(), where + ": parameters");
        assertArrayEquals(want.state(), got.state(), where + ": saved state");
    }

    static final On HERE = new On() {
        @Override public <T> T call(Callable<T> c) throws Exception { return c.call(); }
    };

    /** Each call on the next of the given single-thread executors, in turn, one call at a time. */
    static On hopping(List<ExecutorService> threads) {
        int[] next = {0};
        return new On() {
            @Override
            public <T> T call(Callable<T> c) throws Exception {
                try {
                    return threads.get(next[0]++ % threads.size()).submit(c).get(120, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException x) {
                    if (x.getCause() instanceof Exception ex) throw ex;
                    throw x;
                }
            }
        };
    }

    @ParameterizedTest(name = "{0} sparse={1}")
    @MethodSource("cases")
    void everyCallOnAnotherThreadGivesTheSameBits(String name, boolean sparse) throws Exception {
        Backend b = backend(name);
        Dataset ds = data(sparse, 0);
        Outcome alone = script(b, ds, 7, HERE);
        List<ExecutorService> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) threads.add(Executors.newSingleThreadExecutor());
        try {
            assertSame(alone, script(b, ds, 7, hopping(threads)), name + " sparse=" + sparse + ", calls on three threads in turn");
        } finally {
            threads.forEach(ExecutorService::shutdownNow);
        }
    }

    @ParameterizedTest(name = "{0} sparse={1}")
    @MethodSource("cases")
    void sessionsOfOneBackendOnFourThreadsAtOnce(String name, boolean sparse) throws Exception {
        Backend b = backend(name);
        int k = 4;
        List<Dataset> data = new ArrayList<>();
        List<Outcome> alone = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            data.add(data(sparse, i));
            alone.add(script(b, data.get(i), 11 + i, HERE));
        }
        ExecutorService pool = Executors.newFixedThreadPool(k);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Outcome>> got = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                int j = i;
                got.add(pool.submit(() -> {
                    start.await();
                    return script(b, data.get(j), 11 + j, HERE);
                }));
            }
            start.countDown();
            for (int i = 0; i < k; i++) {
                assertSame(alone.get(i), got.get(i).get(180, TimeUnit.SECONDS), name + " sparse=" + sparse + ", session " + i + " of " + k + " at once");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
