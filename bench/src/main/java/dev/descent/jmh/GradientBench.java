package dev.descent.jmh;

import dev.descent.backend.Backend;
import dev.descent.backend.Gradient;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.BatchOrder;
import dev.descent.data.Dataset;
import dev.descent.model.Objective;
import dev.descent.model.Params;
import dev.descent.optim.Optimizer;
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
 * Full-batch gradient (GD's step): mean gradient of the squared loss over all n rows, in one
 * fused pass. Floor: n·d·4 bytes of X + n·4 of targets and order, read once. {@code step} adds
 * the fused update (and reads the parameters back to wait for the device).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GradientBench {
    @Param({"opencl"})
    public String backend;

    @Param({"1000000"})
    public int n;

    @Param({"64"})
    public int d;

    private Backend dev;
    private Session s;

    @Setup(Level.Trial)
    public void setup() {
        Dataset ds = Fixtures.linear(n, d);
        dev = Fixtures.backend(backend);
        s = dev.open(ds, new Spec(Objective.SQUARED, true, Optimizer.SGD));
        s.setOrder(BatchOrder.IN_ORDER.order(n, 1, 0));
        s.setParams(Params.zeros(d));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        s.close();
        dev.close();
    }

    @Benchmark
    public Gradient gradient() {
        return s.gradient(0, n, false);
    }

    @Benchmark
    public Params step() {
        s.step(0, n, 1e-3);
        return s.params();
    }
}
