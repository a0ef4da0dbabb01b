package dev.descent.jmh;

import dev.descent.backend.Backend;
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

import java.util.concurrent.TimeUnit;

/**
 * One epoch of batch-1 SGD (n dependent steps, in order) in one {@link Session#run} call, as the
 * trainer runs it. Steps/s = n / time. Floor: n·(d·4 + 8) bytes, but a chain of n dependent
 * updates: latency, not bandwidth, bounds it. Parameters are reset before each epoch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SgdEpochBench {
    @Param({"opencl"})
    public String backend;

    @Param({"1000000"})
    public int n;

    @Param({"2", "64"})
    public int d;

    private Backend dev;
    private Session s;
    private Params p0;

    @Setup(Level.Trial)
    public void setup() {
        Dataset ds = Fixtures.linear(n, d);
        dev = Fixtures.backend(backend);
        s = dev.open(ds, new Spec(Objective.SQUARED, true, Optimizer.SGD));
        s.setOrder(BatchOrder.IN_ORDER.order(n, 1, 0));
        p0 = Params.zeros(d);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        s.close();
        dev.close();
    }

    @Benchmark
    public RunResult epoch() {
        s.setParams(p0);
        return s.run(new Run(1, 0, n, Rate.constant(1e-3), n));
    }
}
