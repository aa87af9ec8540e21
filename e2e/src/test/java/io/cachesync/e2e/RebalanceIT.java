package io.cachesync.e2e;

import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.app.demo.DemoSchema;
import io.cachesync.app.demo.PipelineDrain;
import io.cachesync.app.demo.StackSettings;
import io.cachesync.app.verify.CacheVerifier;
import io.cachesync.app.verify.VerifyResult;
import io.cachesync.core.config.Settings;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevStack;
import io.cachesync.devstack.FreePorts;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import io.cachesync.sync.topology.SyncTopology;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two cache-sync instances share the CDC partitions while writers change rows (moving them between list values and
 * deleting them). The instance in its own JVM talks to Redis as its own ACL user, whose commands the test refuses for a
 * while: that instance is caught retrying a batch Redis never ran, and its JVM is frozen (SIGSTOP) until the group gives
 * its partitions to the other instance, which writes on. Thawed, with its commands allowed again, it goes on as a zombie
 * with the batch it was retrying, which its fence must refuse (DESIGN rule 7). After the drain, verify finds nothing stale, missing or
 * extra, and every list page equals the database.
 */
class RebalanceIT {
    static final int ROWS = 300;
    static final int CATEGORIES = 5;

    @Test
    void aFrozenInstanceThatWakesAsAZombieCannotPutAnOlderValueOverANewerOne() throws Exception {
        try (DevStack stack = DevStack.start()) {
            try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
                DemoSchema.create(c);
                st.execute("INSERT INTO products SELECT g, 'row ' || g, 'c' || (g % " + CATEGORIES + "), 1.00, now() FROM generate_series(1, " + ROWS + ") g");
            }
            Map<String, String> shared = new HashMap<>(Map.of("sync.audit-fraction", "0", "sync.batch-size", "50"));
            Map<String, String> local = StackSettings.map(stack, shared);
            local.put("sync.state-dir", stack.workDir().resolve("sync-a").toString());
            Map<String, String> remote = new HashMap<>(local);
            URI redisUrl = URI.create(stack.redis().url());
            remote.put("redis.url", "redis://zombie:zombie-password@" + redisUrl.getHost() + ":" + redisUrl.getPort());
            try (RedisClient setup = RedisConnections.client(redisUrl, 1, Duration.ofSeconds(2))) {
                setup.sendCommand(Protocol.Command.ACL, "SETUSER", "zombie", "on", ">zombie-password", "~*", "&*", "+@all");
            }
            int remoteMetrics = FreePorts.next();
            remote.put("sync.state-dir", stack.workDir().resolve("sync-b").toString());
            remote.put("sync.http-port", Integer.toString(remoteMetrics));
            Path remoteConfig = stack.workDir().resolve("sync-b.properties");
            Files.writeString(remoteConfig, remote.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
            Settings settings = Settings.of(local);
            SyncConfig syncConfig = SyncConfig.from(settings);
            try (IngestService ingest = new IngestService(IngestConfig.from(settings)).start();
                 ApiService api = new ApiService(ApiConfig.from(settings)).start();
                 SyncService instanceA = new SyncService(syncConfig, Metrics.newRegistry()).start();
                 ServiceProcess instanceB = ServiceProcess.start("sync", remoteConfig, zombieLog());
                 Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafka().bootstrapServers()));
                 RedisClient redis = RedisConnections.client(URI.create(stack.redis().url()), 4, Duration.ofSeconds(2));
                 ProductChurn churn = new ProductChurn(stack, ROWS, CATEGORIES)) {
                await().alias("snapshot in Redis").atMost(Duration.ofMinutes(2)).until(() -> redis.keys("cs:products:*").size() >= ROWS);
                await().alias("both instances in the group").atMost(Duration.ofMinutes(1)).until(() -> members(admin, syncConfig) == 2);
                churn.readEveryList(api);

                churn.start(2);
                await().alias("writes before the freeze").atMost(Duration.ofMinutes(1)).until(() -> churn.writes() >= 1_000);
                await().alias("the second instance owns partitions and applies changes").atMost(Duration.ofMinutes(1))
                        .until(() -> metric(remoteMetrics, "cachesync_events_applied_total") >= 1);
                // every command of the second instance is refused (NOPERM) and never runs: its writer retries with backoff
                redis.sendCommand(Protocol.Command.ACL, "SETUSER", "zombie", "-@all");
                await().alias("the second instance retrying a batch Redis refuses").atMost(Duration.ofMinutes(1))
                        .until(() -> metric(remoteMetrics, "cachesync_redis_retries_total") >= 1);
                instanceB.pause();
                Map<String, Long> fencesAtFreeze = cdcFences(redis);
                await().alias("the frozen instance expelled, its partitions given to the other").atMost(Duration.ofMinutes(1))
                        .until(() -> members(admin, syncConfig) == 1);
                await().alias("the other instance took the fences of the frozen one's tasks").atMost(Duration.ofMinutes(1))
                        .until(() -> cdcFences(redis).entrySet().stream().anyMatch(e -> e.getValue() > fencesAtFreeze.getOrDefault(e.getKey(), 0L)));
                long atExpel = churn.writes();
                await().alias("writes while the zombie sleeps").atMost(Duration.ofMinutes(1)).until(() -> churn.writes() >= atExpel + 1_000);
                churn.readEveryList(api);
                redis.sendCommand(Protocol.Command.ACL, "SETUSER", "zombie", "+@all");
                instanceB.resume();
                await().alias("the zombie's retried batch refused by its fence").atMost(Duration.ofMinutes(1))
                        .until(() -> metric(remoteMetrics, "cachesync_batches_fenced_total") >= 1);
                await().alias("the zombie rejoined").atMost(Duration.ofMinutes(1)).until(() -> members(admin, syncConfig) == 2);
                long atRejoin = churn.writes();
                await().alias("writes after the rejoin").atMost(Duration.ofMinutes(1)).until(() -> churn.writes() >= atRejoin + 1_000);
                churn.stop();

                PipelineDrain drain = new PipelineDrain(stack.kafka().bootstrapServers(), syncConfig.applicationId(),
                        SyncTopology.cdcTopics(syncConfig.topics(), syncConfig.catalog()), ingest::published);
                assertThat(drain.await(Duration.ofSeconds(3), Duration.ofMinutes(3))).as("pipeline drained").isTrue();
                VerifyResult result = new CacheVerifier(syncConfig.catalog(), () -> connect(stack), redis).verify(Duration.ofSeconds(5));
                VerifyResult.Counts products = result.perEntity().get("products");
                double fenced = metric(remoteMetrics, "cachesync_batches_fenced_total");
                System.out.printf("RebalanceIT: %,d writes, %,d keys checked; stale %d, missing %d, extra %d; zombie's batches refused by its fence: %.0f; "
                                + "the other instance's: %d%n", churn.writes(), products.checked(), products.stale(), products.missing(), products.extra(),
                        fenced, instanceA.stats().fencedCount());
                assertThat(fenced).as("batches the zombie tried after the rebalance, refused").isGreaterThanOrEqualTo(1);
                assertThat(products.stale()).as("stale " + result.samples()).isZero();
                assertThat(products.missing()).as("missing " + result.samples()).isZero();
                assertThat(products.extra()).as("extra " + result.samples()).isZero();
                churn.assertEveryListEqualsTheDatabase(api);
            }
        }
    }

    /** The second instance's log, kept under target/ (the devstack's directory is removed). */
    private static Path zombieLog() throws java.io.IOException {
        Path log = Path.of("target", "RebalanceIT-sync-b.log");
        Files.deleteIfExists(log);
        return log;
    }

    /** The tokens of the CDC stores' fences, by key. */
    private static Map<String, Long> cdcFences(RedisClient redis) {
        Map<String, Long> out = new HashMap<>();
        for (String key : redis.keys(io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "fence:*redis-batch-cdc*")) {
            out.put(key, Long.parseLong(redis.get(key)));
        }
        return out;
    }

    private static int members(Admin admin, SyncConfig c) throws Exception {
        return SyncGroup.members(admin, c.applicationId());
    }

    private static double metric(int port, String name) {
        return SyncGroup.metric(port, name);
    }

    private static Connection connect(DevStack stack) {
        try {
            return stack.postgres().connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
