package dev.descent.jmh;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.descent.bench.CeilingRun;
import dev.descent.bench.Report;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints the measured ceilings as one JSON object keyed by probe ("native", then each named
 * backend): every repetition of read, write and copy, the read ceiling used and any figure refused
 * as a measurement error, for the benchmark report (run in the same session as the kernels). The
 * log goes to stderr. Usage: Ceilings MiB backend...
 */
public final class Ceilings {
    private Ceilings() {}

    public static void main(String[] args) throws JsonProcessingException {
        long bytes = Long.parseLong(args[0]) << 20;
        List<String> backends = Arrays.asList(args).subList(1, args.length);
        PrintWriter log = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        Map<String, Report.Ceiling> out = new LinkedHashMap<>();
        for (Report.Ceiling c : CeilingRun.measure(backends, bytes, 9, log)) out.put(c.backend(), c);
        System.out.println(Report.json().writeValueAsString(out));
    }
}
