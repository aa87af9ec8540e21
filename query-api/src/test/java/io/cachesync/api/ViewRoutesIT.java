package io.cachesync.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.api.cache.QueryCache;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.api.http.ApiLimits;
import io.cachesync.api.http.ProblemRenderer;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.core.views.ViewQueries;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Views served like entities ({@link QueryApi#create} and {@link QueryApi#createAdmin}, in-process, on a real
 * redis-server and PostgreSQL): a miss composes the document with {@link ViewQueries#document} and fills it; batches,
 * ETag/304 and HEAD as for rows; lists, search and resync of a view answer problems.
 */
class ViewRoutesIT {
    private static final String TOKEN = "view-admin-token";
    private static final String VIEW = "product_pages";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The demo's view: a product, its brand, its stock per warehouse and a summary of its reviews. */
    private static final Map<String, String> CONFIG = Map.ofEntries(
            Map.entry("entities", "products,brands,stock,reviews"),
            Map.entry("entities.products.lists", "category"),
            Map.entry("entities.products.search.fields", "name,category"),
            Map.entry("views", VIEW),
            Map.entry("views.product_pages.root", "products"),
            Map.entry("views.product_pages.columns", "id,name,category,price"),
            Map.entry("views.product_pages.references", "brand"),
            Map.entry("views.product_pages.references.brand.entity", "brands"),
            Map.entry("views.product_pages.references.brand.via", "brand_id"),
            Map.entry("views.product_pages.references.brand.columns", "id,name,country"),
            Map.entry("views.product_pages.children", "stock,reviews"),
            Map.entry("views.product_pages.children.stock.parent", "product_id"),
            Map.entry("views.product_pages.children.stock.columns", "warehouse,quantity"),
            Map.entry("views.product_pages.children.reviews.parent", "product_id"),
            Map.entry("views.product_pages.children.reviews.summary", "rating"),
            Map.entry("views.product_pages.http-max-age", "7s"));

    static DevRedis redisServer;
    static DevPostgres postgres;
    static PostgresEndpoint endpoint;
    static RedisClient redis;
    static CacheStore store;
    static PostgresRowSource db;
    static ReadThroughCache cache;
    static EntityCatalog catalog;
    static EntityDefinition view;
    static Javalin app;
    static Javalin adminApp;
    static String base;
    static String adminBase;
    static final AtomicInteger RESYNCS = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path work = Files.createTempDirectory("query-api-views");
        redisServer = DevRedis.start(work.resolve("redis"));
        postgres = DevPostgres.start(work.resolve("pg"));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE brands (id bigint PRIMARY KEY, name text NOT NULL, country text NOT NULL)");
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, category text NOT NULL, price numeric(10,2) NOT NULL,"
                    + " updated_at timestamptz NOT NULL DEFAULT now(), brand_id bigint)");
            st.execute("CREATE TABLE stock (id bigint PRIMARY KEY, product_id bigint, warehouse text NOT NULL, quantity integer NOT NULL)");
            st.execute("CREATE TABLE reviews (id bigint PRIMARY KEY, product_id bigint, rating integer NOT NULL, body text NOT NULL)");
            st.execute("INSERT INTO brands VALUES (1, 'Acme', 'SE'), (2, 'Globex', 'US')");
            st.execute("INSERT INTO products (id, name, category, price, brand_id) VALUES (1, 'kettle', 'kitchen', 19.90, 1),"
                    + " (2, 'lamp', 'home', 5.00, 2), (3, 'orphan', 'home', 0.10, NULL), (4, 'lost brand', 'home', 1.00, 99)");
            // inserted out of key order: the array is ordered by the child's key
            st.execute("INSERT INTO stock VALUES (12, 1, 'north', 3), (11, 1, 'south', 0), (13, 2, 'north', 7)");
            st.execute("INSERT INTO reviews VALUES (21, 1, 4, 'fine'), (22, 1, 5, 'great'), (23, 1, 4, 'ok'), (24, 2, 3, 'meh')");
        }
        endpoint = new PostgresEndpoint(postgres.jdbcUrl(), DevPostgres.USER, DevPostgres.PASSWORD, "disable");
        List<String> problems = new ArrayList<>();
        // the catalog as ApiService has it: read from the settings, then keyed by the tables' primary keys
        catalog = SchemaCheck.atStart("query-api", EntityCatalog.from(Settings.of(CONFIG), problems), endpoint);
        assertThat(problems).isEmpty();
        view = catalog.byName(VIEW).orElseThrow();
        assertThat(view.source()).isEqualTo(EntityDefinition.Source.VIEW);
        redis = RedisConnections.client(URI.create(redisServer.url()), 8, Duration.ofSeconds(2));
        store = new CacheStore(redis);
        store.loadScripts();
        db = new PostgresRowSource(catalog, endpoint, 4, Duration.ofSeconds(2));
        cache = new ReadThroughCache(store, db, Duration.ofSeconds(2), Duration.ofMillis(50));
        QueryApi.Dependencies deps = new QueryApi.Dependencies(catalog, cache, new QueryCache(store, db, cache.stats()), db, null,
                ApiLimits.DEFAULT, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), TOKEN, e -> {
                    RESYNCS.incrementAndGet();
                    return "signal-" + e.name();
                });
        app = QueryApi.create(deps).start("127.0.0.1", 0);
        adminApp = QueryApi.createAdmin(deps).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
        adminBase = "http://127.0.0.1:" + adminApp.port();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.stop();
        }
        if (adminApp != null) {
            adminApp.stop();
        }
        if (db != null) {
            db.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (redisServer != null) {
            redisServer.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void emptyCache() {
        redis.flushAll();
    }

    private static String composed(String rootId) throws SQLException {
        ViewDefinition v = catalog.view(view);
        try (Connection c = postgres.connect()) {
            return ViewQueries.document(c, catalog, v, rootId).orElseThrow();
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String type, String... detailParts) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(ProblemRenderer.CONTENT_TYPE);
        JsonNode p = ValueCodec.mapper().readTree(r.body());
        assertThat(p.path("type").asText()).isEqualTo(ProblemRenderer.TYPE_BASE + type);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("detail").asText()).contains(detailParts);
    }

    @Test
    void missReadsThroughExactlyTheComposedDocumentAndFillsRedis() throws Exception {
        String expected = composed("1");
        assertThat(expected).as("the composed document keeps decimals' text, orders children by key and summarises reviews")
                .isEqualTo("{\"brand\":{\"country\":\"SE\",\"id\":1,\"name\":\"Acme\"},\"category\":\"kitchen\",\"id\":1,\"name\":\"kettle\","
                        + "\"price\":\"19.90\",\"reviews\":{\"avg_rating\":4.33,\"count\":3},"
                        + "\"stock\":[{\"quantity\":0,\"warehouse\":\"south\"},{\"quantity\":3,\"warehouse\":\"north\"}]}");

        HttpResponse<String> first = get("/v1/product_pages/1");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("max-age=7");
        assertThat(first.body()).isEqualTo(expected);
        assertThat(redis.hget("cs:product_pages:1", "d")).isEqualTo(expected);
        assertThat(redis.hget("cs:product_pages:1", "v")).isEqualTo("0");
        assertThat(redis.hget("cs:product_pages:1", "o")).isEqualTo("fill");
        assertThat(redis.hget("cs:product_pages:1", "l")).as("the lease is gone").isNull();
        assertThat(redis.exists("cs:products:1")).as("a view's fill writes only the view's key").isFalse();

        long dbReads = cache.stats().dbReads();
        HttpResponse<String> second = get("/v1/product_pages/1");
        assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(second.body()).isEqualTo(expected);
        assertThat(cache.stats().dbReads()).isEqualTo(dbReads);
    }

    @Test
    void rootWithoutReferenceOrChildrenHasNullAndEmptyParts() throws Exception {
        String orphan = get("/v1/product_pages/3").body();
        String lostBrand = get("/v1/product_pages/4").body();

        assertThat(orphan).isEqualTo(composed("3")).isEqualTo("{\"brand\":null,\"category\":\"home\",\"id\":3,\"name\":\"orphan\","
                + "\"price\":\"0.10\",\"reviews\":{\"avg_rating\":null,\"count\":0},\"stock\":[]}");
        assertThat(lostBrand).as("a reference naming no row is null").isEqualTo(composed("4")).contains("\"brand\":null");
    }

    @Test
    void missingRootAnswers404AndLeavesATombstone() throws Exception {
        HttpResponse<String> r = get("/v1/product_pages/999");

        assertProblem(r, 404, "not-found", "product_pages 999 does not exist");
        assertThat(store.read("cs:product_pages:999").state()).isEqualTo(CacheEntry.State.TOMBSTONE);
        assertThat(get("/v1/product_pages/999").headers().firstValue("X-Cache")).hasValue("NEGATIVE");
    }

    @Test
    void documentCacheSyncWroteIsServedWithoutTheDatabase() throws Exception {
        String written = "{\"id\":2,\"name\":\"from the view topology\"}";
        store.apply("cs:product_pages:2", "0001" + "0".repeat(31) + "7", written, Duration.ofMinutes(1));
        long dbReads = cache.stats().dbReads();

        HttpResponse<String> r = get("/v1/product_pages/2");

        assertThat(r.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(r.body()).isEqualTo(written);
        assertThat(cache.stats().dbReads()).isEqualTo(dbReads);
    }

    @Test
    void batchOfAViewAnswersComposedDocumentsInRequestOrderAndReportsMissingRoots() throws Exception {
        HttpResponse<String> r = get("/v1/product_pages?ids=2,1,999");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(r.body()).isEqualTo("{\"items\":[" + composed("2") + "," + composed("1") + "],\"missing\":[\"999\"]}");
        assertThat(redis.hget("cs:product_pages:2", "d")).isEqualTo(composed("2"));
        assertThat(redis.hget("cs:product_pages:1", "d")).isEqualTo(composed("1"));
        assertThat(store.read("cs:product_pages:999").state()).isEqualTo(CacheEntry.State.TOMBSTONE);
        assertThat(get("/v1/product_pages?ids=2,1,999").headers().firstValue("X-Cache")).hasValue("HIT");
    }

    @Test
    void etagHeadAndNotModifiedWorkForAView() throws Exception {
        HttpResponse<String> first = get("/v1/product_pages/2");
        String etag = first.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> notModified = get("/v1/product_pages/2", "If-None-Match", etag);
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/product_pages/2"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("ETag")).hasValue(etag);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(first.body().length()));
    }

    @Test
    void rowSourceLoadsAViewAsItsDocumentAndManyOnOneConnection() throws Exception {
        assertThat(db.document(view, "1")).hasValue(composed("1"));
        assertThat(db.load(view, "1").map(ValueCodec::encode)).hasValue(composed("1"));
        assertThat(db.load(view, "999")).isEmpty();
        assertThat(db.loadMany(view, List.of("1", "2", "999"))).isEqualTo(Map.of("1", composed("1"), "2", composed("2")));
    }

    @Test
    void listsAndSearchOfAViewAreItsRootsWithEachRowAsItsDocument() throws Exception {
        HttpResponse<String> list = get("/v1/product_pages?category=home&per_page=2");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).as("products 2 and 3 of category home, in key order, as their view documents")
                .isEqualTo("{\"items\":[" + composed("2") + "," + composed("3") + "],\"page\":1,\"per_page\":2,\"has_more\":true}");
        assertThat(get("/v1/product_pages?category=home&page=2&per_page=2").body())
                .isEqualTo("{\"items\":[" + composed("4") + "],\"page\":2,\"per_page\":2,\"has_more\":false}");
        HttpResponse<String> again = get("/v1/product_pages?category=home&per_page=2");
        assertThat(again.body()).isEqualTo(list.body());
        assertThat(again.headers().firstValue("X-Cache")).as("the root's page and every document cached").hasValue("HIT");

        assertThat(get("/v1/product_pages/search?q=KETTLE").body())
                .isEqualTo("{\"items\":[" + composed("1") + "],\"page\":1,\"per_page\":20,\"has_more\":false}");
        assertProblem(get("/v1/product_pages?price=5"), 400, "bad-request", "'price' is not a list field of product_pages (the lists of its root products)");
        assertProblem(get("/v1/product_pages"), 400, "bad-request", "exactly one list filter among: category");
    }

    @Test
    void resyncOfAViewIsRefusedNamingItsRoot() throws Exception {
        int before = RESYNCS.get();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(adminBase + "/admin/resync/product_pages"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertProblem(r, 400, "view-resync", "a view is kept from its parts: resync its root entity products", "brands, stock, reviews");
        assertThat(RESYNCS.get()).as("no signal was written").isEqualTo(before);
    }

    @Test
    void adminStatsCountTheViewsKeysLikeAnEntitys() throws Exception {
        get("/v1/product_pages?ids=1,2");
        get("/v1/products/1");

        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(adminBase + "/admin/cache/stats"))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode perEntity = ValueCodec.mapper().readTree(r.body()).path("keys_per_entity");
        assertThat(perEntity.path(VIEW).asLong()).isEqualTo(2);
        assertThat(perEntity.path("products").asLong()).isEqualTo(1);
    }
}
