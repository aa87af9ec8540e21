package io.cachesync.sync.recovery;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.InvalidationMessages;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rebuilder against a real PostgreSQL and redis-server: Redis losing its data, or a table's columns changing, asks
 * cdc-ingest for a re-read through the signal table, at most once per entity and interval, and never forgets a request.
 */
class CacheRebuilderTest {
    private static final String SIGNAL_TABLE = "public.cachesync_signal";

    @TempDir
    static Path dir;
    static DevPostgres postgres;
    static DevRedis redisServer;
    static RedisClient redis;

    final EntityCatalog catalog = EntityCatalog.from(Settings.of(Map.of("entities", "items,tags", "entities.items.key", "id",
            "entities.items.key-type", "bigint", "entities.tags.key", "id", "entities.tags.key-type", "bigint")), new ArrayList<>());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        postgres = DevPostgres.start(dir.resolve("pg"));
        redisServer = DevRedis.start(dir.resolve("redis"));
        redis = RedisConnections.client(URI.create(redisServer.url()), 4, Duration.ofSeconds(2));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + SIGNAL_TABLE + " (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
        }
    }

    @AfterAll
    static void stop() {
        redis.close();
        redisServer.stop();
        postgres.stop();
    }

    @BeforeEach
    void empty() throws Exception {
        redis.flushAll();
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE " + SIGNAL_TABLE);
        }
    }

    private CacheRebuilder rebuilder(Duration minInterval) {
        PostgresEndpoint endpoint = new PostgresEndpoint(postgres.jdbcUrl(), DevPostgres.USER, DevPostgres.PASSWORD, "disable");
        return new CacheRebuilder(catalog, new CacheStore(redis), endpoint, SIGNAL_TABLE, minInterval, registry);
    }

    private static List<String> signalledTables() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = postgres.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type, data FROM " + SIGNAL_TABLE + " ORDER BY data")) {
            while (rs.next()) {
                assertThat(rs.getString("type")).isEqualTo("execute-snapshot");
                out.add(rs.getString("data").replaceAll(".*\"data-collections\": \\[\"([^\"]+)\"\\].*", "$1"));
            }
        }
        return out;
    }

    private double rebuilds() {
        return registry.get(MetricNames.CACHE_REBUILDS).counter().count();
    }

    @Test
    void redisLosingItsDataReReadsEveryEntityOnce() throws Exception {
        try (CacheRebuilder r = rebuilder(Duration.ofMinutes(1)).start(Duration.ofMillis(200))) {
            assertThat(redis.get(CacheKeys.EPOCH)).as("the epoch is set at start").isNotNull();
            assertThat(signalledTables()).as("a Redis that kept its data needs nothing").isEmpty();
            redis.flushAll(); // a restart without persistence
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(signalledTables()).containsExactly("public.items", "public.tags"));
            assertThat(rebuilds()).isEqualTo(2);
            assertThat(redis.get(CacheKeys.EPOCH)).as("a new epoch marks the data as complete again").isNotNull();
        }
    }

    @Test
    void redisRestartedFromASavedDatasetReReadsEveryEntityOnceWhicheverInstanceNoticesIt() throws Exception {
        // the timers wait an hour: each instance's check is run below, in the order a race could give
        try (CacheRebuilder first = rebuilder(Duration.ofMinutes(1)).start(Duration.ofHours(1));
             CacheRebuilder second = rebuilder(Duration.ofMinutes(1)).start(Duration.ofHours(1))) {
            first.check();
            second.check();
            assertThat(signalledTables()).as("a Redis that kept running needs nothing").isEmpty();

            String epoch = redis.get(CacheKeys.EPOCH);
            redisServer.kill();
            redisServer.start();
            // what a restart from an RDB or AOF file, or a promoted replica, gives: the epoch is there, the latest writes are
            // not, and a row deleted since may be back
            await().alias("the restarted Redis answers (pooled connections to the old one fail once)").atMost(Duration.ofSeconds(10))
                    .ignoreExceptions().until(() -> "OK".equals(redis.set(CacheKeys.EPOCH, epoch)));
            redis.hset("cs:items:7", Map.of("v", "0001", "d", "{\"id\":7}"));
            redis.set(CacheKeys.listGeneration("items", "kind", "a"), "4");
            List<String> messages = new CopyOnWriteArrayList<>();
            JedisPubSub l1Listener = new JedisPubSub() {
                @Override
                public void onMessage(String channel, String message) {
                    messages.add(message);
                }
            };
            try (RedisClient listening = RedisConnections.client(URI.create(redisServer.url()), 2, Duration.ofSeconds(2))) {
                Thread subscriber = new Thread(() -> listening.subscribe(l1Listener, CacheKeys.INVALIDATION_CHANNEL), "test-l1-listener");
                subscriber.setDaemon(true);
                subscriber.start();
                await().alias("an L1 listening").atMost(Duration.ofSeconds(10)).until(l1Listener::isSubscribed);
                await().alias("the first check that reaches the restarted Redis asks").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    first.check();
                    assertThat(signalledTables()).containsExactly("public.items", "public.tags");
                });
                await().alias("every L1 told to drop what it holds").atMost(Duration.ofSeconds(10))
                        .until(() -> messages.contains(InvalidationMessages.FLUSH));
                l1Listener.unsubscribe();
            }
            assertThat(rebuilds()).isEqualTo(2);
            assertThat(redis.exists("cs:items:7")).as("a row of the old dataset is deleted: the re-read would not remove it").isFalse();
            assertThat(redis.get(CacheKeys.listGeneration("items", "kind", "a"))).as("its pages are dropped").isEqualTo("5");
            for (int i = 0; i < 5; i++) { // more checks than the pool has connections: at least one reaches the restarted Redis
                second.check();
            }
            first.check();
            assertThat(signalledTables()).as("noticed once, by one instance").hasSize(2);
            assertThat(rebuilds()).isEqualTo(2);
        }
    }

    @Test
    void changesOfOneTableWithinTheIntervalAreRequestedOnceNowAndOnceAfterNeverLost() throws Exception {
        EntityDefinition items = catalog.byName("items").orElseThrow();
        try (CacheRebuilder r = rebuilder(Duration.ofSeconds(2)).start(Duration.ofMinutes(1))) {
            r.schemaChanged(items);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(signalledTables()).hasSize(1));
            r.schemaChanged(items); // within the interval: deferred, not dropped
            r.schemaChanged(items); // and not requested twice
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(signalledTables()).hasSize(2));
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> signalledTables().size() == 2);
            assertThat(signalledTables()).containsOnly("public.items");
            assertThat(rebuilds()).isEqualTo(2);
        }
    }
}
