package io.cachesync.sync.topology;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevRedis;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.RedisUnavailableException;
import io.cachesync.sync.redis.SyncStats;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The task's batch store against a real redis-server: batches written in order, flush waits, a failure sticks. */
class RedisBatchStoreTest {
    @TempDir
    Path dir;

    final EntityDefinition users = EntityCatalog.from(Settings.of(Map.of("entities", "users")), new ArrayList<>()).byName("users").orElseThrow();
    final List<String> applied = new CopyOnWriteArrayList<>();
    DevRedis server;
    RedisClient redis;
    RedisBatchStore store;

    RedisBatchStore open(Duration retryFor) {
        server = DevRedis.start(dir.resolve("redis"));
        redis = RedisConnections.client(URI.create(server.url()), 4, Duration.ofMillis(500));
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), new SyncStats(), Clock.systemUTC(), retryFor);
        store = new RedisBatchStore("redis-batch-test", applier, m -> applied.add(m.id() + "@" + m.version()));
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    CacheMutation upsert(String id, long version) {
        return new CacheMutation(users, id, CacheMutation.Op.UPSERT, Long.toString(version), "{\"v\":" + version + "}", 0, false);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void batchesSentOneAfterAnotherAreWrittenInOrderAndFlushWaitsForAllOfThem() {
        open(Duration.ofSeconds(5));
        for (int batch = 1; batch <= 2 * RedisBatchStore.MAX_IN_FLIGHT + 1; batch++) {
            store.add(upsert("1", batch * 10L));
            store.add(upsert(Integer.toString(100 + batch), batch * 10L + 1));
            store.send();
        }
        store.add(upsert("1", 1000));

        store.flush();

        assertThat(redis.hget("cs:users:1", "v")).isEqualTo("1000");
        assertThat(applied).hasSize(2 * (2 * RedisBatchStore.MAX_IN_FLIGHT + 1) + 1);
        assertThat(applied.stream().filter(a -> a.startsWith("1@")).toList())
                .containsExactly("1@10", "1@20", "1@30", "1@40", "1@50", "1@1000");
    }

    @Test
    void aFailedWriteFailsEverySendAndFlushAfterItAndNoLaterBatchIsWritten() {
        open(Duration.ofMillis(200));
        server.stop();
        store.add(upsert("1", 10));
        store.send();
        assertThatThrownBy(store::flush).isInstanceOf(RedisUnavailableException.class);

        server.start();
        store.add(upsert("2", 20));
        assertThatThrownBy(store::send).as("the failure sticks").isInstanceOf(RedisUnavailableException.class);
        assertThatThrownBy(store::flush).isInstanceOf(RedisUnavailableException.class);
        assertThat(redis.exists("cs:users:2")).isFalse();
        assertThat(applied).isEmpty();
    }

    @Test
    void aZombieOwnerCannotWriteOnceANewOwnerTookTheTaskEvenWithABatchInFlight() {
        open(Duration.ofSeconds(5));
        SyncStats zombieStats = new SyncStats();
        RedisBatchStore zombie = store;
        zombie.add(upsert("7", 10));
        zombie.flush();
        assertThat(redis.hget("cs:users:7", "v")).isEqualTo("10");

        // a rebalance gives the task to another instance, which writes a delete (the same task id: the same fence)
        RedisMutationApplier newApplier = new RedisMutationApplier(new CacheStore(redis), new SyncStats(), Clock.systemUTC(), Duration.ofSeconds(5));
        RedisBatchStore owner = new RedisBatchStore("redis-batch-test", newApplier, m -> { });
        owner.init(new MockProcessorContext<>().getStateStoreContext(), owner);
        try {
            owner.add(new CacheMutation(users, "7", CacheMutation.Op.DELETE, "30", null, 0, false));
            owner.flush();
            assertThat(redis.hget("cs:users:7", "x")).isEqualTo("1");
            redis.del("cs:users:7"); // the tombstone expired

            // the zombie, resumed, still holds a batch with an older upsert: refused, never written
            zombie.add(upsert("7", 20));
            zombie.send();
            assertThatThrownBy(zombie::flush).isInstanceOf(org.apache.kafka.streams.errors.TaskMigratedException.class)
                    .hasMessageContaining("does not write for it any more");
            assertThat(redis.exists("cs:users:7")).as("the zombie's upsert").isFalse();

            owner.add(upsert("8", 40));
            owner.flush();
            assertThat(redis.hget("cs:users:8", "v")).as("the owner keeps writing").isEqualTo("40");
        } finally {
            owner.close();
        }
    }

    @Test
    void anOwnerWhoseFenceWasEvictedTakesItAgainAndWrites() {
        open(Duration.ofSeconds(5));
        store.add(upsert("9", 10));
        store.flush();
        redis.keys("cs:_fence:*").forEach(redis::del);
        store.add(upsert("9", 20));
        store.flush();
        assertThat(redis.hget("cs:users:9", "v")).isEqualTo("20");
        assertThat(redis.keys("cs:_fence:*")).hasSize(1);
    }
}
