package dev.descent.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.Backend;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.TestBackends;
import dev.descent.backend.ref.RefBackend;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The first 100 steps of every optimizer against PyTorch's {@code torch.optim} on the same data,
 * initial weights and batches (fixtures from {@code bench/peers/optim_fixtures.py}, PyTorch 1.13,
 * committed so the test needs no Python).
 *
 * <p>The double reference against PyTorch's float64 run, step by step through the exact
 * {@link Session#saveState()}: both compute the same formulas on the same float32 inputs in double,
 * differing only in summation order, about 1e-16 relative per operation; over 100 steps of a few
 * dozen operations each that stays far below the 1e-11 (relative to max(1, |w|)) allowed. A wrong
 * formula (ε inside the bias correction, a missing bias correction, α and 1 − α swapped) moves
 * the weights by 1e-8 or more.
 *
 * <p>Each float32 backend, in one launch ({@link Session#run}), against the same float64 run: a
 * float32 trajectory carries about 16 roundings of ε = 2⁻²⁴ per update (gradient sum, moments,
 * square root, division, update), which these contracting problems do not amplify, so after k
 * updates it is within k·16·ε·max(1, |w|) of the exact one.
 */
class TorchTrajectoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double EPS32 = Math.ulp(1.0f) / 2;

    record Fixture(String objective, Dataset data, Params init, int[] order, int batch, int steps, List<JsonNode> cases) {}

    static Fixture load(String objective) {
        String res = "torch-trajectories-" + objective + ".json";
        try (InputStream in = TorchTrajectoryTest.class.getResourceAsStream(res)) {
            JsonNode o = JSON.readTree(in);
            int n = o.get("n").asInt(), d = o.get("d").asInt();
            float[] x = new float[n * d], t = new float[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) x[i * d + j] = (float) o.get("X").get(i).get(j).asDouble();
                t[i] = (float) o.get("t").get(i).asDouble();
            }
            int k = o.path("k").asInt(1);                   // softmax: k classes, w0 as k lists of d, b0 as k
            float[] packed = new float[k * (d + 1)];
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) packed[c * (d + 1) + j] = (float) (k == 1 ? o.get("w0").get(j) : o.get("w0").get(c).get(j)).asDouble();
                packed[c * (d + 1) + d] = (float) (k == 1 ? o.get("b0") : o.get("b0").get(c)).asDouble();
            }
            int[] order = new int[o.get("order").size()];
            for (int i = 0; i < order.length; i++) order[i] = o.get("order").get(i).asInt();
            List<JsonNode> cases = new ArrayList<>();
            o.get("cases").forEach(cases::add);
            return new Fixture(objective, new Dataset("torch fixture " + objective, x, t, n, d), Params.ofPacked(packed, d, k),
                    order, o.get("batch").asInt(), o.get("steps").asInt(), cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** descent's optimizer for a fixture case: PyTorch's class and keyword arguments. */
    static Optimizer optimizer(JsonNode c) {
        JsonNode h = c.get("hyper");
        double wd = h.path("weight_decay").asDouble(0), mu = h.path("momentum").asDouble(0);
        return switch (c.get("optimizer").asText()) {
            case "SGD" -> (mu == 0 ? Optimizer.SGD : h.path("nesterov").asBoolean(false) ? Optimizer.nesterov(mu) : Optimizer.momentum(mu))
                    .withWeightDecay(wd, false);
            case "Adam", "AdamW" -> Optimizer.adam(h.get("betas").get(0).asDouble(), h.get("betas").get(1).asDouble(), h.get("eps").asDouble())
                    .withWeightDecay(wd, c.get("optimizer").asText().equals("AdamW"));
            case "Adagrad" -> Optimizer.adagrad(h.get("eps").asDouble()).withWeightDecay(wd, false);
            case "RMSprop" -> Optimizer.rmsprop(h.get("alpha").asDouble(), mu, h.get("eps").asDouble(), h.path("centered").asBoolean(false))
                    .withWeightDecay(wd, false);
            default -> throw new IllegalArgumentException("no descent optimizer for " + c.get("optimizer"));
        };
    }

    /** The fixture's spec: its objective (softmax with the fixture's k classes), a bias, and the case's optimizer. */
    static Spec spec(Fixture f, JsonNode c) {
        return switch (f.objective()) {
            case "squared" -> new Spec(Objective.SQUARED, true, optimizer(c));
            case "logistic" -> new Spec(Objective.LOGISTIC, true, optimizer(c));
            default -> Spec.softmax(f.init().k(), true, optimizer(c));
        };
    }

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (String obj : List.of("squared", "logistic", "softmax")) {
            Fixture f = load(obj);
            for (JsonNode c : f.cases()) a.add(Arguments.of(obj, c.get("name").asText()));
        }
        return a.stream();
    }

    static JsonNode find(Fixture f, String name) {
        return f.cases().stream().filter(c -> c.get("name").asText().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void referenceFollowsPyTorchFloat64StepByStep(String obj, String name) {
        Fixture f = load(obj);
        JsonNode c = find(f, name);
        Spec spec = spec(f, c);
        double lr = c.get("lr").asDouble();
        int np = spec.heads() * (f.data().d() + 1);
        try (Session s = new RefBackend().open(f.data(), spec)) {
            s.setOrder(f.order());
            s.setParams(f.init());
            s.resetState();
            double worst = 0;
            for (int k = 0; k < f.steps(); k++) {
                s.step(k * f.batch(), f.batch(), lr);
                double[] state = s.saveState();
                JsonNode want = c.get("params64").get(k);
                for (int j = 0; j < np; j++) {
                    double w = want.get(j).asDouble(), tol = 1e-11 * Math.max(1, Math.abs(w));
                    worst = Math.max(worst, Math.abs(state[j] - w));
                    assertEquals(w, state[j], tol, obj + " " + name + " step " + (k + 1) + " parameter " + j);
                }
            }
            System.out.printf(Locale.ROOT, "[torch] ref %s %s: 100 steps, largest difference from PyTorch float64 %.2e%n", obj, name, worst);
        }
    }

    static Stream<Arguments> backendCases() {
        List<Arguments> a = new ArrayList<>();
        for (String b : TestBackends.deviceBackends()) cases().forEach(x -> a.add(Arguments.of(b, x.get()[0], x.get()[1])));
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("backendCases")
    void floatBackendsFollowPyTorchInOneLaunch(String backend, String obj, String name) {
        Fixture f = load(obj);
        JsonNode c = find(f, name);
        Spec spec = spec(f, c);
        double lr = c.get("lr").asDouble();
        int np = spec.heads() * (f.data().d() + 1);
        try (Backend b = TestBackends.open(backend); Session s = b.open(f.data(), spec)) {
            s.setOrder(f.order());
            s.setParams(f.init());
            s.resetState();
            int half = f.steps() / 2;                        // two runs: the second continues the update count (Adam's t)
            RunResult r1 = s.run(new Run(f.batch(), 0, half, dev.descent.optim.Rate.constant(lr), 1));
            RunResult r2 = s.run(new Run(f.batch(), half, f.steps() - half, dev.descent.optim.Rate.constant(lr), 1));
            assertFalse(r1.diverged() || r2.diverged(), backend + " " + obj + " " + name + " diverged");
            double worst = 0;
            for (int k = 0; k < f.steps(); k++) {
                float[] got = (k < half ? r1.snapshot(k) : r2.snapshot(k - half)).packed();
                JsonNode want = c.get("params64").get(k);
                for (int j = 0; j < np; j++) {
                    double w = want.get(j).asDouble(), g = got[j];
                    double tol = (k + 1) * 16 * EPS32 * Math.max(1, Math.abs(w));
                    worst = Math.max(worst, Math.abs(g - w));
                    assertEquals(w, g, tol, backend + " " + obj + " " + name + " step " + (k + 1) + " parameter " + j);
                }
            }
            System.out.printf(Locale.ROOT, "[torch] %s %s %s: largest difference from PyTorch float64 %.2e (PyTorch float32: %.2e)%n",
                    backend, obj, name, worst, c.get("max_abs_diff_32_64").asDouble());
        }
    }
}
