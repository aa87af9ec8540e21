package io.cachesync.app.demo;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Draws ranks 1..n with probability proportional to 1/rank^s (a few hot keys, a long tail). */
public final class ZipfSampler {
    private final double[] cdf;

    public ZipfSampler(int n, double s) {
        cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
    }

    /** A rank in [1, n]. */
    public int next(RandomGenerator random) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        return (i >= 0 ? i : -i - 1) + 1;
    }
}
