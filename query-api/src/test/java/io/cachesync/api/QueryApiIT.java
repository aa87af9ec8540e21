package io.cachesync.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import io.javalin.Javalin;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The very app {@link ApiService} runs ({@link QueryApi#create}), in-process, on a real redis-server and PostgreSQL. */
class QueryApiIT {
    static Path work;
    static DevRedis redisServer;
    static DevPostgres postgres;
    static RedisClient redis;
    static PostgresRowSource db;
    static ReadThroughCache cache;
    static CacheStore store;
    static Javalin app;
    static String base;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final EntityCatalog CATALOG = EntityCatalog.from(Settings.of(Map.of(
            "entities", "users,products", "entities.users.sensitive", "password_hash")), new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("query-api-it");
        redisServer = DevRedis.start(work.resolve("redis"));
        postgres = DevPostgres.start(work.resolve("pg"));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text, email text, password_hash text, created_at timestamptz)");
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text, category text, price numeric(10,2), updated_at timestamptz)");
            st.execute("INSERT INTO users SELECT g, 'user ' || g, 'u' || g || '@example.com', 'secret-hash-' || g, "
                    + "'2026-11-26T10:15:30.123456Z' FROM generate_series(1, 100) g");
            st.execute("INSERT INTO products SELECT g, 'product ' || g, 'c' || (g % 3), 19.90, now() FROM generate_series(1, 100) g");
        }
        redis = RedisConnections.client(URI.create(redisServer.url()), 16, Duration.ofSeconds(2));
        store = new CacheStore(redis);
        store.loadScripts();
        db = new PostgresRowSource(CATALOG, new PostgresEndpoint(postgres.jdbcUrl(), DevPostgres.USER, DevPostgres.PASSWORD, "disable"), 4, Duration.ofSeconds(2));
        cache = new ReadThroughCache(store, db, Duration.ofSeconds(2), Duration.ofMillis(50), io.cachesync.api.cache.L1Cache.disabled(),
                new io.cachesync.api.cache.ReadStats(), new io.cachesync.api.cache.RedisCircuit(4, Duration.ofMillis(100), Duration.ofSeconds(2),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        app = QueryApi.create(new QueryApi.Dependencies(CATALOG, cache, new io.cachesync.api.cache.QueryCache(store, db, cache.stats()), db, null,
                io.cachesync.api.http.ApiLimits.DEFAULT)).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterAll
    static void stop() {
        app.stop();
        db.close();
        redis.close();
        redisServer.close();
        postgres.close();
    }

    @BeforeEach
    void emptyCache() {
        if (!redisServer.isRunning()) {
            redisServer.start();
        }
        redis.flushAll();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void cachedRowIsServedFromRedisWithoutTheDatabase() throws Exception {
        store.apply("cs:products:5", "900", "{\"id\":5,\"name\":\"from-cache\"}", Duration.ofMinutes(1));
        long dbReads = cache.stats().dbReads();
        HttpResponse<String> r = get("/v1/products/5");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.body()).isEqualTo("{\"id\":5,\"name\":\"from-cache\"}");
        assertThat(cache.stats().dbReads()).isEqualTo(dbReads);
    }

    @Test
    void missReadsThroughAndFillsWithVersionZero() throws Exception {
        HttpResponse<String> first = get("/v1/products/7");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
        JsonNode row = ValueCodec.mapper().readTree(first.body());
        assertThat(row.get("price").asText()).isEqualTo("19.90");
        assertThat(row.get("name").asText()).isEqualTo("product 7");
        assertThat(redis.hget("cs:products:7", "v")).isEqualTo("0");
        assertThat(redis.hget("cs:products:7", "o")).isEqualTo("fill");
        assertThat(redis.hget("cs:products:7", "l")).isNull();
        HttpResponse<String> second = get("/v1/products/7");
        assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(second.body()).isEqualTo(first.body());
    }

    static HttpResponse<String> head(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method("HEAD", HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void headAnswersWithExactlyTheStatusAndHeaderFieldsOfGetWithoutTheContent() throws Exception {
        store.apply("cs:products:5", "900", "{\"id\":5,\"name\":\"from-cache\"}", Duration.ofMinutes(1));
        for (String path : new String[] {"/v1/products/5", "/v1/products?ids=5,6", "/openapi.json", "/health/live"}) {
            get(path); // fills what it misses, so that GET and HEAD below both find it cached
            HttpResponse<String> get = get(path);
            HttpResponse<String> head = head(path);
            assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode()).isEqualTo(200);
            assertThat(head.body()).as(path).isEmpty();
            for (String field : new String[] {"ETag", "Cache-Control", "X-Cache", "Content-Type", "Content-Length"}) {
                assertThat(head.headers().firstValue(field)).as(path + " " + field).isEqualTo(get.headers().firstValue(field));
            }
            if (path.startsWith("/v1/")) { // a large body (openapi.json) goes chunked, without a length, for both
                assertThat(head.headers().firstValue("Content-Length")).as(path + " Content-Length")
                        .hasValue(Integer.toString(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
            }
        }
        String etag = get("/v1/products/5").headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> notModified = head("/v1/products/5", "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
        HttpResponse<String> bad = head("/v1/products?category=c1");
        assertThat(bad.statusCode()).as("a bad request is one for HEAD too").isEqualTo(get("/v1/products?category=c1").statusCode()).isEqualTo(400);
        assertThat(bad.body()).isEmpty();
        HttpResponse<String> missing = head("/v1/products/100000");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEmpty();
        assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void sensitiveColumnIsNeitherServedNorCachedOnTheFillPath() throws Exception {
        HttpResponse<String> r = get("/v1/users/3");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"email\":\"u3@example.com\"").doesNotContain("password_hash").doesNotContain("secret-hash");
        assertThat(redis.hget("cs:users:3", "d")).doesNotContain("password_hash").doesNotContain("secret-hash");
    }

    @Test
    void aTableOrSensitiveColumnRenamedUnderTheApiIsAnEntityUnavailableProblemNamingNeither() throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE users RENAME COLUMN password_hash TO pw");
            try {
                HttpResponse<String> r = get("/v1/users/4");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
                assertThat(r.body()).contains("\"type\":\"https://cachesync.io/problems/entity-unavailable\"", "users cannot be read")
                        .doesNotContain("secret-hash", "pw", "password_hash");
                assertThat(redis.exists("cs:users:4")).as("nothing filled").isFalse();
            } finally {
                st.execute("ALTER TABLE users RENAME COLUMN pw TO password_hash");
            }
            st.execute("ALTER TABLE products RENAME TO goods");
            try {
                HttpResponse<String> r = get("/v1/products/4");
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).contains("entity-unavailable", "products cannot be read").doesNotContain("goods", "42P01");
            } finally {
                st.execute("ALTER TABLE goods RENAME TO products");
            }
            assertThat(get("/v1/products/4").statusCode()).as("renamed back").isEqualTo(200);
        }
    }

    @Test
    void tombstoneAnswers404WithoutTouchingTheDatabase() throws Exception {
        store.apply("cs:products:8", "500", null, Duration.ofMinutes(1));
        long dbReads = cache.stats().dbReads();
        HttpResponse<String> r = get("/v1/products/8");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("X-Cache")).hasValue("NEGATIVE");
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(ValueCodec.mapper().readTree(r.body()).get("status").asInt()).isEqualTo(404);
        assertThat(cache.stats().dbReads()).isEqualTo(dbReads);
    }

    @Test
    void rowTheDatabaseDoesNotHaveIsNegativelyCached() throws Exception {
        HttpResponse<String> first = get("/v1/products/99999");
        assertThat(first.statusCode()).isEqualTo(404);
        assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(redis.hget("cs:products:99999", "x")).isEqualTo("1");
        assertThat(redis.hget("cs:products:99999", "v")).isEqualTo("0");
        long dbReads = cache.stats().dbReads();
        HttpResponse<String> second = get("/v1/products/99999");
        assertThat(second.statusCode()).isEqualTo(404);
        assertThat(second.headers().firstValue("X-Cache")).hasValue("NEGATIVE");
        assertThat(cache.stats().dbReads()).isEqualTo(dbReads);
    }

    @Test
    void unknownEntityIs404AndMalformedIdIs400AsProblemJson() throws Exception {
        HttpResponse<String> unknown = get("/v1/orders/1");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode p = ValueCodec.mapper().readTree(unknown.body());
        assertThat(p.get("type").asText()).endsWith("/unknown-entity");
        assertThat(p.get("detail").asText()).contains("orders");
        assertThat(p.get("instance").asText()).isEqualTo("/v1/orders/1");

        for (String bad : List.of("abc", "1.5", "99999999999999999999999", "%20")) {
            HttpResponse<String> r = get("/v1/products/" + bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(ValueCodec.mapper().readTree(r.body()).get("type").asText()).endsWith("/malformed-id");
        }
    }

    @Test
    void unknownRouteIsAProblemToo() throws Exception {
        HttpResponse<String> r = get("/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void concurrentMissesOfOneKeyReadTheDatabaseOnce() throws Exception {
        long dbReads = cache.stats().dbReads();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(() -> get("/v1/products/11"));
            }
            for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
                assertThat(f.get().statusCode()).isEqualTo(200);
                assertThat(f.get().body()).contains("product 11");
            }
        } finally {
            pool.shutdownNow();
        }
        // one in-process single-flight leader holds the lease; waiters poll for its fill
        assertThat(cache.stats().dbReads() - dbReads).isBetween(1L, 3L);
    }

    @Test
    void withoutRedisReadsComeFromPostgresAndReadinessIsDegraded() throws Exception {
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        redisServer.kill();
        HttpResponse<String> degraded = get("/health/ready");
        assertThat(degraded.statusCode()).isEqualTo(200);
        assertThat(degraded.body()).contains("\"status\":\"DEGRADED\"").contains("\"redis\":\"DOWN\"").contains("\"postgres\":\"UP\"");
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> read = get("/v1/products/" + (12 + i));
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.headers().firstValue("X-Cache")).hasValue("MISS");
            assertThat(read.body()).contains("\"name\":\"product " + (12 + i) + "\"");
        }
        assertThat(cache.circuit().redisAvailable()).as("circuit opened after the failures").isFalse();
        redisServer.start();
        // the breaker probes Redis again on its own and closes
        await().alias("circuit closed after Redis came back").atMost(Duration.ofSeconds(20)).until(() -> {
            get("/v1/products/40");
            return cache.circuit().state() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED;
        });
        assertThat(get("/health/ready").body()).contains("\"status\":\"UP\"");
    }
}
