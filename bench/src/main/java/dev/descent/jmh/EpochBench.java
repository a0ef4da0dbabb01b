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
 * One epoch at batch sizes 1 … n (GD), rows shuffled (as the trainer runs it) or in order: samples/s =
 * n / time. Floor: n·d·4 bytes (each row read once per epoch); small batches are bound by the
 * chain of dependent updates instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EpochBench {
    @Param({"opencl", "cpu"})
    public String backend;

    @Param({"200000"})
    public int n;

    @Param({"64"})
    public int d;

    /** 0 means n: full-batch GD. */
    @Param({"1", "10", "100", "1000", "10000", "0"})
    public int batch;

    /** The batch order: shuffled rows (a random access per row) or rows in storage order (issue #12: shuffled within 1.5× of in order). */
    @Param({"shuffle", "inorder"})
    public String order;

    private Backend dev;
    private Session s;
    private Run run;

    @Setup(Level.Trial)
    public void setup() {
        Dataset ds = Fixtures.linear(n, d);
        dev = Fixtures.backend(backend);
        s = dev.open(ds, new Spec(Objective.SQUARED, true, Optimizer.SGD));
        s.setOrder((order.equals("inorder") ? BatchOrder.IN_ORDER : BatchOrder.SHUFFLE).order(n, 1, Fixtures.SEED));
        int b = batch == 0 ? n : batch;
        run = new Run(b, 0, (n + b - 1) / b, Rate.constant(1e-4), Integer.MAX_VALUE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        s.close();
        dev.close();
    }

    @Benchmark
    public RunResult epoch() {
        s.setParams(Params.zeros(d));
        return s.run(run);
    }
}
