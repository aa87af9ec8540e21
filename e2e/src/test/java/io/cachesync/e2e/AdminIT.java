package io.cachesync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.api.ApiService;
import io.cachesync.core.codec.ValueCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.UnifiedJedis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The operators' view on the whole pipeline: admin endpoints behind a token, resync, and /metrics. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminIT {
    static final String TOKEN = "admin-token-0123456789abcdef";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Pipeline p;
    static ApiService api;
    static UnifiedJedis redis;

    /** The suite's pipeline, on a Redis Cluster for a subclass marked {@link OnRedisCluster}. */
    @BeforeAll
    static void start(TestInfo suite) throws Exception {
        Pipeline.RedisKind kind = Pipeline.RedisKind.of(suite.getTestClass().orElseThrow());
        p = Pipeline.start(kind, Map.of("api.admin-token", TOKEN, "sync.audit-fraction", "1", "sync.audit-delay", "0s"),
                "INSERT INTO products SELECT g, 'product ' || g, 'cat-' || (g % 4), 10.00, now() FROM generate_series(1, 300) g;"
                        + "INSERT INTO users SELECT g, 'user ' || g, 'u' || g || '@example.com', 'secret-hash', now() FROM generate_series(1, 20) g", 320);
        api = p.api;
        redis = p.redis;
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    static HttpResponse<String> call(String method, String path, boolean withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create((path.startsWith("/v1/") ? api.baseUrl() : api.adminUrl()) + path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (withToken) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void sql(String statement) throws SQLException {
        p.sql(statement);
    }

    @Test
    void everyAdminEndpointNeedsTheToken() throws Exception {
        for (String[] r : new String[][] {{"GET", "/admin/cache/stats"}, {"GET", "/admin/cache/keys?pattern=cs:*"},
                {"DELETE", "/admin/cache/products/1"}, {"DELETE", "/admin/cache?pattern=cs:products:1"}, {"POST", "/admin/resync/products"}}) {
            HttpResponse<String> res = call(r[0], r[1], false);
            assertThat(res.statusCode()).as(r[0] + " " + r[1]).isEqualTo(401);
            assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(URI.create(api.adminUrl() + "/admin/cache/stats"))
                .header("Authorization", "Bearer " + TOKEN + "x").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(redis.exists(p.row("products", "1"))).isTrue();
        HttpResponse<String> lowerCaseScheme = HTTP.send(HttpRequest.newBuilder(URI.create(api.adminUrl() + "/admin/cache/stats"))
                .header("Authorization", "bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(lowerCaseScheme.statusCode()).as("the scheme is case-insensitive").isEqualTo(200);
    }

    @Test
    void adminAndMetricsAreServedOnTheAdminPortOnlyNeverOnThePortOfTheReads() throws Exception {
        assertThat(api.adminUrl()).isNotEqualTo(api.baseUrl());
        for (String path : new String[] {"/admin/cache/stats", "/metrics"}) {
            HttpResponse<String> onReads = HTTP.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + path))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(onReads.statusCode()).as(path + " on api.port").isEqualTo(404);
        }
        assertThat(call("GET", "/admin/cache/stats", true).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/metrics", false).statusCode()).isEqualTo(200);
        HttpResponse<String> rows = HTTP.send(HttpRequest.newBuilder(URI.create(api.adminUrl() + "/v1/products/1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(rows.statusCode()).as("reads are not served on the admin port").isEqualTo(404);
    }

    @Test
    void aPatternDeleteRemovesRowsButNeverCachesyncsOwnKeys() throws Exception {
        assertThat(redis.exists(io.cachesync.core.keys.CacheKeys.EPOCH)).isTrue();
        assertThat(redis.exists(io.cachesync.core.keys.CacheKeys.SOURCE)).isTrue();
        HttpResponse<String> del = call("DELETE", "/admin/cache?pattern=cs:_*", true);
        assertThat(del.statusCode()).isEqualTo(200);
        assertThat(ValueCodec.mapper().readTree(del.body()).get("deleted").asLong()).isZero();
        assertThat(redis.exists(io.cachesync.core.keys.CacheKeys.EPOCH)).as("the Redis epoch stays: no full re-snapshot").isTrue();
        assertThat(redis.exists(io.cachesync.core.keys.CacheKeys.SOURCE)).isTrue();
        for (int i = 0; i < 3; i++) {
            redis.hset(p.row("scratch", String.valueOf(i)), Map.of("v", "1", "d", "{}"));
        }
        assertThat(call("DELETE", "/admin/cache?pattern=cs:scratch:*", true).body()).contains("\"deleted\":3");
        assertThat(redis.exists(p.row("scratch", "0"))).isFalse();
    }

    @Test
    void statsShowHitRateMemoryAndKeysPerEntity() throws Exception {
        call("GET", "/v1/products/1", false);
        JsonNode s = ValueCodec.mapper().readTree(call("GET", "/admin/cache/stats", true).body());
        assertThat(s.at("/reads/total").asLong()).isPositive();
        assertThat(s.at("/redis/used_memory").asText()).isNotEmpty();
        assertThat(s.at("/keys_per_entity/products").asLong()).isGreaterThanOrEqualTo(290);
        assertThat(s.at("/keys_per_entity/users").asLong()).isEqualTo(20);
        assertThat(s.at("/circuit").asText()).isEqualTo("closed");
    }

    @Test
    void keysAreListedCappedAndPatternsOutsideTheCacheRefused() throws Exception {
        JsonNode k = ValueCodec.mapper().readTree(call("GET", "/admin/cache/keys?pattern=cs:users:*&limit=5", true).body());
        assertThat(k.get("keys")).hasSize(5);
        assertThat(k.get("truncated").asBoolean()).isTrue();
        assertThat(call("GET", "/admin/cache/keys?pattern=*", true).statusCode()).isEqualTo(400);
        assertThat(call("GET", "/admin/cache/keys?pattern=cs:*&limit=100000", true).statusCode()).isEqualTo(400);
    }

    @Test
    void deletingOneKeyMakesTheNextReadFillIt() throws Exception {
        HttpResponse<String> d = call("DELETE", "/admin/cache/products/7", true);
        assertThat(d.body()).isEqualTo("{\"deleted\":1}");
        assertThat(redis.exists(p.row("products", "7"))).isFalse();
        HttpResponse<String> r = call("GET", "/v1/products/7", false);
        assertThat(r.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(redis.hget(p.row("products", "7"), "o")).isEqualTo("fill");
    }

    @Test
    void resyncRefillsAnEntityWhoseKeysWereDeleted() throws Exception {
        HttpResponse<String> del = call("DELETE", "/admin/cache?pattern=cs:users:*", true);
        assertThat(ValueCodec.mapper().readTree(del.body()).get("deleted").asLong()).isEqualTo(20);
        assertThat(p.rowKeys("users")).isEmpty();
        HttpResponse<String> rs = call("POST", "/admin/resync/users", true);
        assertThat(rs.statusCode()).isEqualTo(202);
        await().alias("users re-read by the incremental snapshot").atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            for (int id = 1; id <= 20; id++) {
                assertThat(redis.hget(p.row("users", String.valueOf(id)), "o")).as("cs:users:%d", id).isEqualTo("cdc");
            }
        });
        assertThat(redis.hget(p.row("users", "3"), "d")).doesNotContain("secret-hash");
        assertThat(call("POST", "/admin/resync/orders", true).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: the snapshots it starts would refill keys other tests delete and expect missing
    void resyncRequestsOfAnEntityAreFoldedIntoThePendingOneUnlessForced() throws Exception {
        long before = signals("products");
        JsonNode first = ValueCodec.mapper().readTree(call("POST", "/admin/resync/products", true).body());
        assertThat(first.get("deduplicated").asBoolean()).isFalse();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> again = call("POST", "/admin/resync/products", true);
            assertThat(again.statusCode()).isEqualTo(202);
            JsonNode b = ValueCodec.mapper().readTree(again.body());
            assertThat(b.get("deduplicated").asBoolean()).isTrue();
            assertThat(b.get("signal").asText()).isEqualTo(first.get("signal").asText());
        }
        assertThat(signals("products")).as("one signal row for four requests").isEqualTo(before + 1);
        JsonNode forced = ValueCodec.mapper().readTree(call("POST", "/admin/resync/products?force=true", true).body());
        assertThat(forced.get("deduplicated").asBoolean()).isFalse();
        assertThat(forced.get("signal").asText()).isNotEqualTo(first.get("signal").asText());
        assertThat(signals("products")).isEqualTo(before + 2);
        assertThat(call("POST", "/admin/resync/products?force=yes", true).statusCode()).isEqualTo(400);
    }

    private static long signals(String table) throws SQLException {
        try (java.sql.Connection c = p.stack.postgres().connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM public.cachesync_signal WHERE data LIKE '%public." + table + "%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void metricsCarryFreshnessHitRateAndConsistencyOfAllThreeServices() throws Exception {
        sql("UPDATE products SET name = 'metric probe' WHERE id = 11");
        await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(redis.hget(p.row("products", "11"), "d")).contains("metric probe"));
        call("GET", "/v1/products/11", false);
        call("GET", "/v1/products/999999", false);
        await().alias("every metric exported, with traffic").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String m = call("GET", "/metrics", false).body();
            assertThat(m).contains("cachesync_e2e_lag_seconds_bucket", "cachesync_events_captured_total", "cachesync_events_applied_total{entity=\"products\"",
                    "cachesync_reads_total{entity=\"products\",result=\"hit\"", "cachesync_cache_hit_ratio", "cachesync_l1_hit_ratio",
                    "cachesync_fills_total", "cachesync_consumer_lag_records", "cachesync_replication_slot_lag_bytes",
                    "cachesync_consistency_checks_total", "cachesync_circuit_state{name=\"redis\"} 0.0", "cachesync_http_requests_seconds_bucket",
                    "cachesync_events_dead_lettered_total", "jvm_memory_used_bytes");
            assertThat(m).containsPattern("cachesync_e2e_lag_seconds_count [1-9]");
            assertThat(m).as("commit -> in Kafka, per streamed change").containsPattern("cachesync_ingest_lag_seconds_count [1-9]");
            assertThat(m).containsPattern("cachesync_events_captured_total [1-9]");
            assertThat(m).containsPattern("cachesync_consistency_checks_total\\{entity=\"products\",result=\"consistent\"\\} [1-9]");
            assertThat(m).doesNotContain(TOKEN).doesNotContain("secret-hash");
        });
    }
}
