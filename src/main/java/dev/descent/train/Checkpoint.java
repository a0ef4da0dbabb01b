package dev.descent.train;

import dev.descent.DescentException;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;
import dev.descent.model.Params;
import dev.descent.util.AtomicFiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A training run's checkpoint file: the run's configuration, the backend that wrote it, and the
 * trainer's {@link Trainer.State} (position, history so far, last finite parameters, and the
 * session's exact parameters and optimizer state). Binary, big-endian:
 * <pre>
 *   "DESCENT CHECKPOINT\n"  format version (int)
 *   configuration: count, then (key, value) pairs (modified UTF-8), backend name
 *   position: epoch, next batch, train seconds, epoch seconds
 *   last finite: epoch, step, d, heads k, k·(d + 1) floats (formats 1 and 2: no k, one head);
 *   session state: count, doubles ({@code Session.saveState}: parameters, optimizer state slot by
 *     slot, update count; format 1 held parameters and d + 1 velocities, read as such)
 *   history: label, points (epoch, step, examples, epochs, loss, seconds), epochs (epoch, lr, loss, seconds)
 *   CRC-32 of everything above (long)
 * </pre>
 * Every number is stored as its exact bits, so a resumed run continues bit-identically. Written
 * whole or not at all ({@link AtomicFiles#writeDurably}): a kill during the write leaves the
 * previous checkpoint intact. The batch order needs no saved random state: it is a pure
 * function of the seed and the epoch, both in the file.
 */
public final class Checkpoint {
    /** The format this version writes and the newest it reads. */
    public static final int FORMAT = 3;
    private static final byte[] MAGIC = "DESCENT CHECKPOINT\n".getBytes(StandardCharsets.US_ASCII);

    /** What a checkpoint holds. {@code config} is the run's identity: a resume must match it. */
    public record Contents(Map<String, String> config, String backend, Trainer.State state) {}

    private Checkpoint() {}

    public static void write(Path file, Map<String, String> config, String backend, Trainer.State st) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.write(MAGIC);
            o.writeInt(FORMAT);
            o.writeInt(config.size());
            for (Map.Entry<String, String> e : config.entrySet()) {
                o.writeUTF(e.getKey());
                o.writeUTF(e.getValue());
            }
            o.writeUTF(backend);
            o.writeInt(st.epoch());
            o.writeInt(st.nextBatch());
            o.writeDouble(st.trainSeconds());
            o.writeDouble(st.epochSeconds());
            o.writeInt(st.lastFiniteEpoch());
            o.writeInt(st.lastFiniteStep());
            Params p = st.lastFinite();
            o.writeInt(p.d());
            o.writeInt(p.k());
            for (float v : p.packed()) o.writeFloat(v);
            double[] s = st.session();
            o.writeInt(s.length);
            for (double v : s) o.writeDouble(v);
            History h = st.history();
            o.writeUTF(h.label());
            o.writeInt(h.points().size());
            for (History.Point q : h.points()) {
                o.writeInt(q.epoch());
                o.writeInt(q.step());
                o.writeLong(q.examples());
                o.writeDouble(q.epochs());
                o.writeDouble(q.loss());
                o.writeDouble(q.seconds());
            }
            o.writeInt(h.epochs().size());
            for (History.Epoch e : h.epochs()) {
                o.writeInt(e.epoch());
                o.writeDouble(e.lr());
                o.writeDouble(e.loss());
                o.writeDouble(e.seconds());
            }
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            o.writeLong(crc.getValue());
        } catch (IOException e) {
            throw new DescentException("cannot encode checkpoint " + file + ": " + e.getMessage());
        }
        byte[] all = bytes.toByteArray();
        AtomicFiles.writeDurably(file, out -> out.write(all));
    }

    public static Contents read(Path file) {
        byte[] all;
        try {
            if (Files.isDirectory(file)) throw new DescentException("checkpoint " + file + " is a folder: give a checkpoint file");
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DescentException("checkpoint " + file + " does not exist: check the path, or drop --resume to start afresh");
        } catch (IOException e) {
            throw new DescentException("cannot read checkpoint " + file + ": " + AtomicFiles.reason(e));
        } catch (OutOfMemoryError e) {
            throw new DescentException("checkpoint " + file + " is too large to be a descent checkpoint");
        }
        if (all.length < MAGIC.length + 4 || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new DescentException(file + " is not a descent checkpoint (give a file written by --checkpoint)");
        }
        int format = ByteBuffer.wrap(all, MAGIC.length, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        if (format > FORMAT || format < 1) {
            throw new DescentException("checkpoint " + file + " has format " + format + ", this descent reads format " + FORMAT
                    + (format > FORMAT ? " and older: resume it with the newer descent that wrote it" : ": the file is damaged"));
        }
        CRC32 crc = new CRC32();
        if (all.length < MAGIC.length + 12) throw damaged(file);
        crc.update(all, 0, all.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(all, all.length - 8, 8).getLong()) throw damaged(file);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, MAGIC.length + 4, all.length - MAGIC.length - 12))) {
            int nc = count(in, file);
            Map<String, String> config = new LinkedHashMap<>();
            for (int i = 0; i < nc; i++) config.put(in.readUTF(), in.readUTF());
            String backend = in.readUTF();
            int epoch = in.readInt(), next = in.readInt();
            double trainSeconds = in.readDouble(), epochSeconds = in.readDouble();
            int lfEpoch = in.readInt(), lfStep = in.readInt();
            int d = count(in, file);
            int k = format >= 3 ? count(in, file) : 1;
            if (k < 1 || (long) k * (d + 1) > all.length) throw damaged(file);
            float[] packed = new float[k * (d + 1)];
            for (int i = 0; i < packed.length; i++) packed[i] = in.readFloat();
            double[] s = new double[count(in, file)];
            for (int i = 0; i < s.length; i++) s[i] = in.readDouble();
            String label = in.readUTF();
            List<History.Point> points = new ArrayList<>();
            for (int i = count(in, file); i > 0; i--) {
                points.add(new History.Point(in.readInt(), in.readInt(), in.readLong(), in.readDouble(), in.readDouble(), in.readDouble()));
            }
            List<History.Epoch> epochs = new ArrayList<>();
            for (int i = count(in, file); i > 0; i--) {
                epochs.add(new History.Epoch(in.readInt(), in.readDouble(), in.readDouble(), in.readDouble()));
            }
            if (in.available() != 0) throw damaged(file);
            if (format == 1) s = fromFormat1(s, d, config.getOrDefault("optimizer", "sgd"));
            Trainer.State st = new Trainer.State(epoch, next, trainSeconds, epochSeconds, History.of(label, points, epochs),
                    Params.unpack(packed, 0, d, k), lfEpoch, lfStep, s);
            return new Contents(config, backend, st);
        } catch (EOFException | java.io.UTFDataFormatException e) {
            throw damaged(file);
        } catch (IOException e) {
            throw new DescentException("cannot read checkpoint " + file + ": " + AtomicFiles.reason(e));
        }
    }

    /**
     * A format-1 session state (parameters, d + 1 velocities; only SGD, momentum and Nesterov
     * existed) in today's layout: parameters, the velocities where the rule keeps them, update count 0
     * (none of those rules reads it).
     */
    private static double[] fromFormat1(double[] s, int d, String optimizer) {
        if (s.length != 2 * (d + 1)) return s;                        // restoreState names the mismatch
        boolean stateless = optimizer.startsWith("sgd");
        double[] out = Arrays.copyOf(s, stateless ? d + 2 : 2 * (d + 1) + 1);
        out[out.length - 1] = 0;
        return out;
    }

    /**
     * Refuses, in one line, a checkpoint written by a different run: every configuration entry the
     * two share must match (entries only one side has are ignored, so the number of epochs may grow).
     */
    public static void requireSameRun(Path file, Contents c, Map<String, String> here) {
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, String> e : here.entrySet()) {
            String there = c.config().get(e.getKey());
            if (there != null && !there.equals(e.getValue())) diffs.add(e.getKey() + " " + there + " there, " + e.getValue() + " here");
        }
        for (String k : c.config().keySet()) {
            if (!here.containsKey(k) && !k.equals("epochs")) diffs.add(k + " " + c.config().get(k) + " there, not set here");
        }
        if (!diffs.isEmpty()) {
            throw new DescentException.InvalidArgument("checkpoint " + file + " was written by a different run (" + String.join("; ", diffs)
                    + "): resume with the options it was written with, or drop --resume to start afresh");
        }
    }

    /**
     * A checksum of a dataset's exact values, as 8 hex digits with n and d. Dense: CRC-32C over the
     * features then the targets (the fingerprint older checkpoints hold, unchanged). Sparse: over
     * the row offsets, the column indices, the stored values, then the targets, marked "sparse"
     * with the stored count, so a sparse and a dense copy of the same data never match (their
     * kernels differ, so a resume across them could not be bit-identical). Example weights, when the data
     * have them, follow in the sum and mark the fingerprint "weighted" (unweighted fingerprints are unchanged).
     */
    public static String dataChecksum(Dataset ds) {
        if (!ds.hasWeights()) return unweightedChecksum(ds);
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        update(crc, buf, ds.weights());
        return unweightedChecksum(ds) + String.format(" weighted crc32c %08x", crc.getValue());
    }

    private static String unweightedChecksum(Dataset ds) {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        float[] targets = ds.targets() == null ? new float[0] : ds.targets();
        if (!ds.isSparse()) {
            for (float[] a : new float[][] {ds.features(), targets}) update(crc, buf, a);
            return String.format("%d×%d crc32c %08x%s", ds.n(), ds.d(), crc.getValue(), ds.hasTargets() ? "" : " no targets");
        }
        SparseRows rows = ds.rowsSparse();
        long[] off = rows.rowOffsets();
        for (int i = 0; i < off.length; ) {
            buf.clear();
            int m = Math.min(off.length - i, buf.capacity() / 8);
            buf.asLongBuffer().put(off, i, m);
            crc.update(buf.array(), 0, 8 * m);
            i += m;
        }
        for (int[] cols : rows.colSegments()) {              // the segments back to back: the same sum for any cut
            for (int i = 0; i < cols.length; ) {
                buf.clear();
                int m = Math.min(cols.length - i, buf.capacity() / 4);
                buf.asIntBuffer().put(cols, i, m);
                crc.update(buf.array(), 0, 4 * m);
                i += m;
            }
        }
        for (float[] vals : rows.valSegments()) update(crc, buf, vals);
        update(crc, buf, targets);
        return String.format("%d×%d sparse %d stored crc32c %08x%s", ds.n(), ds.d(), rows.nnz(), crc.getValue(),
                ds.hasTargets() ? "" : " no targets");
    }

    /** Feeds {@code a}'s float bits (little-endian) to {@code crc} through {@code buf}. */
    private static void update(CRC32C crc, ByteBuffer buf, float[] a) {
        for (int i = 0; i < a.length; ) {
            buf.clear();
            int m = Math.min(a.length - i, buf.capacity() / 4);
            buf.asFloatBuffer().put(a, i, m);
            crc.update(buf.array(), 0, 4 * m);
            i += m;
        }
    }

    private static int count(DataInputStream in, Path file) throws IOException {
        int k = in.readInt();
        if (k < 0 || k > in.available()) throw damaged(file);
        return k;
    }

    private static DescentException damaged(Path file) {
        return new DescentException("checkpoint " + file + " is damaged or cut short (its checksum does not match): "
                + "resume from an earlier checkpoint, or drop --resume to start afresh");
    }
}
