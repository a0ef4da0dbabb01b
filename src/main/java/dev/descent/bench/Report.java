package dev.descent.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.List;

/**
 * report.json, typed: every raw sample, the configuration and seeds, the environment, the measured
 * ceilings, the benchmarks, the convergence curves and the peers. Schema {@value #SCHEMA}; reports
 * of {@value #SCHEMA_1} (no write ceilings, no native probe, no per-fork medians) still load, with
 * those fields absent ({@code null}).
 *
 * @param incomplete why the run stopped early, {@code null} when it completed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(String schema, String suite, String command, Config config, Environment environment, List<Ceiling> ceilings,
                     List<Benchmark> benchmarks, List<Curve> convergence, Peers peers, String incomplete) {
    public static final String SCHEMA = "descent-report/2", SCHEMA_1 = "descent-report/1";

    /** The one JSON mapping of every report record: snake_case names, unknown fields of older or newer reports ignored. */
    public static ObjectMapper json() {
        return new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false).enable(SerializationFeature.INDENT_OUTPUT);
    }

    Report with(Config c, List<Ceiling> cs, List<Benchmark> bs, Peers p, String why) {
        return new Report(schema, suite, command, c, environment, cs, bs, convergence, p, why);
    }

    Report withCommand(String c) {
        return new Report(schema, suite, c, config, environment, ceilings, benchmarks, convergence, peers, incomplete);
    }

    /**
     * @param forks           processes the samples came from (their samples pooled in fork order)
     * @param noisyThreshold  a within-run spread above this share of the median is flagged noisy
     */
    public record Config(int forks, int repeats, int warmups, double warmupSeconds, long seed, List<String> backends,
                         double noisyThreshold, long rowsPerSample, String description) {
        Config withForks(int f) {
            return new Config(f, repeats, warmups, warmupSeconds, seed, backends, noisyThreshold, rowsPerSample, description);
        }
    }

    /** A backend's device in words. */
    public record Device(String backend, String device) {}

    /** Where a report was measured; see {@link Environments#capture}. */
    public record Environment(String time, String cpu, int cores, long memoryBytes, Long llcBytes, String os, String kernel, String arch,
                              String jvm, long maxHeapBytes, List<Device> devices, Git git) {}

    public record Git(String commit, Boolean dirty) {}

    /**
     * One probe's ceilings ("native" is {@code membw.c}, measured in the same run), with the ceiling
     * the report divides by and what it refused.
     *
     * @param probe      what measured it, in words
     * @param hostMemory whether the buffers were in the host's main memory (where the native probe measures)
     * @param readUsed   the read ceiling workloads are reported against: the highest credible best
     *                   read among this probe and, for host memory, the native probe
     * @param usedFrom   which probe gave {@code readUsed}
     * @param errors     figures above the native probe beyond its spread: measurement errors, not used
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ceiling(String backend, String probe, Boolean hostMemory, long bytes, Stats readGbs, Stats writeGbs, Stats copyGbs,
                          Double readUsed, String usedFrom, List<String> errors) {
        Ceiling judged(double used, String from, List<String> errs) {
            return new Ceiling(backend, probe, hostMemory, bytes, readGbs, writeGbs, copyGbs, used, from, errs);
        }
    }

    /**
     * One timed benchmark: its identity, every raw sample (seconds), their summary, and the
     * between-process spread.
     *
     * @param forkMedians each fork's median, in fork order
     * @param forkSpread  (max − min) / median of {@code forkMedians}: what changes from one process to the
     *                    next; {@code null} with one fork
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Benchmark(String id, String kind, String workload, String objective, String backend, int n, int d, int batch,
                            String unit, double[] samples, double median, double min, double max, boolean noisy,
                            List<Double> forkMedians, Double forkSpread, Derived derived) {
        static Benchmark of(Identity who, Stats s, Derived d) {
            return new Benchmark(who.id(), who.kind(), who.workload(), who.objective(), who.backend(), who.n(), who.d(), who.batch(), "s",
                    s.samples(), s.median(), s.min(), s.max(), s.noisy(), List.of(s.median()), null, d);
        }

        @JsonIgnore
        Stats stats() {
            return new Stats(samples, median, min, max, noisy);
        }

        Benchmark with(Stats s, List<Double> medians, Double spread, Derived d) {
            return new Benchmark(id, kind, workload, objective, backend, n, d(), batch, unit, s.samples(), s.median(), s.min(), s.max(),
                    s.noisy(), medians, spread, d);
        }
    }

    /** The fields that identify a benchmark or a convergence run. */
    record Identity(String id, String kind, String workload, String objective, String backend, int n, int d, int batch) {
        static Identity of(String kind, Suite.Workload w, String backend, int batch) {
            return new Identity(kind + "/" + w.name() + "/" + backend + "/batch=" + batch, kind, w.name(), w.objective(), backend, w.n(),
                    w.d(), batch);
        }
    }

    /**
     * What a benchmark's median means: rows and steps per call (throughput), or the bytes the
     * gradient must read (its floor); rates follow from the median.
     *
     * @param pctOfRead   achieved GB/s as % of the read ceiling; {@code null} when not comparable (see {@code ceilingNote})
     * @param ceilingNote why there is no percentage: the data fit in the cache, or the figure is above the ceiling
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Derived(Long rows, Long steps, Long calls, Double floorBytes, Double samplesPerS, Double stepsPerS, Double gbs,
                          Double pctOfRead, String ceilingNote) {}

    /** Loss against examples seen and training seconds for one batch size; points are [examples, seconds, loss]. */
    public record Curve(String id, String kind, String workload, String objective, String backend, int n, int d, int batch, double lr,
                        int epochs, Double targetLoss, Double timeToTargetS, Long examplesToTarget, Double finalLoss, boolean diverged,
                        double trainSeconds, List<double[]> points) {}

    /** numpy and scikit-learn on the same bytes, or why not. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Peers(boolean ran, String workload, Versions versions, List<PeerResult> results, List<Skip> skipped) {
        static Peers skipped(String why) {
            return new Peers(false, null, null, List.of(), List.of(new Skip("all", why)));
        }
    }

    public record Versions(String python, String numpy, String sklearn) {}

    /** One peer measurement as bench/peers/peers.py writes it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PeerResult(String peer, String op, int n, int d, double seconds, Double min, Double max, Double gbs, Double stepsPerS) {}

    public record Skip(String peer, String why) {}
}
