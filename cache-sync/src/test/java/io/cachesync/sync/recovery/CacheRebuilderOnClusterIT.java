package io.cachesync.sync.recovery;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisEndpoint;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedisCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rebuilder on a Redis Cluster: it asks every master for its run id, so a slot moving between masters needs nothing,
 * and a master replaced by its replica (a failover: replication is asynchronous, so acknowledged writes may be lost)
 * empties the cache's rows and re-reads every entity.
 */
class CacheRebuilderOnClusterIT {
    private static final String SIGNAL_TABLE = "public.cachesync_signal";

    @TempDir
    static Path dir;
    static DevPostgres postgres;
    static DevRedisCluster cluster;
    static UnifiedJedis client;

    @BeforeAll
    static void start() throws Exception {
        postgres = DevPostgres.start(dir.resolve("pg"));
        cluster = DevRedisCluster.start(dir.resolve("cluster"));
        client = RedisEndpoint.cluster(URI.create(cluster.url()), cluster.seedNodes()).client(4, Duration.ofSeconds(2));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + SIGNAL_TABLE + " (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
        postgres.stop();
    }

    private static int signals() throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + SIGNAL_TABLE)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aSlotMovingNeedsNothingAndAFailoverEmptiesTheRowsAndReReadsEveryEntity() throws Exception {
        EntityCatalog catalog = EntityCatalog.from(Settings.of(Map.of("entities", "items", "entities.items.key", "id",
                "entities.items.key-type", "bigint")), new ArrayList<>());
        CacheStore store = new CacheStore(client);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PostgresEndpoint endpoint = new PostgresEndpoint(postgres.jdbcUrl(), DevPostgres.USER, DevPostgres.PASSWORD, "disable");
        String row = store.keys().row("items", "7");
        client.hset(row, Map.of("v", "0001", "d", "{\"id\":7}"));
        try (CacheRebuilder rebuilder = new CacheRebuilder(catalog, store, endpoint, SIGNAL_TABLE, Duration.ofMinutes(1), registry)
                .start(Duration.ofHours(1))) {
            rebuilder.check();
            int slot = JedisClusterCRC16.getSlot(row);
            int from = cluster.masterPortOfSlot(slot);
            int to = cluster.masterPorts().stream().filter(p -> p != from).findFirst().orElseThrow();
            cluster.migrateSlot(slot, to);
            rebuilder.check();
            assertThat(signals()).as("the same masters, a slot moved between them").isZero();
            assertThat(client.exists(row)).isTrue();

            cluster.failover(to);
            await().alias("the check after the failover asks for every entity").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                rebuilder.check();
                assertThat(signals()).isEqualTo(1);
            });
            assertThat(client.exists(row)).as("rows of a master that may have lost writes are deleted").isFalse();
            assertThat(registry.get(MetricNames.CACHE_REBUILDS).counter().count()).isEqualTo(1);
        }
    }
}
