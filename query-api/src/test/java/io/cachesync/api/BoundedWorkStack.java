package io.cachesync.api;

import io.cachesync.api.config.ApiConfig;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support for the bounded-work tests: a real redis-server and PostgreSQL, a {@code products} table (list index
 * {@code category}, search over name and category) and {@code slow}, a view of the same rows that sleeps 5 ms per row
 * it looks at (so a search that matches nothing runs for {@code rows × 5 ms}, while a read by id stays fast), and the
 * real service ({@link ApiService}, as {@code cachesync api} runs it) started with test settings.
 */
final class BoundedWorkStack implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    final DevRedis redisServer;
    final DevPostgres postgres;
    final RedisClient redis;
    final int rows;
    final int categories;

    private BoundedWorkStack(String name, int rows, int categories) throws Exception {
        this.rows = rows;
        this.categories = categories;
        var work = Files.createTempDirectory(name);
        redisServer = DevRedis.start(work.resolve("redis"));
        postgres = DevPostgres.start(work.resolve("pg"));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text, category text, price numeric(10,2))");
            st.execute("INSERT INTO products SELECT g, 'product ' || g, 'c' || (g % " + categories + "), 19.90 FROM generate_series(1, " + rows + ") g");
            st.execute("ANALYZE products");
            // cheaper than any other condition, so PostgreSQL evaluates it first, on every row it looks at
            st.execute("CREATE FUNCTION slow_row(bigint) RETURNS boolean LANGUAGE plpgsql VOLATILE COST 0.001"
                    + " AS $$ BEGIN PERFORM pg_sleep(0.005); RETURN true; END $$");
            st.execute("CREATE VIEW slow AS SELECT p.* FROM products p WHERE slow_row(p.id)");
        }
        redis = RedisConnections.client(URI.create(redisServer.url()), 4, Duration.ofSeconds(5));
    }

    /** @param rows products (ids 1..rows), in {@code categories} categories c0, c1, ... */
    static BoundedWorkStack start(String name, int rows, int categories) throws Exception {
        return new BoundedWorkStack(name, rows, categories);
    }

    /** The service with these settings over the defaults of {@code cachesync api} (plus a free port, no admin port, no L1). */
    ApiService api(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put("entities", "products,slow");
        m.put("entities.products.lists", "category");
        m.put("entities.products.search.fields", "name,category");
        m.put("entities.slow.table", "public.slow");
        // a view (no primary key, no change events): only a commands-fed entity may read one; the API searches it the same
        m.put("entities.slow.source", "commands");
        m.put("entities.slow.search.fields", "name");
        m.put("postgres.url", postgres.jdbcUrl());
        m.put("postgres.user", DevPostgres.USER);
        m.put("postgres.password", DevPostgres.PASSWORD);
        m.put("postgres.sslmode", "disable");
        m.put("redis.url", redisServer.url());
        m.put("api.host", "127.0.0.1");
        m.put("api.port", "0");
        m.put("api.admin-port", "-1");
        m.put("api.l1-max-entries", "0");
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new ApiService(ApiConfig.from(Settings.of(m))).start();
    }

    static HttpResponse<String> get(ApiService api, String pathAndQuery) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Connections of the API's pool PostgreSQL has open: all of them, and those running a query. */
    record Connections(int open, int active) {
    }

    Connections apiConnections(Connection c) throws Exception {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity"
                     + " WHERE application_name = '" + PostgresRowSource.APPLICATION_NAME + "'")) {
            rs.next();
            return new Connections(rs.getInt(1), rs.getInt(2));
        }
    }

    /** Keys matching {@code pattern} (SCAN: test support only, never a request path). */
    List<String> keys(String pattern) {
        List<String> out = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(pattern).count(1000);
        do {
            ScanResult<String> r = redis.scan(cursor, params);
            out.addAll(r.getResult());
            cursor = r.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return out;
    }

    /** Bytes of the values of these string keys (STRLEN: page bodies). */
    long valueBytes(List<String> keys) {
        long total = 0;
        for (String k : keys) {
            total += redis.strlen(k);
        }
        return total;
    }

    @Override
    public void close() {
        redis.close();
        redisServer.close();
        postgres.close();
    }
}
