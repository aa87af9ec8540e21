package io.cachesync.api;

import io.cachesync.api.cache.QueryCache;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.api.http.ApiLimits;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;

/**
 * Test support: the real query-api app, in-process, on a real redis-server and PostgreSQL with a users table (sensitive
 * {@code password_hash}) and a products table (list index {@code category}, search over name and category), and every
 * optional route on: {@code /metrics}, {@code /admin} (with {@code adminToken}) and a stub resync.
 */
final class ApiTestStack implements AutoCloseable {
    static final EntityCatalog CATALOG = EntityCatalog.from(Settings.of(Map.of(
            "entities", "users,products",
            "entities.users.sensitive", "password_hash",
            "entities.products.lists", "category",
            "entities.products.search.fields", "name,category")), new ArrayList<>());

    final DevRedis redisServer;
    final DevPostgres postgres;
    final RedisClient redis;
    final PostgresRowSource db;
    final Javalin app;
    final Javalin adminApp;

    private ApiTestStack(String name, int rows, String adminToken) throws Exception {
        var work = Files.createTempDirectory(name);
        redisServer = DevRedis.start(work.resolve("redis"));
        postgres = DevPostgres.start(work.resolve("pg"));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id bigint PRIMARY KEY, name text, email text, password_hash text)");
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text, category text, price numeric(10,2))");
            st.execute("INSERT INTO users SELECT g, 'user ' || g, 'u' || g || '@example.com', 'secret-hash-' || g FROM generate_series(1, " + rows + ") g");
            st.execute("INSERT INTO products SELECT g, 'product ' || g, 'c' || (g % 3), 19.90 FROM generate_series(1, " + rows + ") g");
        }
        redis = RedisConnections.client(URI.create(redisServer.url()), 8, Duration.ofSeconds(2));
        CacheStore store = new CacheStore(redis);
        store.loadScripts();
        db = new PostgresRowSource(CATALOG, new PostgresEndpoint(postgres.jdbcUrl(), DevPostgres.USER, DevPostgres.PASSWORD, "disable"), 4, Duration.ofSeconds(2));
        ReadThroughCache cache = new ReadThroughCache(store, db, Duration.ofSeconds(2), Duration.ofMillis(50));
        QueryApi.Dependencies deps = new QueryApi.Dependencies(CATALOG, cache, new QueryCache(store, db, cache.stats()), db, null,
                ApiLimits.DEFAULT, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), adminToken, e -> "signal-" + e.name());
        app = QueryApi.create(deps).start("127.0.0.1", 0);
        adminApp = QueryApi.createAdmin(deps).start("127.0.0.1", 0);
    }

    /** @param rows users and products seeded (ids 1..rows) */
    static ApiTestStack start(String name, int rows, String adminToken) throws Exception {
        return new ApiTestStack(name, rows, adminToken);
    }

    int port() {
        return app.port();
    }

    /** The port of /admin and /metrics. */
    int adminPort() {
        return adminApp.port();
    }

    @Override
    public void close() {
        app.stop();
        adminApp.stop();
        db.close();
        redis.close();
        redisServer.close();
        postgres.close();
    }
}
