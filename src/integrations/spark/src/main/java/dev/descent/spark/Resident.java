package dev.descent.spark;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.Session;
import dev.descent.backend.Spec;
import dev.descent.data.Dataset;
import dev.descent.data.SparseRows;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor side: each partition of a trainer's RDD, read once, resident in a descent session in this
 * JVM across the trainer's jobs (a retried or repeated task finds it here). Sessions of one backend share
 * one {@link Backend} per JVM, opened at the first session and closed with the last.
 */
final class Resident {
    private Resident() {}

    /** A resident partition: its session, its row count, the backend's key (as opened) and its description. */
    record Part(Session session, int rows, String key, String device) {}

    private static final Map<String, Part> PARTS = new ConcurrentHashMap<>();
    private static final Map<String, Backend> BACKENDS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> USERS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> UPLOADS = new ConcurrentHashMap<>();

    /** The partition's session, opened (its rows read from {@code rows} and uploaded) on first use in this JVM. */
    static Part part(String trainer, int partition, Iterator<Row> rows, int d, Settings s) {
        return PARTS.computeIfAbsent(trainer + "/" + partition, k -> open(trainer, partition, rows, d, s));
    }

    /**
     * The backend a task opens: when Spark scheduled the task with a GPU (task resources "gpu", from
     * {@code spark.task.resource.gpu.amount} and the executor's discovery script) and the settings say
     * auto or cuda, CUDA on the first address Spark gave it; otherwise the settings' backend as named.
     */
    static String backendFor(String configured, java.util.Map<String, String[]> taskResources) {
        String[] gpus = taskResources == null ? null : taskResources.get("gpu");
        String c = configured.trim().toLowerCase(java.util.Locale.ROOT);
        if (gpus == null || gpus.length == 0 || !(c.equals("auto") || c.equals("cuda"))) return configured;
        return "cuda:" + gpus[0];
    }

    private static String backendForThisTask(Settings s) {
        org.apache.spark.TaskContext tc = org.apache.spark.TaskContext.get();
        if (tc == null) return s.backend();
        java.util.Map<String, String[]> r = new java.util.HashMap<>();
        tc.resourcesJMap().forEach((k, v) -> r.put(k, v.addresses()));
        return backendFor(s.backend(), r);
    }

    private static Part open(String trainer, int partition, Iterator<Row> it, int d, Settings s) {
        List<Row> rows = new ArrayList<>();
        it.forEachRemaining(rows::add);
        dev.descent.DescentException.require(!rows.isEmpty(), "partition " + partition + " of the training RDD is empty: "
                + "repartition (or coalesce) so that every partition holds rows");
        Dataset ds = rows.get(0).isSparse() ? sparse(partition, rows, d, s) : dense(partition, rows, d, s);
        Spec spec = s.spec();
        String key = backendForThisTask(s);
        Backend b;
        synchronized (BACKENDS) {
            b = BACKENDS.computeIfAbsent(key, Backends::open);
            USERS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
        Session session;
        try {
            session = b.open(ds, spec);
        } catch (RuntimeException e) {
            release(key);
            throw e;
        }
        UPLOADS.computeIfAbsent(trainer, k -> new AtomicInteger()).incrementAndGet();
        return new Part(session, ds.n(), key, b.name() + ": " + b.device());
    }

    private static Dataset dense(int partition, List<Row> rows, int d, Settings s) {
        int n = rows.size();
        float[] x = new float[Math.multiplyExact(n, d)], t = new float[n];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            dev.descent.DescentException.require(!r.isSparse() && r.x().length == d, "row " + i + " of partition " + partition + " has "
                    + (r.isSparse() ? "sparse features" : r.x().length + " features") + ", the trainer " + d
                    + " dense ones: every row needs the same number, all dense or all sparse");
            System.arraycopy(r.x(), 0, x, i * d, d);
            t[i] = r.y();
        }
        return new Dataset("spark partition " + partition, x, s.spec().objective().needsTargets() ? t : null, n, d).withWeights(weights(rows));
    }

    /** The rows' example weights, or null when every one is 1. */
    private static float[] weights(List<Row> rows) {
        float[] w = new float[rows.size()];
        boolean any = false;
        for (int i = 0; i < w.length; i++) {
            w[i] = rows.get(i).weight();
            any |= w[i] != 1f;
        }
        return any ? w : null;
    }

    /** The partition's sparse rows as CSR (validated by {@link Dataset#sparse}: columns in 0..d−1, strictly increasing). */
    private static Dataset sparse(int partition, List<Row> rows, int d, Settings s) {
        int n = rows.size();
        long[] off = new long[n + 1];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            dev.descent.DescentException.require(r.isSparse(), "row " + i + " of partition " + partition
                    + " is dense, the partition's first row sparse: all dense or all sparse");
            off[i + 1] = off[i] + r.x().length;
        }
        dev.descent.DescentException.require(off[n] <= Integer.MAX_VALUE - 8, "partition " + partition + " stores " + off[n]
                + " values, more than one partition holds (2^31 − 8): repartition into more partitions");
        int[] cols = new int[(int) off[n]];
        float[] vals = new float[(int) off[n]], t = new float[n];
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            System.arraycopy(r.cols(), 0, cols, (int) off[i], r.x().length);
            System.arraycopy(r.x(), 0, vals, (int) off[i], r.x().length);
            t[i] = r.y();
        }
        return Dataset.sparse(new SparseRows("spark partition " + partition, off, cols, vals,
                s.spec().objective().needsTargets() ? t : null, n, d)).withWeights(weights(rows));
    }

    private static final java.util.Set<Session> IN_ORDER = ConcurrentHashMap.newKeySet();

    /** Sets the session's batch order; the in-order order (full-batch steps) only when the session does not hold it already. */
    static void setOrder(Session s, int[] order, boolean inOrder) {
        if (inOrder && IN_ORDER.contains(s)) return;
        s.setOrder(order);
        if (inOrder) IN_ORDER.add(s);
        else IN_ORDER.remove(s);
    }

    /** Partitions uploaded into sessions in this JVM for the trainer (retries and repeated jobs reuse them). */
    static int uploads(String trainer) {
        AtomicInteger a = UPLOADS.get(trainer);
        return a == null ? 0 : a.get();
    }

    /** Closes the trainer's sessions in this JVM (and a backend no session uses any more). */
    static void close(String trainer) {
        for (var e : List.copyOf(PARTS.entrySet())) {
            if (!e.getKey().startsWith(trainer + "/")) continue;
            if (PARTS.remove(e.getKey()) == null) continue;
            IN_ORDER.remove(e.getValue().session());
            try {
                e.getValue().session().close();
            } finally {
                release(e.getValue().key());
            }
        }
    }

    private static void release(String backend) {
        if (backend == null) return;
        synchronized (BACKENDS) {
            AtomicInteger u = USERS.get(backend);
            if (u != null && u.decrementAndGet() == 0) {
                USERS.remove(backend);
                Backend b = BACKENDS.remove(backend);
                if (b != null) b.close();
            }
        }
    }
}
