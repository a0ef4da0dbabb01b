package dev.descent.sweep;

import dev.descent.backend.Backend;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.backend.spi.LaneRunner;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sweep's sessions on a device backend. The first, opened with the first configuration's
 * optimizer, runs the lane launches ({@link LaneRunner}: every optimizer in one launch) and every
 * loss evaluation; a group the device has no lane kernel for trains its models one after another,
 * each on a session of its own optimizer (a session's spec fixes one), opened when first needed —
 * so the rows are on the device once per optimizer in use on that path. Closing closes them all.
 */
final class Sessions implements AutoCloseable {
    private final Backend backend;
    private final Dataset data;
    private final Objective objective;
    private final double lossParam;
    private final boolean bias;
    private final Optimizer first;
    private final Map<Optimizer, Session> byOptimizer = new LinkedHashMap<>();
    private final Map<Session, int[]> orderOf = new IdentityHashMap<>();

    Sessions(Backend backend, Dataset data, Objective objective, double lossParam, boolean bias, Optimizer first) {
        this.backend = backend;
        this.data = data;
        this.objective = objective;
        this.lossParam = lossParam;
        this.bias = bias;
        this.first = first;
        session(first);                                   // fails here, in one line, if the device cannot hold the rows
    }

    private Session session(Optimizer o) {
        return byOptimizer.computeIfAbsent(o, k -> backend.open(data, new Spec(objective, lossParam, bias, k)));
    }

    /** The backend's name and device, for the report. */
    String describe() {
        return backend.name() + " on " + backend.device();
    }

    /** A model's state before its first step, as a session with optimizer o holds it after setParams(init) and resetState. */
    static double[] fresh(Optimizer o, Params init) {
        float[] p = init.packed();
        int np = p.length;
        double[] s = new double[np * (1 + o.slots()) + 1];
        for (int j = 0; j < np; j++) s[j] = p[j];
        if (o.average()) for (int j = 0; j < np; j++) s[np * (1 + o.averageSlot()) + j] = p[j];   // the average starts at the iterate
        return s;
    }

    /** Whether the device has a lane launch for a group of this batch size. */
    boolean lanesFit(int bs) {
        return session(first) instanceof LaneRunner r && r.lanesFit(bs);
    }

    /** Whether the device runs {@code models} models of a group of this batch size in one lane launch (else one after another). */
    boolean lanesFit(int bs, int models) {
        return session(first) instanceof LaneRunner r && r.lanesFit(bs) && models >= r.lanesFrom(bs);
    }

    /** The fewest models the lane launch takes at this batch size (where there is one). */
    int lanesFrom(int bs) {
        return session(first) instanceof LaneRunner r ? r.lanesFrom(bs) : Integer.MAX_VALUE;
    }

    /** How the lanes of this batch size are launched and laid out, in words. */
    String lanesShape(int bs) {
        return session(first) instanceof LaneRunner r ? r.lanesShape(bs) : "";
    }

    private Session ordered(Session s, int[] rows) {
        if (orderOf.get(s) != rows) {
            s.setOrder(rows);
            orderOf.put(s, rows);
        }
        return s;
    }

    RunResult[] runLanes(int[] rows, int bs, int batches, int every, Optimizer[] opts, Rate[] rates, double[][] states) {
        return ((LaneRunner) ordered(session(first), rows)).runLanes(bs, batches, every, opts, rates, states);
    }

    /** One model's run on a session of its optimizer, from {@code state}, which is then overwritten with the state after it. */
    RunResult runAlone(Optimizer o, int[] rows, Run run, double[] state) {
        Session s = ordered(session(o), rows);
        s.restoreState(state);
        RunResult r = s.run(run);
        double[] after = s.saveState();
        System.arraycopy(after, 0, state, 0, state.length);
        return r;
    }

    /** Mean full-data losses of {@code count} packed snapshots, on the first session. */
    double[] losses(float[] packed, int count) {
        return session(first).losses(packed, count);
    }

    @Override
    public void close() {
        for (Session s : byOptimizer.values()) s.close();
        byOptimizer.clear();
    }
}
