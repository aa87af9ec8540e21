package io.cachesync.app.verify;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.config.Settings;
import io.cachesync.core.consistency.KeyCheck;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.core.views.ViewQueries;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@link CacheVerifier} on a view against a real PostgreSQL and redis-server: every root row's document composed from
 * PostgreSQL ({@link ViewQueries#document}) must be the cached one; cached documents of roots that are gone are extra
 * (tombstones are not); counts are reported under the view's name.
 */
class CacheVerifierViewTest {
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final String VIEW = "product_pages";
    /** A CDC-like version: 36 hex digits. */
    private static final String V1 = "0001" + "0".repeat(31) + "1";
    private static final String V2 = "0001" + "0".repeat(31) + "2";
    private static final Map<String, String> CONFIG = Map.ofEntries(
            Map.entry("entities", "products,brands,reviews"),
            Map.entry("views", VIEW),
            Map.entry("views.product_pages.root", "products"),
            Map.entry("views.product_pages.references", "brand"),
            Map.entry("views.product_pages.references.brand.entity", "brands"),
            Map.entry("views.product_pages.children", "reviews"),
            Map.entry("views.product_pages.children.reviews.parent", "product_id"),
            Map.entry("views.product_pages.children.reviews.columns", "rating"));

    @TempDir
    static Path dir;

    private static DevPostgres postgres;
    private static DevRedis redis;
    private static RedisClient client;
    private static CacheStore store;
    private static EntityCatalog catalog;

    @BeforeAll
    static void startStack() throws SQLException {
        postgres = DevPostgres.start(dir.resolve("pg"));
        redis = DevRedis.start(dir.resolve("redis"));
        client = RedisConnections.client(URI.create(redis.url()), 4, Duration.ofSeconds(2));
        store = new CacheStore(client);
        store.loadScripts();
        List<String> problems = new ArrayList<>();
        catalog = EntityCatalog.from(Settings.of(CONFIG), problems);
        assertThat(problems).isEmpty();
    }

    @AfterAll
    static void stopStack() {
        if (client != null) {
            client.close();
        }
        if (redis != null) {
            redis.stop();
        }
        if (postgres != null) {
            postgres.stop();
        }
    }

    @BeforeEach
    void tables() throws SQLException {
        client.flushAll();
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS products, brands, reviews");
            st.execute("CREATE TABLE brands (id bigint PRIMARY KEY, name text NOT NULL)");
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2), brand_id bigint)");
            st.execute("CREATE TABLE reviews (id bigint PRIMARY KEY, product_id bigint, rating integer NOT NULL)");
            st.execute("INSERT INTO brands VALUES (1, 'Acme')");
            st.execute("INSERT INTO products SELECT g, 'product ' || g, 1.10, CASE WHEN g % 2 = 0 THEN 1 END FROM generate_series(1, 20) g");
            st.execute("INSERT INTO reviews SELECT g, g % 5 + 1, g % 5 FROM generate_series(1, 12) g");
        }
    }

    private Connection connect() {
        try {
            return postgres.connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Caches every entity row and every view document as PostgreSQL has them now (as cache-sync would). */
    private void cacheEverything() throws SQLException {
        EntityCatalog keyed;
        try (Connection c = connect()) {
            keyed = SchemaCheck.resolve(c, catalog, "test");
            for (EntityDefinition e : keyed.cdcFed()) {
                List<String> ids = new ArrayList<>();
                try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT id FROM " + e.table())) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                RowQueries.documents(c, e, ids).forEach((id, doc) -> store.apply(store.keys().row(e.name(), id), V1, doc, TTL));
            }
            for (int id = 1; id <= 20; id++) {
                String doc = ViewQueries.document(c, keyed, keyed.view(VIEW).orElseThrow(), Integer.toString(id)).orElseThrow();
                store.apply(store.keys().row(VIEW, Integer.toString(id)), V1, doc, TTL);
            }
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    @Test
    void viewDocumentsEqualToTheComposedOnesAreFresh() throws Exception {
        cacheEverything();

        VerifyResult r = new CacheVerifier(catalog, this::connect, client).verify(Duration.ZERO);

        assertThat(r.perEntity()).containsOnlyKeys("products", "brands", "reviews", VIEW);
        assertThat(r.perEntity().get(VIEW)).isEqualTo(new VerifyResult.Counts(20, 20, 0, 0, 0, 0));
        assertThat(r.clean(false)).as(r.samples().toString()).isTrue();
    }

    @Test
    void aPartChangedInPostgresMakesTheViewDocumentStaleAndADeletedRootMakesItExtra() throws Exception {
        cacheEverything();
        sql("UPDATE brands SET name = 'Acme Corp' WHERE id = 1");      // the parts' own entries are stale too
        sql("INSERT INTO reviews VALUES (100, 3, 5)");                    // product 3 gains a review
        sql("DELETE FROM products WHERE id = 7");                         // root gone, its document still cached
        sql("INSERT INTO products VALUES (21, 'new', 2.00, NULL)");      // root with no document: missing
        store.apply(store.keys().row(VIEW, "30"), V1, null, TTL);      // a tombstone of a root that is gone is fine

        VerifyResult r = new CacheVerifier(catalog, this::connect, client).verify(Duration.ZERO);

        VerifyResult.Counts view = r.perEntity().get(VIEW);
        // products 2, 4, …, 20 reference brand 1 (10 roots, 7 is odd) and product 3 has a new review: 11 stale
        assertThat(view.stale()).isEqualTo(11);
        assertThat(view.extra()).isEqualTo(1);
        assertThat(view.missing()).isEqualTo(1);
        assertThat(view.checked()).as("20 roots now, and the cached document of root 7").isEqualTo(21);
        assertThat(r.offenders()).filteredOn(o -> o.entity().equals(VIEW) && o.result() == KeyCheck.EXTRA)
                .extracting(VerifyResult.Offender::id, VerifyResult.Offender::key).containsExactly(tuple("7", "cs:product_pages:7"));
        assertThat(r.offenders()).filteredOn(o -> o.entity().equals(VIEW) && o.id().equals("3")).singleElement()
                .satisfies(o -> assertThat(o.databaseDocument()).contains("{\"rating\":5}").isNotEqualTo(o.cached().document()));
    }

    @Test
    void aSampleOfAViewChecksAsManyRootsAndCachedKeysAsOfAnEntity() throws Exception {
        cacheEverything();

        VerifyResult r = new CacheVerifier(catalog, this::connect, client).verify(Duration.ZERO, 5);

        // 5 roots at random, then up to 5 cached documents the roots did not name, as for the products' rows
        assertThat(r.perEntity().get(VIEW)).isEqualTo(new VerifyResult.Counts(10, 10, 0, 0, 0, 0)).isEqualTo(r.perEntity().get("products"));
    }

    @Test
    void aStaleViewDocumentFixedDuringTheGraceWindowConverges() throws Exception {
        cacheEverything();
        sql("UPDATE products SET name = 'renamed' WHERE id = 5");
        // the "cache-sync" of this test: the new product row and view document land after the first look
        CacheVerifier.Sleeper catchUp = d -> {
            try (Connection c = connect()) {
                EntityCatalog keyed = SchemaCheck.resolve(c, catalog, "test");
                EntityDefinition products = keyed.byName("products").orElseThrow();
                store.apply(store.keys().row("products", "5"), V2,
                        RowQueries.document(c, products, "5").orElseThrow(), TTL);
                store.apply(store.keys().row(VIEW, "5"), V2,
                        ViewQueries.document(c, keyed, keyed.view(VIEW).orElseThrow(), "5").orElseThrow(), TTL);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };

        VerifyResult r = new CacheVerifier(catalog, this::connect, client, Duration.ofMillis(10), java.time.InstantSource.system(), catchUp)
                .verify(Duration.ofSeconds(2));

        assertThat(r.perEntity().get(VIEW)).isEqualTo(new VerifyResult.Counts(20, 19, 1, 0, 0, 0));
        assertThat(r.clean(false)).isTrue();
    }
}
