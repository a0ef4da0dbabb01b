package dev.descent.jmh;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.Streaming;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.data.Generators;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;

import java.util.Locale;

/**
 * Streaming through one slot against two at equal chunk rows (README, "Two slots"): synthetic dense
 * logistic rows, one session resident in chunks, one streamed through one slot and one through two under
 * a cap of three chunks; per session an epoch of mini-batch SGD (Session.run), the full gradient (mean of
 * 5) and the full-data loss of the run's records. Each line names the session's residency; the first
 * weight after the epoch must be the same on all three (same chunk rows, same bits).
 *
 * <pre>java -cp target/descent-*.jar:target/lib/*:bench/target/classes dev.descent.jmh.StreamSlotsBench [backend] [rows] [features] [chunk] [batch] [reps]</pre>
 * (defaults opencl 400000 64 25000 64 3; under PoCL preload libjsig as ./descent does).
 */
public final class StreamSlotsBench {
    private StreamSlotsBench() {}

    public static void main(String[] args) {
        String backend = args.length > 0 ? args[0] : "opencl";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 400_000, d = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int chunk = args.length > 3 ? Integer.parseInt(args[3]) : 25_000, batch = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        Dataset ds = Generators.classification(n, d, 0.1, 1);
        Spec spec = new Spec(Objective.LOGISTIC, true, Optimizer.SGD);
        long cap = 3L * chunk * (4L * d + 4);
        try (Backend dev = Backends.open(backend)) {
            System.out.println("device: " + dev.name() + " (" + dev.device() + ")");
            for (int rep = 0; rep < reps; rep++) {
                for (Streaming st : new Streaming[] {Streaming.chunks(chunk), new Streaming(cap, chunk, 1), new Streaming(cap, chunk, 2)}) {
                    try (Session s = dev.open(ds, spec, st)) {
                        s.setOrder(BatchOrder.SHUFFLE.order(n, 1, 1));
                        s.setParams(Params.zeros(d));
                        long t0 = System.nanoTime();
                        RunResult r = s.run(new Run(batch, 0, n / batch, Rate.constant(0.1), n / batch));
                        double epoch = (System.nanoTime() - t0) / 1e9;
                        float w0 = s.params().packed()[0];
                        t0 = System.nanoTime();
                        for (int k = 0; k < 5; k++) s.gradient(0, n, false);
                        double grad = (System.nanoTime() - t0) / 5e9;
                        t0 = System.nanoTime();
                        s.losses(r.snapshots(), r.records());
                        double loss = (System.nanoTime() - t0) / 1e9;
                        System.out.printf(Locale.ROOT, "RESULT epoch=%.4f gradient=%.4f loss=%.4f w0=%s rows=\"%s\"%n", epoch, grad, loss, w0, s.residency());
                    }
                }
            }
        }
    }
}
