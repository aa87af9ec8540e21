package io.cachesync.app.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads through the API at a fixed rate with Zipf-skewed ids (80 % products, 10 % the view product_pages, 10 % users),
 * and checks that no response ever carries a sensitive column.
 */
final class ReadWorkload implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadWorkload.class);

    private final String api;
    private final double rate;
    private final AtomicBoolean running;
    private final LongSupplier maxProductId;
    private final Counters counters;
    private final long seed;

    /** Shared by all reader threads. */
    static final class Counters {
        final LongAdder reads = new LongAdder();
        final LongAdder l1Hits = new LongAdder();
        final LongAdder hits = new LongAdder();
        final LongAdder misses = new LongAdder();
        final LongAdder negatives = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder leaks = new LongAdder();

        double hitRate() {
            long r = l1Hits.sum() + hits.sum() + misses.sum() + negatives.sum();
            return r == 0 ? 0 : (double) (l1Hits.sum() + hits.sum() + negatives.sum()) / r;
        }
    }

    ReadWorkload(String api, double rate, AtomicBoolean running, LongSupplier maxProductId, Counters counters, long seed) {
        this.api = api;
        this.rate = rate;
        this.running = running;
        this.maxProductId = maxProductId;
        this.counters = counters;
        this.seed = seed;
    }

    @Override
    public void run() {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        ZipfSampler products = new ZipfSampler(DemoSchema.PRODUCTS * 2, 0.99);
        ZipfSampler users = new ZipfSampler(DemoSchema.USERS, 0.99);
        SplittableRandom random = new SplittableRandom(seed);
        Pacer pacer = new Pacer(rate);
        while (running.get() && pacer.await()) {
            int kind = random.nextInt(10);
            String path = kind == 0 ? "/v1/users/" + users.next(random)
                    : kind == 1 ? "/v1/product_pages/" + Math.min(products.next(random), maxProductId.getAsLong())
                    : "/v1/products/" + Math.min(products.next(random), maxProductId.getAsLong());
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                counters.reads.increment();
                String cache = r.headers().firstValue("X-Cache").orElse("");
                switch (cache) {
                    case "HIT-L1" -> counters.l1Hits.increment();
                    case "HIT" -> counters.hits.increment();
                    case "MISS" -> counters.misses.increment();
                    case "NEGATIVE" -> counters.negatives.increment();
                    default -> counters.errors.increment();
                }
                if (r.body().contains("password_hash")) {
                    counters.leaks.increment();
                }
            } catch (java.io.IOException e) {
                counters.errors.increment();
                LOG.debug("demo read {} failed: {}", path, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
