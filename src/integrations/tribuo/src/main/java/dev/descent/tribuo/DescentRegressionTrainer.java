package dev.descent.tribuo;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import dev.descent.DescentException;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.math.optimisers.SGD;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.linear.LinearSGDModel;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * A Tribuo {@code Trainer<Regressor>} whose training runs on a descent backend: linear regression, squared
 * loss, one output dimension. It returns Tribuo's own {@link LinearSGDModel}, so Tribuo's evaluation,
 * serialization and provenance work on it unchanged; the trainer provenance records descent's backend,
 * optimizer and learning rate, the run provenance the device that trained.
 *
 * <pre>{@code
 * var trainer = new DescentRegressionTrainer("auto", "sgd", 0.01, 5, 32, 42);
 * LinearSGDModel model = trainer.train(tribuoDataset);
 * }</pre>
 *
 * Not supported, refused in one line: more than one output dimension, a negative example weight.
 */
public class DescentRegressionTrainer extends LinearSGDTrainer {
    @Config(description = "The descent backend that trains: auto, cpu, opencl, cuda or ref (as Backends.open takes it).")
    private String backend = "auto";

    @Config(description = "The descent optimizer, as `descent train --optimizer` takes it: sgd, momentum:0.9, nesterov:0.9, adam, …")
    private String descentOptimizer = "sgd";

    @Config(description = "The (constant) learning rate.")
    private double learningRate = 0.01;

    /**
     * @param backend   descent backend (auto, cpu, opencl, cuda, ref)
     * @param optimizer descent optimizer (sgd, momentum:0.9, adam, …)
     * @param lr        constant learning rate
     * @param epochs    passes over the data
     * @param batchSize rows per step (1: SGD; the dataset's size: full-batch GD)
     * @param seed      the batch orders' seed (rows are shuffled per epoch)
     */
    public DescentRegressionTrainer(String backend, String optimizer, double lr, int epochs, int batchSize, long seed) {
        // Tribuo's own optimiser and objective stay as a plain-SGD description for its provenance; descent's fields above decide
        super(new SquaredLoss(), SGD.getSimpleSGD(lr), epochs, Math.max(1, epochs), batchSize, seed);
        DescentFit.check(backend, optimizer, lr, epochs, batchSize);
        this.backend = backend;
        this.descentOptimizer = optimizer;
        this.learningRate = lr;
    }

    @Override
    public LinearSGDModel train(org.tribuo.Dataset<Regressor> examples, Map<String, Provenance> runProvenance, int invocationCount) {
        ImmutableOutputInfo<Regressor> info = examples.getOutputIDInfo();
        DescentException.require(info.size() == 1, "descent fits one regression output, but this dataset's targets have " + info.size()
                + " dimensions: train one model per dimension");
        if (invocationCount != INCREMENT_INVOCATION_COUNT) setInvocationCount(invocationCount);
        TrainerProvenance trainerProvenance = getProvenance();
        setInvocationCount(getInvocationCount() + 1);
        Dataset ds = DescentFit.rows(examples, e -> e.getOutput().getValues()[0]);
        Spec spec = new Spec(Objective.SQUARED, true, DescentFit.check(backend, descentOptimizer, learningRate, epochs, minibatchSize));
        DescentFit.Trained t = DescentFit.train(ds, spec, backend, learningRate, epochs, minibatchSize, seed, shuffle);
        ModelProvenance provenance = new ModelProvenance(LinearSGDModel.class.getName(), OffsetDateTime.now(), examples.getProvenance(),
                trainerProvenance, DescentFit.runProvenance(runProvenance, t));
        return createModel("descent-linear-regression", provenance, examples.getFeatureIDMap(), info,
                DescentFit.parameters(t.packed(), ds.d(), 1, new int[] {0}));
    }

    @Override
    public String toString() {
        return "DescentRegressionTrainer(backend=" + backend + ",optimizer=" + descentOptimizer + ",lr=" + learningRate + ",epochs=" + epochs
                + ",batchSize=" + minibatchSize + ",seed=" + seed + ")";
    }
}
