package dev.descent.data;

import dev.descent.DescentException;

import java.util.Locale;
import java.util.Random;

/**
 * The order in which an epoch visits the rows. An epoch is a list of n row indices cut into
 * consecutive batches; the last batch is shorter when the batch size does not divide n.
 */
public enum BatchOrder {
    /** Rows 0, 1, …, n−1 every epoch (the seed tutorials' order). */
    IN_ORDER("inorder"),
    /** A fresh permutation every epoch, drawn from (seed, epoch). */
    SHUFFLE("shuffle"),
    /** n indices drawn uniformly with replacement every epoch, from (seed, epoch). */
    REPLACEMENT("replacement");

    private final String cliName;

    BatchOrder(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() { return cliName; }

    /** The row indices visited in {@code epoch} (1-based); the same (n, epoch, seed) gives the same list. */
    public int[] order(int n, int epoch, long seed) {
        int[] idx = new int[n];
        if (this == REPLACEMENT) {
            Random rng = new Random(mix(seed, epoch));
            for (int i = 0; i < n; i++) idx[i] = rng.nextInt(n);
            return idx;
        }
        for (int i = 0; i < n; i++) idx[i] = i;
        if (this == SHUFFLE) {
            Random rng = new Random(mix(seed, epoch));
            for (int i = n - 1; i > 0; i--) {       // Fisher–Yates
                int j = rng.nextInt(i + 1);
                int tmp = idx[i];
                idx[i] = idx[j];
                idx[j] = tmp;
            }
        }
        return idx;
    }

    /** SplitMix64 finalizer of (seed, epoch): decorrelates neighbouring epochs' streams. */
    private static long mix(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static BatchOrder parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (BatchOrder o : values()) if (o.cliName.equals(k)) return o;
        throw new DescentException.InvalidArgument("unknown batch order '" + s + "': use inorder, shuffle or replacement");
    }
}
