package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.Batches;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Schedule;
import dev.descent.train.History;
import dev.descent.train.TrainConfig;
import dev.descent.train.Trainer;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** GD, mini-batch and SGD on one problem: loss vs examples seen and vs training time, and the time to a target loss. */
final class Convergence {
    private Convergence() {}

    static List<Report.Curve> measure(Backend b, String backend, Suite.Workload w, Dataset ds, int epochsPerRun, PrintWriter log) {
        List<Report.Curve> out = new ArrayList<>();
        Objective obj = Objective.parse(w.objective());
        boolean wave = obj == Objective.WAVE;
        // target: twice the noise floor σ²/2 for the regressions; none for the wave (its mean loss has no floor to reach)
        Double target = wave ? null : 2 * 0.01 * 0.01 / 2;
        Spec spec = BenchRunner.spec(w);
        try (Session s = b.open(ds, spec)) {
            for (int k = 0; k < w.batches().length; k++) {
                int batch = w.batches()[k] == 0 ? ds.n() : w.batches()[k];
                double lr = w.lrs()[k];
                int epochs = wave ? 1 : epochsPerRun;
                BatchOrder order = wave ? BatchOrder.IN_ORDER : BatchOrder.SHUFFLE;
                Params p0 = wave ? new Params(new float[] {-0.3f}, 0f) : Params.zeros(ds.d(), spec.heads());
                int nb = Batches.in(ds.n(), batch);
                int period = batch * Math.max(1, nb / 50);
                TrainConfig cfg = new TrainConfig(epochs, batch, lr, new Schedule.Constant(), order, period, BenchRunner.SEED);
                Trainer.Result r = Trainer.train(s, p0, cfg, w.name() + " batch " + batch, Trainer.Listener.NONE);
                List<double[]> pts = new ArrayList<>();
                Double tt = null;
                Long te = null;
                for (History.Point p : r.history().points()) {
                    pts.add(new double[] {p.examples(), p.seconds(), p.loss()});
                    if (target != null && tt == null && Double.isFinite(p.loss()) && p.loss() <= target) {
                        tt = p.seconds();
                        te = p.examples();
                    }
                }
                Report.Identity id = Report.Identity.of("convergence", w, backend, batch);
                double last = r.history().lastLoss();
                out.add(new Report.Curve(id.id(), id.kind(), id.workload(), id.objective(), id.backend(), id.n(), id.d(), id.batch(), lr,
                        epochs, target, tt, te, Double.isFinite(last) ? last : null, r.diverged(),
                        r.history().points().get(r.history().points().size() - 1).seconds(), pts));
                log.printf(Locale.ROOT, "[bench] %-8s %-18s batch %-8d final loss %.4e, %s%n", backend, w.name(), batch, last,
                        target == null ? "no target" : tt == null ? "target not reached"
                                : String.format(Locale.ROOT, "target %.1e in %.3g s", target, tt));
            }
        }
        return out;
    }
}
