package dev.descent.jmh;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Run;
import dev.descent.backend.RunResult;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Rate;
import dev.descent.sweep.Config;
import dev.descent.sweep.Sweep;
import dev.descent.sweep.SweepResult;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue #15's sweep benchmark: one epoch of K configurations (the squared loss, K learning rates,
 * rows in order) as one sweep ({@code sweep}) against one configuration alone
 * ({@code lone}, Session.run over the epoch on the same backend; K separate runs cost K times that), for batch-1 SGD
 * ({@code batch} 1), batch 100 and full-batch GD ({@code batch} 0), at d = 2 and 64, both on {@code backend}
 * (cpu by default; {@code -p backend=opencl:@cpu} for OpenCL's CPU kernels on PoCL). Time per epoch
 * is the score: for the sweep the whole call (opening the backend and its sessions, the data's upload
 * on a device, one recorded loss per model per epoch), and its secondary metrics {@code trainMs} ÷
 * {@code sweeps} the training alone ({@link Train}), the figure to set against {@code lone} (one run on
 * an open session). Ratio to K separate runs: K·lone / train; ratio to the roofline: train / max(n(d+1)·4
 * bytes ÷ read ceiling, K·n·4d flops ÷ FMA peak), the ceilings measured by {@link SweepVsPeer};
 * {@code bench/sweepbench_table.py} makes the table from the JSON.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar SweepBench -p n=200000 -rf json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SweepBench {
    @Param({"200000"})
    public int n;

    @Param({"2", "64"})
    public int d;

    @Param({"1", "8", "64", "256"})
    public int k;

    /** Rows per step; 0 for full-batch GD. */
    @Param({"1", "100", "0"})
    public int batch;

    /** The backend of both sides (the sweep and its lone run): cpu, opencl, opencl:@cpu, cuda, … */
    @Param({"cpu"})
    public String backend;

    private Sweep sweep;
    private Backend cpu;
    private Session lone;
    private Params p0;
    private int bs;

    /** K learning rates spaced evenly in log between 1e-4 and 1e-2 (full batch: ×10), none diverging at d ≤ 64. */
    static List<Config> configs(int k, int bs, int n) {
        List<Config> cs = new ArrayList<>();
        double lo = bs == n ? 1e-3 : 1e-4, hi = bs == n ? 1e-1 : 1e-2;
        for (int i = 0; i < k; i++) {
            double lr = k == 1 ? lo : lo * Math.pow(hi / lo, i / (double) (k - 1));
            cs.add(Config.of(lr, bs, Optimizer.SGD).withOrder(BatchOrder.IN_ORDER));
        }
        return cs;
    }

    @Setup(Level.Trial)
    public void setup() {
        Dataset ds = Fixtures.linear(n, d);
        bs = batch == 0 ? n : batch;
        sweep = Sweep.builder(ds, Objective.SQUARED).period(Math.max(bs, n / bs * bs)).backend(backend).addAll(configs(k, bs, n)).build();
        cpu = Backends.open(backend);
        lone = cpu.open(ds, new Spec(Objective.SQUARED, true, Optimizer.SGD));
        lone.setOrder(BatchOrder.IN_ORDER.order(n, 1, 0));
        p0 = Params.zeros(d);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        lone.close();
        cpu.close();
    }

    /**
     * The sweep's own clock, summed over an iteration: {@code trainMs} is the training alone (SweepResult.trainSeconds:
     * the call's time less opening the backend and evaluating the recorded losses), {@code sweeps} the calls. Training
     * time per epoch = trainMs ÷ sweeps, the figure comparable with {@code lone} (a run on an open session, no losses).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Train {
        public double trainMs;
        public long sweeps;

        @Setup(Level.Iteration)
        public void clear() {
            trainMs = 0;
            sweeps = 0;
        }
    }

    @Benchmark
    public SweepResult sweep(Train train) {
        SweepResult r = sweep.run(1, 1);
        train.trainMs += r.trainSeconds() * 1e3;
        train.sweeps++;
        return r;
    }

    @Benchmark
    public RunResult lone() {
        lone.setParams(p0);
        lone.resetState();
        int batches = (n + bs - 1) / bs;
        return lone.run(new Run(bs, 0, batches, Rate.constant(1e-4), batches));
    }
}
