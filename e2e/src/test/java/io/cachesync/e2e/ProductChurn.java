package io.cachesync.e2e;

import io.cachesync.api.ApiService;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.devstack.DevStack;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers that churn the demo's {@code products} rows 1..rows while a suite disturbs the pipeline: upserts that move a
 * row between the categories {@code c0..c<categories-1>} and deletes (15 %), each its own transaction; and the list
 * pages of those categories from the API and from the database, to compare after the drain.
 */
final class ProductChurn implements AutoCloseable {
    private final DevStack stack;
    private final int rows;
    private final int categories;
    private final LongAdder writes = new LongAdder();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> writers = new ArrayList<>();

    ProductChurn(DevStack stack, int rows, int categories) {
        this.stack = stack;
        this.rows = rows;
        this.categories = categories;
    }

    /** Starts {@code n} writer threads, each writing as fast as PostgreSQL commits. */
    ProductChurn start(int n) {
        return start(n, 0);
    }

    /** Starts {@code n} writer threads, each at most {@code perSecond} writes a second (0: as fast as it can). */
    ProductChurn start(int n, int perSecond) {
        long pauseNanos = perSecond > 0 ? 1_000_000_000L / perSecond : 0;
        for (int w = 0; w < n; w++) {
            int seed = w;
            Thread t = new Thread(() -> {
                try {
                    write(seed, pauseNanos);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "churn-writer-" + w);
            writers.add(t);
            t.start();
        }
        return this;
    }

    /** Committed writes so far. */
    long writes() {
        return writes.sum();
    }

    /** Stops the writers and asserts none failed. */
    void stop() throws InterruptedException {
        close();
        assertThat(failures).as("writer failures").isEmpty();
    }

    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        for (Thread t : writers) {
            t.join(60_000);
        }
    }

    private void write(int seed, long pauseNanos) throws SQLException {
        SplittableRandom random = new SplittableRandom(seed);
        try (Connection c = stack.postgres().connect();
             PreparedStatement upsert = c.prepareStatement("INSERT INTO products (id, name, category, price) VALUES (?, ?, ?, ?) "
                     + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category, price = EXCLUDED.price, updated_at = now()");
             PreparedStatement delete = c.prepareStatement("DELETE FROM products WHERE id = ?")) {
            for (long i = 0; writing.get() && i < 200_000; i++) {
                long id = 1 + random.nextInt(rows);
                if (random.nextInt(100) < 15) {
                    delete.setLong(1, id);
                    delete.executeUpdate();
                } else {
                    upsert.setLong(1, id);
                    upsert.setString(2, "row " + id + " w" + seed + "-" + i);
                    upsert.setString(3, "c" + random.nextInt(categories));
                    upsert.setBigDecimal(4, BigDecimal.valueOf(random.nextInt(100_000), 2));
                    upsert.executeUpdate();
                }
                writes.increment();
                if (pauseNanos > 0) {
                    LockSupport.parkNanos(pauseNanos);
                }
            }
        }
    }

    /** Fills the list pages (so that stale pages would be served if a generation bump were lost). */
    void readEveryList(ApiService api) throws Exception {
        for (int c = 0; c < categories; c++) {
            listIds(api, "c" + c);
        }
    }

    /** Asserts that every category's first page from the API equals the database's. */
    void assertEveryListEqualsTheDatabase(ApiService api) throws Exception {
        for (int c = 0; c < categories; c++) {
            assertThat(listIds(api, "c" + c)).as("list category=c" + c).isEqualTo(dbIds("c" + c));
        }
    }

    static TreeSet<Long> listIds(ApiService api, String category) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(api.baseUrl() + "/v1/products?category=" + category + "&per_page=100")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        TreeSet<Long> ids = new TreeSet<>();
        ValueCodec.mapper().readTree(r.body()).path("items").forEach(n -> ids.add(n.path("id").asLong()));
        return ids;
    }

    TreeSet<Long> dbIds(String category) throws SQLException {
        TreeSet<Long> ids = new TreeSet<>();
        try (Connection c = stack.postgres().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM products WHERE category = ? ORDER BY id LIMIT 100")) {
            ps.setString(1, category);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }
}
