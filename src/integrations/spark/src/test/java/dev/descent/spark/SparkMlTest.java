package dev.descent.spark;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * times (after a warm-up fit of each) are printed. And the linear regressor against Spark's
 * LinearRegression (normal equations, the least-squares optimum) on a planted model, in a Pipeline.
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

    @Test
    void linearRegressionInAPipelineReachesTheLeastSquaresOptimumWithinOnePercent() {
        dev.descent.data.Dataset data = dev.descent.data.Generators.regression(3000, 8, 0.5, 11);
        int d = data.d();
        float[] x = data.features(), t = data.targets();
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < data.n(); i++) {
            double[] a = new double[d];
            for (int j = 0; j < d; j++) a[j] = x[i * d + j];
            rows.add(RowFactory.create((double) t[i], Vectors.dense(a)));
        }
        StructType schema = new StructType(new StructField[] {DataTypes.createStructField("label", DataTypes.DoubleType, false),
                DataTypes.createStructField("features", SQLDataTypes.VectorType(), false)});
        Dataset<org.apache.spark.sql.Row> df = spark.createDataFrame(rows, schema).repartition(3).cache();

        LinearRegressionModel theirs = new LinearRegression().setSolver("normal").setRegParam(0).fit(df);
        double sparkMse = theirs.summary().meanSquaredError();
        var est = new DescentLinearRegression().setBackend("cpu").setMaxIter(200).setStepSize(0.5);
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[] {est}).fit(df);
        var ours = (DescentLinearRegressionModel) pm.stages()[0];
        double mse = 0;
        List<org.apache.spark.sql.Row> out = pm.transform(df).select("label", "prediction", "features").collectAsList();
        for (org.apache.spark.sql.Row r : out) {
            double p = ours.predict((Vector) r.get(2));
            assertEquals(p, r.getDouble(1), 0, "the prediction is w·x + b");
            mse += (p - r.getDouble(0)) * (p - r.getDouble(0));
        }
        mse /= out.size();
        System.out.printf(Locale.ROOT, "[spark-ml] planted 3000 x 8: Spark LinearRegression (normal) MSE %.6f; descent GD (200 steps, %s) MSE %.6f, "
                + "training loss %.6f%n", sparkMse, ours.device(), mse, ours.trainingLoss());
        assertEquals(3000, out.size());
        assertTrue(mse <= sparkMse * 1.01, "descent MSE " + mse + " vs Spark's least-squares optimum " + sparkMse);
        assertEquals(mse / 2, ours.trainingLoss(), 1e-4 * mse, "the training loss is half the mean squared error");
    }

    /**
     * weightCol: two groups of rows follow different planted models, one weighing 5 and the other 0.2 (and every 9th row 0).
     * descent's weighted GD reaches Spark's weighted least-squares optimum (LinearRegression with the same weightCol, normal
     * equations) within 1% of its weighted MSE, the unweighted fit does not come near it, and the training loss is
     * (1/n)·Σ v·(w·x + b − y)²/2.
     */
    @Test
    void weightColTrainsTheWeightedLeastSquaresFit() {
        java.util.Random rng = new java.util.Random(5);
        int n = 2000, d = 4;
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] a = new double[d];
            for (int j = 0; j < d; j++) a[j] = (float) rng.nextGaussian();
            boolean first = a[0] > 0;
            double y = first ? 2 * a[0] - a[1] + 1 : -a[0] + 3 * a[2] - 1;
            double v = i % 9 == 0 ? 0 : first ? 5 : 0.2;
            rows.add(RowFactory.create((double) (float) (y + 0.1 * rng.nextGaussian()), Vectors.dense(a), v));
        }
        StructType schema = new StructType(new StructField[] {DataTypes.createStructField("label", DataTypes.DoubleType, false),
                DataTypes.createStructField("features", SQLDataTypes.VectorType(), false),
                DataTypes.createStructField("w", DataTypes.DoubleType, false)});
        Dataset<org.apache.spark.sql.Row> df = spark.createDataFrame(rows, schema).repartition(3).cache();

        LinearRegressionModel theirs = new LinearRegression().setSolver("normal").setRegParam(0).setWeightCol("w").fit(df);
        var weighted = (DescentLinearRegressionModel) new Pipeline().setStages(new PipelineStage[] {
                new DescentLinearRegression().setBackend("cpu").setMaxIter(400).setStepSize(0.3).setWeightCol("w")}).fit(df).stages()[0];
        var plain = (DescentLinearRegressionModel) new Pipeline().setStages(new PipelineStage[] {
                new DescentLinearRegression().setBackend("cpu").setMaxIter(400).setStepSize(0.3)}).fit(df).stages()[0];
        double sw = 0, mseSpark = 0, mseOurs = 0, msePlain = 0, lossOurs = 0;
        for (org.apache.spark.sql.Row r : df.collectAsList()) {
            Vector x = (Vector) r.get(1);
            double y = r.getDouble(0), v = r.getDouble(2);
            double es = theirs.predict(x) - y, eo = weighted.predict(x) - y, ep = plain.predict(x) - y;
            sw += v;
            mseSpark += v * es * es;
            mseOurs += v * eo * eo;
            msePlain += v * ep * ep;
            lossOurs += v * eo * eo / 2;
        }
        mseSpark /= sw;
        mseOurs /= sw;
        msePlain /= sw;
        System.out.printf(Locale.ROOT, "[spark-ml] weightCol: weighted MSE Spark (normal) %.6f, descent GD %.6f, descent without weights %.6f%n",
                mseSpark, mseOurs, msePlain);
        assertTrue(mseOurs <= mseSpark * 1.01, "descent weighted MSE " + mseOurs + " vs Spark's " + mseSpark);
        assertTrue(msePlain > mseSpark * 1.5, "the unweighted fit " + msePlain + " should miss the weighted optimum " + mseSpark);
        assertEquals(lossOurs / n, weighted.trainingLoss(), 1e-4 * lossOurs / n, "the training loss is (1/n)·Σ v·e²/2");
    }
}
