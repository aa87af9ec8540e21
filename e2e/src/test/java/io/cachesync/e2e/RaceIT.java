package io.cachesync.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.app.DemoEntities;
import io.cachesync.app.demo.DemoSchema;
import io.cachesync.app.demo.PipelineDrain;
import io.cachesync.app.demo.StackSettings;
import io.cachesync.app.verify.CacheVerifier;
import io.cachesync.app.verify.VerifyResult;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevStack;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.config.SyncConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The race suite: writers hammering a small hot key set, API readers missing and filling the same keys, forced
 * evictions of those keys, and a kill -9 of cache-sync (its own JVM) in the middle and a restart. At the end the
 * pipeline is drained, every hot key is read once through the API, and {@code verify} must find nothing stale,
 * missing or extra — in the cached products and in the view product_pages, whose other parts (brands, stock, reviews)
 * a quarter of the writes change. The short form runs 101,000 operations (21,000 writes, 70,000 reads, 10,000 evictions); {@code -Dcachesync.race.scale=N}
 * (profile {@code consistency-long}) runs N times as many.
 */
class RaceIT {
    static final int BASE_OPERATIONS = 100_000;
    static final int SCALE = Integer.getInteger("cachesync.race.scale", 1);
    static final int HOT = 50;
    /** Brands the hot products move between; stock and review ids are 1..PARTS. */
    static final int BRANDS = 5;
    static final int PARTS = 100;
    static final int WRITERS = 3;
    static final int READERS = 4;
    static final long WRITES = 21_000L * SCALE;
    static final long READS = 70_000L * SCALE;
    static final long EVICTIONS = 10_000L * SCALE;

    final LongAdder writes = new LongAdder();
    final LongAdder deletes = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder serverErrors = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    void concurrentWritesFillsEvictionsAndACrashLeaveNothingStale() throws Exception {
        long started = System.nanoTime();
        try (DevStack stack = DevStack.start()) {
            try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
                DemoSchema.create(c);
                st.execute("INSERT INTO products SELECT g, 'hot ' || g, 'c' || (g % 5), 1.00, now() FROM generate_series(1, " + HOT + ") g");
                st.execute("INSERT INTO brands SELECT g, 'brand ' || g, 'NL' FROM generate_series(1, " + BRANDS + ") g");
            }
            // the view product_pages too: a share of the writes goes to its other parts (brands, stock, reviews)
            Map<String, String> overrides = new HashMap<>(DemoEntities.VIEW_CONFIG);
            overrides.put("entities", DemoEntities.WITH_VIEWS.get("entities"));
            overrides.put("sync.audit-fraction", "0");
            overrides.put("api.db-pool-size", "8");
            Map<String, String> cfg = StackSettings.map(stack, overrides);
            Path cfgFile = stack.workDir().resolve("sync.properties");
            Files.writeString(cfgFile, cfg.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
            Settings settings = Settings.of(cfg);
            SyncConfig syncConfig = SyncConfig.from(settings);
            Path syncLog = stack.workDir().resolve("sync.log");
            try (IngestService ingest = new IngestService(IngestConfig.from(settings)).start();
                 ApiService api = new ApiService(ApiConfig.from(settings)).start();
                 ServiceProcess sync = ServiceProcess.start("sync", cfgFile, syncLog);
                 RedisClient redis = RedisConnections.client(URI.create(stack.redis().url()), 4, Duration.ofSeconds(2))) {
                await().alias("snapshot of the hot keys in Redis").atMost(Duration.ofMinutes(2))
                        .until(() -> redis.keys("cs:products:*").size() >= HOT);

                List<Thread> workers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int seed = w;
                    workers.add(worker("race-writer-" + w, () -> write(stack, WRITES / WRITERS, seed)));
                }
                for (int r = 0; r < READERS; r++) {
                    int seed = 100 + r;
                    workers.add(worker("race-reader-" + r, () -> read(api.baseUrl(), READS / READERS, seed)));
                }
                workers.add(worker("race-evictor", () -> evict(redis)));
                workers.forEach(Thread::start);

                await().alias("a third of the writes done").atMost(Duration.ofMinutes(10)).until(() -> writes.sum() >= WRITES / 3);
                sync.kill9();
                long writesAtKill = writes.sum();
                await().alias("writes while cache-sync is dead").atMost(Duration.ofMinutes(10))
                        .until(() -> writes.sum() >= writesAtKill + WRITES / 6 || writes.sum() >= WRITES - WRITERS);
                sync.start();
                for (Thread t : workers) {
                    t.join();
                }
                assertThat(failures).as("worker failures").isEmpty();

                PipelineDrain drain = PipelineDrain.of(stack.kafka().bootstrapServers(), syncConfig, ingest::published);
                assertThat(drain.await(Duration.ofSeconds(3), Duration.ofMinutes(3))).as("pipeline drained").isTrue();
                // every hot key read once more: evicted keys are filled through the lease path, and verified too
                HttpClient http = HttpClient.newHttpClient();
                for (int id = 1; id <= HOT; id++) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/products/" + id)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).isIn(200, 404);
                }
                EntityCatalog catalog = syncConfig.catalog();
                VerifyResult result = new CacheVerifier(catalog, () -> connect(stack), redis).verify(Duration.ofSeconds(5));
                VerifyResult.Counts products = result.perEntity().get("products");
                long operations = writes.sum() + reads.sum() + evictions.sum();
                report(operations, started, products, result, api);

                assertThat(operations).isGreaterThanOrEqualTo((long) BASE_OPERATIONS * SCALE);
                assertThat(products.checked()).isGreaterThanOrEqualTo(1);
                assertThat(products.stale()).as("stale keys " + result.samples()).isZero();
                assertThat(products.missing()).as("missing keys " + result.samples()).isZero();
                assertThat(products.extra()).as("extra keys " + result.samples()).isZero();
                VerifyResult.Counts pages = result.perEntity().get("product_pages");
                assertThat(pages.checked()).as("view documents checked").isGreaterThanOrEqualTo(1);
                assertThat(pages.stale()).as("stale view documents " + result.samples()).isZero();
                assertThat(pages.missing()).as("missing view documents " + result.samples()).isZero();
                assertThat(pages.extra()).as("extra view documents " + result.samples()).isZero();
                assertThat(serverErrors.sum()).as("API 5xx answers").isZero();
            }
        }
    }

    private Thread worker(String name, ThrowingRunnable body) {
        return new Thread(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        }, name);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static Connection connect(DevStack stack) {
        try {
            return stack.postgres().connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void write(DevStack stack, long count, int seed) throws SQLException {
        SplittableRandom random = new SplittableRandom(seed);
        try (Connection c = stack.postgres().connect();
             PreparedStatement upsert = c.prepareStatement("INSERT INTO products (id, name, category, price) VALUES (?, ?, ?, ?) "
                     + "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category, price = EXCLUDED.price, updated_at = now()");
             PreparedStatement delete = c.prepareStatement("DELETE FROM products WHERE id = ?")) {
            for (long i = 0; i < count; i++) {
                long id = 1 + random.nextInt(HOT);
                if (random.nextInt(100) < 25) {
                    writePart(c, random, id);
                } else if (random.nextInt(100) < 15) {
                    delete.setLong(1, id);
                    delete.executeUpdate();
                    deletes.increment();
                } else {
                    upsert.setLong(1, id);
                    upsert.setString(2, "hot " + id + " w" + seed + "-" + i);
                    upsert.setString(3, "c" + random.nextInt(5));
                    upsert.setBigDecimal(4, BigDecimal.valueOf(random.nextInt(100_000), 2));
                    upsert.executeUpdate();
                }
                writes.increment();
            }
        }
    }

    /** One write to a part of the view product_pages other than the product's own columns. */
    private void writePart(Connection c, SplittableRandom random, long product) throws SQLException {
        long part = 1 + random.nextInt(PARTS);
        String sql = switch (random.nextInt(7)) {
            case 0 -> "UPDATE brands SET name = 'brand " + random.nextInt(1000) + "' WHERE id = " + (1 + random.nextInt(BRANDS));
            case 1 -> "UPDATE products SET brand_id = " + (1 + random.nextInt(BRANDS)) + " WHERE id = " + product;
            case 2 -> "INSERT INTO stock VALUES (" + part + ", " + product + ", 'w', " + random.nextInt(100)
                    + ") ON CONFLICT (id) DO UPDATE SET quantity = EXCLUDED.quantity, product_id = EXCLUDED.product_id";
            case 3 -> "DELETE FROM stock WHERE id = " + part;
            case 4 -> "INSERT INTO reviews VALUES (" + part + ", " + product + ", " + (1 + random.nextInt(5))
                    + ", 'r') ON CONFLICT (id) DO UPDATE SET rating = EXCLUDED.rating, product_id = EXCLUDED.product_id";
            case 5 -> "DELETE FROM reviews WHERE id = " + part;
            default -> "UPDATE reviews SET product_id = " + product + " WHERE id = " + part;
        };
        try (Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    private void read(String api, long count, int seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (long i = 0; i < count; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/products/" + (1 + random.nextInt(HOT)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 500) {
                serverErrors.increment();
            }
            reads.increment();
        }
    }

    /** Spreads the evictions over the writes: one DEL of a random hot key every WRITES/EVICTIONS writes. */
    private void evict(RedisClient redis) {
        SplittableRandom random = new SplittableRandom(7);
        for (long i = 0; i < EVICTIONS; i++) {
            long due = i * WRITES / EVICTIONS;
            while (writes.sum() < due && failures.isEmpty()) {
                LockSupport.parkNanos(200_000);
            }
            redis.del("cs:products:" + (1 + random.nextInt(HOT)));
            evictions.increment();
        }
    }

    private void report(long operations, long started, VerifyResult.Counts products, VerifyResult result, ApiService api) {
        ObjectNode r = ValueCodec.mapper().createObjectNode();
        r.put("scale", SCALE);
        r.put("operations", operations);
        r.put("writes", writes.sum());
        r.put("deletes", deletes.sum());
        r.put("reads", reads.sum());
        r.put("evictions", evictions.sum());
        r.put("api_5xx", serverErrors.sum());
        r.put("api_misses", api.stats().misses());
        r.put("fills_kept", api.stats().fills());
        r.put("fills_dropped", api.stats().fillsDropped());
        r.put("lease_waits", api.stats().leaseWaits());
        r.put("seconds", (System.nanoTime() - started) / 1_000_000_000L);
        r.put("checked", products.checked());
        r.put("fresh", products.fresh());
        r.put("converged", products.converged());
        r.put("stale", products.stale());
        r.put("missing", products.missing());
        r.put("extra", products.extra());
        var samples = r.putArray("samples");
        result.samples().forEach(samples::add);
        try {
            Path out = Path.of("target", "race-report-x" + SCALE + ".json");
            Files.createDirectories(out.getParent());
            Files.writeString(out, ValueCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("race suite: " + r);
    }
}
