package dev.descent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.backend.Ceilings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The arbiter of the host's memory ceilings, measured outside the JVM in the same run: the C
 * program {@code native/membw.c} (read, write, copy on every core; see its header), compiled by
 * gcc at first use into {@code ~/.cache/descent/}, keyed by a hash of its source; without gcc,
 * numpy (one thread: a weaker probe, said so in its name); without either, a reason.
 */
public final class NativeProbe {
    private NativeProbe() {}

    /** The native probe's figures, or why there are none ({@code ceilings == null}). */
    public record Outcome(Ceilings ceilings, String skipped) {}

    private static final String NUMPY = String.join("\n",
            "import json, sys, time, numpy as np",
            "n, reps = int(sys.argv[1]) // 8, int(sys.argv[2])",
            "a = np.ones(n, dtype=np.int64); b = np.zeros(n, dtype=np.int64)",
            "def t(f):",
            "    f(); out = []",
            "    for _ in range(reps):",
            "        t0 = time.perf_counter(); f(); out.append(time.perf_counter() - t0)",
            "    return out",
            "r = t(lambda: a.sum()); w = t(lambda: b.fill(2)); c = t(lambda: np.copyto(b, a))",
            "assert int(a.sum()) == n and int(b[-1]) == 1",
            "g = lambda k, ts: [k * 8 * n / s / 1e9 for s in ts]",
            "print(json.dumps({'probe': 'numpy ' + np.__version__ + ' (one thread)', 'bytes': 8 * n,",
            "                  'read_gbs': g(1, r), 'write_gbs': g(1, w), 'copy_gbs': g(2, c)}))");

    /** Runs the probe on two buffers of {@code bytes}, {@code reps} repetitions each. */
    public static Outcome measure(long bytes, int reps) {
        String why;
        try {
            Path exe = compiled();
            return new Outcome(parse(run(List.of(exe.toString(), Long.toString(bytes), Integer.toString(reps))), true), null);
        } catch (IOException | RuntimeException e) {
            why = "membw.c: " + e.getMessage();
        }
        try {
            String py = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            return new Outcome(parse(run(List.of(py, "-c", NUMPY, Long.toString(bytes), Integer.toString(reps))), true), null);
        } catch (IOException | RuntimeException e) {
            return new Outcome(null, why + "; numpy: " + e.getMessage());
        }
    }

    /** The probe's executable, compiled at first use (the source's hash names it, so an edit recompiles). */
    static Path compiled() throws IOException {
        byte[] src;
        try (InputStream in = NativeProbe.class.getResourceAsStream("/native/membw.c")) {
            if (in == null) throw new IOException("native/membw.c is not on the class path");
            src = in.readAllBytes();
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(src)).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "descent");
        Path exe = dir.resolve("membw-" + hash);
        if (Files.isExecutable(exe)) return exe;
        Files.createDirectories(dir);
        Path c = Files.createTempFile(dir, "membw", ".c"), tmp = Path.of(c + ".out");
        try {
            Files.write(c, src);
            run(List.of("gcc", "-O3", "-march=native", "-pthread", c.toString(), "-o", tmp.toString()));
            Files.move(tmp, exe, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(c);
            Files.deleteIfExists(tmp);
        }
        return exe;
    }

    private static String run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted");
        }
        if (p.exitValue() != 0) {
            String last = err.isEmpty() ? "" : err.lines().reduce((a, b) -> b).orElse("");
            throw new IOException(Path.of(cmd.get(0)).getFileName() + " failed (exit " + p.exitValue() + ")" + (last.isEmpty() ? "" : ": " + last));
        }
        return out;
    }

    static Ceilings parse(String json, boolean hostMemory) throws IOException {
        JsonNode r = new ObjectMapper().readTree(json);
        String probe = r.path("probe").asText() + (r.has("threads") ? ", " + r.path("threads").asInt() + " threads" : "");
        return new Ceilings(probe, hostMemory, r.path("bytes").asLong(), doubles(r.path("read_gbs")), doubles(r.path("write_gbs")),
                doubles(r.path("copy_gbs")));
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).asDouble();
        return d;
    }
}
