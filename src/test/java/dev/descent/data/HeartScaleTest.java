package dev.descent.data;

import dev.descent.backend.Backend;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.ref.RefBackend;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Schedule;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * heart_scale (270 rows, 13 features scaled to [−1, 1], labels ±1), the small real LIBSVM file
 * Debian's liblinear-tools ships, with liblinear itself as the peer: {@code liblinear-train -s 0}
 * (L2-regularized logistic regression, C = 1, no bias) and {@code liblinear-predict} on the same
 * file. descent reads the file, takes ±1 as 0/1, and minimizes the same objective divided by C·n
 * (mean log loss + (λ/2)‖w‖², λ = 1/(C·n), no bias) by full-batch gradient descent on the CPU
 * reference. Both optima are the same point, so: descent's objective is at most liblinear's
 * (which stops at its default tolerance) plus 1e-4 relative, and the training accuracies agree
 * to within 2 rows of 270; the same GD on the rows kept sparse reaches the same objective. Skips, saying why, where liblinear-tools is absent
 * ({@code apt-get install liblinear-tools}; .ci/run installs it).
 */
class HeartScaleTest {
    static final Path HEART_SCALE = Path.of("/usr/share/doc/liblinear-tools/examples/heart_scale");
    static final Path TRAIN = Path.of("/usr/bin/liblinear-train"), PREDICT = Path.of("/usr/bin/liblinear-predict");
    /** GD steps: enough for the gradient norm to fall well below liblinear's stopping point. */
    static final int STEPS = 3000;

    @TempDir
    Path dir;

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    /** Mean log loss + (λ/2)‖w‖² at w (no bias), in double; labels 0/1. */
    static double objective(Dataset ds, double[] w, double lambda) {
        double sum = 0, ww = 0;
        for (int i = 0; i < ds.n(); i++) {
            double m = 0;
            for (int j = 0; j < ds.d(); j++) m += w[j] * ds.x(i, j);
            double z = ds.t(i) == 1 ? -m : m;                        // log(1 + e^z), z = −y·m with y = ±1
            sum += z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
        }
        for (double v : w) ww += v * v;
        return sum / ds.n() + lambda / 2 * ww;
    }

    static int right(Dataset ds, double[] w) {
        int right = 0;
        for (int i = 0; i < ds.n(); i++) {
            double m = 0;
            for (int j = 0; j < ds.d(); j++) m += w[j] * ds.x(i, j);
            if ((m > 0 ? 1 : 0) == ds.t(i)) right++;
        }
        return right;
    }

    @Test
    void logisticOnHeartScaleMatchesLiblinearsObjectiveAndAccuracy() throws IOException, InterruptedException {
        assumeTrue(Files.isReadable(HEART_SCALE) && Files.isExecutable(TRAIN) && Files.isExecutable(PREDICT),
                "liblinear-tools is not installed (no " + HEART_SCALE + " or " + TRAIN + "): apt-get install liblinear-tools");
        SparseRows rows = Libsvm.read(HEART_SCALE).withZeroOneLabels();
        Dataset ds = rows.toDense();
        assertEquals(270, ds.n());
        assertEquals(13, ds.d());
        double lambda = 1.0 / ds.n();                               // C = 1

        // liblinear: its weights (for the first label it lists) and its own training accuracy
        run(dir, TRAIN.toString(), "-s", "0", HEART_SCALE.toString(), "model");
        String said = run(dir, PREDICT.toString(), HEART_SCALE.toString(), "model", "out");
        Matcher acc = Pattern.compile("Accuracy = [0-9.]+% \\((\\d+)/(\\d+)\\)").matcher(said);
        assertTrue(acc.find(), "liblinear-predict said: " + said);
        int liblinearRight = Integer.parseInt(acc.group(1));
        List<String> model = Files.readAllLines(dir.resolve("model"));
        boolean firstIsPlus = model.stream().filter(l -> l.startsWith("label ")).findFirst().orElseThrow().split(" ")[1].equals("1");
        List<Double> wl = new ArrayList<>();
        for (int i = model.indexOf("w") + 1; i < model.size(); i++) wl.add(Double.parseDouble(model.get(i).trim()) * (firstIsPlus ? 1 : -1));
        double[] wLiblinear = wl.stream().mapToDouble(Double::doubleValue).toArray();
        assertEquals(13, wLiblinear.length);
        assertEquals(liblinearRight, right(ds, wLiblinear), "liblinear's weights against its own accuracy");

        // descent: the same objective by full-batch GD on the CPU reference
        Spec spec = new Spec(Objective.LOGISTIC, false, Optimizer.SGD.withWeightDecay(lambda, false));
        TrainConfig cfg = new TrainConfig(STEPS, ds.n(), 1.0, new Schedule.Constant(), BatchOrder.IN_ORDER, ds.n(), 1);
        Params p;
        try (Backend b = new RefBackend(); Session s = b.open(ds, spec)) {
            Trainer.Result r = Trainer.train(s, Params.zeros(ds.d()), cfg, "heart_scale", Trainer.Listener.NONE);
            assertFalse(r.diverged(), "descent diverged on heart_scale");
            p = r.params();
        }
        double[] wDescent = new double[ds.d()];
        for (int j = 0; j < ds.d(); j++) wDescent[j] = p.w()[j];
        double fDescent = objective(ds, wDescent, lambda), fLiblinear = objective(ds, wLiblinear, lambda);

        // the same GD on the rows kept sparse (as descent train reads a LIBSVM file): the same optimum
        Params ps;
        try (Backend b = new RefBackend(); Session s = b.open(Dataset.sparse(rows), spec)) {
            ps = Trainer.train(s, Params.zeros(ds.d()), cfg, "heart_scale sparse", Trainer.Listener.NONE).params();
        }
        double[] wSparse = new double[ds.d()];
        for (int j = 0; j < ds.d(); j++) wSparse[j] = ps.w()[j];
        assertEquals(fDescent, objective(ds, wSparse, lambda), 1e-7 * fDescent, "sparse and dense rows reach different objectives");
        int descentRight = right(ds, wDescent);
        System.out.printf(Locale.ROOT, "[heart_scale] descent (GD, %d steps): objective %.8f, training accuracy %.4f (%d/270); "
                + "liblinear -s 0: objective %.8f, training accuracy %.4f (%d/270)%n", STEPS, fDescent, descentRight / 270.0,
                descentRight, fLiblinear, liblinearRight / 270.0, liblinearRight);
        assertTrue(fDescent <= fLiblinear * (1 + 1e-4), "descent's objective " + fDescent + " above liblinear's " + fLiblinear);
        assertTrue(Math.abs(descentRight - liblinearRight) <= 2,
                "training accuracy: descent " + descentRight + "/270, liblinear " + liblinearRight + "/270");
    }
}
