package dev.descent.backend;

import dev.descent.DescentException;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Standardization;
import dev.descent.model.Model;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import dev.descent.train.Checkpoint;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java API's part of the bad-input catalogue: each call with a bad value throws a
 * {@link DescentException} (never another exception type), whose message is one line, names the
 * value, and carries no Java exception name. Runs on the CPU backend, which every machine has.
 */
class ApiBadInputCatalogueTest {
    @TempDir
    static Path dir;

    private static final Dataset DS = new Dataset("tiny", new float[] {1, 2, 3, 4, 5, 6}, new float[] {1, 0, 1}, 3, 2);

    private static Named<Executable> c(String name, Executable e) {
        return Named.of(name, e);
    }

    private static Session session() {
        Backend b = Backends.open("cpu");
        return b.open(DS, Spec.of(Objective.SQUARED));
    }

    static Stream<Named<Executable>> cases() {
        return Stream.of(
                c("dataset with a NaN feature", () -> new Dataset("d", new float[] {1, Float.NaN}, null, 1, 2)),
                c("dataset with an infinite target", () -> new Dataset("d", new float[] {1, 2}, new float[] {Float.POSITIVE_INFINITY}, 1, 2)),
                c("dataset shape mismatch", () -> new Dataset("d", new float[] {1, 2, 3}, null, 2, 2)),
                c("dataset with no rows", () -> new Dataset("d", new float[0], null, 0, 2)),
                c("dataset too large for one array", () -> new Dataset("d", new float[0], null, 1 << 20, 1 << 12)),
                c("unknown backend", () -> Backends.open("tpu")),
                c("parameters of the wrong width", () -> { try (Session s = session()) { s.setParams(Params.zeros(5)); } }),
                c("batch order with a row outside the data", () -> { try (Session s = session()) { s.setOrder(new int[] {0, 3}); } }),
                c("empty batch order", () -> { try (Session s = session()) { s.setOrder(new int[0]); } }),
                c("gradient batch outside the order", () -> {
                    try (Session s = session()) {
                        s.setOrder(new int[] {0, 1, 2});
                        s.gradient(2, 5, false);
                    }
                }),
                c("step with a negative learning rate", () -> {
                    try (Session s = session()) {
                        s.setOrder(new int[] {0, 1, 2});
                        s.step(0, 1, -0.1);
                    }
                }),
                c("saved state of the wrong length", () -> { try (Session s = session()) { s.restoreState(new double[3]); } }),
                c("saved state with a NaN", () -> { try (Session s = session()) { s.restoreState(new double[] {0, Double.NaN, 0, 0}); } }),
                c("saved state with a fractional update count", () -> { try (Session s = session()) { s.restoreState(new double[] {0, 0, 0, 0.5}); } }),
                c("adam with β1 = 1", () -> dev.descent.optim.Optimizer.adam(1, 0.999, 1e-8)),
                c("adam with a negative β2", () -> dev.descent.optim.Optimizer.adam(0.9, -0.5, 1e-8)),
                c("adagrad with ε = 0", () -> dev.descent.optim.Optimizer.adagrad(0)),
                c("rmsprop with α = 1", () -> dev.descent.optim.Optimizer.rmsprop(1, 0, 1e-8, false)),
                c("snapshots shorter than their count", () -> { try (Session s = session()) { s.losses(new float[2], 2); } }),
                c("run with batch size 0", () -> new Run(0, 0, 1, Schedule.parse("constant").rate(0.1, 1, 1), 1)),
                c("train config with 0 epochs", () -> new TrainConfig(0, 1, 0.1, Schedule.parse("constant"), BatchOrder.SHUFFLE, 0, 1)),
                c("train config with a batch larger than the data", () -> {
                    try (Session s = session()) {
                        Trainer.train(s, Params.zeros(2), new TrainConfig(1, 9, 0.1, Schedule.parse("constant"), BatchOrder.SHUFFLE, 0, 1),
                                "t", Trainer.Listener.NONE);
                    }
                }),
                c("momentum of 1", () -> Optimizer.momentum(1)),
                c("unknown schedule", () -> Schedule.parse("cosine")),
                c("logistic labels that are not 0/1", () -> Spec.of(Objective.LOGISTIC).check(new Dataset("d", new float[] {1}, new float[] {0.5f}, 1, 1))),
                c("standardization with a zero std", () -> new Standardization(new double[] {0}, new double[] {0}, false, 0, 1)),
                c("model with non-finite weights", () -> new Model(Objective.SQUARED, new Params(new float[] {Float.NaN}, 0), true, null, null, null, null)),
                c("model applied to data of another width", () -> new Model(Objective.SQUARED, Params.zeros(3), true, null, null, null, null).predict(DS)),
                c("model file that is not JSON", () -> {
                    Path f = dir.resolve("m.json");
                    Files.writeString(f, "{ not json");
                    Model.load(f);
                }),
                c("checkpoint file that is not one", () -> {
                    Path f = dir.resolve("c.ckpt");
                    Files.writeString(f, "hello");
                    Checkpoint.read(f);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void throwsOneDescentLine(Executable call) {
        Throwable t = assertThrows(Throwable.class, call);
        assertTrue(t instanceof DescentException, () -> "not a DescentException: " + t);
        String m = t.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertFalse(m.matches(".*(Exception|java\\.|For input string).*"), "no Java exception name: " + m);
    }
}
