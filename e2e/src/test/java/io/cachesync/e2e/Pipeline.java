package io.cachesync.e2e;

import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.app.demo.DemoSchema;
import io.cachesync.app.demo.StackSettings;
import io.cachesync.core.config.Settings;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.redis.RedisEndpoint;
import io.cachesync.core.redis.RedisNodes;
import io.cachesync.devstack.DevRedisCluster;
import io.cachesync.devstack.DevStack;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import redis.clients.jedis.UnifiedJedis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Test support: the whole pipeline on a fresh devstack — the demo's schema with the given rows, cdc-ingest, cache-sync
 * and one query-api sharing one meter registry (as in the demo), a Redis client — and its orderly shutdown.
 */
final class Pipeline implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    final DevStack stack;
    /** The Redis Cluster the services use instead of the stack's Redis, or null. */
    final DevRedisCluster cluster;
    final Map<String, String> config;
    final Settings settings;
    final PrometheusMeterRegistry registry = Metrics.newRegistry();
    final IngestService ingest;
    SyncService sync;
    final ApiService api;
    /** A client of the Redis the services use (a cluster client on a cluster). */
    final UnifiedJedis redis;
    private final List<ApiService> extraApis = new ArrayList<>();

    /** Which Redis the services use: the stack's own, or a devstack Redis Cluster (three masters, a replica each). */
    enum RedisKind {
        STANDALONE, CLUSTER;

        /** {@link #CLUSTER} for a suite marked {@link OnRedisCluster}. */
        static RedisKind of(Class<?> suite) {
            return suite.isAnnotationPresent(OnRedisCluster.class) ? CLUSTER : STANDALONE;
        }
    }

    /**
     * @param overrides settings on top of {@link StackSettings}
     * @param seed      SQL run after the demo schema is created (rows to snapshot)
     * @param rows      how many rows the seed inserts: start returns once the snapshot applied them
     */
    static Pipeline start(Map<String, String> overrides, String seed, long rows) throws Exception {
        return new Pipeline(RedisKind.STANDALONE, overrides, seed, rows, s -> { });
    }

    /** As {@link #start(Map, String, long)}, the services using {@code kind} of Redis. */
    static Pipeline start(RedisKind kind, Map<String, String> overrides, String seed, long rows) throws Exception {
        return new Pipeline(kind, overrides, seed, rows, s -> { });
    }

    /** Work done while the initial snapshot runs: called once cdc-ingest has started, before the snapshot is awaited. */
    @FunctionalInterface
    interface WhileSnapshotting {
        void run(DevStack stack) throws Exception;
    }

    /** As {@link #start(Map, String, long)}, running {@code whileSnapshotting} right after cdc-ingest started. */
    static Pipeline start(Map<String, String> overrides, String seed, long rows, WhileSnapshotting whileSnapshotting) throws Exception {
        return new Pipeline(RedisKind.STANDALONE, overrides, seed, rows, whileSnapshotting);
    }

    private Pipeline(RedisKind kind, Map<String, String> overrides, String seed, long rows, WhileSnapshotting whileSnapshotting)
            throws Exception {
        stack = DevStack.start();
        DevRedisCluster started = null;
        try {
            Map<String, String> all = new HashMap<>(overrides);
            if (kind == RedisKind.CLUSTER) {
                started = DevRedisCluster.start(stack.workDir().resolve("redis-cluster"));
                all.put("redis.mode", "cluster");
                all.put("redis.url", started.url());
                all.put("redis.nodes", String.join(",", started.seedNodes()));
            }
            overrides = all;
            try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
                DemoSchema.create(c);
                st.execute(seed);
            }
            config = new HashMap<>(StackSettings.map(stack, overrides));
            cluster = started;
            settings = Settings.of(config);
            ingest = new IngestService(IngestConfig.from(settings), registry).start();
            whileSnapshotting.run(stack);
            sync = new SyncService(SyncConfig.from(settings), registry).start();
            api = new ApiService(ApiConfig.from(settings), registry).start();
            redis = RedisEndpoint.from(settings, new ArrayList<>()).client(4, Duration.ofSeconds(2));
            await().alias("initial snapshot in Redis").atMost(Duration.ofMinutes(2)).until(() -> sync.stats().processed() >= rows);
        } catch (Exception | Error e) {
            close();
            if (started != null) {
                started.close();
            }
            throw e;
        }
    }

    /** Where rows live in the services' Redis. */
    KeyLayout keys() {
        return KeyLayout.of(redis);
    }

    /** The Redis key of a row. */
    String row(String entity, String id) {
        return keys().row(entity, id);
    }

    /** Every row key of an entity now in Redis (on every master of a cluster). */
    List<String> rowKeys(String entity) {
        List<String> out = new ArrayList<>();
        RedisNodes.scan(redis, CacheKeys.rowPattern(entity), 1000, out::addAll);
        return out;
    }

    /** Another query-api instance (its own registry) with some settings changed. */
    ApiService addApi(Map<String, String> overrides) {
        Map<String, String> m = new HashMap<>(config);
        m.putAll(overrides);
        ApiService a = new ApiService(ApiConfig.from(Settings.of(m))).start();
        extraApis.add(a);
        return a;
    }

    /** Stops cache-sync and starts a new instance with the same settings (it resumes from its committed offsets). */
    void restartSync(Runnable whileDown) {
        sync.close();
        whileDown.run();
        sync = new SyncService(SyncConfig.from(settings), Metrics.newRegistry()).start();
    }

    /**
     * Waits until cache-sync has consumed everything cdc-ingest published, then runs {@code cachesync verify} (grace 5 s)
     * and asserts 0 stale, 0 missing and 0 extra rows of {@code entity}; returns its counts.
     */
    io.cachesync.app.verify.VerifyResult.Counts drainAndVerify(String entity) throws Exception {
        io.cachesync.sync.config.SyncConfig syncConfig = io.cachesync.sync.config.SyncConfig.from(settings);
        io.cachesync.app.demo.PipelineDrain drain = io.cachesync.app.demo.PipelineDrain.of(stack.kafka().bootstrapServers(),
                syncConfig, ingest::published);
        org.assertj.core.api.Assertions.assertThat(drain.await(Duration.ofSeconds(2), Duration.ofMinutes(2))).as("pipeline drained").isTrue();
        io.cachesync.app.verify.VerifyResult result = new io.cachesync.app.verify.CacheVerifier(syncConfig.catalog(), () -> {
            try {
                return stack.postgres().connect();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, redis).verify(Duration.ofSeconds(5));
        io.cachesync.app.verify.VerifyResult.Counts counts = result.perEntity().get(entity);
        org.assertj.core.api.Assertions.assertThat(counts.stale()).as("stale " + result.samples()).isZero();
        org.assertj.core.api.Assertions.assertThat(counts.extra()).as("extra " + result.samples()).isZero();
        org.assertj.core.api.Assertions.assertThat(counts.missing()).as("missing " + result.samples()).isZero();
        return counts;
    }

    void sql(String statement) throws SQLException {
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    static HttpResponse<String> get(ApiService api, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.baseUrl() + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        return get(api, path, headers);
    }

    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>(extraApis);
        all.add(api);
        all.add(sync);
        all.add(ingest);
        all.add(redis);
        all.add(cluster);
        all.add(stack);
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }
}
