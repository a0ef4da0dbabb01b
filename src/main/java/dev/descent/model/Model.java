package dev.descent.model;

import dev.descent.DescentException;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;
import dev.descent.data.Standardization;
import dev.descent.util.AtomicFiles;
import dev.descent.util.Json;
import dev.descent.util.Json.Node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained linear model as a user keeps it: objective, parameters, the standardization used in
 * training (applied again to every row given to {@link #predict}), the feature and target names
 * when the training file had a header, and what it was trained on. Saved as JSON
 * ({@code "format": "descent-model"}, version 1 for one head, 2 for softmax's k heads: "classes",
 * "weights" as k lists of d, "intercepts" as k); weights are written as float32 decimal strings
 * that read back to the same bits.
 *
 * @param scaling  null when the data were used as they were
 * @param features feature column names in order, or null
 * @param target   the target column's name (or its index as text), or null
 * @param trained  free-form provenance (data, options, backend, commit)
 */
public record Model(Objective objective, Params params, boolean bias, Standardization scaling, List<String> features,
                    String target, Map<String, String> trained) {
    /** The newest format this version reads and writes (a one-head model is still written as version 1, which older descents read). */
    public static final int VERSION = 2;
    private static final String FORMAT = "descent-model";

    public Model {
        DescentException.require(objective != null && params != null, "a model needs an objective and parameters");
        DescentException.require(params.isFinite(), "a model's parameters must be finite");
        DescentException.require(objective == Objective.SOFTMAX ? params.k() >= 2 : params.k() == 1,
                "a " + objective.cliName() + " model has " + (objective == Objective.SOFTMAX ? "one head per class (at least 2)" : "one head")
                        + ", got " + params.k());
        DescentException.require(scaling == null || scaling.d() == params.d(), "the model's scaling covers " + (scaling == null ? 0 : scaling.d())
                + " columns but it has " + params.d() + " weights");
        DescentException.require(features == null || features.size() == params.d(), "the model names " + (features == null ? 0 : features.size())
                + " features but has " + params.d() + " weights");
        features = features == null ? null : List.copyOf(features);
        trained = trained == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(trained));
    }

    public int d() { return params.d(); }

    /** The classes of a softmax model, else 1. */
    public int classes() { return params.k(); }

    /** The margins x·w_c + b_c of a raw (unscaled) row, one per class, into out. */
    public void margins(float[] row, int offset, double[] out) {
        for (int c = 0; c < params.k(); c++) out[c] = margin(row, offset, c);
    }

    /** The margin x·w_c + b_c of head c for a raw (unscaled) row. */
    private double margin(float[] row, int offset, int c) {
        double m = params.b(c);
        for (int j = 0; j < params.d(); j++) {
            float x = scaling == null ? row[offset + j] : scaling.scale(row[offset + j], j);
            m += (double) x * params.w(c, j);
        }
        return m;
    }

    /**
     * The margins x·w_c + b_c of every row of {@code data} (raw, dense or sparse), n × k. Sparse
     * rows cost their stored values only, taken in column order, so they give the densified rows'
     * margins to the bit; only under a scaling that centres a column (a model trained on dense
     * data, standardized) do absent values count, and then each row is walked whole.
     */
    public double[][] margins(Dataset data) {
        requireWidth(data);
        boolean whole = scaling != null && scaling.centres();
        double[][] out = new double[data.n()][classes()];
        for (int i = 0; i < out.length; i++) margins(data, i, whole, out[i]);
        return out;
    }

    /** Row {@code row}'s margins into {@code out} (written); {@code whole}: absent values count (a centring scaling). */
    private void margins(Dataset data, int row, boolean whole, double[] out) {
        if (!data.isSparse()) {
            margins(data.features(), row * d(), out);
            return;
        }
        SparseRows rows = data.rowsSparse();
        int seg = rows.segmentOf(row);
        long base = rows.segmentStart(seg);
        int start = (int) (rows.rowOffsets()[row] - base), end = (int) (rows.rowOffsets()[row + 1] - base);
        int[] cols = rows.colSegments()[seg];
        float[] vals = rows.valSegments()[seg];
        for (int c = 0; c < params.k(); c++) {
            double m = params.b(c);
            if (whole) {
                for (int j = 0, p = start; j < params.d(); j++) {
                    float v = p < end && cols[p] == j ? vals[p++] : 0f;
                    m += (double) scaling.scale(v, j) * params.w(c, j);
                }
            } else {
                for (int p = start; p < end; p++) {
                    int j = cols[p];
                    float x = scaling == null ? vals[p] : scaling.scale(vals[p], j);
                    m += (double) x * params.w(c, j);
                }
            }
            out[c] = m;
        }
    }

    private void requireWidth(Dataset data) {
        DescentException.require(data.d() == d(), "data " + data.name() + " has " + data.d() + " feature columns, the model takes " + d());
    }

    /** Softmax: the class probabilities of every row of {@code data} (raw), n × k. */
    public double[][] probabilities(Dataset data) {
        DescentException.require(objective == Objective.SOFTMAX, "only a softmax model gives class probabilities");
        double[][] out = margins(data);
        for (double[] row : out) Objective.softmax(row, classes());
        return out;
    }

    /** The most probable class of each row of a {@link #probabilities} result (the first on ties). */
    public static int[] argmax(double[][] probabilities) {
        int[] y = new int[probabilities.length];
        for (int i = 0; i < y.length; i++) {
            double[] p = probabilities[i];
            for (int c = 1; c < p.length; c++) if (p[c] > p[y[i]]) y[i] = c;
        }
        return y;
    }

    /** The margin x·w + b of a raw (unscaled) row. */
    public double margin(float[] row, int offset) {
        return margin(row, offset, 0);
    }

    /**
     * The model's output for every row of {@code data} (raw, as in the training file): the
     * predicted value for the regression losses (in the target's units), the probability of class 1
     * for logistic, the margin (decision function) for hinge, squared hinge, modified Huber and wave.
     * Dense or sparse rows (see {@link #margins(Dataset)}).
     */
    public double[] predict(Dataset data) {
        if (objective == Objective.SOFTMAX) {
            int[] y = argmax(probabilities(data));
            double[] out = new double[y.length];
            for (int i = 0; i < y.length; i++) out[i] = y[i];
            return out;
        }
        requireWidth(data);
        boolean whole = scaling != null && scaling.centres();
        double[] out = new double[data.n()], m = new double[1];
        for (int i = 0; i < out.length; i++) {
            margins(data, i, whole, m);
            out[i] = output(m[0]);
        }
        return out;
    }

    /** The output for a margin (see {@link #predict}). */
    public double output(double m) {
        return switch (objective) {
            case SQUARED, HUBER, EPSILON_INSENSITIVE -> scaling == null ? m : scaling.unscaleTarget(m);
            case LOGISTIC -> m >= 0 ? 1 / (1 + Math.exp(-m)) : Math.exp(m) / (1 + Math.exp(m));
            case WAVE, HINGE, SQUARED_HINGE, MODIFIED_HUBER -> m;
            case SOFTMAX -> throw new IllegalStateException("a softmax model has one margin per class: use probabilities");
        };
    }

    /** Whether the objective predicts a class 0/1 ({@link #label}). */
    public boolean classifies() { return objective.binaryLabels(); }

    /** The class of an {@link #output}: logistic, 1 when the probability is ≥ 0.5; the margin losses, 1 when the decision is &gt; 0 (as scikit-learn). */
    public int label(double output) {
        return objective == Objective.LOGISTIC ? (output >= 0.5 ? 1 : 0) : (output > 0 ? 1 : 0);
    }

    /** What {@link #output} is, as a CSV column name: prediction, probability or decision. */
    public String outputName() {
        return objective == Objective.LOGISTIC ? "probability" : classifies() ? "decision" : "prediction";
    }

    public void save(Path file) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("format", FORMAT);
        boolean multi = objective == Objective.SOFTMAX;
        o.put("version", multi ? 2 : 1);
        o.put("objective", objective.cliName());
        o.put("bias", bias);
        o.put("d", d());
        if (multi) {
            o.put("classes", classes());
            List<List<String>> w = new ArrayList<>();
            List<String> b = new ArrayList<>();
            for (int c = 0; c < classes(); c++) {
                List<String> row = new ArrayList<>();
                for (int j = 0; j < d(); j++) row.add(Float.toString(params.w(c, j)));
                w.add(row);
                b.add(Float.toString(params.b(c)));
            }
            o.put("weights", w);
            o.put("intercepts", b);
        } else {
            List<String> w = new ArrayList<>();
            for (int j = 0; j < d(); j++) w.add(Float.toString(params.w(j)));
            o.put("weights", w);
            o.put("intercept", Float.toString(params.b()));
        }
        if (features != null) o.put("features", features);
        if (target != null) o.put("target", target);
        if (scaling != null) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("mean", scaling.mean());
            st.put("std", scaling.std());
            if (scaling.scalesTarget()) {
                st.put("target_mean", scaling.targetMean());
                st.put("target_std", scaling.targetStd());
            }
            o.put("standardization", st);
        }
        Map<String, Object> t = new LinkedHashMap<>();
        trained.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> t.put(e.getKey(), e.getValue()));
        o.put("trained", t);
        AtomicFiles.write(file, Json.write(o) + "\n");
    }

    public static Model load(Path file) {
        String text;
        try {
            if (Files.isDirectory(file)) throw new DescentException("model " + file + " is a folder: give a model file written by --save-model");
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DescentException("model file " + file + " does not exist: check the path");
        } catch (java.nio.charset.MalformedInputException e) {
            throw notAModel(file, "it is not UTF-8 text");
        } catch (IOException e) {
            throw new DescentException("cannot read model file " + file + ": " + AtomicFiles.reason(e));
        }
        Node o;
        try {
            o = Json.parse(text);
        } catch (Json.Error e) {
            throw notAModel(file, "it is not valid JSON (line " + e.line + ")");
        }
        if (!o.isObject() || !FORMAT.equals(o.path("format").asText())) throw notAModel(file, "it has no \"format\": \"" + FORMAT + "\"");
        int version = o.path("version").asInt(-1);
        if (version > VERSION) {
            throw new DescentException("model " + file + " has format version " + version + ", this descent reads " + VERSION
                    + " and older: use the newer descent that wrote it");
        }
        if (version < 1) throw notAModel(file, "its \"version\" is missing");
        try {
            Objective obj = Objective.parse(o.path("objective").asText());
            int d = o.path("d").asInt(-1);
            Node w = o.path("weights");
            Params params;
            if (obj == Objective.SOFTMAX) {
                int k = o.path("classes").asInt(-1);
                Node bs = o.path("intercepts");
                if (k < 2 || d < 1 || !w.isArray() || w.size() != k || !bs.isArray() || bs.size() != k) {
                    throw notAModel(file, "a softmax model needs \"classes\" ≥ 2, \"weights\" as that many lists of \"d\" numbers and as many \"intercepts\"");
                }
                float[] packed = new float[k * (d + 1)];
                for (int c = 0; c < k; c++) {
                    Node row = w.get(c);
                    if (!row.isArray() || row.size() != d) throw notAModel(file, "\"weights\" of class " + c + " must hold \"d\" numbers");
                    for (int j = 0; j < d; j++) packed[c * (d + 1) + j] = number(file, row.get(j), "weight " + (j + 1) + " of class " + c);
                    packed[c * (d + 1) + d] = number(file, bs.get(c), "intercept of class " + c);
                }
                params = Params.ofPacked(packed, d, k);
            } else {
                if (d < 1 || !w.isArray() || w.size() != d) throw notAModel(file, "\"weights\" must hold \"d\" numbers");
                float[] wv = new float[d];
                for (int j = 0; j < d; j++) wv[j] = number(file, w.get(j), "weight " + (j + 1));
                params = new Params(wv, number(file, o.path("intercept"), "intercept"));
            }
            List<String> features = null;
            if (o.has("features")) {
                features = new ArrayList<>();
                for (Node f : o.path("features").elements()) features.add(f.asText());
            }
            Standardization sc = null;
            if (o.has("standardization")) {
                Node s = o.path("standardization");
                double[] mean = doubles(file, s.path("mean"), d, "standardization mean"), std = doubles(file, s.path("std"), d, "standardization std");
                boolean st = s.has("target_mean");
                sc = new Standardization(mean, std, st, st ? s.path("target_mean").asDouble() : 0, st ? s.path("target_std").asDouble() : 1);
            }
            Map<String, String> trained = new LinkedHashMap<>();
            o.path("trained").fields().forEach((k, v) -> trained.put(k, v.asText()));
            return new Model(obj, params, o.path("bias").asBoolean(true), sc, features,
                    o.has("target") ? o.path("target").asText() : null, trained);
        } catch (DescentException e) {
            if (e.getMessage().startsWith("model ")) throw e;
            throw notAModel(file, e.getMessage());
        }
    }

    private static float number(Path file, Node v, String what) {
        try {
            if (v == null || v.isMissing() || v.isNull()) throw new NumberFormatException();
            float f = Float.parseFloat(v.asText());
            if (!Float.isFinite(f)) throw new NumberFormatException();
            return f;
        } catch (NumberFormatException e) {
            throw notAModel(file, what + " is not a finite number");
        }
    }

    private static double[] doubles(Path file, Node a, int d, String what) {
        if (!a.isArray() || a.size() != d) throw notAModel(file, what + " must hold " + d + " numbers");
        double[] v = new double[d];
        for (int j = 0; j < d; j++) {
            if (!a.get(j).isNumber()) throw notAModel(file, what + " " + (j + 1) + " is not a number");
            v[j] = a.get(j).asDouble();
        }
        return v;
    }

    private static DescentException notAModel(Path file, String why) {
        return new DescentException("model " + file + " cannot be used: " + why + " (give a file written by descent train --save-model)");
    }
}
