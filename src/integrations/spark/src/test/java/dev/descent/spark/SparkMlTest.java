package dev.descent.spark;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spark.ml estimator in a Pipeline on a DataFrame, against Spark's own LogisticRegression on the
 * real LIBSVM file Debian's liblinear-tools ships (heart_scale: 270 rows, 13 features in [−1, 1]):
 * descent's full-batch GD reaches Spark's (L-BFGS, no regularization) mean log loss within 1%; both
 * times (after a warm-up fit of each) are printed.
 */
class SparkMlTest {
    static final Path HEART_SCALE = Path.of("/usr/share/doc/liblinear-tools/examples/heart_scale");
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("descent-spark-ml-test").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    @Test
    void heartScaleInAPipelineReachesSparksOwnLossWithinOnePercent() {
        Assumptions.assumeTrue(Files.isReadable(HEART_SCALE), "heart_scale not found at " + HEART_SCALE + ": apt-get install liblinear-tools");
        Dataset<org.apache.spark.sql.Row> df = spark.read().format("libsvm").option("numFeatures", "13").load(HEART_SCALE.toString())
                .withColumn("label", when(col("label").gt(0), 1.0).otherwise(0.0)).repartition(2).cache();
        assertEquals(270, df.count());

        new LogisticRegression().setMaxIter(3).fit(df);          // warm-up of both sides (the first fit in a JVM pays Spark SQL's start)
        new Pipeline().setStages(new PipelineStage[] {new DescentLogisticRegression().setBackend("cpu").setMaxIter(3)}).fit(df);
        long t0 = System.nanoTime();
        LogisticRegressionModel theirs = new LogisticRegression().setRegParam(0).setMaxIter(500).setTol(1e-12).fit(df);
        double sparkSeconds = (System.nanoTime() - t0) / 1e9;
        double[] hist = theirs.summary().objectiveHistory();
        double sparkLoss = hist[hist.length - 1];

        t0 = System.nanoTime();
        var est = new DescentLogisticRegression().setBackend("cpu").setMaxIter(300).setStepSize(2.0);
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {est}).fit(df);
        double descentSeconds = (System.nanoTime() - t0) / 1e9;
        var ours = (DescentLogisticRegressionModel) pm.stages()[0];
        double descentLoss = ours.trainingLoss();
        System.out.printf(Locale.ROOT, "[spark-ml] heart_scale: Spark LogisticRegression (L-BFGS, %d iterations) loss %.6f in %.2f s; "
                + "descent GD (300 steps, %s) loss %.6f in %.2f s%n", hist.length - 1, sparkLoss, sparkSeconds, ours.device(), descentLoss, descentSeconds);
        assertTrue(descentLoss <= sparkLoss * 1.01, "descent " + descentLoss + " vs Spark " + sparkLoss);

        Dataset<org.apache.spark.sql.Row> out = pm.transform(df);
        List<org.apache.spark.sql.Row> rows = out.select("label", "prediction", "rawPrediction", "features").collectAsList();
        int right = 0;
        for (org.apache.spark.sql.Row r : rows) {
            double m = ours.margin((Vector) r.get(3));
            assertEquals(m > 0 ? 1.0 : 0.0, r.getDouble(1), 0, "the prediction is the margin's sign");
            assertEquals(m, ((Vector) r.get(2)).apply(1), 0);
            if (r.getDouble(0) == r.getDouble(1)) right++;
        }
        assertTrue(right > 0.8 * rows.size(), "training accuracy " + right + " of " + rows.size());
    }
}
