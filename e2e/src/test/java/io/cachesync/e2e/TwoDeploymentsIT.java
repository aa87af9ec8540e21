package io.cachesync.e2e;

import io.cachesync.api.ApiService;
import io.cachesync.core.config.Settings;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.redis.RedisEndpoint;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two cachesync deployments on one Kafka cluster, each with its own database, replication slot and Redis database, told
 * apart by {@code kafka.topic-prefix}. Before the prefix, both used the same topics: the second cdc-ingest took the
 * first one's source epochs and Debezium offsets for its own, started a new source epoch (its database has another
 * identity), and the first deployment's cache-sync purged its whole cache. And before each Redis database had its own
 * invalidation channel, A's cache-sync heartbeats kept B's query-api using its L1 while B's cache-sync was down.
 */
class TwoDeploymentsIT {
    static final int ROWS = 30;
    static final String TABLE = "CREATE TABLE public.items (id bigint PRIMARY KEY, label text);";

    @Test
    void deploymentsWithTheirOwnTopicPrefixShareAKafkaClusterWithoutTouchingEachOther() throws Exception {
        try (Pipeline a = Pipeline.start(Map.of("entities", "items"), TABLE
                + "INSERT INTO public.items SELECT g, 'a ' || g FROM generate_series(1, " + ROWS + ") g", ROWS)) {
            String urlB = a.stack.postgres().jdbcUrl().replaceFirst("/[^/]+$", "/team_b");
            a.sql("CREATE DATABASE team_b");
            try (Connection c = DriverManager.getConnection(urlB, io.cachesync.devstack.DevPostgres.USER, io.cachesync.devstack.DevPostgres.PASSWORD);
                 Statement st = c.createStatement()) {
                st.execute(TABLE + "INSERT INTO public.items SELECT g, 'b ' || g FROM generate_series(1, " + ROWS + ") g");
            }
            Map<String, String> b = new HashMap<>(a.config);
            b.put("postgres.url", urlB);
            b.put("redis.url", a.stack.redis().url() + "/1");
            b.put("kafka.topic-prefix", "team-b");
            b.put("ingest.slot-name", "cachesync_b");   // slots are per server, publications per database
            b.put("sync.state-dir", a.stack.workDir().resolve("sync-state-b").toString());
            Settings settingsB = Settings.of(b);
            SyncConfig syncB = SyncConfig.from(settingsB);
            assertThat(syncB.applicationId()).as("its consumer group follows the prefix").isEqualTo("team-b-sync");
            PrometheusMeterRegistry registryB = Metrics.newRegistry();
            try (IngestService ingestB = new IngestService(IngestConfig.from(settingsB), registryB).start();
                 SyncService sB = new SyncService(syncB, registryB).start();
                 UnifiedJedis redisB = RedisEndpoint.from(settingsB, new ArrayList<>()).client(2, Duration.ofSeconds(2))) {
                await().alias("deployment B's snapshot in its own Redis database").atMost(Duration.ofMinutes(2))
                        .until(() -> sB.stats().processed() >= ROWS);
                assertThat(redisB.hget("cs:items:7", "d")).contains("\"label\":\"b 7\"");
                assertThat(a.redis.hget("cs:items:7", "d")).as("A's row, not B's").contains("\"label\":\"a 7\"");

                a.sql("UPDATE public.items SET label = 'a changed' WHERE id = 3");
                try (Connection c = DriverManager.getConnection(urlB, io.cachesync.devstack.DevPostgres.USER, io.cachesync.devstack.DevPostgres.PASSWORD);
                     Statement st = c.createStatement()) {
                    st.execute("UPDATE public.items SET label = 'b changed' WHERE id = 4");
                }
                await().alias("each change in its own deployment's cache").atMost(Duration.ofMinutes(1))
                        .until(() -> String.valueOf(a.redis.hget("cs:items:3", "d")).contains("a changed")
                                && String.valueOf(redisB.hget("cs:items:4", "d")).contains("b changed"));
                assertThat(a.redis.hget("cs:items:4", "d")).contains("\"label\":\"a 4\"");
                assertThat(redisB.hget("cs:items:3", "d")).contains("\"label\":\"b 3\"");

                assertThat(a.registry.get(MetricNames.SOURCE_EPOCH).gauge().value()).as("A's source epoch untouched").isZero();
                assertThat(registryB.get(MetricNames.SOURCE_EPOCH).gauge().value()).as("B's first source epoch").isZero();
                assertThat(a.registry.find(MetricNames.SOURCE_PURGED_ROWS).counter()).as("A's cache not purged")
                        .satisfiesAnyOf(c -> assertThat(c).isNull(), c -> assertThat(c.count()).isZero());
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", a.stack.kafka().bootstrapServers()))) {
                    Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                    assertThat(topics).contains("cachesync.public.items", "cachesync.source-epochs", "cachesync.ingest.offsets",
                            "team-b.public.items", "team-b.source-epochs", "team-b.ingest.offsets", "team-b.schemas",
                            "team-b.commands", "team-b.dlq");
                }
                assertThat(a.drainAndVerify("items").checked()).isEqualTo(ROWS);

                // L1 invalidations and heartbeats go to a channel of B's Redis database: a channel is the whole server's
                ApiService apiB = a.addApi(Map.of("postgres.url", urlB, "redis.url", a.stack.redis().url() + "/1",
                        "kafka.topic-prefix", "team-b", "api.l1-heartbeat-timeout", "2s"));
                assertThat(Pipeline.get(apiB, "/v1/items/4").body()).contains("b changed");
                await().alias("B's query-api hears B's cache-sync").atMost(Duration.ofSeconds(10)).until(apiB::l1Live);
                sB.close();
                await().alias("B's L1 is no longer used once B's cache-sync stopped, though A's beats on").atMost(Duration.ofSeconds(15))
                        .until(() -> !apiB.l1Live());
                assertThat(a.api.l1Live()).as("A's L1, kept by A's heartbeats").isTrue();
            }
        }
    }
}
