package dev.descent.backend;

import java.util.Locale;

/** Whether a backend can start here, and what it found or why not, in one line. */
public record Probe(String name, boolean available, String detail) {
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%-7s %-11s %s", name, available ? "available" : "unavailable", detail);
    }
}
