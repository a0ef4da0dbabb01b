package dev.descent.jmh;

import dev.descent.backend.Backend;
import dev.descent.backend.Bandwidth;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The device's measured ceilings, in the same run as the kernels: read and copy bandwidth on
 * 256 MiB buffers (the size of X at n = 1M, d = 64). Each op measures both (medians inside).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class BandwidthBench {
    @Param({"opencl"})
    public String backend;

    @Benchmark
    public Bandwidth bandwidth() {
        try (Backend b = Fixtures.backend(backend)) {
            Bandwidth bw = b.bandwidth(256L << 20);
            System.out.printf("%n[bandwidth] %s: read %.2f GB/s, copy %.2f GB/s (%d MiB)%n", backend, bw.readGBs(), bw.copyGBs(),
                    bw.bytes() >> 20);
            return bw;
        }
    }
}
