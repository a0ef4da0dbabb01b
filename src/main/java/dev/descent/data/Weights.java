package dev.descent.data;

import dev.descent.DescentException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An example-weights file: one weight per data row, one per line, in the rows' order (the format of
 * liblinear's {@code -W} file). Blank lines and lines starting with {@code #} are skipped; a weight is a
 * finite number ≥ 0 (0 leaves the row out of the objective). See {@link Dataset#withWeights}.
 */
public final class Weights {
    private Weights() {}

    /** The weights in {@code file} for data of {@code n} rows named {@code data}; every problem is one line naming file, line and what to do. */
    public static float[] read(Path file, int n, String data) {
        float[] w = new float[n];
        int count = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) continue;
                if (count == n) {
                    throw new DescentException("weights file " + file + " line " + lineNo + ": more weights than the " + n + " rows of " + data
                            + ": give one weight per row");
                }
                float v;
                try {
                    v = Float.parseFloat(s);
                } catch (NumberFormatException e) {
                    throw new DescentException("weights file " + file + " line " + lineNo + ": '" + abbreviate(s) + "' is not a number: give one weight per line");
                }
                if (!Float.isFinite(v) || v < 0) {
                    throw new DescentException("weights file " + file + " line " + lineNo + ": weight " + s + " must be finite and at least 0");
                }
                w[count++] = v;
            }
        } catch (NoSuchFileException e) {
            throw new DescentException("weights file " + file + " does not exist: give a file with one weight per data row");
        } catch (IOException e) {
            throw new DescentException("weights file " + file + " could not be read: " + e.getMessage());
        }
        DescentException.require(count == n, "weights file " + file + " has " + count + " weights for the " + n + " rows of " + data
                + ": give one weight per row");
        boolean any = false;
        for (float v : w) any |= v > 0;
        DescentException.require(any, "weights file " + file + ": every weight is 0, so no row would count: give at least one row a positive weight");
        return w;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
