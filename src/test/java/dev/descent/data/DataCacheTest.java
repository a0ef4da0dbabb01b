package dev.descent.data;

import dev.descent.DescentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .npy data folder: what the CSV gave, bit for bit, with names; a changed file or another target refused. */
class DataCacheTest {
    @Test
    void aConvertedFolderReadsBackTheCsvsTableBitForBit(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("a.csv");
        Files.writeString(csv, "a,y,b\n1.5,10,-0.0\n3e-40,30,4\n");
        Table t = Csv.table(csv, new Csv.Target("y"));
        Path folder = dir.resolve("a");
        DataCache.write(folder, t, "a.csv");
        Table r = DataCache.read(folder, Csv.Target.LAST);
        assertArrayEquals(t.data().features(), r.data().features());
        assertArrayEquals(t.data().targets(), r.data().targets());
        assertEquals(List.of("a", "b"), r.features());
        assertEquals("y", r.target());
        assertEquals("a.csv", r.data().name());
        assertEquals(Npy.read(folder.resolve("X.npy")).crc32c(), Npy.read(folder.resolve("X.npy")).crc32c());
        assertNull(DataCache.read(folder, Csv.Target.NONE).data().targets());
        assertEquals("y", DataCache.read(folder, new Csv.Target("y")).target());
        String m = assertThrows(DescentException.class, () -> DataCache.read(folder, new Csv.Target("b"))).getMessage();
        assertTrue(m.contains("was converted with target 'y', not 'b'"), m);

        try (RandomAccessFile f = new RandomAccessFile(folder.resolve("X.npy").toFile(), "rw")) {   // one bit flipped
            f.seek(f.length() - 1);
            int b = f.read();
            f.seek(f.length() - 1);
            f.write(b ^ 1);
        }
        m = assertThrows(DescentException.class, () -> DataCache.read(folder, Csv.Target.LAST)).getMessage();
        assertTrue(m.contains("X.npy does not match its checksum in descent-data.properties"), m);
        LoaderFuzzTest.assertCleanMessage(folder, m);

        DataCache.write(folder, Csv.table(csv, Csv.Target.NONE), "a.csv");             // converted again without a target
        assertTrue(Files.notExists(folder.resolve("y.npy")));
        assertNull(DataCache.read(folder, Csv.Target.LAST).data().targets());
    }

    @Test
    void aFolderOfPlainNpyFilesReadsWithoutNames(@TempDir Path dir) {
        Npy.write(dir.resolve("X.npy"), new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Npy.write(dir.resolve("y.npy"), new float[] {7, 8, 9}, 3);
        Table t = DataCache.read(dir, Csv.Target.LAST);
        assertEquals(3, t.data().n());
        assertEquals(2, t.data().d());
        assertNull(t.features());
        Npy.write(dir.resolve("y.npy"), new float[] {7, 8}, 2);
        String m = assertThrows(DescentException.class, () -> DataCache.read(dir, Csv.Target.LAST)).getMessage();
        assertTrue(m.contains("y.npy must be 1-D with X.npy's 3 rows"), m);
        Path empty = dir.resolve("empty");
        m = assertThrows(DescentException.class, () -> DataCache.read(empty, Csv.Target.LAST)).getMessage();
        assertTrue(m.contains("has no X.npy"), m);
    }
}
