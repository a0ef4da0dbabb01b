package dev.descent.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A dataset with what a saved model needs to know about where it came from: the feature column
 * names and the target column (when the file had a header), and the standardization applied.
 *
 * @param features feature names in column order, or null when the file had no header
 * @param target   the target column's name, or its index as given, or null when there is none
 * @param scaling  the standardization applied to {@code data}, or null
 */
public record Table(Dataset data, List<String> features, String target, Standardization scaling) {
    public Table {
        features = features == null ? null : List.copyOf(features);
    }

    /** Data with no file behind them (generated). */
    public static Table of(Dataset ds) {
        return new Table(ds, null, null, null);
    }

    /** This table standardized (see {@link Standardization#fit}); the target too when {@code scaleTarget}. */
    public Table standardized(boolean scaleTarget) {
        Standardization s = Standardization.fit(data, scaleTarget);
        return new Table(s.apply(data), features, target, s);
    }

    /** Splits a header into feature names and the target's name, given the target's column (−1: none). */
    static Table named(Dataset ds, String[] header, int targetColumn, String targetSpec) {
        if (header == null) return new Table(ds, null, targetColumn < 0 ? null : targetSpec, null);
        List<String> f = new ArrayList<>();
        for (int c = 0; c < header.length; c++) if (c != targetColumn) f.add(header[c]);
        return new Table(ds, f, targetColumn < 0 ? null : header[targetColumn], null);
    }
}
