package dev.descent.jmh;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Gradient;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Libsvm;
import dev.descent.data.SparseRows;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * descent's side of bench/sparse.sh (issue #13 item 6): sparse logistic SGD epochs and the full
 * sparse gradient on one LIBSVM file, timed in-process (the load is not timed), best of N with the
 * spread. A plain main, not JMH: one epoch is the unit of work, and the peer (scikit-learn) is
 * timed the same way, fit alone, best of N.
 *
 * <pre>
 *   java -cp … dev.descent.jmh.SparseBench FILE OUTDIR --backends cpu,opencl --batches 1,256
 *        [--lr 0.5] [--alpha 1e-5] [--reps 5] [--grad-reps 10]
 * </pre>
 *
 * <ul>
 *   <li><b>sgd</b>: {@code Spec(LOGISTIC, bias, SGD.withWeightDecay(alpha, coupled))}, rows in file
 *       order (BatchOrder.IN_ORDER), parameters zero before each epoch, one {@link Session#run}
 *       of ⌈n/batch⌉ steps at the constant rate lr; the time is the run plus one
 *       {@link Session#diverged} read (so a device has finished). Warm-up: at least 3 untimed epochs and 1.5 s. Then
 *       the final parameters are written to OUTDIR/w-BACKEND-bBATCH.f32 (d weights, then the bias,
 *       float32 little-endian) and the full-data loss is printed twice: the session's
 *       {@link Session#loss} and this class's own double-precision mean log loss over the CSR rows,
 *       plus α/2·‖w‖² (the L2 term, bias excluded, as scikit-learn's objective).</li>
 *   <li><b>grad</b>: {@code Spec(SQUARED, no bias, SGD)}: the mean gradient Xᵀ(Xw − y)/n over all
 *       rows (ℓ = ½(m − t)²) at the fixed w_j = ((j mod 97) − 48)/4800, by
 *       {@code Session.gradient(0, n, false)}; warm-up as above; written to OUTDIR/g-BACKEND.f32 for
 *       the peer to compare with scipy's.</li>
 * </ul>
 * Every result is one line starting with {@code RESULT} and key=value fields, which the script reads.
 */
public final class SparseBench {
    private SparseBench() {}

    /** Warm-up before each timed series: at least this many untimed calls, and for at least WARM_NS (the JIT's tiers settle in about a second). */
    private static final int WARM_MIN = 3;
    private static final long WARM_NS = 1_500_000_000L;

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]), out = Path.of(args[1]);
        String[] backends = {"cpu", "opencl"};
        int[] batches = {1, 256};
        double lr = 0.5, alpha = 1e-5;
        int reps = 5, gradReps = 10;
        for (int i = 2; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--backends" -> backends = v.split(",");
                case "--batches" -> batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--lr" -> lr = Double.parseDouble(v);
                case "--alpha" -> alpha = Double.parseDouble(v);
                case "--reps" -> reps = Integer.parseInt(v);
                case "--grad-reps" -> gradReps = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        long t0 = System.nanoTime();
        SparseRows rows = Libsvm.read(file).withZeroOneLabels();
        double loadS = (System.nanoTime() - t0) / 1e9;
        int n = rows.n(), d = rows.d();
        System.out.printf(Locale.ROOT, "INFO descent read %s: %d rows x %d features, %d stored (%.1f per row) in %.2f s (not timed below)%n",
                file.getFileName(), n, d, rows.nnz(), rows.nnz() / (double) n, loadS);
        Dataset ds = Dataset.sparse(rows);
        for (String b : backends) {
            Backend opened;
            try {
                opened = Backends.open(b);
            } catch (RuntimeException e) {                                   // e.g. no OpenCL platform here: the others still run
                System.out.println("INFO descent backend " + b + " skipped: " + e.getMessage());
                continue;
            }
            try (Backend dev = opened) {
                String device = dev.name() + " (" + dev.device() + ")";
                sgd(ds, dev, device, batches, lr, alpha, reps, out);
                grad(ds, dev, device, gradReps, out);
            }
        }
    }

    private static void sgd(Dataset ds, Backend dev, String device, int[] batches, double lr, double alpha, int reps, Path out)
            throws IOException {
        int n = ds.n(), d = ds.d();
        Spec spec = new Spec(Objective.LOGISTIC, true, Optimizer.SGD.withWeightDecay(alpha, false));
        try (Session s = dev.open(ds, spec)) {
            s.setOrder(BatchOrder.IN_ORDER.order(n, 1, 0));
            Params zero = Params.zeros(d);
            for (int batch : batches) {
                int steps = (n + batch - 1) / batch;
                Run run = new Run(batch, 0, steps, Rate.constant(lr), steps);   // records batch 0 only
                double[] times = new double[reps];
                long warmUntil = System.nanoTime() + WARM_NS;
                for (int r = -WARM_MIN; r < reps; r++) {                       // r < 0: warm-up (JIT, kernel builds)
                    if (r == -1 && System.nanoTime() < warmUntil) r = -2;       // warm up for at least WARM_NS
                    s.setParams(zero);
                    long a = System.nanoTime();
                    RunResult res = s.run(run);
                    boolean bad = s.diverged();
                    long e = System.nanoTime();
                    if (bad || res.diverged()) throw new IllegalStateException(device + ": the run diverged");
                    if (r >= 0) times[r] = (e - a) / 1e9;
                }
                Params p = s.params();
                double sessionLoss = s.loss();
                float[] packed = p.packed();
                double[] own = logLoss(ds.rowsSparse(), packed);
                double l2 = 0;
                for (int j = 0; j < d; j++) l2 += (double) packed[j] * packed[j];
                l2 *= alpha / 2;
                writeFloats(out.resolve("w-" + dev.name() + "-b" + batch + ".f32"), packed);
                double best = Arrays.stream(times).min().orElseThrow(), worst = Arrays.stream(times).max().orElseThrow();
                System.out.printf(Locale.ROOT, "RESULT side=descent-%s measure=sgd-b%d best=%.6f min=%.6f max=%.6f runs=%d steps=%d "
                                + "steps_per_s=%.1f loss=%.7f session_loss=%.7f l2=%.3e bias=%.6f device=\"%s\"%n",
                        dev.name(), batch, best, best, worst, reps, steps, steps / best, own[0], sessionLoss, l2, packed[d], device);
            }
        }
    }

    private static void grad(Dataset ds, Backend dev, String device, int reps, Path out) throws IOException {
        int n = ds.n(), d = ds.d();
        try (Session s = dev.open(ds, new Spec(Objective.SQUARED, false, Optimizer.SGD))) {
            s.setOrder(BatchOrder.IN_ORDER.order(n, 1, 0));
            s.setParams(new Params(fixedW(d), 0f));
            double[] times = new double[reps];
            Gradient g = null;
            long warmUntil = System.nanoTime() + WARM_NS;
            for (int r = -WARM_MIN; r < reps; r++) {
                if (r == -1 && System.nanoTime() < warmUntil) r = -2;
                long a = System.nanoTime();
                g = s.gradient(0, n, false);
                long e = System.nanoTime();
                if (r >= 0) times[r] = (e - a) / 1e9;
            }
            float[] gw = g.w();
            double norm = 0;
            for (float v : gw) norm += (double) v * v;
            writeFloats(out.resolve("g-" + dev.name() + ".f32"), gw);
            double best = Arrays.stream(times).min().orElseThrow(), worst = Arrays.stream(times).max().orElseThrow();
            long nnz = ds.rowsSparse().nnz();
            // floor: values and column indices read once (8 bytes a stored value), the row offsets, targets, w and g
            double floorBytes = nnz * 8.0 + (n + 1) * 8.0 + n * 4.0 + 2.0 * d * 4;
            System.out.printf(Locale.ROOT, "RESULT side=descent-%s measure=grad-f32 best=%.6f min=%.6f max=%.6f runs=%d gnorm=%.7e "
                            + "floor_gbs=%.2f device=\"%s\"%n",
                    dev.name(), best, best, worst, reps, Math.sqrt(norm), floorBytes / best / 1e9, device);
        }
    }

    /** The gradient benchmark's weights: w_j = ((j mod 97) − 48)/4800, in ±0.01 (the peer builds the same float32 values). */
    static float[] fixedW(int d) {
        float[] w = new float[d];
        for (int j = 0; j < d; j++) w[j] = (float) (((j % 97) - 48) / 4800.0);
        return w;
    }

    /** The mean log loss over the rows at packed (d weights, then the bias), in double: log(1 + e^m) − t·m. */
    static double[] logLoss(SparseRows rows, float[] packed) {
        int n = rows.n(), d = rows.d();
        long[] off = rows.rowOffsets();
        int[] cols = rows.allCols();
        float[] vals = rows.allVals(), t = rows.targets();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double m = packed[d];
            for (int p = (int) off[i], e = (int) off[i + 1]; p < e; p++) m += (double) vals[p] * packed[cols[p]];
            double sp = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
            sum += sp - t[i] * m;
        }
        return new double[] {sum / n};
    }

    private static void writeFloats(Path f, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        Files.write(f, b.array());
    }
}
