package com.example.churn;

/** A private Spark SQL helper: register with spark.udf().register("tenure_bucket", ...). */
public final class ChurnUdfs {
    private ChurnUdfs() {}

    /** Bucket a customer's tenure in months into the bands the model was trained on. */
    public static String tenureBucket(int months) {
        if (months < 6) return "new";
        if (months < 24) return "established";
        return "loyal";
    }
}
