package dev.descent.optim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.Backend;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.TestBackends;
import dev.descent.backend.ref.RefBackend;
import dev.descent.data.BatchOrder;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Table;
import dev.descent.model.Model;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The multiclass example of the README on real data: scikit-learn's copy of the UCI optical
 * digits (bench/data, written by bench/peers/digits.py with a stratified 75/25 split), softmax
 * regression over the 10 classes against scikit-learn's {@code SGDClassifier(loss='log_loss')}
 * on the same split and the same standardization (fixture {@code sklearn-digits.json}: its test
 * accuracy for ten seeds, and that of the exact multinomial optimum, LogisticRegression).
 *
 * <p>descent must reach at least the worst of scikit-learn's ten seeds on every backend. The
 * float backends must also agree with the double reference to within 1% of the test rows (4 of
 * 450): their trajectories differ by rounding only, which can move a few rows that lie near a
 * class boundary.
 */
class DigitsSoftmaxTest {
    static final Path TRAIN = Path.of("bench/data/digits-train.csv"), TEST = Path.of("bench/data/digits-test.csv");
    /** The README's command: descent train ... --objective softmax --standardize --init zeros --lr 0.1 --batch 32 --epochs 20 */
    static final TrainConfig CONFIG = new TrainConfig(20, 32, 0.1, new dev.descent.optim.Schedule.Constant(), BatchOrder.SHUFFLE, 0, 42);
    private static double refAccuracy = Double.NaN;

    static Stream<String> backends() {
        List<String> b = new ArrayList<>(List.of("ref"));
        b.addAll(TestBackends.deviceBackends());
        return b.stream();
    }

    static JsonNode sklearn() throws IOException {
        try (InputStream in = DigitsSoftmaxTest.class.getResourceAsStream("sklearn-digits.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Test accuracy of softmax trained on {@code backend} with the README's settings. */
    static double accuracy(String backend) {
        Table train = Csv.table(TRAIN, new Csv.Target("label")).standardized(false);
        Dataset test = Csv.table(TEST, new Csv.Target("label")).data();
        Dataset ds = train.data();
        Spec spec = Spec.softmax(10, true, Optimizer.SGD);
        try (Backend b = backend.equals("ref") ? new RefBackend() : TestBackends.open(backend); Session s = b.open(ds, spec)) {
            Trainer.Result r = Trainer.train(s, Params.zeros(ds.d(), 10), CONFIG, "digits", Trainer.Listener.NONE);
            assertFalse(r.diverged(), backend + " diverged");
            Model m = new Model(Objective.SOFTMAX, r.params(), true, train.scaling(), train.features(), "label", Map.of());
            double[] y = m.predict(test);
            int right = 0;
            for (int i = 0; i < y.length; i++) if (y[i] == test.t(i)) right++;
            return (double) right / y.length;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void softmaxReachesScikitLearnsAccuracyOnTheDigits(String backend) throws IOException {
        JsonNode f = sklearn();
        double acc = accuracy(backend);
        double worst = f.get("accuracy_min").asDouble(), mean = f.get("accuracy_mean").asDouble();
        System.out.printf(Locale.ROOT, "[digits] %s: softmax test accuracy %.4f; scikit-learn SGDClassifier(log_loss) %.4f (seeds 0-9: %.4f..%.4f), "
                + "LogisticRegression(multinomial) %.4f%n", backend, acc, mean, worst, f.get("accuracy_max").asDouble(),
                f.get("multinomial_accuracy").asDouble());
        assertTrue(acc >= worst, backend + ": test accuracy " + acc + " is below scikit-learn's worst seed " + worst);
        if (backend.equals("ref")) {
            refAccuracy = acc;
        } else {
            if (Double.isNaN(refAccuracy)) refAccuracy = accuracy("ref");
            assertEquals(refAccuracy, acc, 0.01, backend + " against the reference");
        }
    }
}
