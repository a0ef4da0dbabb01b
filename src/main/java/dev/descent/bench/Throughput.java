package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.Batches;
import dev.descent.backend.Run;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Rate;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Samples/s and steps/s at each batch size, and the full-batch gradient against its floor, on one backend. */
final class Throughput {
    /** Rows each throughput sample processes at least (several calls when one epoch is shorter). */
    static final long ROWS_PER_SAMPLE = 400_000;

    private final Suite suite;
    private final PrintWriter log;

    Throughput(Suite suite, PrintWriter log) {
        this.suite = suite;
        this.log = log;
    }

    /** The benchmarks of one workload; their rates are filled in by {@link Limits#derive}. */
    List<Report.Benchmark> measure(Backend b, String backend, Suite.Workload w, Dataset ds) {
        List<Report.Benchmark> out = new ArrayList<>();
        Objective obj = Objective.parse(w.objective());
        Spec spec = BenchRunner.spec(w);
        try (Session s = b.open(ds, spec)) {
            Params p0 = obj == Objective.WAVE ? new Params(new float[] {-0.3f}, 0f) : Params.zeros(ds.d(), spec.heads());
            for (int batch0 : w.batches()) {
                int batch = batch0 == 0 ? ds.n() : Math.min(batch0, ds.n());
                int batches = Batches.in(ds.n(), batch);
                int calls = (int) Math.max(1, (ROWS_PER_SAMPLE + ds.n() - 1) / ds.n());
                // a full batch's gradient does not depend on the row order: GD reads rows in storage order
                s.setOrder((batch == ds.n() ? BatchOrder.IN_ORDER : BatchOrder.SHUFFLE).order(ds.n(), 1, BenchRunner.SEED));
                Stats st = time(() -> {
                    for (int c = 0; c < calls; c++) {
                        s.setParams(p0);
                        s.run(new Run(batch, 0, batches, Rate.constant(1e-4), Integer.MAX_VALUE));
                    }
                });
                long rows = (long) calls * ds.n(), steps = (long) calls * batches;
                out.add(Report.Benchmark.of(Report.Identity.of("throughput", w, backend, batch), st,
                        new Report.Derived(rows, steps, null, null, null, null, null, null, null)));
                log.printf(Locale.ROOT, "[bench] %-8s %-18s batch %-8d %10.3f ms  %12.0f samples/s%s%n", backend, w.name(), batch,
                        st.median() * 1e3, rows / st.median(), st.noisy() ? "  (noisy)" : "");
            }
            // the full-batch gradient alone: one pass over X, its floor is n·d·4 bytes. Its value does not
            // depend on the row order, so rows are read in storage order (SGD above reads them shuffled)
            s.setOrder(BatchOrder.IN_ORDER.order(ds.n(), 1, BenchRunner.SEED));
            s.setParams(p0);
            long calls = Math.max(1, ROWS_PER_SAMPLE / ds.n());
            Stats g = time(() -> {
                for (int c = 0; c < calls; c++) s.gradient(0, ds.n(), false);
            });
            double bytes = (double) calls * ds.n() * ds.d() * 4;
            out.add(Report.Benchmark.of(Report.Identity.of("gradient", w, backend, ds.n()), g,
                    new Report.Derived(null, null, calls, bytes, null, null, null, null, null)));
            log.printf(Locale.ROOT, "[bench] %-8s %-18s gradient       %10.3f ms  %6.1f GB/s%n", backend, w.name(),
                    g.median() * 1e3 / calls, bytes / g.median() / 1e9);
        }
        return out;
    }

    /** Warm-up runs until both the suite's count and its seconds are done, then the timed repeats. */
    private Stats time(Runnable r) {
        long until = System.nanoTime() + (long) (suite.warmupSeconds() * 1e9);
        for (int i = 0; i < suite.warmups() || System.nanoTime() < until; i++) r.run();
        double[] t = new double[suite.repeats()];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return Stats.of(t);
    }
}
