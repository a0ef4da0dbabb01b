package dev.descent.data;

import dev.descent.util.AtomicFiles;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes float32 arrays as NumPy {@code .npy} (format 1.0, little-endian), so peers read descent's data bit for bit. */
public final class Npy {
    private Npy() {}

    /** Writes {@code values} with the given shape (row-major), atomically. */
    public static void write(Path file, float[] values, int... shape) {
        StringBuilder sh = new StringBuilder("(");
        for (int s : shape) sh.append(s).append(shape.length == 1 ? ",)" : ", ");
        String shapeText = shape.length == 1 ? sh.toString() : sh.substring(0, sh.length() - 2) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        AtomicFiles.write(file, out -> {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(head.length & 0xff);
            out.write(head.length >> 8);
            out.write(head);
            ByteBuffer bb = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                if (!bb.hasRemaining()) {
                    out.write(bb.array(), 0, bb.position());
                    bb.clear();
                }
                bb.putFloat(v);
            }
            out.write(bb.array(), 0, bb.position());
        });
    }
}
