package dev.descent.bench;

import dev.descent.DescentException;

import java.util.List;
import java.util.Locale;

/**
 * A named set of benchmark cases. Workloads: seed 1's problem at its own size and scaled,
 * logistic regression, and seed 2's wave model, so the report speaks of the seeds' experiments.
 *
 * @param forks        separate JVM processes the measurements run in; their samples are pooled, so the
 *                     spread includes what changes from one process to the next (JIT, placement)
 * @param warmupSeconds warm-up runs continue until both {@code warmups} runs and this much time are done,
 *                     so the JIT has compiled the hot loops before any sample is taken
 * @param throughput   (workload, batch sizes) pairs timed per backend; batch 0 means n (GD)
 * @param convergence  workloads trained to a target loss with GD, mini-batch and SGD
 */
record Suite(String name, int forks, int repeats, int warmups, double warmupSeconds, List<Workload> throughput, List<Workload> convergence, int convergenceEpochs,
             boolean peers, long ceilingBytes, String description) {

    /** A dataset recipe and the batch sizes to time on it (0 = the whole dataset: GD). */
    record Workload(String name, String objective, int n, int d, int[] batches, double[] lrs) {
        String id() { return name; }
    }

    static Suite named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "smoke" -> new Suite("smoke", 2, 3, 1, 0.5,
                    List.of(new Workload("linear-5k-16", "squared", 5_000, 16, new int[] {1, 100, 0}, null)),
                    List.of(new Workload("seed1", "squared", 1_000, 2, new int[] {1, 10, 0}, new double[] {0.05, 0.2, 0.9}),
                            new Workload("seed2-wave", "wave", 100, 1, new int[] {1}, new double[] {0.01})),
                    2, true, 16L << 20, "a few seconds: proves the pipeline end to end (CI)");
            case "quick" -> new Suite("quick", 2, 5, 1, 1.0,
                    List.of(new Workload("linear-200k-64", "squared", 200_000, 64, new int[] {1, 10, 100, 1000, 10_000, 0}, null),
                            new Workload("logistic-100k-32", "logistic", 100_000, 32, new int[] {1, 100, 0}, null),
                            new Workload("softmax-100k-32", "softmax:10", 100_000, 32, new int[] {1, 100, 0}, null),
                            new Workload("seed1", "squared", 1_000, 2, new int[] {1, 10, 100, 0}, null)),
                    List.of(new Workload("seed1", "squared", 1_000, 2, new int[] {1, 10, 100, 0}, new double[] {0.05, 0.2, 0.5, 0.9}),
                            new Workload("linear-200k-64", "squared", 200_000, 64, new int[] {1, 100, 0}, new double[] {0.005, 0.1, 0.5}),
                            new Workload("seed2-wave", "wave", 100, 1, new int[] {1}, new double[] {0.01})),
                    3, true, 128L << 20, "under 2 minutes on 2 cores");
            case "full" -> new Suite("full", 3, 7, 2, 2.0,
                    List.of(new Workload("linear-1m-64", "squared", 1_000_000, 64, new int[] {1, 10, 100, 1000, 10_000, 100_000, 0}, null),
                            new Workload("linear-10m-64", "squared", 10_000_000, 64, new int[] {1000, 100_000, 0}, null),
                            new Workload("linear-1m-1024", "squared", 1_000_000, 1024, new int[] {1, 100, 10_000, 0}, null),
                            new Workload("logistic-1m-64", "logistic", 1_000_000, 64, new int[] {1, 100, 10_000, 0}, null),
                            new Workload("softmax-1m-64", "softmax:10", 1_000_000, 64, new int[] {1, 100, 10_000, 0}, null),
                            new Workload("seed1", "squared", 1_000, 2, new int[] {1, 10, 100, 0}, null)),
                    List.of(new Workload("seed1", "squared", 1_000, 2, new int[] {1, 10, 100, 0}, new double[] {0.05, 0.2, 0.5, 0.9}),
                            new Workload("linear-1m-64", "squared", 1_000_000, 64, new int[] {1, 100, 10_000, 0},
                                    new double[] {0.005, 0.1, 0.5, 0.5}),
                            new Workload("seed2-wave", "wave", 100, 1, new int[] {1}, new double[] {0.01})),
                    5, true, 512L << 20, "the seeds' problems scaled to n = 10M and d = 1024 (needs -Xmx16g and time)");
            case "gpu" -> new Suite("gpu", 1, 7, 2, 1.0,
                    List.of(new Workload("linear-16m-64", "squared", 16_000_000, 64, new int[] {65_536, 0}, null),
                            new Workload("linear-1m-1024", "squared", 1_000_000, 1024, new int[] {1024, 0}, null),
                            new Workload("linear-1m-2", "squared", 1_000_000, 2, new int[] {1}, null),
                            new Workload("linear-1m-16", "squared", 1_000_000, 16, new int[] {1}, null)),
                    List.of(new Workload("seed1", "squared", 1_000, 2, new int[] {1, 10, 100, 0}, new double[] {0.05, 0.2, 0.5, 0.9}),
                            new Workload("seed2-wave", "wave", 100, 1, new int[] {1}, new double[] {0.01})),
                    3, false, 1L << 30, "the CUDA issue's sizes: fused GD step at n = 16M, d = 64 and d = 1024; batch-1 SGD at d = 2, 16 "
                            + "(needs a GPU and -Xmx24g; peers: bench/peers/torch_peer.py)");
            default -> throw new DescentException.InvalidArgument("unknown suite '" + name + "': use smoke, quick, full or gpu");
        };
    }
}
