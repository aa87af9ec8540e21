package io.cachesync.e2e;

import io.cachesync.app.DemoEntities;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.views.ViewQueries;
import io.cachesync.sync.config.SyncConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The view {@code product_pages} (a product, its brand, its stock per warehouse, a summary of its reviews) kept by
 * cache-sync's view topology: a change to each part shows in every document it belongs to, equal to the document its
 * SQL builds ({@link ViewQueries}); and concurrent writes to every part, across a restart of cache-sync, leave every
 * document equal to its SQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ViewIT {
    private static final String VIEW = "product_pages";
    /** Longest a change may take to show in the view (the pipeline's lag is ~100 ms; CI machines are slow). */
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private Pipeline p;
    private EntityCatalog catalog;
    private ViewDefinition view;
    private final List<Long> showedAfterMs = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void start() throws Exception {
        Map<String, String> overrides = new HashMap<>(DemoEntities.VIEW_CONFIG);
        overrides.put("entities", DemoEntities.WITH_VIEWS.get("entities"));
        overrides.put("sync.audit-fraction", "0");
        p = Pipeline.start(Pipeline.RedisKind.of(getClass()), overrides, """
                INSERT INTO brands VALUES (1, 'Acme', 'NL'), (2, 'Globex', 'US'), (3, 'Initech', 'DE');
                INSERT INTO products (id, name, category, price, brand_id)
                  SELECT g, 'product ' || g, 'c' || (g % 3), 10.00 + g, 1 + g % 3 FROM generate_series(1, 20) g;
                INSERT INTO stock VALUES (1, 1, 'north', 5), (2, 1, 'south', 7), (3, 2, 'north', 1);
                INSERT INTO reviews VALUES (1, 1, 5, 'great'), (2, 1, 4, 'good'), (3, 2, 3, 'fine');
                """, 3 + 20 + 3 + 3);
        catalog = SyncConfig.from(p.settings).catalog();
        view = catalog.view(VIEW).orElseThrow();
    }

    @AfterAll
    void stop() {
        if (p != null) {
            p.close();
        }
        synchronized (showedAfterMs) {
            System.out.printf("[ViewIT] %d changes showed in the view after p50 %d ms, max %d ms%n", showedAfterMs.size(),
                    percentile(50), percentile(100));
        }
    }

    @Test
    void theSnapshotBuildsEveryDocumentAsItsSqlDoes() throws Exception {
        for (long id = 1; id <= 20; id++) {
            expectView(id, System.nanoTime());
        }
        assertThat(redisDocument(1)).startsWith("{\"brand\":{\"country\":\"US\",\"id\":2,")
                .contains("\"category\":\"c1\",\"id\":1,\"name\":\"product 1\",\"price\":\"11.00\"")
                .contains("\"stock\":[{\"quantity\":5,\"warehouse\":\"north\"},{\"quantity\":7,\"warehouse\":\"south\"}]")
                .contains("\"reviews\":{\"avg_rating\":4.50,\"count\":2}");
        // the name the alert CachesyncViewLagHigh uses (DeploymentValidationIT's stack has no view to show it)
        await().alias("the view topology's consumer lag exported").atMost(WITHIN)
                .until(() -> p.registry.scrape().contains("cachesync_view_consumer_lag_records{partition=\"0\",topic=\"cachesync.public.brands\"}"));
    }

    @Test
    void aChangeToTheRootShows() throws Exception {
        change(3, "UPDATE products SET price = 99.95, name = 'renamed' WHERE id = 3");
        assertThat(redisDocument(3)).contains("\"price\":\"99.95\"").contains("\"name\":\"renamed\"");
    }

    @Test
    void aChangeToAReferencedRowShowsInEveryDocumentThatReferencesIt() throws Exception {
        long t = System.nanoTime();
        p.sql("UPDATE brands SET name = 'Globex Corporation' WHERE id = 2");
        for (long id = 1; id <= 20; id++) {
            if (id % 3 == 1) { // brand_id = 1 + id % 3 = 2
                expectView(id, t);
                assertThat(redisDocument(id)).contains("Globex Corporation");
            }
        }
    }

    @Test
    void aRootMovingToAnotherReferenceShowsTheNewOneAndNoLongerFollowsTheOld() throws Exception {
        change(5, "UPDATE products SET brand_id = 1 WHERE id = 5"); // was 1 + 5 % 3 = 3
        assertThat(redisDocument(5)).contains("\"brand\":{\"country\":\"NL\",\"id\":1");
        long t = System.nanoTime();
        p.sql("UPDATE brands SET country = 'FR' WHERE id = 3");
        expectView(8, t); // still brand 3
        assertThat(redisDocument(8)).contains("\"country\":\"FR\"");
        expectView(5, t);
        assertThat(redisDocument(5)).doesNotContain("FR");
        change(5, "UPDATE products SET brand_id = NULL WHERE id = 5");
        assertThat(redisDocument(5)).contains("\"brand\":null");
        change(5, "UPDATE products SET brand_id = 999 WHERE id = 5"); // names no brand
        assertThat(redisDocument(5)).contains("\"brand\":null");
        change(5, "INSERT INTO brands VALUES (999, 'Late', 'IT')"); // the brand it names appears
        assertThat(redisDocument(5)).contains("\"name\":\"Late\"");
    }

    @Test
    void childrenInsertedUpdatedDeletedAndMovedShowInTheirParents() throws Exception {
        change(6, "INSERT INTO stock VALUES (60, 6, 'west', 3), (61, 6, 'east', 4)");
        assertThat(redisDocument(6)).contains("\"stock\":[{\"quantity\":3,\"warehouse\":\"west\"},{\"quantity\":4,\"warehouse\":\"east\"}]");
        change(6, "UPDATE stock SET quantity = 30 WHERE id = 60");
        assertThat(redisDocument(6)).contains("{\"quantity\":30,\"warehouse\":\"west\"}");
        change(6, "DELETE FROM stock WHERE id = 61");
        assertThat(redisDocument(6)).contains("\"stock\":[{\"quantity\":30,\"warehouse\":\"west\"}]");

        change(6, "INSERT INTO reviews VALUES (60, 6, 2, 'meh'), (61, 6, 5, 'wow'), (62, 6, 4, 'ok')");
        assertThat(redisDocument(6)).contains("\"reviews\":{\"avg_rating\":3.67,\"count\":3}");
        change(6, "UPDATE reviews SET rating = 5 WHERE id = 60");
        assertThat(redisDocument(6)).contains("\"reviews\":{\"avg_rating\":4.67,\"count\":3}");
        change(6, "DELETE FROM reviews WHERE id = 62");
        assertThat(redisDocument(6)).contains("\"reviews\":{\"avg_rating\":5.00,\"count\":2}");

        long t = System.nanoTime();
        p.sql("UPDATE reviews SET product_id = 7 WHERE id = 61"); // a child moving to another parent
        expectView(6, t);
        expectView(7, t);
        assertThat(redisDocument(6)).contains("\"reviews\":{\"avg_rating\":5.00,\"count\":1}");
        assertThat(redisDocument(7)).contains("\"reviews\":{\"avg_rating\":5.00,\"count\":1}");
        change(7, "UPDATE stock SET product_id = 7 WHERE id = 60");
        expectView(6, System.nanoTime());
        assertThat(redisDocument(6)).contains("\"stock\":[]");
    }

    @Test
    void aDeletedRootLeavesATombstoneAndARootArrivingAfterItsChildrenFindsThem() throws Exception {
        change(9, "DELETE FROM products WHERE id = 9");
        assertThat(p.redis.hget(p.row(VIEW, "9"), "x")).isEqualTo("1");
        change(50, "INSERT INTO stock VALUES (500, 50, 'north', 2); INSERT INTO reviews VALUES (500, 50, 1, 'early')");
        assertThat(redisDocument(50)).as("no product 50 yet: no document").isNull();
        change(50, "INSERT INTO products (id, name, category, price, brand_id) VALUES (50, 'late root', 'c0', 1.00, 2)");
        assertThat(redisDocument(50)).contains("\"stock\":[{\"quantity\":2,\"warehouse\":\"north\"}]")
                .contains("\"reviews\":{\"avg_rating\":1.00,\"count\":1}").contains("Globex");
    }

    /**
     * With {@code REPLICA IDENTITY DEFAULT}, an update that leaves a review's large (TOASTed) body untouched does not carry
     * it: the review is unknown until its next full change, so its product's document is invalidated (a read fills it
     * from SQL) — it does not lose the review, whose parent the change still names.
     */
    @Test
    void aChildWhoseChangeLacksAnUntouchedToastedColumnInvalidatesItsParentUntilItsNextChange() throws Exception {
        p.sql("ALTER TABLE reviews REPLICA IDENTITY DEFAULT");
        try {
            change(11, "INSERT INTO reviews SELECT 110, 11, 2, string_agg(md5(random()::text), '') FROM generate_series(1, 4000)");
            assertThat(redisDocument(11)).contains("\"reviews\":{\"avg_rating\":2.00,\"count\":1}");

            p.sql("UPDATE reviews SET rating = 4 WHERE id = 110");
            await().alias("product 11's page invalidated").atMost(WITHIN).until(() -> redisDocument(11) == null);
            var r = p.get("/v1/product_pages/11");
            assertThat(r.body()).as("filled from SQL").isEqualTo(sqlDocument(11).orElseThrow()).contains("\"avg_rating\":4.00,\"count\":1");

            change(11, "UPDATE reviews SET rating = 5, body = 'short now' WHERE id = 110");
            assertThat(redisDocument(11)).contains("\"reviews\":{\"avg_rating\":5.00,\"count\":1}");
            assertThat(p.redis.hget(p.row(VIEW, "11"), "o")).as("written by the view topology again").isEqualTo("cdc");
        } finally {
            p.sql("ALTER TABLE reviews REPLICA IDENTITY FULL");
        }
    }

    /**
     * A product inserted, read (its document filled from SQL) and deleted while cache-sync is down: when it comes back,
     * the joins see the root appear and go in one go and emit nothing for it, so the filled document would outlive the
     * product — the root's delete is written anyway (the demo found this: one extra page per run).
     */
    @Test
    void aRootReadAndDeletedBeforeItsFirstDocumentLeavesNoDocument() throws Exception {
        p.restartSync(() -> {
            try {
                p.sql("INSERT INTO products (id, name, category, price, brand_id) VALUES (70, 'brief', 'c0', 1.00, 1)");
                var r = p.get("/v1/product_pages/70");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(sqlDocument(70).orElseThrow());
                assertThat(p.redis.hget(p.row(VIEW, "70"), "o")).as("filled from SQL").isEqualTo("fill");
                p.sql("DELETE FROM products WHERE id = 70");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        expectView(70, System.nanoTime());
        assertThat(p.redis.hget(p.row(VIEW, "70"), "x")).as("a tombstone").isEqualTo("1");
    }

    /**
     * Three writers on every part of hot products 101–110 (their brands, stock and reviews: updates, inserts, deletes,
     * moves between parents and between brands), cache-sync restarted in the middle: afterwards every document is its
     * SQL's. Each part is written by its own statements, so the parts' topics are read in every order.
     */
    @Test
    void concurrentWritesToEveryPartAcrossARestartLeaveEveryDocumentEqualToItsSql() throws Exception {
        p.sql("INSERT INTO brands VALUES (101, 'b101', 'NL'), (102, 'b102', 'US'), (103, 'b103', 'DE');"
                + "INSERT INTO products (id, name, category, price, brand_id) SELECT g, 'hot ' || g, 'c1', 1.00, 101 FROM generate_series(101, 110) g");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        int perWriter = 1_500;
        for (int w = 0; w < 3; w++) {
            int seed = w;
            Thread t = new Thread(() -> {
                try {
                    write(seed, perWriter);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "view-writer-" + w);
            writers.add(t);
            t.start();
        }
        await().atMost(Duration.ofMinutes(5)).until(() -> writes.get() >= perWriter || failure.get() != null);
        p.restartSync(() -> { });
        for (Thread t : writers) {
            t.join(Duration.ofMinutes(5).toMillis());
        }
        assertThat(failure.get()).as("writer failure").isNull();
        long t = System.nanoTime();
        for (long id = 101; id <= 110; id++) {
            expectView(id, t);
        }
        for (long id = 1; id <= 20; id++) {
            expectView(id, t);
        }
        assertThat(p.drainAndVerify(VIEW).checked()).as("verify checks every view document").isGreaterThanOrEqualTo(20);
    }

    private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();

    private void write(int seed, int count) throws SQLException {
        SplittableRandom r = new SplittableRandom(seed);
        try (Connection c = p.stack.postgres().connect()) {
            for (int i = 0; i < count; i++) {
                long product = 101 + r.nextInt(10);
                long part = 100 + r.nextInt(40);
                String sql = switch (r.nextInt(11)) {
                    case 0 -> "UPDATE products SET price = " + r.nextInt(1000) + " WHERE id = " + product;
                    case 1 -> "UPDATE products SET brand_id = " + (101 + r.nextInt(3)) + " WHERE id = " + product;
                    case 2 -> "UPDATE brands SET name = 'b" + r.nextInt(1000) + "' WHERE id = " + (101 + r.nextInt(3));
                    case 3 -> "INSERT INTO stock VALUES (" + part + ", " + product + ", 'w" + r.nextInt(5) + "', " + r.nextInt(100)
                            + ") ON CONFLICT (id) DO UPDATE SET quantity = EXCLUDED.quantity, product_id = EXCLUDED.product_id";
                    case 4 -> "DELETE FROM stock WHERE id = " + part;
                    case 5 -> "INSERT INTO reviews VALUES (" + part + ", " + product + ", " + (1 + r.nextInt(5))
                            + ", 'r') ON CONFLICT (id) DO UPDATE SET rating = EXCLUDED.rating, product_id = EXCLUDED.product_id";
                    case 6 -> "DELETE FROM reviews WHERE id = " + part;
                    case 7 -> "UPDATE reviews SET product_id = " + product + " WHERE id = " + part;
                    case 8 -> "DELETE FROM products WHERE id = " + product;
                    case 9 -> "INSERT INTO products (id, name, category, price, brand_id) VALUES (" + product + ", 'back', 'c2', 2.00, "
                            + (101 + r.nextInt(3)) + ") ON CONFLICT (id) DO NOTHING";
                    default -> "UPDATE stock SET quantity = quantity + 1 WHERE id = " + part;
                };
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.executeUpdate();
                }
                writes.incrementAndGet();
            }
        }
    }

    /** Runs {@code sql} and waits until the document of {@code id} equals its SQL's. */
    private void change(long id, String sql) throws Exception {
        long t = System.nanoTime();
        p.sql(sql);
        expectView(id, t);
    }

    /** Waits until the view document of {@code id} in Redis is the one its SQL builds now (none when the root is gone). */
    private void expectView(long id, long since) {
        AtomicReference<String> last = new AtomicReference<>();
        await().alias("view " + id + " equal to its SQL").atMost(WITHIN).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            Optional<String> sql = sqlDocument(id);
            String cached = redisDocument(id);
            last.set(cached);
            assertThat(cached).as("view document of " + id).isEqualTo(sql.orElse(null));
        });
        showedAfterMs.add((System.nanoTime() - since) / 1_000_000);
    }

    private Optional<String> sqlDocument(long id) throws SQLException {
        try (Connection c = p.stack.postgres().connect()) {
            return ViewQueries.document(c, catalog, view, Long.toString(id));
        }
    }

    private String redisDocument(long id) {
        return p.redis.hget(p.row(VIEW, Long.toString(id)), "d");
    }

    private long percentile(int pct) {
        long[] sorted = showedAfterMs.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(pct / 100.0 * sorted.length) - 1)];
    }

}
