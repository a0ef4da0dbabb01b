package dev.descent.tribuo;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import dev.descent.DescentException;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.optim.Optimizer;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A Tribuo {@code Trainer<Label>} whose training runs on a descent backend: logistic regression for two
 * labels, multinomial logistic (softmax) for 3 to 64. It returns Tribuo's own {@link LinearSGDModel}
 * (softmax-normalized scores, as Tribuo's log-multiclass objective gives): with two labels the first
 * label's row is 0 and the second's holds descent's weights, so the second label's probability is the
 * logistic model's σ(w·x + b). The trainer provenance records descent's backend, optimizer and learning
 * rate, the run provenance the device that trained.
 *
 * Not supported, refused in one line: a single label, more than 64 labels, a negative example weight.
 */
public class DescentLabelTrainer extends LinearSGDTrainer {
    @Config(description = "The descent backend that trains: auto, cpu, opencl, cuda or ref (as Backends.open takes it).")
    private String backend = "auto";

    @Config(description = "The descent optimizer, as `descent train --optimizer` takes it: sgd, momentum:0.9, nesterov:0.9, adam, …")
    private String descentOptimizer = "sgd";

    @Config(description = "The (constant) learning rate.")
    private double learningRate = 0.01;

    /** See {@link DescentRegressionTrainer#DescentRegressionTrainer}: the same settings. */
    public DescentLabelTrainer(String backend, String optimizer, double lr, int epochs, int batchSize, long seed) {
        super(new LogMulticlass(), SGD.getSimpleSGD(lr), epochs, Math.max(1, epochs), batchSize, seed);
        DescentFit.check(backend, optimizer, lr, epochs, batchSize);
        this.backend = backend;
        this.descentOptimizer = optimizer;
        this.learningRate = lr;
    }

    @Override
    public LinearSGDModel train(org.tribuo.Dataset<Label> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        ImmutableOutputInfo<Label> info = examples.getOutputIDInfo();
        int k = info.size();
        DescentException.require(k >= 2, "the dataset has " + k + " label(s): a classifier needs at least 2");
        DescentException.require(k <= Objective.MAX_CLASSES, "descent's softmax takes at most " + Objective.MAX_CLASSES
                + " classes, but the dataset has " + k + " labels");
        if (invocationCount != INCREMENT_INVOCATION_COUNT) setInvocationCount(invocationCount);
        TrainerProvenance trainerProvenance = getProvenance();
        setInvocationCount(getInvocationCount() + 1);
        Dataset ds = DescentFit.rows(examples, e -> info.getID(e.getOutput()));
        Optimizer opt = DescentFit.check(backend, descentOptimizer, learningRate, epochs, minibatchSize);
        Spec spec = k == 2 ? new Spec(Objective.LOGISTIC, true, opt) : Spec.softmax(k, true, opt);
        DescentFit.Trained t = DescentFit.train(ds, spec, backend, learningRate, epochs, minibatchSize, seed, shuffle);
        int[] rows = new int[spec.heads()];
        if (k == 2) rows[0] = 1;                           // logistic: label id 1 is the positive class
        else for (int h = 0; h < k; h++) rows[h] = h;      // softmax: head h is label id h
        ModelProvenance provenance = new ModelProvenance(LinearSGDModel.class.getName(), OffsetDateTime.now(), examples.getProvenance(),
                trainerProvenance, DescentFit.runProvenance(runProvenance, t));
        return createModel(k == 2 ? "descent-logistic-regression" : "descent-softmax-regression", provenance, examples.getFeatureIDMap(), info,
                DescentFit.parameters(t.packed(), ds.d(), k, rows));
    }

    @Override
    public String toString() {
        return "DescentLabelTrainer(backend=" + backend + ",optimizer=" + descentOptimizer + ",lr=" + learningRate + ",epochs=" + epochs
                + ",batchSize=" + minibatchSize + ",seed=" + seed + ")";
    }
}
