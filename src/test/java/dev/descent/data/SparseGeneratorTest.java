package dev.descent.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rcv1-shaped generator: the shape it promises (nnz spread, power law, unit rows, balanced-ish labels), determinism, and its LIBSVM round trip. */
class SparseGeneratorTest {

    @Test
    void rcv1ShapedRows() {
        int n = 20_000, d = Generators.RCV1_FEATURES;
        SparseRows s = Generators.sparse(n, d, Generators.RCV1_NNZ, 0.01, 11);
        long[] off = s.rowOffsets();
        double mean = (double) s.nnz() / n, var = 0;
        int[] freq = new int[d];
        int[] cols = s.allCols();
        float[] vals = s.allVals();
        int ones = 0;
        for (int i = 0; i < n; i++) {
            long m = off[i + 1] - off[i];
            var += (m - mean) * (m - mean);
            assertTrue(m >= 1, "row " + i + " is empty");
            double norm = 0;
            for (long p = off[i]; p < off[i + 1]; p++) {
                if (p > off[i]) assertTrue(cols[(int) p] > cols[(int) p - 1], "row " + i + ": columns strictly increasing");
                assertTrue(vals[(int) p] > 0);
                norm += (double) vals[(int) p] * vals[(int) p];
                freq[cols[(int) p]]++;
            }
            assertEquals(1.0, norm, 1e-5, "row " + i + " has unit length");
            if (s.targets()[i] == 1f) ones++;
        }
        double sd = Math.sqrt(var / n);
        // log-normal σ = 0.75: the mean is the target (rounding and the floor of 1 move it a little), sd ≈ mean·√(e^σ² − 1) ≈ 0.82·mean
        assertEquals(75, mean, 75 * 0.03, "mean stored values per row");
        assertTrue(sd > 0.6 * mean && sd < 1.0 * mean, "spread of stored values per row: sd " + sd + " for mean " + mean);
        int[] sorted = freq.clone();
        Arrays.sort(sorted);
        long top = 0;
        for (int r = 0; r < d / 100; r++) top += sorted[d - 1 - r];
        assertTrue(top > 0.3 * s.nnz(), "the most popular 1% of features hold " + (double) top / s.nnz() + " of the values (a power law)");
        assertTrue(sorted[d / 2] < 0.01 * sorted[d - 1], "the median feature is rare next to the most popular");
        assertTrue(ones > 0.35 * n && ones < 0.65 * n, "labels: " + ones + " ones of " + n);
    }

    @Test
    void sameSeedSameRowsAndTheyReadBackFromLibsvm(@TempDir Path dir) {
        SparseRows a = Generators.sparse(500, 300, 20, 0.1, 3), b = Generators.sparse(500, 300, 20, 0.1, 3);
        assertArrayEquals(a.rowOffsets(), b.rowOffsets());
        assertArrayEquals(a.allCols(), b.allCols());
        assertArrayEquals(a.allVals(), b.allVals());
        assertArrayEquals(a.targets(), b.targets());
        Path f = dir.resolve("s.svm");
        Libsvm.write(f, a);
        SparseRows r = Libsvm.read(f, 300, "the test's width");
        assertArrayEquals(a.rowOffsets(), r.rowOffsets());
        assertArrayEquals(a.allCols(), r.allCols());
        assertArrayEquals(a.allVals(), r.allVals());
        assertArrayEquals(a.targets(), r.targets());
    }

    @Test
    void rowsWiderThanHalfTheColumnsStillHoldDistinctColumns() {
        SparseRows s = Generators.sparse(200, 8, 6, 0.1, 5);
        int[] cols = s.allCols();
        for (int i = 0; i < 200; i++) {
            for (long p = s.rowOffsets()[i] + 1; p < s.rowOffsets()[i + 1]; p++) assertTrue(cols[(int) p] > cols[(int) p - 1]);
        }
    }
}
