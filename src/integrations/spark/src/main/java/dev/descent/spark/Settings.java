package dev.descent.spark;

import dev.descent.backend.Spec;
import dev.descent.model.Objective;
import dev.descent.optim.Optimizer;

import java.io.Serializable;

/**
 * What the executors need to open a partition's session, as strings that travel with the tasks:
 * the descent backend (auto, cpu, opencl, cuda, ref), the objective (as `descent train --objective`
 * takes it: squared, logistic, hinge, …), whether the model has a bias, and the optimizer (sgd,
 * momentum:0.9, adam, …; used by local SGD's runs on the partitions).
 */
public record Settings(String backend, String objective, boolean bias, String optimizer) implements Serializable {
    public Settings {
        dev.descent.DescentException.require(backend != null && !backend.isBlank(), "the descent backend is empty: give auto, cpu, opencl, cuda or ref");
        spec(objective, bias, optimizer);                  // one line now, on the driver, rather than in a task
    }

    /** Squared loss with a bias, plain SGD. */
    public static Settings of(String backend, String objective) {
        return new Settings(backend, objective, true, "sgd");
    }

    Spec spec() {
        return spec(objective, bias, optimizer);
    }

    private static Spec spec(String objective, boolean bias, String optimizer) {
        Objective o = Objective.parse(objective);
        dev.descent.DescentException.require(!o.multiclass(), "the Spark trainer fits one-output models; softmax is not supported here yet");
        return new Spec(o, Objective.parseParam(objective), bias, Optimizer.parse(optimizer));   // huber:0.5 keeps its 0.5
    }
}
