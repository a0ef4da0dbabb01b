package dev.descent.sweep;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Run;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A microbenchmark run by hand (not a unit test): one epoch of batch-1 SGD (squared loss, K learning
 * rates) at n = 200,000 rows, d = 2 and 64, as one sweep of K against K separate cpu-backend runs
 * ({@code Session.run} over the epoch). Training time only: the sweep's loss records are
 * subtracted, the lone runs record once. Best of three after a warm-up.
 *
 * <pre>
 * mvn -o -q -Dcuda.skip=true test-compile
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:$(cat target/cp.txt) dev.descent.sweep.SweepBench
 * </pre>
 */
public final class SweepBench {
    public static void main(String[] args) {
        int n = 200_000;
        int[] ks = java.util.Arrays.stream(System.getProperty("bench.k", "1,8,64").split(",")).mapToInt(Integer::parseInt).toArray();
        String ds0 = System.getProperty("bench.d", Boolean.getBoolean("bench.d64") ? "64" : "2,64");     // -Dbench.d=8,16,32
        for (int d : java.util.Arrays.stream(ds0.split(",")).mapToInt(Integer::parseInt).toArray()) {
            Dataset ds = Generators.regression(n, d, 0.3, 7);
            double lone = loneEpoch(ds, 5);
            for (int K : ks) {
                List<Config> cs = new ArrayList<>();
                for (int i = 0; i < K; i++) cs.add(Config.of(1e-4 * Math.pow(1.1, i), 1, Optimizer.SGD).withOrder(BatchOrder.IN_ORDER));
                Sweep sw = Sweep.builder(ds, Objective.SQUARED).period(n).addAll(cs).build();
                sw.run(1, 1);                                 // warm-up
                double best = Double.MAX_VALUE, bestWall = 0;
                for (int rep = 0; rep < 3; rep++) {
                    SweepResult r = sw.run(1, 1);
                    double train = r.trainSeconds();
                    if (train < best) {
                        best = train;
                        bestWall = r.seconds();
                    }
                }
                System.out.printf(Locale.ROOT, "d=%-3d K=%-3d sweep %.3f s/epoch (%.3f with its loss records, %s), K lone runs %.3f s "
                                + "(%.4f s each) -> %.1fx cheaper, %.1f ns per model-row%n", d, K, best, bestWall,
                        sw.run(1, 1).kernels(), K * lone, lone, K * lone / best, best / ((double) K * n) * 1e9);
            }
        }
    }

    /** Best of {@code reps} one-epoch batch-1 SGD runs on the cpu backend, one configuration. */
    private static double loneEpoch(Dataset ds, int reps) {
        int n = ds.n();
        double best = Double.MAX_VALUE;
        try (Backend b = Backends.open("cpu"); Session s = b.open(ds, new Spec(Objective.SQUARED, true, Optimizer.SGD))) {
            s.setOrder(BatchOrder.IN_ORDER.order(n, 1, 1));
            for (int rep = 0; rep < reps + 1; rep++) {
                s.setParams(Params.zeros(ds.d()));
                s.resetState();
                long t0 = System.nanoTime();
                s.run(new Run(1, 0, n, Rate.constant(1e-4), n));
                double sec = (System.nanoTime() - t0) / 1e9;
                if (rep > 0) best = Math.min(best, sec);
            }
        }
        return best;
    }
}
