package dev.descent.bench;

import java.util.Arrays;

/** Summary of timed samples (warm-ups already excluded): median, min, max, and whether the spread is noisy. */
public record Stats(double[] samples, double median, double min, double max, boolean noisy) {
    /** A spread (max − min) above this share of the median flags the result as noisy. */
    static final double NOISY = 0.25;

    static Stats of(double[] samples) {
        double[] s = samples.clone();
        Arrays.sort(s);
        int n = s.length;
        double med = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        return new Stats(samples.clone(), med, s[0], s[n - 1], med > 0 && (s[n - 1] - s[0]) / med > NOISY);
    }

    /** All samples of several summaries, in order, summarized again. */
    static Stats pool(java.util.List<Stats> parts) {
        return of(parts.stream().flatMapToDouble(p -> Arrays.stream(p.samples())).toArray());
    }

    /** The best (largest) sample: for rates such as GB/s, where a probe can only under-measure. */
    double best() {
        return max;
    }

    /** (max − min) / median: the spread as a share of the median. */
    double relativeSpread() {
        return (max - min) / median;
    }
}
