package dev.descent.train;

import dev.descent.model.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints of format 1 (before the adaptive optimizers: parameters and d + 1 velocities) are read in today's layout. */
class CheckpointTest {

    /** A format-1 file: today's writer with the old state layout, then its format number set back to 1 and its CRC redone. */
    private static Path formatOne(Path dir, String optimizer, double[] state, int d) throws Exception {
        return formatBefore3(dir, optimizer, state, d, 1);
    }

    /**
     * A file of format 1 or 2: today's writer, then the heads count of the last finite parameters
     * (new in format 3, after last-finite epoch 1, step 3 and d) cut out, the format set back and the CRC redone.
     */
    private static Path formatBefore3(Path dir, String optimizer, double[] state, int d, int format) throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("optimizer", optimizer);
        Trainer.State st = new Trainer.State(1, 3, 0.5, 0.25, new History("t"), Params.zeros(d), 1, 3, state);
        Path f = dir.resolve(optimizer.replace(':', '_') + ".ckpt");
        Checkpoint.write(f, config, "cpu: test", st);
        byte[] b = Files.readAllBytes(f);
        byte[] lastFinite = ByteBuffer.allocate(16).putInt(1).putInt(3).putInt(d).putInt(1).array();
        int k = -1;
        for (int i = 0; i + 16 <= b.length && k < 0; i++) if (Arrays.equals(b, i, i + 16, lastFinite, 0, 16)) k = i + 12;
        assertTrue(k > 0, "the last finite parameters' header was not found");
        byte[] cut = new byte[b.length - 4];
        System.arraycopy(b, 0, cut, 0, k);
        System.arraycopy(b, k + 4, cut, k, b.length - k - 4);
        b = cut;
        int at = "DESCENT CHECKPOINT\n".length();
        ByteBuffer.wrap(b, at, 4).putInt(format);
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 8);
        ByteBuffer.wrap(b, b.length - 8, 8).putLong(crc.getValue());
        Files.write(f, b);
        return f;
    }

    @Test
    void formatOneMomentumKeepsItsVelocitiesAndStartsTheUpdateCountAtZero(@TempDir Path dir) throws Exception {
        double[] old = {1, 2, 3, 0.1, 0.2, 0.3};                 // d = 2: w, b, then three velocities
        double[] got = Checkpoint.read(formatOne(dir, "momentum:0.9", old, 2)).state().session();
        assertArrayEquals(new double[] {1, 2, 3, 0.1, 0.2, 0.3, 0}, got);
    }

    @Test
    void formatOneSgdDropsItsUnusedVelocities(@TempDir Path dir) throws Exception {
        double[] old = {1, 2, 3, 0, 0, 0};
        double[] got = Checkpoint.read(formatOne(dir, "sgd", old, 2)).state().session();
        assertArrayEquals(new double[] {1, 2, 3, 0}, got);
        assertEquals(3, Checkpoint.FORMAT);
    }

    @Test
    void formatTwoReadsItsOneHeadParameters(@TempDir Path dir) throws Exception {
        double[] state = {1, 2, 3, 0.1, 0.2, 0.3, 7};            // d = 2, momentum: parameters, velocities, update count
        Checkpoint.Contents c = Checkpoint.read(formatBefore3(dir, "momentum:0.9", state, 2, 2));
        assertArrayEquals(state, c.state().session());
        assertEquals(Params.zeros(2), c.state().lastFinite());
    }

    @Test
    void softmaxParametersRoundTrip(@TempDir Path dir) throws Exception {
        float[] packed = {1, 2, 3, 4, 5, 6, 7, 8, 9};             // d = 2, k = 3 heads
        Params p = Params.ofPacked(packed, 2, 3);
        Trainer.State st = new Trainer.State(1, 3, 0.5, 0.25, new History("t"), p, 1, 3, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 0});
        Path f = dir.resolve("softmax.ckpt");
        Checkpoint.write(f, new LinkedHashMap<>(Map.of("objective", "softmax:3")), "cpu: test", st);
        assertEquals(p, Checkpoint.read(f).state().lastFinite());
    }
}
