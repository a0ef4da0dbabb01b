package dev.descent.tribuo;

import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Batches;
import dev.descent.backend.Probe;
import dev.descent.backend.Run;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.evaluation.RegressionEvaluator;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Tribuo trainers against a direct descent session on the same rows (same backend, seed and
 * settings: the weights must be the same bits), Tribuo's own evaluation on the models, the protobuf
 * round trip, the provenance, and the one-line refusals. Fresh random data per run (seed printed).
 */
class DescentTribuoTest {
    private static final long SEED = Long.getLong("descent.seed", System.nanoTime());
    private static final int N = 600, D = 6, EPOCHS = 4, BATCH = 16;
    private static final double LR = 0.05;

    /** Skips (with the reason) a backend that cannot start here. */
    static void assumeBackend(String name) {
        Probe p = Backends.probe(name);
        Assumptions.assumeTrue(p.available(), name + " unavailable: " + p.detail());
    }

    static String[] names() {
        String[] f = new String[D];
        for (int j = 0; j < D; j++) f[j] = "f" + j;                // one digit: Tribuo's id order is this order
        return f;
    }

    /** n × D rows (row-major), values rounded to float so that Tribuo's doubles and descent's floats are the same numbers. */
    static float[] features(Random rng, int n) {
        float[] x = new float[n * D];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    static double[] row(float[] x, int i) {
        double[] r = new double[D];
        for (int j = 0; j < D; j++) r[j] = x[i * D + j];
        return r;
    }

    /** The direct descent session: the loop DescentFit runs, written against descent's API alone. */
    static float[] direct(String backend, Dataset ds, Spec spec, double lr) {
        try (Backend b = Backends.open(backend); Session s = b.open(ds, spec)) {
            s.setParams(Params.ofPacked(new float[spec.heads() * (ds.d() + 1)], ds.d(), spec.heads()));
            s.resetState();
            for (int e = 1; e <= EPOCHS; e++) {
                s.setOrder(BatchOrder.SHUFFLE.order(ds.n(), e, SEED));
                s.run(new Run(BATCH, 0, Batches.in(ds.n(), BATCH), Rate.constant(lr), Integer.MAX_VALUE));
            }
            return s.params().packed();
        }
    }

    static double margin(DenseMatrix w, int r, double[] x) {
        double m = 0;
        for (int j = 0; j < D; j++) m += w.get(r, j) * x[j];
        return m + w.get(r, D);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cpu", "ref", "opencl"})
    void regressionEqualsADirectSessionAndTribuoEvaluatesIt(String backend, @TempDir Path dir) throws Exception {
        assumeBackend(backend);
        Random rng = new Random(SEED);
        float[] x = features(rng, N);
        float[] t = new float[N];
        double[] wTrue = {1.5, -2, 0.5, 0, 3, -1};
        RegressionFactory f = new RegressionFactory();
        MutableDataset<Regressor> train = new MutableDataset<>(new SimpleDataSourceProvenance("descent test, seed " + SEED, f), f);
        for (int i = 0; i < N; i++) {
            double y = 0.7;
            for (int j = 0; j < D; j++) y += wTrue[j] * x[i * D + j];
            t[i] = (float) (y + 0.01 * rng.nextGaussian());
            train.add(new ArrayExample<>(new Regressor("y", t[i]), names(), row(x, i)));
        }
        var model = new DescentRegressionTrainer(backend, "momentum:0.9", LR, EPOCHS, BATCH, SEED).train(train);
        String where = backend + " seed " + SEED;

        float[] want = direct(backend, new Dataset("direct", x, t, N, D), new Spec(Objective.SQUARED, true, Optimizer.parse("momentum:0.9")), LR);
        DenseMatrix w = model.getWeightsCopy();
        assertEquals(1, w.getDimension1Size(), where);
        for (int j = 0; j <= D; j++) assertEquals(want[j], w.get(0, j), 0, where + ": weight " + j + " vs the direct session");

        List<Prediction<Regressor>> preds = model.predict(train);
        for (int i = 0; i < N; i++) {
            assertEquals(margin(w, 0, row(x, i)), preds.get(i).getOutput().getValues()[0], 1e-12 * (1 + Math.abs(t[i])), where + " row " + i);
        }
        var eval = new RegressionEvaluator().evaluate(model, train);
        double r2 = eval.r2().values().iterator().next();
        assertTrue(r2 > 0.99, where + ": R² " + r2);

        Model<?> back = Model.deserialize(model.serialize());       // protobuf round trip
        model.serializeToFile(dir.resolve("m.tribuo"));
        Model<?> fromFile = Model.deserializeFromFile(dir.resolve("m.tribuo"));
        for (Model<?> m : List.of(back, fromFile)) {
            @SuppressWarnings("unchecked") Model<Regressor> r = (Model<Regressor>) m;
            for (int i = 0; i < N; i += 37) {
                assertEquals(preds.get(i).getOutput().getValues()[0], r.predict(train.getExample(i)).getOutput().getValues()[0], 0, where);
            }
        }
        String prov = model.getProvenance().getTrainerProvenance().toString();
        assertTrue(prov.contains(DescentRegressionTrainer.class.getName()) && prov.contains("backend") && prov.contains(backend), prov);
        String run = model.getProvenance().getInstanceProvenance().toString();
        assertTrue(run.contains("descent-device") && run.contains("descent-backend"), run);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {2, 3})
    void labelsEqualADirectSessionAndTribuoEvaluatesThem(int k) {
        String backend = "cpu";
        Random rng = new Random(SEED + k);
        float[] x = features(rng, N);
        double[][] wTrue = new double[k][D];
        for (double[] r : wTrue) for (int j = 0; j < D; j++) r[j] = 2 * rng.nextGaussian();
        LabelFactory f = new LabelFactory();
        MutableDataset<Label> train = new MutableDataset<>(new SimpleDataSourceProvenance("descent test, seed " + SEED, f), f);
        int[] cls = new int[N];
        for (int i = 0; i < N; i++) {
            int best = 0;
            double top = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double m = 0;
                for (int j = 0; j < D; j++) m += wTrue[c][j] * x[i * D + j];
                if (m > top) { top = m; best = c; }
            }
            cls[i] = best;
            train.add(new ArrayExample<>(new Label("class-" + (char) ('a' + best)), names(), row(x, i)));
        }
        var model = new DescentLabelTrainer(backend, "sgd", 0.5, EPOCHS, BATCH, SEED).train(train);
        String where = "k=" + k + " seed " + SEED;

        var info = train.getOutputIDInfo();
        float[] t = new float[N];
        for (int i = 0; i < N; i++) t[i] = info.getID(new Label("class-" + (char) ('a' + cls[i])));
        Spec spec = k == 2 ? new Spec(Objective.LOGISTIC, true, Optimizer.SGD) : Spec.softmax(k, true, Optimizer.SGD);
        float[] want = direct(backend, new Dataset("direct", x, t, N, D), spec, 0.5);
        DenseMatrix w = model.getWeightsCopy();
        for (int h = 0; h < spec.heads(); h++) {
            int r = k == 2 ? 1 : h;
            for (int j = 0; j <= D; j++) assertEquals(want[h * (D + 1) + j], w.get(r, j), 0, where + ": head " + h + " weight " + j);
        }
        if (k == 2) for (int j = 0; j <= D; j++) assertEquals(0, w.get(0, j), 0, where + ": the first label's row is 0");

        List<Prediction<Label>> preds = model.predict(train);
        for (int i = 0; i < N; i += 7) {
            double[] s = new double[k];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < k; c++) max = Math.max(max, s[c] = margin(w, c, row(x, i)));
            for (int c = 0; c < k; c++) sum += Math.exp(s[c] - max);
            for (int c = 0; c < k; c++) {
                String label = info.getOutput(c).getLabel();
                assertEquals(Math.exp(s[c] - max) / sum, preds.get(i).getOutputScores().get(label).getScore(), 1e-12, where + " row " + i);
            }
            if (k == 2) {
                double m = margin(w, 1, row(x, i));
                String second = info.getOutput(1).getLabel();
                assertEquals(1 / (1 + Math.exp(-m)), preds.get(i).getOutputScores().get(second).getScore(), 1e-12, where + ": σ(w·x + b)");
            }
        }
        double acc = new LabelEvaluator().evaluate(model, train).accuracy();
        assertTrue(acc > 0.85, where + ": accuracy " + acc);
        assertTrue(model.getProvenance().getTrainerProvenance().toString().contains(DescentLabelTrainer.class.getName()));
    }

    /**
     * Tribuo's example weights train as descent's: the model's weights are the same bits as a direct session on the
     * same rows with the same weights (and differ from the unweighted model's), on the cpu, ref and OpenCL backends.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cpu", "ref", "opencl"})
    void exampleWeightsTrainAsDescentsOwn(String backend) {
        assumeBackend(backend);
        Random rng = new Random(SEED);
        float[] x = features(rng, N);
        float[] t = new float[N], v = new float[N];
        RegressionFactory f = new RegressionFactory();
        MutableDataset<Regressor> train = new MutableDataset<>(new SimpleDataSourceProvenance("weighted, seed " + SEED, f), f);
        for (int i = 0; i < N; i++) {
            double y = 0.3;
            for (int j = 0; j < D; j++) y += (j - 2) * x[i * D + j];
            t[i] = (float) (y + 0.5 * rng.nextGaussian());
            v[i] = i % 5 == 0 ? 0f : (float) (3 * rng.nextDouble());
            Example<Regressor> e = new ArrayExample<>(new Regressor("y", t[i]), names(), row(x, i));
            e.setWeight(v[i]);
            train.add(e);
        }
        var model = new DescentRegressionTrainer(backend, "sgd", LR, EPOCHS, BATCH, SEED).train(train);
        Spec spec = new Spec(Objective.SQUARED, true, Optimizer.SGD);
        float[] want = direct(backend, new Dataset("direct", x, t, N, D).withWeights(v), spec, LR);
        float[] unweighted = direct(backend, new Dataset("direct", x, t, N, D), spec, LR);
        DenseMatrix w = model.getWeightsCopy();
        String where = backend + " seed " + SEED;
        boolean differs = false;
        for (int j = 0; j <= D; j++) {
            assertEquals(want[j], w.get(0, j), 0, where + ": weight " + j + " vs the direct weighted session");
            differs |= want[j] != unweighted[j];
        }
        assertTrue(differs, where + ": the example weights changed nothing");
    }

    @Test
    void whatDescentCannotDoIsRefusedInOneLine() {
        RegressionFactory f = new RegressionFactory();
        MutableDataset<Regressor> weighted = new MutableDataset<>(new SimpleDataSourceProvenance("weighted", f), f);
        weighted.add(new ArrayExample<>(new Regressor("y", 1), names(), new double[D]));
        Example<Regressor> negative = new ArrayExample<>(new Regressor("y", 2), names(), new double[D]);
        negative.setWeight(-3f);
        weighted.add(negative);
        var e = assertThrows(DescentException.class, () -> new DescentRegressionTrainer("cpu", "sgd", 0.1, 1, 1, 1).train(weighted));
        assertTrue(e.getMessage().contains("weight at row 2 is -3.0") && !e.getMessage().contains("\n"), e.getMessage());

        MutableDataset<Regressor> twoDims = new MutableDataset<>(new SimpleDataSourceProvenance("two outputs", f), f);
        twoDims.add(new ArrayExample<>(new Regressor(new String[] {"a", "b"}, new double[] {1, 2}), names(), new double[D]));
        e = assertThrows(DescentException.class, () -> new DescentRegressionTrainer("cpu", "sgd", 0.1, 1, 1, 1).train(twoDims));
        assertTrue(e.getMessage().contains("2 dimensions"), e.getMessage());

        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> one = new MutableDataset<>(new SimpleDataSourceProvenance("one label", lf), lf);
        one.add(new ArrayExample<>(new Label("only"), names(), new double[D]));
        e = assertThrows(DescentException.class, () -> new DescentLabelTrainer("cpu", "sgd", 0.1, 1, 1, 1).train(one));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());

        e = assertThrows(DescentException.class, () -> new DescentLabelTrainer("cpu", "sgd", -1, 1, 1, 1));
        assertTrue(e.getMessage().contains("learning rate"), e.getMessage());
        e = assertThrows(DescentException.class, () -> new DescentLabelTrainer("cpu", "warp-drive", 0.1, 1, 1, 1));
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
