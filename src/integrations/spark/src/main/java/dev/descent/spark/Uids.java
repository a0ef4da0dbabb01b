package dev.descent.spark;

/**
 * A spark.ml stage's uid while its superclass constructor runs. Spark's shared params (featuresCol,
 * labelCol, …) are made by its Scala traits' initializers, inside the superclass constructor, and
 * belong to {@code uid()} as it is then; a Scala class has its uid assigned before that, a Java field
 * only after. So a stage's public constructor stashes the uid here as an argument to its private one
 * (evaluated before the superclass constructor runs), and {@code uid()} answers from here until the
 * field is set.
 */
final class Uids {
    private Uids() {}

    private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

    static String stash(String uid) {
        PENDING.set(uid);
        return uid;
    }

    static String pending() {
        return PENDING.get();
    }

    static void clear() {
        PENDING.remove();
    }
}
