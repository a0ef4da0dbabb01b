package dev.descent.data;

import dev.descent.DescentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataTest {
    @Test
    void datasetNamesTheRowAndColumnOfANonFiniteValue() {
        float[] x = {1, 2, 3, 4, Float.NaN, 6};
        DescentException e = assertThrows(DescentException.class, () -> new Dataset("m", x, null, 3, 2));
        assertTrue(e.getMessage().contains("row 3, column 1"), e.getMessage());
        DescentException t = assertThrows(DescentException.class,
                () -> new Dataset("m", new float[] {1, 2}, new float[] {0, Float.POSITIVE_INFINITY}, 2, 1));
        assertTrue(t.getMessage().contains("target at row 2"), t.getMessage());
        assertThrows(DescentException.class, () -> new Dataset("m", new float[0], null, 0, 2));
        assertThrows(DescentException.class, () -> new Dataset("m", new float[3], null, 2, 2));
    }

    @Test
    void csvWithHeaderTargetByName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.csv");
        Files.writeString(f, "a,y,b\r\n1,10,2\r\n3,30,4\r\n");
        Dataset ds = Csv.load(f, new Csv.Target("y"));
        assertEquals(2, ds.n());
        assertEquals(2, ds.d());
        assertArrayEquals(new float[] {1, 2, 3, 4}, ds.features());
        assertArrayEquals(new float[] {10, 30}, ds.targets());
    }

    @Test
    void tsvWithoutHeaderTheSharedAirfoilFile() {
        Path f = Path.of("../shared/data/airfoil_self_noise.dat");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(f), "shared data not beside the checkout");
        Dataset ds = Csv.load(f, Csv.Target.LAST);
        assertEquals(1503, ds.n());
        assertEquals(5, ds.d());
        assertEquals(126.201f, ds.t(0), 1e-4);
        Dataset st = Csv.standardize(ds);
        double s = 0;
        for (int i = 0; i < st.n(); i++) s += st.x(i, 0);
        assertEquals(0, s / st.n(), 1e-5);
        assertEquals(800f, ds.x(0, 0));                          // the original is untouched
    }

    @Test
    void csvErrorsNameTheLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "1,2,3\n4,5\n");
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(f, Csv.Target.LAST)).getMessage().contains("line 2"));
        Files.writeString(f, "1,2,3\n4,x,6\n");
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(f, Csv.Target.LAST)).getMessage().contains("line 2, column 2"));
        Files.writeString(f, "1,2,3\n4,nan,6\n");
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(f, Csv.Target.LAST)).getMessage().contains("line 2, column 2"));
        Files.writeString(f, "");
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(f, Csv.Target.LAST)).getMessage().contains("empty"));
        assertTrue(assertThrows(DescentException.class, () -> Csv.load(dir.resolve("none.csv"), Csv.Target.LAST))
                .getMessage().contains("does not exist"));
        Files.writeString(f, "1,2\n3,4\n");
        assertNull(Csv.load(f, Csv.Target.NONE).targets());
        assertThrows(DescentException.InvalidArgument.class, () -> Csv.load(f, new Csv.Target("y")));
        assertThrows(DescentException.InvalidArgument.class, () -> Csv.load(f, new Csv.Target("5")));
    }

    @Test
    void batchOrders() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, BatchOrder.IN_ORDER.order(5, 1, 9));
        int[] p = BatchOrder.SHUFFLE.order(100, 1, 9);
        assertArrayEquals(p, BatchOrder.SHUFFLE.order(100, 1, 9));
        assertFalse(Arrays.equals(p, BatchOrder.SHUFFLE.order(100, 2, 9)));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        assertArrayEquals(BatchOrder.IN_ORDER.order(100, 1, 0), sorted);
        int[] r = BatchOrder.REPLACEMENT.order(100, 3, 9);
        assertEquals(100, r.length);
        assertTrue(Arrays.stream(r).allMatch(i -> i >= 0 && i < 100));
        assertTrue(Arrays.stream(r).distinct().count() < 100, "with replacement repeats rows");
    }

    @Test
    void linearGeneratorIsSeeded() {
        assertArrayEquals(Generators.linear(50, new float[] {1, 2}, 0, 0.1, 3).features(),
                Generators.linear(50, new float[] {1, 2}, 0, 0.1, 3).features());
        double[] l = Generators.linspaceDouble(-5, 5, 10);
        assertEquals(-5, l[0]);
        assertEquals(5, l[9]);
        assertEquals(-5 + 10.0 / 9, l[1], 1e-15);
    }
}
