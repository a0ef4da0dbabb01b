package dev.descent.backend;

/**
 * Memory bandwidth measured on a backend's device: a read-only pass (bytes read / time) and a
 * copy (bytes read + bytes written / time). {@link Backend#bandwidth} gives the best of
 * {@link Backend#ceilings}' repetitions; the benchmark report uses {@link Ceilings} itself.
 */
public record Bandwidth(long bytes, double readGBs, double copyGBs) {}
