package dev.descent.jmh;

import dev.descent.backend.Backend;
import dev.descent.backend.Bandwidth;

import java.util.Locale;

/**
 * Prints each named backend's measured read and copy bandwidth as one JSON line, for the
 * benchmark report (run in the same session as the kernels). Usage: Ceilings MiB backend...
 */
public final class Ceilings {
    private Ceilings() {}

    public static void main(String[] args) {
        long bytes = Long.parseLong(args[0]) << 20;
        StringBuilder sb = new StringBuilder("{");
        for (int i = 1; i < args.length; i++) {
            try (Backend b = Fixtures.backend(args[i])) {
                Bandwidth bw = b.bandwidth(bytes);
                sb.append(i > 1 ? ", " : "").append(String.format(Locale.ROOT,
                        "\"%s\": {\"device\": \"%s\", \"bytes\": %d, \"read_gbs\": %.3f, \"copy_gbs\": %.3f}",
                        args[i], b.device().replace("\"", "'"), bw.bytes(), bw.readGBs(), bw.copyGBs()));
            }
        }
        System.out.println(sb.append("}"));
    }
}
