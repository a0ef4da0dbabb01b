package dev.descent.model;

import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Standardization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The saved model: exact round trip, standardization applied at prediction, CLI and Java API agree. */
class ModelTest {

    @Test
    void saveAndLoadKeepEveryBit(@TempDir Path dir) {
        Random r = new Random();
        float[] w = new float[33];
        for (int j = 0; j < w.length; j++) w[j] = Float.intBitsToFloat(r.nextInt() & 0x7f7fffff) * (r.nextBoolean() ? 1 : -1);
        double[] mean = r.doubles(33).toArray(), std = r.doubles(33).map(v -> v + 0.1).toArray();
        Model m = new Model(Objective.SQUARED, new Params(w, r.nextFloat()), true, new Standardization(mean, std, true, r.nextGaussian(), 2.5),
                null, "y", Map.of("k", "v"));
        Path f = dir.resolve("m.json");
        m.save(f);
        Model back = Model.load(f);
        assertEquals(m.params(), back.params());
        assertArrayEquals(mean, back.scaling().mean());
        assertArrayEquals(std, back.scaling().std());
        assertEquals(m.scaling().targetMean(), back.scaling().targetMean());
        assertEquals("v", back.trained().get("k"));
    }

    /** A softmax model: k lists of weights and k intercepts, format version 2, every bit back; a one-output model stays version 1. */
    @Test
    void softmaxModelRoundTripsAsVersionTwo(@TempDir Path dir) throws Exception {
        Random r = new Random();
        float[] packed = new float[4 * 6];
        for (int j = 0; j < packed.length; j++) packed[j] = (float) r.nextGaussian();
        Model m = new Model(Objective.SOFTMAX, Params.ofPacked(packed, 5, 4), true, null, null, "label", Map.of());
        Path f = dir.resolve("m.json");
        m.save(f);
        String text = Files.readString(f);
        assertTrue(text.contains("\"version\" : 2") && text.contains("\"classes\" : 4") && text.contains("\"intercepts\""), text);
        Model back = Model.load(f);
        assertEquals(m.params(), back.params());
        assertEquals(4, back.classes());
        Dataset ds = new Dataset("rows", new float[] {1, 2, 3, 4, 5, -1, 0, 1, 0, 2}, null, 2, 5);
        double[][] p = back.probabilities(ds);
        for (double[] row : p) assertEquals(1.0, java.util.Arrays.stream(row).sum(), 1e-12);
        double[] y = back.predict(ds);
        assertEquals(Model.argmax(p)[1], (int) y[1]);
        Path one = dir.resolve("one.json");
        new Model(Objective.LOGISTIC, new Params(new float[] {1, 2}, 3), true, null, null, null, Map.of()).save(one);
        assertTrue(Files.readString(one).contains("\"version\" : 1"));
        Files.writeString(f, text.replace("\"classes\" : 4", "\"classes\" : 3"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.descent.DescentException.class, () -> Model.load(f));
        assertTrue(e.getMessage().contains("softmax model needs") && !e.getMessage().contains("\n"), e.getMessage());
    }

    /**
     * Margins of sparse rows against the same rows densified, for one head and softmax's k, raw,
     * scaled without centring (as sparse data are standardized) and centred (a dense model's
     * scaling, where absent values count): the same bits, since both sum the same products in the
     * same column order and the absent ones add exact zeros.
     */
    @Test
    void sparseRowsGiveTheDensifiedRowsMargins() {
        Random r = new Random(12);
        Dataset sparse = Dataset.sparse(dev.descent.data.Generators.sparse(200, 150, 12, 0.01, 4)), dense = sparse.dense();
        int d = sparse.d();
        double[] zero = new double[d], mean = r.doubles(d).map(v -> v - 0.5).toArray(), std = r.doubles(d).map(v -> v + 0.1).toArray();
        Standardization[] scalings = {null, new Standardization(zero, std, false, 0, 1), new Standardization(mean, std, false, 0, 1)};
        float[] w = new float[d], packed = new float[3 * (d + 1)];
        for (int j = 0; j < d; j++) w[j] = (float) r.nextGaussian();
        for (int j = 0; j < packed.length; j++) packed[j] = (float) r.nextGaussian();
        for (Standardization sc : scalings) {
            String what = sc == null ? "raw" : sc.centres() ? "centred" : "scaled";
            for (Model m : new Model[] {new Model(Objective.LOGISTIC, new Params(w, 0.25f), true, sc, null, null, Map.of()),
                    new Model(Objective.SOFTMAX, Params.ofPacked(packed, d, 3), true, sc, null, null, Map.of())}) {
                double[][] a = m.margins(sparse), b = m.margins(dense);
                for (int i = 0; i < a.length; i++) assertArrayEquals(b[i], a[i], 0.0, what + " " + m.objective() + ", row " + i);
                assertArrayEquals(m.predict(dense), m.predict(sparse), 0.0, what + " " + m.objective());
            }
        }
        double[] one = new double[1];                                           // and the row-at-a-time API on a dense row
        Model plain = new Model(Objective.SQUARED, new Params(w, 0.5f), true, null, null, null, Map.of());
        plain.margins(dense.features(), 3 * d, one);
        assertEquals(one[0], plain.margins(sparse)[3][0]);
        assertTrue(scalings[2].centres() && !scalings[1].centres());
    }

    /** Softmax end to end through the CLI: train on labelled rows, predict classes and probabilities, accuracy on stderr. */
    @Test
    void softmaxTrainsAndPredictsThroughTheCli(@TempDir Path dir) throws Exception {
        Dataset ds = dev.descent.data.Generators.multiclass(600, 3, 4, 0.1, 7);
        StringBuilder csv = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < ds.n(); i++) csv.append(ds.x(i, 0)).append(',').append(ds.x(i, 1)).append(',').append(ds.x(i, 2)).append(',')
                .append((int) ds.t(i)).append('\n');
        Path data = dir.resolve("d.csv"), model = dir.resolve("m.json"), out = dir.resolve("p.csv");
        Files.writeString(data, csv);
        assertEquals(0, cli("train", "--backend", "cpu", "--data", data.toString(), "--target", "label", "--objective", "softmax",
                "--batch", "16", "--epochs", "10", "--lr", "0.5", "--init", "zeros", "--save-model", model.toString(), "--no-progress"));
        assertEquals(4, Model.load(model).classes(), "k from the labels");
        assertEquals(0, cli("predict", "--model", model.toString(), "--data", data.toString(), "--out", out.toString()));
        List<String> lines = Files.readAllLines(out);
        assertEquals("class,p0,p1,p2,p3", lines.get(0));
        int right = 0;
        for (int i = 0; i < ds.n(); i++) if (Integer.parseInt(lines.get(i + 1).split(",")[0]) == (int) ds.t(i)) right++;
        assertTrue(right > 0.85 * ds.n(), "a planted linear 4-class problem: " + right + " of " + ds.n() + " right");
    }

    /** y = 3·a − 2·b + 10 + small noise, columns on very different scales: trained standardized, predicted raw. */
    @Test
    void standardizedRegressionPredictsInTheTargetsUnits(@TempDir Path dir) throws Exception {
        Random r = new Random(5);
        StringBuilder csv = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 400; i++) {
            double a = 1000 + 300 * r.nextGaussian(), b = 0.01 * r.nextGaussian();
            csv.append(a).append(',').append(b).append(',').append(3 * a - 200 * b + 10 + 0.01 * r.nextGaussian()).append('\n');
        }
        Path data = dir.resolve("d.csv"), model = dir.resolve("m.json"), out = dir.resolve("p.csv");
        Files.writeString(data, csv);
        assertEquals(0, cli("train", "--backend", "cpu", "--data", data.toString(), "--standardize", "--batch", "20", "--epochs", "30",
                "--lr", "0.1", "--init", "zeros", "--save-model", model.toString(), "--no-progress"));
        assertEquals(0, cli("predict", "--model", model.toString(), "--data", data.toString(), "--out", out.toString()));

        Path folder = dir.resolve("folder"), out2 = dir.resolve("p2.csv");        // the same rows as a data folder
        assertEquals(0, cli("data", "convert", "--data", data.toString(), "--out", folder.toString()));
        assertEquals(0, cli("predict", "--model", model.toString(), "--data", folder.toString(), "--out", out2.toString()));
        assertEquals(Files.readAllLines(out), Files.readAllLines(out2), "a data folder predicts what its CSV does");

        Model m = Model.load(model);
        assertEquals(List.of("a", "b"), m.features());
        assertEquals("y", m.target());
        Dataset raw = Csv.load(data, Csv.Target.LAST);
        double[] y = m.predict(new Dataset("x", raw.features(), null, raw.n(), raw.d()));
        List<String> lines = Files.readAllLines(out);
        assertEquals("prediction", lines.get(0));
        double se = 0, var = 0, mean = 0;
        for (int i = 0; i < raw.n(); i++) mean += raw.t(i) / raw.n();
        for (int i = 0; i < raw.n(); i++) {
            assertEquals(y[i], Double.parseDouble(lines.get(i + 1)), 1e-8 * Math.abs(y[i]), "CLI and API disagree at row " + i);
            // the same prediction by hand: scale the row, apply the weights, unscale the target
            Standardization s = m.scaling();
            double h = m.params().b();
            for (int j = 0; j < 2; j++) h += (double) (float) ((raw.x(i, j) - s.mean()[j]) / s.std()[j]) * m.params().w(j);
            assertEquals(h * s.targetStd() + s.targetMean(), y[i], 1e-9 * Math.abs(y[i]));
            se += (y[i] - raw.t(i)) * (y[i] - raw.t(i));
            var += (raw.t(i) - mean) * (raw.t(i) - mean);
        }
        assertTrue(se / var < 1e-3, "R² too low: 1 − " + se / var);
    }

    @Test
    void logisticGivesProbabilitiesAndLabels(@TempDir Path dir) throws Exception {
        Random r = new Random(9);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            csv.append(a).append('\t').append(b).append('\t').append(2 * a - b > 0 ? 1 : 0).append('\n');
        }
        Path data = dir.resolve("d.tsv"), model = dir.resolve("m.json"), out = dir.resolve("p.csv");
        Files.writeString(data, csv);
        assertEquals(0, cli("train", "--backend", "cpu", "--objective", "logistic", "--data", data.toString(), "--epochs", "20",
                "--lr", "0.5", "--save-model", model.toString(), "--no-progress"));
        assertEquals(0, cli("predict", "--model", model.toString(), "--data", data.toString(), "--out", out.toString()));
        List<String> lines = Files.readAllLines(out);
        assertEquals("probability,label", lines.get(0));
        int right = 0;
        Dataset raw = Csv.load(data, Csv.Target.LAST);
        for (int i = 0; i < raw.n(); i++) {
            String[] f = lines.get(i + 1).split(",");
            double p = Double.parseDouble(f[0]);
            assertTrue(p >= 0 && p <= 1);
            assertEquals(p >= 0.5 ? "1" : "0", f[1]);
            if (Integer.parseInt(f[1]) == (int) raw.t(i)) right++;
        }
        assertTrue(right >= 285, "accuracy " + right + "/300 on separable data");
    }

    private static int cli(String... args) {
        StringWriter err = new StringWriter();
        int rc = dev.descent.cli.Main.execute(args, new PrintWriter(new StringWriter()), new PrintWriter(err));
        if (rc != 0) System.out.println(err);
        return rc;
    }
}
