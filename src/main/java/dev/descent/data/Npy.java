package dev.descent.data;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * float32 arrays as NumPy {@code .npy} (format 1.0, little-endian, C order), so peers read descent's
 * data bit for bit, and descent reads theirs.
 */
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

    /** A float32 array read from a {@code .npy} file, and its shape. */
    public record Array(float[] values, int[] shape) {}

    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** Reads a little-endian float32, C-order {@code .npy} file (format 1.x or 2.x); anything else is one clear error. */
    public static Array read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            while (pre.hasRemaining() && ch.read(pre) >= 0) { /* fill */ }
            pre.flip();
            if (pre.remaining() < 10 || (pre.get(0) & 0xff) != 0x93 || pre.get(1) != 'N' || pre.get(5) != 'Y') {
                throw new DescentException(file + " is not a NumPy .npy file: write it with numpy.save");
            }
            int major = pre.get(6);
            long headLen = major == 1 ? (pre.getShort(8) & 0xffff) : (pre.getInt(8) & 0xffffffffL);
            long dataStart = (major == 1 ? 10 : 12) + headLen;
            ByteBuffer hb = ByteBuffer.allocate((int) headLen);
            ch.position(major == 1 ? 10 : 12);
            while (hb.hasRemaining() && ch.read(hb) >= 0) { /* fill */ }
            String header = new String(hb.array(), StandardCharsets.ISO_8859_1);
            if (!header.contains("'descr': '<f4'") || header.contains("'fortran_order': True")) {
                throw new DescentException(file + ": descent reads little-endian float32 arrays in C order ('<f4'); its header is "
                        + header.trim() + ": save it with numpy.ascontiguousarray(a, dtype='<f4')");
            }
            Matcher m = SHAPE.matcher(header);
            if (!m.find()) throw new DescentException(file + ": no shape in its .npy header");
            String[] parts = m.group(1).split(",");
            int dims = 0;
            int[] shape = new int[parts.length];
            long count = 1;
            for (String part : parts) {
                if (part.isBlank()) continue;
                shape[dims] = Integer.parseInt(part.trim());
                count *= shape[dims++];
            }
            if (count > Integer.MAX_VALUE - 8) throw new DescentException(file + " holds " + count + " values, over the 2^31 limit of one array");
            if (ch.size() < dataStart + 4 * count) {
                throw new DescentException(file + " is truncated: " + ch.size() + " bytes, its header promises " + (dataStart + 4 * count));
            }
            float[] v = new float[(int) count];
            long pos = dataStart;
            for (int off = 0; off < v.length; ) {
                int len = (int) Math.min(v.length - off, 1 << 28);
                var map = ch.map(FileChannel.MapMode.READ_ONLY, pos, 4L * len).order(ByteOrder.LITTLE_ENDIAN);
                map.asFloatBuffer().get(v, off, len);
                off += len;
                pos += 4L * len;
            }
            return new Array(v, java.util.Arrays.copyOf(shape, dims));
        } catch (IOException e) {
            throw new DescentException("cannot read " + file + ": " + e.getMessage());
        } catch (NumberFormatException e) {
            throw new DescentException(file + ": its .npy shape is not a list of integers");
        }
    }
}
