package dev.descent.util;

import dev.descent.DescentException;

import java.util.Locale;

/** Checks that data fit before anything is allocated: one line with the bytes needed and available. */
public final class Memory {
    private Memory() {}

    /** The largest Java array descent allocates (the JVM's limit is a few elements under 2^31). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Fails at once, before any allocation, when {@code n × d} float32 features (plus {@code n}
     * targets) cannot be held: over one array's limit, or over the Java heap still free.
     */
    public static void requireDense(String what, long n, long d) {
        long values = n * d;
        if (n > 0 && d > 0 && (values / d != n || values > MAX_ARRAY)) {
            throw new DescentException(String.format(Locale.ROOT, "%s: %d × %d = %s values do not fit in one array (at most %d): "
                    + "use fewer rows or features", what, n, d, values / d != n ? "over 2^63" : String.valueOf(values), MAX_ARRAY));
        }
        requireHeap(what, 4 * (values + n));
    }

    /** Fails when {@code bytes} more cannot come from the Java heap (max heap less what is in use). */
    public static void requireHeap(String what, long bytes) {
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > available) {
            throw new DescentException(String.format(Locale.ROOT, "%s needs %s of Java heap, %s is available (max heap %s): "
                    + "give the JVM more with JAVA_OPTS=-Xmx<size>, or use less data", what, bytes(bytes), bytes(available), bytes(rt.maxMemory())));
        }
    }

    /** Bytes in binary units, one decimal. */
    public static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] u = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < u.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
    }
}
