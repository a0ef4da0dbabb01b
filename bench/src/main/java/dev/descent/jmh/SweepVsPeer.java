package dev.descent.jmh;

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
import dev.descent.sweep.Config;
import dev.descent.sweep.Outcome;
import dev.descent.sweep.Sweep;
import dev.descent.sweep.SweepResult;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The sweep side of bench/sweep.sh (issue #15): K batch-1 SGD configurations of the squared loss
 * (learning rates spaced in log from 1e-4 to 1e-2, rows in file order, parameters from zero, one epoch)
 * on a float32 file that bench/peers/sweep_peer.py fits with scikit-learn too, and the two
 * ceilings the roofline takes, measured in the same process:
 * <ul>
 *   <li>read: GB/s of a vector sum over a 256 MiB float array on every thread (best of 9);</li>
 *   <li>FMA: GFLOP/s of ten independent vector fused multiply-add chains per thread on every thread
 *       (best of 9; an FMA counts 2 flops).</li>
 * </ul>
 * Roofline bound of one sweep epoch: max(n·(d + 1)·4 bytes ÷ read, K·n·4d flops ÷ FMA) — a model-row
 * is a margin (d FMAs) and an update (d multiply-subtracts). Prints RESULT lines (key=value).
 *
 * <pre>
 * SweepVsPeer make FILE ROWS D                 x (ROWS×D) then t (ROWS), float32 little-endian
 * SweepVsPeer run FILE ROWS D K REPS [BACKENDS] the ceilings; per backend (default cpu; e.g. cpu,opencl:@cpu) the sweep
 *                                              and one lone run on that backend
 * </pre>
 */
public final class SweepVsPeer {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private SweepVsPeer() {}

    public static void main(String[] a) throws Exception {
        Path file = Path.of(a[1]);
        int n = Integer.parseInt(a[2]), d = Integer.parseInt(a[3]);
        if (a[0].equals("make")) {
            make(file, n, d);
            return;
        }
        int k = Integer.parseInt(a[4]), reps = Integer.parseInt(a[5]);
        int threads = Runtime.getRuntime().availableProcessors();
        Dataset ds = read(file, n, d);
        double read = readCeiling(threads), fma = fmaPeak(threads);
        System.out.printf(Locale.ROOT, "RESULT side=ceiling measure=read-d%d best=%.3f unit=GB/s threads=%d%n", d, read, threads);
        System.out.printf(Locale.ROOT, "RESULT side=ceiling measure=fma-d%d best=%.3f unit=GFLOP/s threads=%d%n", d, fma, threads);
        double bytes = (double) n * (d + 1) * 4, flops = (double) k * n * 4 * d;
        double bound = Math.max(bytes / (read * 1e9), flops / (fma * 1e9));

        List<Config> cs = new ArrayList<>();
        for (int i = 0; i < k; i++) cs.add(Config.of(lr(i, k), 1, Optimizer.SGD).withOrder(BatchOrder.IN_ORDER));
        for (String backend : (a.length > 6 ? a[6] : "cpu").split(",")) {
            String tag = backend.equals("cpu") ? "" : backend.replaceAll("[^A-Za-z0-9]+", "_") + "-";   // cpu keeps the old keys
            try {
                measure(ds, cs, backend, tag, d, k, reps, bound, bytes / (read * 1e9) > flops / (fma * 1e9) ? "bytes" : "flops");
            } catch (dev.descent.DescentException e) {
                System.out.printf(Locale.ROOT, "SKIP backend=%s why=\"%s\"%n", backend, e.getMessage());
            }
        }
    }

    /** One backend's sweep (best of reps after a warm-up) and one lone run of the middle configuration on the same backend. */
    static void measure(Dataset ds, List<Config> cs, String backend, String tag, int d, int k, int reps, double bound, String by) {
        int n = ds.n();
        Sweep sweep = Sweep.builder(ds, Objective.SQUARED).period(n).backend(backend).addAll(cs).build();
        SweepResult r = sweep.run(1, 1);                      // warm-up (and the device's kernel build)
        double[] train = new double[reps], wall = new double[reps];
        for (int i = 0; i < reps; i++) {
            r = sweep.run(1, 1);
            train[i] = r.trainSeconds();
            wall[i] = r.seconds();
        }
        double best = Arrays.stream(train).min().orElseThrow();
        StringBuilder losses = new StringBuilder();
        for (int i : new int[] {0, k / 2, k - 1}) {
            Outcome o = r.get(i);
            losses.append(i).append(':').append(String.format(Locale.ROOT, "%.6g", squaredLoss(ds, o.params()))).append(i == k - 1 ? "" : ",");
        }
        System.out.printf(Locale.ROOT, "RESULT side=descent measure=%ssweep-d%d best=%.4f min=%.4f max=%.4f runs=%d wall_best=%.4f k=%d "
                        + "bound=%.4f bound_by=%s roofline_ratio=%.2f losses=%s backend=%s groups=\"%s\"%n", tag, d, best, best,
                Arrays.stream(train).max().orElseThrow(), reps, Arrays.stream(wall).min().orElseThrow(), k, bound,
                by, best / bound, losses, backend, String.join("; ", r.groups()));
        double lone = lone(ds, backend, lr(k / 2, k), reps);
        System.out.printf(Locale.ROOT, "RESULT side=descent measure=%slone-d%d best=%.4f k=%d k_lone=%.4f vs_sweep=%.2f backend=%s%n", tag, d, lone, k,
                k * lone, k * lone / best, backend);
    }

    /** The mean of 0.5·(x·w + b − t)² over all rows in double, at the final parameters (the peer's formula). */
    static double squaredLoss(Dataset ds, Params p) {
        float[] x = ds.features(), t = ds.targets(), w = p.packed();
        int n = ds.n(), d = ds.d();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double m = w[d];
            for (int j = 0; j < d; j++) m += (double) x[i * d + j] * w[j];
            sum += 0.5 * (m - t[i]) * (m - t[i]);
        }
        return sum / n;
    }

    /** Configuration i's learning rate of k: 1e-4 to 1e-2, evenly in log (the peer's formula). */
    static double lr(int i, int k) {
        return k == 1 ? 1e-4 : 1e-4 * Math.pow(100, i / (double) (k - 1));
    }

    static void make(Path file, int n, int d) throws IOException {
        Dataset ds = Generators.regression(n, d, 0.3, 7);
        ByteBuffer b = ByteBuffer.allocate(4 * (n * d + n)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(ds.features()).put(ds.targets());
        Files.write(file, b.array());
    }

    static Dataset read(Path file, int n, int d) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4L * ((long) n * d + n)).order(ByteOrder.LITTLE_ENDIAN);
            float[] x = new float[n * d], t = new float[n];
            b.asFloatBuffer().get(x).get(t);
            return new Dataset(file.getFileName().toString(), x, t, n, d);
        }
    }

    /** Best of reps one-epoch batch-1 SGD runs of one configuration on the backend, rows in order. */
    static double lone(Dataset ds, String backend, double lr, int reps) {
        int n = ds.n();
        double best = Double.MAX_VALUE;
        try (Backend b = Backends.open(backend); Session s = b.open(ds, new Spec(Objective.SQUARED, true, Optimizer.SGD))) {
            s.setOrder(BatchOrder.IN_ORDER.order(n, 1, 1));
            for (int rep = 0; rep <= reps; rep++) {
                s.setParams(Params.zeros(ds.d()));
                s.resetState();
                long t0 = System.nanoTime();
                s.run(new Run(1, 0, n, Rate.constant(lr), n));
                double sec = (System.nanoTime() - t0) / 1e9;
                if (rep > 0) best = Math.min(best, sec);
            }
        }
        return best;
    }

    /** GB/s: every thread sums its own slice of a 256 MiB array, best of 9. */
    static double readCeiling(int threads) throws Exception {
        float[] big = new float[64 << 20];
        Arrays.fill(big, 1f);
        int slice = big.length / threads;
        return dev.descent.bench.Roofline.best(threads, 9, i -> {
            FloatVector acc = FloatVector.zero(S);
            int l = S.length();
            for (int j = i * slice, e = j + slice; j < e; j += l) acc = acc.add(FloatVector.fromArray(S, big, j));
            return acc.reduceLanes(VectorOperators.ADD);
        }, 4.0 * big.length / 1e9);
    }

    /** GFLOP/s: ten independent FMA chains per thread (descent's own probe, as {@code descent sweep --roofline} measures it). */
    static double fmaPeak(int threads) {
        return dev.descent.bench.Roofline.fmaPeak(threads, 20_000_000L, 9);
    }
}
