package dev.descent.tribuo;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import dev.descent.DescentException;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Batches;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Output;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.SparseVector;
import org.tribuo.math.la.VectorTuple;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What both trainers share: Tribuo's examples as a descent dataset, the training loop on a descent
 * session, and the trained weights as Tribuo's {@link LinearParameters} (one row per output, the bias
 * last: the layout of Tribuo's linear models, and of descent's packed parameters).
 */
final class DescentFit {
    private DescentFit() {}

    /** Rows at least this dense (and at most 2²⁷ values) go to descent as dense rows; sparser ones stay CSR. */
    static final double DENSE_AT = 0.25;

    /** The trained parameters (packed head by head) and the backend and device that trained them. */
    record Trained(float[] packed, String backend, String device) {}

    /**
     * The examples as descent rows, columns in the order of Tribuo's feature ids, values in float32 (descent's
     * precision), targets from {@code target}, and Tribuo's example weights as descent's ({@link Dataset#withWeights}:
     * a row's loss and gradient times its weight) when any is not 1; a negative or non-finite one is refused in one line.
     */
    static <T extends Output<T>> Dataset rows(org.tribuo.Dataset<T> examples, ToDoubleFunction<Example<T>> target) {
        ImmutableFeatureMap fmap = examples.getFeatureIDMap();
        int n = examples.size(), d = fmap.size();
        DescentException.require(n >= 1, "the Tribuo dataset has no examples: give at least one");
        DescentException.require(d >= 1, "the Tribuo dataset's examples have no features: give at least one");
        long[] off = new long[n + 1];
        int[] cols = new int[Math.max(16, n)];
        float[] vals = new float[cols.length];
        float[] t = new float[n], weights = new float[n];
        boolean weighted = false;
        int i = 0, at = 0;
        for (Example<T> e : examples) {
            weights[i] = e.getWeight();
            weighted |= e.getWeight() != 1f;
            SparseVector v = SparseVector.createSparseVector(e, fmap, false);
            if (at + v.numActiveElements() > cols.length) {
                int grow = Math.max(at + v.numActiveElements(), cols.length * 2);
                cols = Arrays.copyOf(cols, grow);
                vals = Arrays.copyOf(vals, grow);
            }
            for (VectorTuple x : v) {
                float f = (float) x.value;
                if (!Float.isFinite(f)) {
                    throw new DescentException("example " + i + " feature " + fmap.get(x.index).getName() + " has the value " + x.value
                            + ", which is not finite in float32: descent trains on finite values");
                }
                cols[at] = x.index;
                vals[at++] = f;
            }
            off[i + 1] = at;
            t[i++] = (float) target.applyAsDouble(e);
        }
        Dataset sparse = Dataset.sparse(new SparseRows("tribuo(" + n + "x" + d + ")", off, Arrays.copyOf(cols, at), Arrays.copyOf(vals, at), t, n, d))
                .withWeights(weighted ? weights : null);
        boolean dense = (double) at / ((double) n * d) >= DENSE_AT && (long) n * d <= 1L << 27;
        return dense ? sparse.dense() : sparse;
    }

    /**
     * Trains from zero: {@code epochs} epochs of batches of {@code batch} rows (rows shuffled per epoch from
     * {@code seed}, or in order), constant learning rate. A run whose parameters become non-finite stops with
     * one line that names the epoch.
     */
    static Trained train(Dataset ds, Spec spec, String backend, double lr, int epochs, int batch, long seed, boolean shuffle) {
        try (Backend b = Backends.open(backend); Session s = b.open(ds, spec)) {
            int heads = spec.heads(), d = ds.d();
            s.setParams(Params.ofPacked(new float[heads * (d + 1)], d, heads));
            s.resetState();
            int bs = Math.min(batch, ds.n());
            for (int e = 1; e <= epochs; e++) {
                s.setOrder((shuffle ? BatchOrder.SHUFFLE : BatchOrder.IN_ORDER).order(ds.n(), e, seed));
                RunResult r = s.run(new Run(bs, 0, Batches.in(ds.n(), bs), Rate.constant(lr), Integer.MAX_VALUE));
                if (r.diverged()) {
                    throw new DescentException("training diverged in epoch " + e + " (a parameter became non-finite): lower the learning rate ("
                            + lr + ")");
                }
            }
            return new Trained(s.params().packed(), b.name(), b.device());
        }
    }

    /** Tribuo's parameters: {@code rows} outputs × (d + 1), head h's weights and bias in row {@code rowOfHead[h]}, other rows 0. */
    static LinearParameters parameters(float[] packed, int d, int rows, int[] rowOfHead) {
        DenseMatrix w = new DenseMatrix(rows, d + 1);
        for (int h = 0; h < rowOfHead.length; h++) {
            for (int j = 0; j <= d; j++) w.set(rowOfHead[h], j, packed[h * (d + 1) + j]);
        }
        return new LinearParameters(w);
    }

    /** The run provenance Tribuo keeps with the model, with the descent backend and device that trained it. */
    static Map<String, Provenance> runProvenance(Map<String, Provenance> given, Trained t) {
        Map<String, Provenance> m = new HashMap<>(given);
        m.put("descent-backend", new StringProvenance("descent-backend", t.backend()));
        m.put("descent-device", new StringProvenance("descent-device", t.device()));
        return m;
    }

    /** Checks the settings both trainers take, in one line each. */
    static Optimizer check(String backend, String optimizer, double lr, int epochs, int batch) {
        DescentException.require(backend != null && !backend.isBlank(), "the descent backend is empty: give auto, cpu, opencl, cuda or ref");
        DescentException.requirePositive("learning rate", lr);
        DescentException.require(epochs >= 1, "epochs must be ≥ 1 (got " + epochs + ")");
        DescentException.require(batch >= 1, "the batch size must be ≥ 1 (got " + batch + ")");
        return Optimizer.parse(optimizer);
    }
}
