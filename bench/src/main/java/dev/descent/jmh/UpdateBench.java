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
 * The optimizer update on wide models: 100 steps of batch 1 where d is large, so the update
 * (read w, g, v; write w, v) dominates. Floor per step: d·4·(2 reads + 1 write) for SGD,
 * d·4·(3 + 2) with a velocity. The rule is a @Param: what each extra state vector costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class UpdateBench {
    @Param({"opencl", "cpu"})
    public String backend;

    @Param({"4096", "65536"})
    public int d;

    @Param({"sgd", "momentum", "nesterov"})
    public String rule;

    private Backend dev;
    private Session s;
    private Run run;

    @Setup(Level.Trial)
    public void setup() {
        int n = 128;
        Dataset ds = Fixtures.linear(n, d);
        dev = Fixtures.backend(backend);
        s = dev.open(ds, new Spec(Objective.SQUARED, true, Optimizer.parse(rule)));
        s.setOrder(BatchOrder.IN_ORDER.order(n, 1, 0));
        s.setParams(Params.zeros(d));
        run = new Run(1, 0, 100, Rate.constant(1e-6), Integer.MAX_VALUE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        s.close();
        dev.close();
    }

    @Benchmark
    public RunResult hundredSteps() {
        return s.run(run);
    }
}
