package dev.descent.backend;

import dev.descent.backend.ref.RefBackend;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import dev.descent.optim.Schedule;
import dev.descent.seeds.Seed1;
import dev.descent.seeds.Seed2;
import dev.descent.seeds.SeedsAccess;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every device backend against the CPU reference, on fresh random inputs each run, with output
 * buffers poisoned (NaN) before every kernel so an element a kernel fails to write fails the test.
 */
class BackendConformanceTest {
    static {
        System.setProperty("descent.poison", "true");
    }

    private static final Map<String, Backend> OPEN = new HashMap<>();
    private static final long SEED = Long.getLong("descent.seed", System.nanoTime());   // -Ddescent.seed=N replays a printed seed
    private static final Random RNG = new Random(SEED);

    static Backend backend(String name) {
        Backend b = OPEN.get(name);
        if (b == null) {
            b = TestBackends.open(name);
            OPEN.put(name, b);
        }
        return b;
    }

    @AfterAll
    static void closeAll() {
        OPEN.values().forEach(Backend::close);
        OPEN.clear();
    }

    static Dataset random(Objective obj, int n, int d) {
        float[] x = new float[n * d];
        float scale = (float) (1 / Math.sqrt(d));
        for (int i = 0; i < x.length; i++) x[i] = (float) RNG.nextGaussian() * (obj == Objective.WAVE ? 1f : scale * 2);
        float[] t = null;
        if (obj.needsTargets()) {
            t = new float[n];
            for (int i = 0; i < n; i++) {
                t[i] = obj.multiclass() ? RNG.nextInt(CLASSES) : obj.binaryLabels() ? RNG.nextInt(2) : (float) RNG.nextGaussian();
            }
        }
        return new Dataset("random(" + n + "x" + d + ", seed " + SEED + ")", x, t, n, d);
    }

    /** Softmax's classes in these tests. */
    static final int CLASSES = 3;

    /** The objective with its default parameter (softmax: {@link #CLASSES} classes), bias by default, and opt. */
    static Spec spec(Objective obj, Optimizer opt) {
        return obj == Objective.SOFTMAX ? Spec.softmax(CLASSES, true, opt) : new Spec(obj, obj.biasByDefault(), opt);
    }

    static Spec spec(Objective obj) {
        return spec(obj, Optimizer.SGD);
    }

    static Params randomParams(int d, boolean bias, double scale) {
        float[] w = new float[d];
        for (int j = 0; j < d; j++) w[j] = (float) (RNG.nextGaussian() * scale / Math.sqrt(d));
        return new Params(w, bias ? (float) (RNG.nextGaussian() * scale) : 0f);
    }

    /** Random parameters for the spec's heads (one, or softmax's k). */
    static Params randomParams(int d, Spec spec, double scale) {
        if (spec.heads() == 1) return randomParams(d, spec.bias(), scale);
        float[] packed = new float[spec.heads() * (d + 1)];
        for (int c = 0; c < spec.heads(); c++) System.arraycopy(randomParams(d, spec.bias(), scale).packed(), 0, packed, c * (d + 1), d + 1);
        return Params.ofPacked(packed, d, spec.heads());
    }

    static Stream<Arguments> backendObjectiveDim() {
        List<Arguments> a = new ArrayList<>();
        for (String b : TestBackends.deviceBackends())
            for (Objective o : Objective.values())
                for (int d : new int[] {1, 3, 1000, 4097}) a.add(Arguments.of(b, o, d));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} d={2}")
    @MethodSource("backendObjectiveDim")
    void gradientMatchesReference(String name, Objective obj, int d) {
        Backend dev = backend(name);
        int n = d >= 1000 ? 301 : 1003;
        Dataset ds = random(obj, n, d);
        Spec spec = spec(obj);
        Params p = randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
        try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
            for (BatchOrder order : BatchOrder.values()) {
                int[] rows = order.order(n, 1, SEED);
                s.setOrder(rows);
                ref.setOrder(rows);
                s.setParams(p);
                ref.setParams(p);
                for (int[] fc : new int[][] {{0, 1}, {0, n}, {13, 77}, {n - 5, 5}}) {
                    Gradient g = s.gradient(fc[0], fc[1], true);
                    Gradient r = ref.gradient(fc[0], fc[1], true);
                    double[] bound = Tolerance.gradient(ds, obj, p, rows, fc[0], fc[1], 4096);
                    String where = name + " " + obj + " d=" + d + " " + order + " batch [" + fc[0] + ", +" + fc[1] + ") seed " + SEED;
                    float[] rp = r.packed().packed(), gp = g.packed().packed();
                    for (int j = 0; j < rp.length; j++) {
                        assertEquals(rp[j], gp[j], bound[j], where + (j % (d + 1) == d ? " g_b" : " g_w[" + j % (d + 1) + "]")
                                + (spec.heads() > 1 ? " of class " + j / (d + 1) : ""));
                    }
                    double lb = Tolerance.loss(subset(ds, rows, fc[0], fc[1]), obj, p, 1);
                    assertEquals(r.loss(), g.loss(), lb, where + " loss");
                }
            }
        }
    }

    static Dataset subset(Dataset ds, int[] rows, int from, int count) {
        int d = ds.d();
        float[] x = new float[count * d];
        float[] t = ds.hasTargets() ? new float[count] : null;
        for (int k = 0; k < count; k++) {
            System.arraycopy(ds.features(), rows[from + k] * d, x, k * d, d);
            if (t != null) t[k] = ds.t(rows[from + k]);
        }
        return new Dataset("subset", x, t, count, d);
    }

    static Stream<Arguments> backendObjectiveOptimizer() {
        List<Optimizer> opts = List.of(Optimizer.SGD, Optimizer.momentum(0.9), Optimizer.nesterov(0.8),
                Optimizer.SGD.withWeightDecay(0.1, false), Optimizer.momentum(0.5).withWeightDecay(0.05, true),
                Optimizer.adam().withWeightDecay(0.05, true), Optimizer.adagrad(1e-10).withWeightDecay(0.1, false),
                Optimizer.rmsprop(0.9, 0.5, 1e-8, false), Optimizer.rmsprop(0.9, 0.5, 1e-8, true),
                Optimizer.momentum(0.9).withWeightDecay(0.01, false).withL1(0.05),
                Optimizer.SGD.withAverage(true), Optimizer.adam().withAverage(true));
        return everyBackendObjective(opts);
    }

    /** (backend, objective, optimizer) for every device backend and objective and each of opts. */
    static Stream<Arguments> everyBackendObjective(List<Optimizer> opts) {
        List<Arguments> a = new ArrayList<>();
        for (String b : TestBackends.deviceBackends()) for (Objective o : Objective.values()) for (Optimizer opt : opts) a.add(Arguments.of(b, o, opt));
        return a.stream();
    }

    /** Trajectories: errors grow at most linearly over k steps here (contracting problems, small η). */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("backendObjectiveOptimizer")
    void runMatchesReferenceStepByStep(String name, Objective obj, Optimizer opt) {
        Backend dev = backend(name);
        int n = 203;
        for (int d : new int[] {1, 3, 64, 1000}) {
            Dataset ds = random(obj, n, d);
            Spec spec = spec(obj, opt);
            Params p = randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
            for (int batch : d == 1000 ? new int[] {n} : new int[] {1, 10, n})
            for (BatchOrder order : BatchOrder.values()) {
                int[] rows = order.order(n, 2, SEED);
                int nb = (n + batch - 1) / batch;
                int steps = Math.min(40, nb);
                double lr = obj == Objective.WAVE ? 0.01 : 0.05;
                Rate rate = batch == 10 ? new Rate(lr, true, 3) : batch == 1 ? perStep(lr, steps) : Rate.constant(lr);
                try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
                    for (Session x : List.of(s, ref)) {
                        x.setOrder(rows);
                        x.setParams(p);
                        x.resetState();
                    }
                    int half = steps / 2;
                    RunResult a = s.run(new Run(batch, 0, half, rate, 3));
                    RunResult b = s.run(new Run(batch, half, steps - half, rate.skip(half), 3));
                    RunResult r = ref.run(new Run(batch, 0, steps, rate, 3));
                    String where = name + " " + obj + " " + opt + " d=" + d + " batch " + batch + " " + order + " seed " + SEED;
                    assertFalse(a.diverged() || b.diverged() || r.diverged(), where);
                    assertEquals(r.records(), a.records() + b.records(), where);
                    double tol = 50.0 * steps * Tolerance.EPS * (d + batch + 2);
                    double[][] extra = budget(ds, spec, p, rows, batch, steps, rate);
                    for (int k = 0; k < r.records(); k++) {
                        Params want = r.snapshot(k);
                        Params got = k < a.records() ? a.snapshot(k) : b.snapshot(k - a.records());
                        assertEquals(r.recordedBatches()[k],
                                k < a.records() ? a.recordedBatches()[k] : b.recordedBatches()[k - a.records()], where);
                        assertClose(want, got, tol, extra == null ? null : extra[r.recordedBatches()[k]], where + " record " + k);
                    }
                    assertClose(ref.params(), s.params(), tol, extra == null ? null : extra[steps - 1], where + " final");
                    if (extra != null) noteBudget(opt, extra[steps - 1], ref.params(), where);
                }
            }
        }
    }

    /** The largest adaptive/kink budget relative to the parameters' scale, printed at the end: a budget near 1 would check nothing. */
    private static final Map<String, Double> WIDEST = new java.util.TreeMap<>();
    private static final Map<String, String> WIDEST_WHERE = new HashMap<>();

    static synchronized void noteBudget(Optimizer opt, double[] extra, Params want, String where) {
        double scale = 1;
        for (float v : want.packed()) scale = Math.max(scale, Math.abs(v));
        String rule = opt.rule().toString();
        for (double e : extra) {
            if (e / scale > WIDEST.getOrDefault(rule, 0.0)) {
                WIDEST.put(rule, e / scale);
                WIDEST_WHERE.put(rule, where);
            }
        }
    }

    @AfterAll
    static void printWidestBudget() {
        WIDEST.forEach((rule, w) -> System.out.printf(java.util.Locale.ROOT,
                "[conformance] %s: widest budget %.2e of the parameters' scale (%s)%n", rule, w, WIDEST_WHERE.get(rule)));
    }

    static void assertClose(Params want, Params got, double tol, String where) {
        assertClose(want, got, tol, null, where);
    }

    /** Any schedule, as a user's own loop would have it: a rate per step, drawn in [lr/2, 3lr/2). */
    static Rate perStep(double lr, int steps) {
        double[] r = new double[steps];
        for (int k = 0; k < steps; k++) r[k] = lr * (0.5 + RNG.nextDouble());
        return Rate.perStep(r);
    }

    /** Within tol·max(1, |largest parameter|), plus {@code extra[j]} for parameter j (packed, as {@link Params#packed}) where given. */
    static void assertClose(Params want, Params got, double tol, double[] extra, String where) {
        float[] w = want.packed(), g = got.packed();
        assertEquals(w.length, g.length, where + ": parameter count");
        double scale = 0;
        for (float v : w) scale = Math.max(scale, Math.abs(v));
        double t = tol * Math.max(1, scale);
        int np = want.d() + 1;
        for (int j = 0; j < w.length; j++) {
            assertEquals(w[j], g[j], t + (extra == null ? 0 : extra[j]), where + (j % np == want.d() ? " b" : " w[" + j % np + "]")
                    + (want.k() > 1 ? " of class " + j / np : ""));
        }
    }

    /**
     * What the adaptive rules and the kinked losses add to a float trajectory's error, per step and
     * parameter, or null where neither applies. Entry [k][j] bounds parameter j after step k.
     * <ul>
     * <li>Adam, AdaGrad and RMSprop divide the gradient by a running scale of it (a): a gradient
     * error δg moves a step by up to 2·lr·δg/a (numerator and scale both carry it), which is large
     * where the gradient is near 0 (Adam's first step is ±lr for any g ≫ ε). δg comes from
     * {@link Tolerance#gradient} at the reference's parameters, a from its state; errors carried in
     * the moments count with the largest δg so far, and RMSprop's momentum multiplies them by 1/(1 − μ).
     * <li>Hinge and epsilon-insensitive have a derivative that jumps (at z = 1, at |e| = ε): a row
     * whose margin lies within float rounding of the jump may take either side, changing the step by
     * lr·|x_j|/|B| (the jump is 1). Rows within 1e-4·max(1, |m|) of it count, and whatever they add
     * is carried by momentum, 1/(1 − μ).
     * </ul>
     */
    /**
     * The parameter drift: the float iterate is up to acc[j] from the reference's, so each batch
     * row's margin is up to M = acc_b + Σ_j |x_j|·acc_j away and its residual up to
     * max(|r(m ± M) − r(m)|) (softmax: ½·M, the bound on its Jacobian's rows); the gradient then
     * differs by that times |x_j|/|B|, which an adaptive rule divides by its running scale. Added to dg.
     */
    static void drift(Dataset ds, Spec spec, Params at, int[] rows, int from, int cnt, double[] acc, double[] dg) {
        int d = ds.d(), np = d + 1, k = spec.heads();
        Objective obj = spec.objective();
        for (int q = from; q < from + cnt; q++) {
            int i = rows[q];
            double dr = 0;
            for (int c = 0; c < k; c++) {
                double mm = acc[c * np + d];
                for (int j = 0; j < d; j++) mm += Math.abs(ds.x(i, j)) * acc[c * np + j];
                if (k > 1) {
                    dr = Math.max(dr, 0.5 * mm);
                } else {
                    double m = at.b(), t = ds.hasTargets() ? ds.t(i) : 0, p = spec.lossParam();
                    for (int j = 0; j < d; j++) m += (double) ds.x(i, j) * at.w(j);
                    double r = obj.dloss(m, t, p);
                    dr = Math.max(Math.abs(obj.dloss(m + mm, t, p) - r), Math.abs(obj.dloss(m - mm, t, p) - r));
                }
            }
            dr *= ds.weight(i);                      // the row's example weight scales its residual's change
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) dg[c * np + j] += dr * Math.abs(ds.x(i, j)) / cnt;
                dg[c * np + d] += dr / cnt;
            }
        }
    }

    /**
     * How far update t of an adaptive rule can move parameter j when its gradient is off by dg (the
     * errors carried in the moments included): 2·lr·dg/a, a the rule's scale from the reference's
     * state st after the update, times the momentum carry; for centered RMSprop also the cancellation
     * in its scale. Never more than twice the largest step the rule can take ({@link #stepBound}).
     */
    static double stepError(Optimizer o, double[] st, int np, int j, double lr, double carry, double dg, int t) {
        double a = switch (o.rule()) {
            case ADAM -> Math.sqrt(st[2 * np + j] / (1 - Math.pow(o.beta2(), t))) + o.eps();
            case ADAGRAD -> Math.sqrt(st[np + j]) + o.eps();
            case RMSPROP_CENTERED -> Math.sqrt(Math.max(0, st[np + j] - st[3 * np + j] * st[3 * np + j])) + o.eps();
            default -> Math.sqrt(st[np + j]) + o.eps();
        };
        double add = 2 * lr * carry * dg / a;
        if (o.rule() == Optimizer.Rule.RMSPROP_CENTERED) {
            // a² = s₀ − s₂² cancels when the gradient barely varies. Its error: float's 4ε₃₂·s₀, and the
            // gradient errors carried in s₀ (2|g|·δg) and s₂² (2|s₂|·δg), |g| ≤ √(s₀/(1 − α)); then
            // δa ≤ min(√δ(a²), δ(a²)/(2√a²)), and the step g/a moves by |g|·δa/(a(a − δa))
            double s0 = st[np + j], s2 = st[3 * np + j], g = Math.sqrt(s0 / (1 - o.beta2()));
            double da2 = 4 * Tolerance.EPS * s0 + 2 * (g + Math.abs(s2)) * dg;
            double root = Math.max(0, a - o.eps());
            double da = root > 0 ? Math.min(Math.sqrt(da2), da2 / (2 * root)) : Math.sqrt(da2);
            add += a > 2 * da ? lr * carry * g * da / (a * (a - da)) : 2 * lr * carry * g / Math.max(a, o.eps());
        }
        return Math.min(add, 2 * carry * lr * stepBound(o, t));
    }

    /**
     * Hinge and epsilon-insensitive: each batch row whose margin lies within float rounding of the
     * derivative's jump (1e-4·max(1, |m|)) may take either side, changing the gradient by |x|/|B|;
     * f times that is added to into.
     */
    static void kinkFlips(Dataset ds, Spec spec, Params at, int[] rows, int from, int cnt, double[] into, double f) {
        int d = ds.d();
        Objective obj = spec.objective();
        for (int q = from; q < from + cnt; q++) {
            int i = rows[q];
            double m = at.b();
            for (int j = 0; j < d; j++) m += (double) ds.x(i, j) * at.w(j);
            double dist = obj == Objective.HINGE ? Math.abs((2 * ds.t(i) - 1) * m - 1) : Math.abs(Math.abs(m - ds.t(i)) - spec.lossParam());
            if (dist > 1e-4 * Math.max(1, Math.abs(m))) continue;
            double v = ds.weight(i);                 // a flip changes the row's residual by its weight
            for (int j = 0; j < d; j++) into[j] += f * v * Math.abs(ds.x(i, j)) / cnt;
            into[d] += f * v / cnt;
        }
    }

    static Stream<Arguments> backendObjectiveAdaptive() {
        List<Optimizer> opts = List.of(Optimizer.adam().withWeightDecay(0.05, true), Optimizer.adam().withAverage(true),
                Optimizer.adagrad(1e-10).withWeightDecay(0.1, false), Optimizer.rmsprop(0.9, 0.5, 1e-8, false),
                Optimizer.rmsprop(0.9, 0.5, 1e-8, true));
        return everyBackendObjective(opts);
    }

    /**
     * The adaptive rules step by step from the same state: before each step the float backend's
     * exact state goes into the reference, both take the step, and the parameters must agree within
     * the one-step bound (float rounding of the update, plus {@link #stepError} of this step's
     * gradient error with no carried drift). Tighter than the trajectories, which must allow for the
     * float iterate drifting from the reference's over many steps.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("backendObjectiveAdaptive")
    void adaptiveStepsMatchReferenceFromTheSameState(String name, Objective obj, Optimizer opt) {
        Backend dev = backend(name);
        int n = 203;
        boolean kinked = obj == Objective.HINGE || obj == Objective.EPSILON_INSENSITIVE;
        for (int d : new int[] {3, 64}) {
            Dataset ds = random(obj, n, d);
            Spec spec = spec(obj, opt);
            int np = spec.heads() * (d + 1);
            Params p = randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
            int[] rows = BatchOrder.SHUFFLE.order(n, 3, SEED);
            double lr = obj == Objective.WAVE ? 0.01 : 0.05;
            for (int batch : new int[] {1, 10}) {
                try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
                    s.setOrder(rows);
                    ref.setOrder(rows);
                    s.setParams(p);
                    s.resetState();
                    for (int k = 0; k < 20; k++) {
                        int from = k * batch;
                        double[] st0 = s.saveState();
                        ref.restoreState(st0);
                        float[] ip = new float[np];
                        for (int j = 0; j < np; j++) ip[j] = (float) st0[j];
                        Params at = Params.ofPacked(ip, d, spec.heads());
                        double[] dg = Tolerance.gradient(ds, obj, at, rows, from, batch, 1024);
                        if (kinked) kinkFlips(ds, spec, at, rows, from, batch, dg, 1);
                        s.step(from, batch, lr);
                        ref.step(from, batch, lr);
                        double[] got = s.saveState(), want = ref.saveState();
                        String where = name + " " + obj + " " + opt + " d=" + d + " batch " + batch + " step " + (k + 1) + " seed " + SEED;
                        for (int j = 0; j < np; j++) {
                            double bound = 32 * Tolerance.EPS * Math.max(1, Math.abs(want[j]))
                                    + stepError(opt, want, np, j, lr, 1, dg[j] + 4 * Tolerance.EPS * opt.weightDecay() * Math.abs(want[j]), (int) want[want.length - 1]);
                            assertEquals(want[j], got[j], bound, where + " parameter " + j);
                        }
                    }
                }
            }
        }
    }

    /**
     * The largest step of an adaptive rule per unit of learning rate, whatever the gradient: Adam's
     * |m̂|/√v̂ ≤ max(1, (1 − β1)/√(1 − β2)) (Kingma and Ba, section 2.1), AdaGrad's |g|/√Σg² ≤ 1,
     * RMSprop's |g|/√(αs + (1 − α)g²) ≤ 1/√(1 − α) (momentum's 1/(1 − μ) is the caller's carry).
     * Centered RMSprop at update t: Cauchy–Schwarz on the two running means gives ḡ² ≤ (1 − αᵗ)s,
     * so s − ḡ² ≥ αᵗ s ≥ αᵗ(1 − α)g² and |g|/√(s − ḡ²) ≤ 1/√((1 − α)αᵗ).
     */
    static double stepBound(Optimizer o, int t) {
        return switch (o.rule()) {
            case ADAM -> 1.01 * Math.max(1, (1 - o.momentum()) / Math.sqrt(1 - o.beta2()));
            case ADAGRAD -> 1.01;
            case RMSPROP -> 1.01 / Math.sqrt(1 - o.beta2());
            case RMSPROP_CENTERED -> 1.01 / Math.sqrt((1 - o.beta2()) * Math.pow(o.beta2(), t));
            default -> Double.POSITIVE_INFINITY;
        };
    }

    static double[][] budget(Dataset ds, Spec spec, Params p0, int[] rows, int batch, int steps, Rate rate) {
        Optimizer o = spec.optimizer();
        Optimizer.Rule rule = o.rule();
        Objective obj = spec.objective();
        boolean adaptive = rule != Optimizer.Rule.SGD && rule != Optimizer.Rule.MOMENTUM && rule != Optimizer.Rule.NESTEROV;
        boolean kinked = obj == Objective.HINGE || obj == Objective.EPSILON_INSENSITIVE;
        if (!adaptive && !kinked) return null;
        int d = ds.d(), np = spec.heads() * (d + 1);
        double[][] out = new double[steps][np];
        double[] acc = new double[np], worst = new double[np];
        double carry = (rule == Optimizer.Rule.RMSPROP || rule == Optimizer.Rule.RMSPROP_CENTERED || !adaptive) && o.momentum() > 0
                ? 1 / (1 - o.momentum()) : 1;
        try (Session ref = new RefBackend().open(ds, spec)) {
            ref.setOrder(rows);
            ref.setParams(p0);
            ref.resetState();
            for (int k = 0; k < steps; k++) {
                int from = k * batch, cnt = Math.min(batch, rows.length - from);
                double[] it = ref.saveState();                 // the iterate (params() is the average when averaging)
                float[] ip = new float[np];
                for (int j = 0; j < np; j++) ip[j] = (float) it[j];
                Params at = Params.ofPacked(ip, d, spec.heads());
                double lr = rate.at(k);
                double[] dg = adaptive ? Tolerance.gradient(ds, obj, at, rows, from, cnt, 1024) : null;
                // a flip changes the gradient by |x|/|B|: an adaptive rule divides that by its scale, below
                if (kinked) kinkFlips(ds, spec, at, rows, from, cnt, adaptive ? dg : acc, adaptive ? 1 : carry * lr);
                if (adaptive) drift(ds, spec, at, rows, from, cnt, acc, dg);
                ref.step(from, cnt, lr);
                double[] st = adaptive ? ref.saveState() : null;
                for (int j = 0; j < np; j++) {
                    if (adaptive) {
                        worst[j] = Math.max(worst[j], dg[j] + lr * o.weightDecay());
                        acc[j] += stepError(o, st, np, j, lr, carry, worst[j], k + 1);
                    }
                    out[k][j] = acc[j];
                }
            }
        }
        return out;
    }

    static Stream<Arguments> backendObjective() {
        List<Arguments> a = new ArrayList<>();
        for (String b : TestBackends.deviceBackends()) for (Objective o : Objective.values()) a.add(Arguments.of(b, o));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendObjective")
    void lossesOfManySnapshotsMatchReference(String name, Objective obj) {
        Backend dev = backend(name);
        for (int d : new int[] {1, 3, 1000}) {
            int n = d == 1000 ? 500 : 2049;
            Dataset ds = random(obj, n, d);
            Spec spec = spec(obj);
            int np = spec.heads() * (d + 1);
            for (int k : new int[] {1, 3, 8, 13}) {
                Params[] ps = new Params[k];
                float[] packed = new float[k * np];
                for (int i = 0; i < k; i++) {
                    ps[i] = randomParams(d, spec, obj == Objective.WAVE ? 0.3 : 1);
                    System.arraycopy(ps[i].packed(), 0, packed, i * np, np);
                }
                try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
                    double[] got = s.losses(packed, k);
                    double[] want = ref.losses(packed, k);
                    for (int i = 0; i < k; i++) {
                        assertEquals(want[i], got[i], Tolerance.loss(ds, obj, ps[i], 64),
                                name + " " + obj + " d=" + d + " K=" + k + " snapshot " + i + " seed " + SEED);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.descent.backend.TestBackends#deviceBackends")
    void externalLoopStepMatchesReference(String name) {
        Backend dev = backend(name);
        Dataset ds = random(Objective.LOGISTIC, 500, 17);
        Spec spec = new Spec(Objective.LOGISTIC, true, Optimizer.nesterov(0.9));
        Params p = randomParams(17, true, 1);
        try (Session s = dev.open(ds, spec); Session ref = new RefBackend().open(ds, spec)) {
            int[] rows = BatchOrder.SHUFFLE.order(500, 1, SEED);
            for (Session x : List.of(s, ref)) {
                x.setOrder(rows);
                x.setParams(p);
                for (int k = 0; k < 10; k++) x.step(k * 32, 32, 0.1);
            }
            assertClose(ref.params(), s.params(), 50.0 * 10 * Tolerance.EPS * 60, name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.descent.backend.TestBackends#deviceBackends")
    void sameSeedGivesBitIdenticalResults(String name) {
        Backend dev = backend(name);
        Dataset ds = Generators.linear(3001, new float[] {1, -2, 0.5f, 3}, 0.7f, 0.1, SEED);
        Spec spec = new Spec(Objective.SQUARED, true, Optimizer.momentum(0.9));
        for (int batch : new int[] {1, 64, 3001}) {
            TrainConfig cfg = new TrainConfig(2, batch, 0.01, new Schedule.InverseSqrt(), BatchOrder.SHUFFLE, 0, SEED);
            try (Session s = dev.open(ds, spec)) {
                Trainer.Result a = Trainer.train(s, Params.zeros(4), cfg, "a", Trainer.Listener.NONE);
                Trainer.Result b = Trainer.train(s, Params.zeros(4), cfg, "b", Trainer.Listener.NONE);
                assertEquals(a.params(), b.params(), name + " batch " + batch);
                assertArrayEquals(a.history().points().stream().mapToDouble(q -> q.loss()).toArray(),
                        b.history().points().stream().mapToDouble(q -> q.loss()).toArray(), name + " batch " + batch);
            }
        }
    }

    /**
     * Bit-identity across a save and restore into a fresh session, for the optimizers whose state is
     * more than a velocity: Adam with averaging (three slots and the update count), centered
     * RMSprop with momentum (three slots), on every backend and both launch paths (runs of batch 1
     * in one launch, full batches as a launch pair per step).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"ref", "cpu", "opencl:@cpu", "opencl:@gpu", "cuda"})
    void saveAndRestoreContinueBitIdentically(String name) {
        Backend dev = name.equals("ref") ? new RefBackend() : backend(name);
        Dataset ds = random(Objective.SQUARED, 517, 9);
        int[] rows = new int[ds.n() * 6];                    // six shuffled epochs: enough batches for both batch sizes
        for (int e = 0; e < 6; e++) System.arraycopy(BatchOrder.SHUFFLE.order(ds.n(), e + 1, SEED), 0, rows, e * ds.n(), ds.n());
        for (Optimizer opt : List.of(Optimizer.adam().withAverage(true).withWeightDecay(0.01, true),
                Optimizer.rmsprop(0.9, 0.5, 1e-8, true).withL1(0.01))) {
            Spec spec = new Spec(Objective.SQUARED, true, opt);
            Params p0 = randomParams(ds.d(), true, 1);
            for (int batch : new int[] {1, ds.n()}) {
                int steps = batch == 1 ? 200 : 6, half = steps / 2;
                Rate rate = Rate.constant(0.01);
                String where = name + " " + opt + " batch " + batch;
                try (Session whole = dev.open(ds, spec); Session first = dev.open(ds, spec); Session second = dev.open(ds, spec)) {
                    for (Session x : List.of(whole, first, second)) x.setOrder(rows);
                    whole.setParams(p0);
                    whole.resetState();
                    RunResult all = whole.run(new Run(batch, 0, steps, rate, 1));
                    first.setParams(p0);
                    first.resetState();
                    first.run(new Run(batch, 0, half, rate, 1));
                    second.restoreState(first.saveState());
                    RunResult rest = second.run(new Run(batch, half, steps - half, rate, 1));
                    assertFalse(all.diverged() || rest.diverged(), where);
                    assertEquals(all.snapshot(steps - 1).toString(), rest.snapshot(steps - half - 1).toString(), where + ": last snapshot");
                    assertArrayEquals(whole.saveState(), second.saveState(), where + ": the whole state, update count included");
                }
            }
        }
    }

    /** A user's own loop: step() past a divergence changes nothing on any backend, the reference included, and diverged() says so. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"ref", "cpu", "opencl:@cpu", "opencl:@gpu", "cuda"})
    void stepsAfterADivergenceAreSkippedAndReported(String name) {
        Backend dev = name.equals("ref") ? new RefBackend() : backend(name);
        Dataset ds = Generators.linear(1000, new float[] {2f, -3.4f}, 4.2f, 0.01, SEED);
        int[] order = new int[ds.n()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        try (Session s = dev.open(ds, Spec.of(Objective.SQUARED))) {
            s.setOrder(order);
            s.setParams(new Params(new float[] {1f, 1f}, 0f));
            assertFalse(s.diverged(), name);
            int k = 0;
            while (!s.diverged() && k < 200) s.step((k++ % 100) * 10, 10, 50.0);
            assertTrue(s.diverged(), name + ": lr 50 diverges within 200 steps");
            Params after = s.params();
            for (int j = 0; j < 5; j++) s.step(j * 10, 10, 0.01);
            assertEquals(after.toString(), s.params().toString(), name + ": steps after a divergence change nothing");
            s.setParams(new Params(new float[] {1f, 1f}, 0f));
            assertFalse(s.diverged(), name + ": setParams clears it");
            s.step(0, 10, 0.01);
            assertTrue(s.params().isFinite() && !s.diverged(), name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.descent.backend.TestBackends#deviceBackends")
    void divergenceStopsTheRunAtTheDivergingStep(String name) {
        Backend dev = backend(name);
        // small batches (one launch for the whole run) and large ones (a launch pair per step)
        float[] w64 = new float[64];
        java.util.Arrays.fill(w64, 0.5f);
        Object[][] cases = {
                {Generators.linear(1000, new float[] {2f, -3.4f}, 4.2f, 0.01, SEED), 10, 50.0, 1},
                {Generators.linear(4000, w64, 1f, 0.01, SEED), 2000, 1e4, 10},
        };
        for (Object[] c : cases) {
            Dataset ds = (Dataset) c[0];
            int batch = (Integer) c[1];
            double lr = (Double) c[2];
            int repeats = (Integer) c[3];
            int[] order = new int[ds.n() * repeats];
            for (int i = 0; i < order.length; i++) order[i] = i % ds.n();
            try (Session s = dev.open(ds, Spec.of(Objective.SQUARED))) {
                s.setOrder(order);
                float[] w0 = new float[ds.d()];
                java.util.Arrays.fill(w0, 1f);
                s.setParams(new Params(w0, 0));
                int nb = order.length / batch;
                RunResult r = s.run(new Run(batch, 0, nb, Rate.constant(lr), 1));
                String where = name + " batch " + batch;
                assertTrue(r.diverged(), where);
                assertEquals(r.divergedBatch() + 1, r.records(), where + ": records stop at the diverging batch");
                assertFalse(r.snapshot(r.records() - 1).isFinite(), where);
                assertTrue(r.records() == 1 || r.snapshot(r.records() - 2).isFinite(), where);
                assertTrue(s.diverged(), where + ": the session says it diverged");
                Params after = s.params();
                RunResult again = s.run(new Run(batch, 0, nb, Rate.constant(0.1), 1));
                assertTrue(again.diverged(), where);
                assertEquals(after.toString(), s.params().toString(), where + ": nothing is applied after a divergence");
                s.step(0, batch, 0.1);
                assertEquals(after.toString(), s.params().toString(), where + ": nor by a step");
                s.setParams(new Params(w0, 0));
                assertFalse(s.diverged(), where + ": setParams clears the divergence");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.descent.backend.TestBackends#deviceBackends")
    void seedsReproduceOnTheBackend(String name) {
        Backend dev = backend(name);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        SeedsAccess.checkSeed1(Seed1.run(dev, 1, sink, null));
        SeedsAccess.checkSeed2(Seed2.run(dev, sink, null));
    }
}
