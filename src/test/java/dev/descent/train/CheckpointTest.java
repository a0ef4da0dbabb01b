package dev.descent.train;

import dev.descent.model.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checkpoints of format 1 (before the adaptive optimizers: parameters and d + 1 velocities) are read in today's layout. */
class CheckpointTest {

    /** A format-1 file: today's writer with the old state layout, then its format number set back to 1 and its CRC redone. */
    private static Path formatOne(Path dir, String optimizer, double[] state, int d) throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("optimizer", optimizer);
        Trainer.State st = new Trainer.State(1, 3, 0.5, 0.25, new History("t"), Params.zeros(d), 1, 3, state);
        Path f = dir.resolve(optimizer.replace(':', '_') + ".ckpt");
        Checkpoint.write(f, config, "cpu: test", st);
        byte[] b = Files.readAllBytes(f);
        int at = "DESCENT CHECKPOINT\n".length();
        ByteBuffer.wrap(b, at, 4).putInt(1);
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
        assertEquals(2, Checkpoint.FORMAT);
    }
}
