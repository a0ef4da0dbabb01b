package dev.descent.data;

import dev.descent.DescentException;
import dev.descent.util.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * float32 arrays as NumPy {@code .npy} (format 1.0, little-endian, C order), so peers read descent's
 * data bit for bit, and descent reads theirs.
 */
public final class Npy {
    private Npy() {}

    /** Writes {@code values} with the given shape (row-major), atomically. */
    public static void write(Path file, float[] values, int... shape) {
        writeChecked(file, values, shape);
    }

    /**
     * As {@link #write}, returning the CRC32C of the data bytes (after the header), the checksum
     * {@link Array#crc32c} gives on reading.
     */
    public static long writeChecked(Path file, float[] values, int... shape) {
        StringBuilder sh = new StringBuilder("(");
        for (int s : shape) sh.append(s).append(shape.length == 1 ? ",)" : ", ");
        String shapeText = shape.length == 1 ? sh.toString() : sh.substring(0, sh.length() - 2) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        CRC32C crc = new CRC32C();
        AtomicFiles.write(file, out -> {
            crc.reset();
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(head.length & 0xff);
            out.write(head.length >> 8);
            out.write(head);
            ByteBuffer bb = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int off = 0; off < values.length; ) {
                int len = Math.min(bb.capacity() / 4, values.length - off);
                bb.clear();
                bb.asFloatBuffer().put(values, off, len);
                crc.update(bb.array(), 0, 4 * len);
                out.write(bb.array(), 0, 4 * len);
                off += len;
            }
        });
        return crc.getValue();
    }

    /** A float32 array read from a {@code .npy} file, its shape, and the CRC32C of its data bytes. */
    public record Array(float[] values, int[] shape, long crc32c) {}

    /** Bytes per read of the data: large enough for the read to run at memory speed, small enough to stay in cache. */
    private static final int READ_BYTES = 4 << 20;

    /** The most values one array holds (one Java array). */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;
    /** The largest header read: NumPy writes tens of bytes; a larger claim is a damaged or forged file. */
    static final int MAX_HEADER_BYTES = 1 << 16;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern DIM = Pattern.compile("\\d{1,18}");
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /**
     * Reads a little-endian float32, C-order {@code .npy} file (format 1.x, 2.x or 3.x). Anything
     * else is one {@link DescentException} line: not a .npy file, a truncated file or header, another
     * dtype or order, a shape that is not non-negative integers, a shape that claims more data than
     * the file holds (checked before anything is allocated), more bytes than the shape needs, a
     * file that changed while being read.
     */
    public static Array read(Path file) {
        return read(file, () -> { });
    }

    /** {@link #read(Path)}, running {@code afterData} once the data is read (a seam for tests). */
    static Array read(Path file, Runnable afterData) {
        BasicFileAttributes before = Csv.attributes(file, "array file");
        if (before.isDirectory()) throw new DescentException("array file " + file + " is a folder: give a NumPy .npy file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = before.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre);
            pre.flip();
            int got = pre.remaining();
            for (int i = 0; i < MAGIC.length; i++) {
                if (i >= got) throw new DescentException(file + " is truncated: " + got + " bytes, shorter than a .npy header: write it again with numpy.save");
                if (pre.get(i) != MAGIC[i]) {
                    throw new DescentException(file + " is not a NumPy .npy file (it does not start with \\x93NUMPY): write it with numpy.save");
                }
            }
            if (got < 8) throw new DescentException(file + " is truncated: " + got + " bytes, shorter than a .npy header: write it again with numpy.save");
            int major = pre.get(6) & 0xff, minor = pre.get(7) & 0xff;
            if (major < 1 || major > 3) {
                throw new DescentException(file + " is .npy format " + major + "." + minor
                        + "; descent reads formats 1.0 to 3.0: save it with numpy.save");
            }
            int prefix = major == 1 ? 10 : 12;
            if (got < prefix) throw new DescentException(file + " is truncated: " + got + " bytes, shorter than a .npy header: write it again with numpy.save");
            long headLen = major == 1 ? (pre.getShort(8) & 0xffff) : (pre.getInt(8) & 0xffffffffL);
            if (prefix + headLen > size) {
                throw new DescentException(file + " is truncated: " + size + " bytes, its .npy header alone claims " + (prefix + headLen)
                        + ": write it again with numpy.save");
            }
            if (headLen > MAX_HEADER_BYTES) {
                throw new DescentException(file + " claims a .npy header of " + headLen + " bytes, over the " + MAX_HEADER_BYTES
                        + " descent reads: the file is damaged; write it again with numpy.save");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headLen);
            ch.position(prefix);
            readFully(ch, hb);
            if (hb.hasRemaining()) throw Csv.changed(file, "array file");
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            int[] shape = shape(file, header);
            long count = 1;
            for (int s : shape) count *= s;                          // each step checked by shape(): no overflow
            long dataStart = prefix + headLen;
            long need = dataStart + 4 * count;
            if (size < need) {
                throw new DescentException(file + " is truncated: " + size + " bytes, its shape " + shapeText(shape) + " needs " + need
                        + " (was it cut short while being written?): write it again with numpy.save");
            }
            if (size > need) {
                throw new DescentException(file + " has " + (size - need) + " bytes more than its shape " + shapeText(shape)
                        + " needs (" + need + "): its header does not match its data; write it again with numpy.save");
            }
            float[] v = new float[(int) count];
            ch.position(dataStart);
            ByteBuffer bb = ByteBuffer.allocateDirect((int) Math.min(READ_BYTES, Math.max(4, 4 * count))).order(ByteOrder.LITTLE_ENDIAN);
            CRC32C crc = new CRC32C();
            for (int off = 0; off < v.length; ) {
                bb.clear();
                bb.limit((int) Math.min(bb.capacity(), 4L * (v.length - off)));
                readFully(ch, bb);
                if (bb.hasRemaining()) throw Csv.changed(file, "array file");
                bb.flip();
                crc.update(bb.duplicate());
                int len = bb.remaining() / 4;
                bb.asFloatBuffer().get(v, off, len);
                off += len;
            }
            afterData.run();
            BasicFileAttributes after;
            try {
                after = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (IOException e) {
                throw Csv.changed(file, "array file");
            }
            if (after.size() != before.size() || !after.lastModifiedTime().equals(before.lastModifiedTime())) {
                throw Csv.changed(file, "array file");
            }
            return new Array(v, shape, crc.getValue());
        } catch (NoSuchFileException e) {
            throw Csv.changed(file, "array file");
        } catch (IOException e) {
            throw new DescentException("cannot read array file " + file + ": " + AtomicFiles.reason(e));
        }
    }

    /** The checked dtype, order and shape of a header; the product of the shape is at most {@link #MAX_VALUES}. */
    private static int[] shape(Path file, String header) {
        Matcher descr = DESCR.matcher(header), shape = SHAPE.matcher(header), fortran = FORTRAN.matcher(header);
        if (!descr.find() || !shape.find() || !fortran.find()) {
            throw new DescentException(file + ": its .npy header is not a NumPy header (it lacks 'descr', 'fortran_order' or 'shape'):"
                    + " write it again with numpy.save");
        }
        if (!descr.group(1).equals("<f4")) {
            throw new DescentException(file + " holds dtype " + Csv.quote(descr.group(1)) + "; descent reads little-endian float32"
                    + " ('<f4'): save it with numpy.save(f, numpy.ascontiguousarray(a, dtype='<f4'))");
        }
        if (fortran.group(1).equals("True")) {
            throw new DescentException(file + " is in Fortran order; descent reads C order: save it with"
                    + " numpy.save(f, numpy.ascontiguousarray(a, dtype='<f4'))");
        }
        String[] parts = shape.group(1).split(",", -1);
        int[] dims = new int[parts.length];
        int k = 0;
        long count = 1;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.isEmpty() && i == parts.length - 1 && (k > 0 || parts.length == 1)) break;   // (3,) and ()
            if (!DIM.matcher(p).matches()) {
                throw new DescentException(file + ": its .npy shape " + Csv.quote("(" + shape.group(1) + ")")
                        + " is not a tuple of non-negative integers: write it again with numpy.save");
            }
            long dim = Long.parseLong(p);
            if (dim > MAX_VALUES || (dim > 0 && count > MAX_VALUES / dim)) {
                throw new DescentException(file + ": its .npy shape " + Csv.quote("(" + shape.group(1) + ")") + " holds over "
                        + MAX_VALUES + " values, the limit of one array: split it into smaller files");
            }
            count *= dim;
            dims[k++] = (int) dim;
        }
        return Arrays.copyOf(dims, k);
    }

    private static String shapeText(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Reads until {@code b} is full or the file ends. */
    private static void readFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining() && ch.read(b) >= 0) { /* fill */ }
    }
}
