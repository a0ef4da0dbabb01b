package dev.descent.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Where a report was measured: machine, OS, JVM, devices, the git commit and whether the tree was dirty, the time. */
public final class Environments {
    private Environments() {}

    static Report.Environment capture(List<Report.Device> devices) {
        String commit = run("git", "rev-parse", "HEAD");
        String status = run("git", "status", "--porcelain", "--untracked-files=no");
        return new Report.Environment(Instant.now().toString(), cpuModel(), Runtime.getRuntime().availableProcessors(), memoryBytes(),
                llcBytes(), osName(), System.getProperty("os.version"), System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), Runtime.getRuntime().maxMemory(),
                devices, new Report.Git(commit == null ? "unknown" : commit, status == null ? null : !status.isBlank()));
    }

    /** The largest CPU cache (Linux sysfs: "32768K"), or {@code null} where unknown. */
    static Long llcBytes() {
        long best = -1;
        try (var dirs = Files.list(Path.of("/sys/devices/system/cpu/cpu0/cache"))) {
            for (Path d : dirs.filter(x -> x.getFileName().toString().startsWith("index")).toList()) {
                String s = Files.readString(d.resolve("size")).trim();
                long mul = s.endsWith("K") ? 1024 : s.endsWith("M") ? 1 << 20 : 1;
                best = Math.max(best, Long.parseLong(s.replaceAll("[^0-9]", "")) * mul);
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or no cache information
        }
        return best > 0 ? best : null;
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    private static long memoryBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.UTF_8)) {
                if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return -1;
    }

    private static String osName() {
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release"), StandardCharsets.UTF_8)) {
                if (l.startsWith("PRETTY_NAME=")) return l.substring(12).replace("\"", "");
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.name");
    }

    /** A command's trimmed stdout, or null if it failed (its stderr discarded; 20 s at most). */
    public static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
