package io.cachesync.e2e;

import io.cachesync.api.ApiService;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Readers that ask several query-api instances for random rows while a suite disturbs the pipeline, counting the
 * answers by status: 200 and 404 are answers, 503 is the documented "try again" of an API that can reach neither
 * Redis nor PostgreSQL in time; anything else (another 5xx, a connection refused) is a failure.
 */
final class ApiReaders implements AutoCloseable {
    private final List<ApiService> apis;
    private final int rows;
    private final Map<Integer, Long> byStatus = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    ApiReaders(List<ApiService> apis, int rows) {
        this.apis = List.copyOf(apis);
        this.rows = rows;
    }

    ApiReaders start(int n) {
        for (int r = 0; r < n; r++) {
            int seed = r;
            Thread t = new Thread(() -> read(seed), "api-reader-" + r);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void read(int seed) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        SplittableRandom random = new SplittableRandom(seed);
        while (reading.get()) {
            ApiService api = apis.get(random.nextInt(apis.size()));
            String path = "/v1/products/" + (1 + random.nextInt(rows));
            int status;
            try {
                status = http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + path)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
                synchronized (this) {
                    failures.add(api.baseUrl() + path + ": " + e);
                }
                continue;
            }
            synchronized (this) {
                byStatus.merge(status, 1L, Long::sum);
                if (status >= 500 && status != 503) {
                    failures.add(api.baseUrl() + path + ": " + status);
                }
            }
        }
    }

    /** Answers by HTTP status. */
    synchronized Map<Integer, Long> byStatus() {
        return new TreeMap<>(byStatus);
    }

    /** Reads that got a 5xx other than 503, or no answer. */
    synchronized List<String> failures() {
        return new ArrayList<>(failures);
    }

    @Override
    public void close() throws InterruptedException {
        reading.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }
}
