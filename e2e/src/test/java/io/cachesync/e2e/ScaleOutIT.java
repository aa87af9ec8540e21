package io.cachesync.e2e;

import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.app.demo.DemoSchema;
import io.cachesync.app.demo.PipelineDrain;
import io.cachesync.app.demo.StackSettings;
import io.cachesync.app.verify.CacheVerifier;
import io.cachesync.app.verify.VerifyResult;
import io.cachesync.core.config.Settings;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisEndpoint;
import io.cachesync.devstack.DevRedisCluster;
import io.cachesync.devstack.DevStack;
import io.cachesync.devstack.FreePorts;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import io.cachesync.sync.topology.SyncTopology;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scale-out under a race (issue 17): three cache-sync instances (one in this JVM, two in their own) and two query-api
 * instances on a Redis Cluster of three masters with a replica each, while writers churn rows and readers read them.
 * Meanwhile a fourth cache-sync instance joins, one instance is frozen past its session timeout and thawed (a zombie),
 * one is killed -9, a Redis master fails over and a slot holding rows moves to another master. After the drain, verify
 * finds nothing stale, missing or extra, every list page equals the database, no read got a 5xx other than the
 * documented 503; the test prints the longest time any change waited to be applied ({@link ApplyProbe}).
 */
class ScaleOutIT {
    static final int ROWS = 600;
    static final int CATEGORIES = 5;
    static final int PROBES = 16;
    /** Writes each phase waits for before the next disturbance. */
    static final int WRITES_PER_PHASE = 300;
    /**
     * Each of the two writers' rate: 100 writes/s in all, well within what four cache-sync JVMs, six Redis nodes,
     * PostgreSQL and Kafka sustain together on the 2 cores of CI, so that waits measure the disturbances, not a backlog.
     */
    static final int WRITES_PER_SECOND = 50;

    @Test
    void rebalancesFailoversAndSlotMovesUnderLoadLeaveTheCacheEqualToTheDatabase() throws Exception {
        try (DevStack stack = DevStack.start();
             DevRedisCluster cluster = DevRedisCluster.start(stack.workDir().resolve("redis-cluster"))) {
            try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
                DemoSchema.create(c);
                st.execute("INSERT INTO products SELECT g, 'row ' || g, 'c' || (g % " + CATEGORIES + "), 1.00, now() FROM generate_series(1, " + ROWS + ") g");
                ApplyProbe.seed(c, PROBES);
            }
            Map<String, String> local = StackSettings.map(stack, Map.of("sync.audit-fraction", "0", "sync.batch-size", "50",
                    "redis.mode", "cluster", "redis.url", cluster.url(), "redis.nodes", String.join(",", cluster.seedNodes())));
            local.put("sync.state-dir", stack.workDir().resolve("sync-a").toString());
            Settings settings = Settings.of(local);
            SyncConfig syncConfig = SyncConfig.from(settings);
            int metricsB = FreePorts.next();
            int metricsC = FreePorts.next();
            try (IngestService ingest = new IngestService(IngestConfig.from(settings)).start();
                 ApiService api1 = new ApiService(ApiConfig.from(settings)).start();
                 ApiService api2 = new ApiService(ApiConfig.from(settings)).start();
                 SyncService instanceA = new SyncService(syncConfig, Metrics.newRegistry()).start();
                 ServiceProcess instanceB = ServiceProcess.start("sync", config(stack, local, "b", metricsB), log("b"));
                 ServiceProcess instanceC = ServiceProcess.start("sync", config(stack, local, "c", metricsC), log("c"));
                 Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafka().bootstrapServers()));
                 UnifiedJedis redis = RedisEndpoint.from(settings, new ArrayList<>()).client(4, Duration.ofSeconds(2))) {
                CacheStore store = new CacheStore(redis);
                await().alias("three instances in the group").atMost(Duration.ofMinutes(1)).until(() -> members(admin, syncConfig) == 3);
                await().alias("snapshot in Redis").atMost(Duration.ofMinutes(2)).until(() -> instanceA.stats().processed() >= 1
                        && rowKeys(store) >= ROWS);

                try (ProductChurn churn = new ProductChurn(stack, ROWS, CATEGORIES).start(2, WRITES_PER_SECOND);
                     ApiReaders readers = new ApiReaders(List.of(api1, api2), ROWS).start(2);
                     ApplyProbe probe = new ApplyProbe(stack, store, PROBES).start()) {
                    churn.readEveryList(api1);
                    probe.phase("three instances, no disturbance");
                    awaitWrites(churn, "before any disturbance");

                    Map<String, String> dSettings = new HashMap<>(local);
                    dSettings.put("sync.state-dir", stack.workDir().resolve("sync-d").toString());
                    probe.phase("a fourth instance joins");
                    try (SyncService instanceD = new SyncService(SyncConfig.from(Settings.of(dSettings)), Metrics.newRegistry()).start()) {
                        await().alias("a fourth instance joined").atMost(Duration.ofMinutes(1)).until(() -> members(admin, syncConfig) == 4);
                        awaitWrites(churn, "after the fourth instance joined");

                        probe.phase("an instance frozen past its session timeout");
                        instanceB.pause();
                        await().alias("the frozen instance expelled").atMost(Duration.ofMinutes(1)).until(() -> members(admin, syncConfig) == 3);
                        awaitWrites(churn, "while an instance is frozen");
                        probe.phase("the frozen instance thawed, rejoining as a zombie");
                        instanceB.resume();
                        await().alias("the zombie rejoined").atMost(Duration.ofMinutes(1)).until(() -> members(admin, syncConfig) == 4);
                        awaitWrites(churn, "after the zombie rejoined");

                        probe.phase("an instance killed -9");
                        instanceC.kill9();
                        await().alias("the killed instance gone from the group").atMost(Duration.ofMinutes(1))
                                .until(() -> members(admin, syncConfig) == 3);
                        awaitWrites(churn, "after an instance was killed -9");

                        probe.phase("a Redis master fails over");
                        int master = cluster.masterPorts().get(0);
                        cluster.failover(master);
                        awaitWrites(churn, "after a Redis master failed over");

                        probe.phase("a slot with rows moves to another master");
                        int slot = JedisClusterCRC16.getSlot(store.keys().row("products", "1"));
                        int from = cluster.masterPortOfSlot(slot);
                        int to = cluster.masterPorts().stream().filter(p -> p != from).findFirst().orElseThrow();
                        cluster.migrateSlot(slot, to, Duration.ofMillis(5));
                        assertThat(cluster.masterPortOfSlot(slot)).isEqualTo(to);
                        awaitWrites(churn, "after a slot with rows moved to another master");

                        churn.stop();
                        probe.stopWriting();
                        readers.close();
                        PipelineDrain drain = new PipelineDrain(stack.kafka().bootstrapServers(), syncConfig.applicationId(),
                                SyncTopology.cdcTopics(syncConfig.topics(), syncConfig.catalog()), ingest::published);
                        assertThat(drain.await(Duration.ofSeconds(3), Duration.ofMinutes(3))).as("pipeline drained").isTrue();
                        probe.close(); // after the drain: a change applied late still counts, with its whole wait
                        VerifyResult result = new CacheVerifier(syncConfig.catalog(), () -> connect(stack), redis).verify(Duration.ofSeconds(5));
                        VerifyResult.Counts products = result.perEntity().get("products");
                        System.out.println("ScaleOutIT: longest wait of a change to be applied, by what was under way when it was committed: "
                                + probe.longestWaitByPhase());
                        System.out.printf("ScaleOutIT: %,d writes, %,d keys checked: stale %d, missing %d, extra %d; reads by status %s, "
                                        + "failed %d; batches refused by fences: the zombie's %.0f, the in-JVM instances' %d; longest wait of a "
                                        + "change to be applied %,d ms (%,d of %,d probe changes seen)%n",
                                churn.writes(), products.checked(), products.stale(), products.missing(), products.extra(),
                                readers.byStatus(), readers.failures().size(), SyncGroup.metric(metricsB, "cachesync_batches_fenced_total"),
                                instanceA.stats().fencedCount() + instanceD.stats().fencedCount(), probe.longestWaitMillis(),
                                probe.seen(), probe.committed());
                        assertThat(products.stale()).as("stale " + result.samples()).isZero();
                        assertThat(products.missing()).as("missing " + result.samples()).isZero();
                        assertThat(products.extra()).as("extra " + result.samples()).isZero();
                        assertThat(readers.failures()).as("reads with a 5xx other than 503, or no answer").isEmpty();
                        assertThat(probe.seen()).as("every probe change seen applied; unseen: " + probe.unseen()).isEqualTo(probe.committed());
                        churn.assertEveryListEqualsTheDatabase(api2);
                    }
                }
            }
        }
    }

    /**
     * Waits for {@link #WRITES_PER_PHASE} more writes (the pipeline keeps applying them meanwhile); the probe reports
     * the changes committed from one disturbance to the next under that disturbance's name.
     */
    private static void awaitWrites(ProductChurn churn, String name) {
        long from = churn.writes();
        await().alias("writes " + name).atMost(Duration.ofMinutes(1)).until(() -> churn.writes() >= from + WRITES_PER_PHASE);
    }

    private static long rowKeys(CacheStore store) {
        long[] n = {0};
        store.scan(CacheKeys.rowPattern("products"), keys -> n[0] += keys.size());
        return n[0];
    }

    private static int members(Admin admin, SyncConfig c) throws Exception {
        return SyncGroup.members(admin, c.applicationId());
    }

    /** The settings of instance {@code name} in its own JVM: its own state directory and metrics port. */
    private static Path config(DevStack stack, Map<String, String> local, String name, int metricsPort) throws Exception {
        Map<String, String> m = new HashMap<>(local);
        m.put("sync.state-dir", stack.workDir().resolve("sync-" + name).toString());
        m.put("sync.http-port", Integer.toString(metricsPort));
        Path file = stack.workDir().resolve("sync-" + name + ".properties");
        Files.writeString(file, m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
        return file;
    }

    /** An instance's log, kept under target/ (the devstack's directory is removed). */
    private static Path log(String name) throws Exception {
        Path log = Path.of("target", "ScaleOutIT-sync-" + name + ".log");
        Files.deleteIfExists(log);
        return log;
    }

    private static Connection connect(DevStack stack) {
        try {
            return stack.postgres().connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
