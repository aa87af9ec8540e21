package io.cachesync.sync.redis;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.Settings;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevRedis;
import io.cachesync.sync.envelope.CacheMutation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Side effects of a batch against a real redis-server (DESIGN rule 6): sent for every mutation, written or skipped. */
class RedisMutationApplierTest {
    @TempDir
    static Path dir;
    static DevRedis server;
    static RedisClient redis;

    final EntityDefinition products = EntityCatalog.from(Settings.of(Map.of("entities", "products",
            "entities.products.lists", "category", "entities.products.search.fields", "name")), new ArrayList<>())
            .byName("products").orElseThrow();

    @BeforeAll
    static void start() {
        server = DevRedis.start(dir.resolve("redis"));
        redis = RedisConnections.client(URI.create(server.url()), 4, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() {
        redis.close();
        server.stop();
    }

    CacheMutation move(String id, String version, String from, String to) {
        return new CacheMutation(products, id, CacheMutation.Op.UPSERT, version, "{\"category\":\"" + to + "\"}", 0, false,
                Map.of("category", Set.of(from, to)));
    }

    @Test
    void aRetryWhoseFirstAttemptRanButLostItsReplyStillBumpsGenerationsAndInvalidates() {
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), new SyncStats(), Clock.systemUTC(), Duration.ofSeconds(5));
        List<CacheMutation> batch = List.of(move("retry-1", "00000000000000100000000000000001", "old", "new"));
        applier.applyAll(batch);
        String newList = CacheKeys.listGeneration("products", "category", "new");
        String oldList = CacheKeys.listGeneration("products", "category", "old");
        String search = CacheKeys.searchGeneration("products");
        long newGen = Long.parseLong(redis.get(newList));
        long oldGen = Long.parseLong(redis.get(oldList));
        long searchGen = Long.parseLong(redis.get(search));

        List<String> messages = new CopyOnWriteArrayList<>();
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                messages.add(message);
            }
        };
        RedisClient listenerClient = RedisConnections.client(URI.create(server.url()), 2, Duration.ofSeconds(2));
        Thread listener = new Thread(() -> listenerClient.subscribe(sub, CacheKeys.INVALIDATION_CHANNEL));
        listener.start();
        try {
            await().alias("subscribed").atMost(Duration.ofSeconds(10)).until(sub::isSubscribed);
            // the same batch again, as after a reply lost on the way back: every apply is skipped as already applied
            applier.applyAll(batch);

            assertThat(Long.parseLong(redis.get(newList))).isGreaterThan(newGen);
            assertThat(Long.parseLong(redis.get(oldList))).isGreaterThan(oldGen);
            assertThat(Long.parseLong(redis.get(search))).isGreaterThan(searchGen);
            await().alias("invalidation of the skipped row").atMost(Duration.ofSeconds(10)).until(() -> messages.contains("products:retry-1"));
        } finally {
            sub.unsubscribe();
            listenerClient.close();
        }
    }

    @Test
    void aWriteRetriedWhileRedisIsDownEndsAtOnceWhenCacheSyncStops() throws Exception {
        SyncStats stats = new SyncStats();
        try (RedisClient nowhere = RedisConnections.client(URI.create("redis://127.0.0.1:" + io.cachesync.devstack.FreePorts.next()), 2,
                Duration.ofMillis(200))) {
            RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(nowhere), stats, Clock.systemUTC(), Duration.ofMinutes(2));
            java.util.concurrent.CompletableFuture<Void> write = java.util.concurrent.CompletableFuture.runAsync(() -> applier.applyAll(
                    List.of(new CacheMutation(products, "1", CacheMutation.Op.UPSERT, "1", "{}", 0, false))));
            await().alias("retrying").atMost(Duration.ofSeconds(30)).until(() -> stats.redisRetries() >= 2);
            assertThat(write).isNotDone();
            applier.stopRetrying();
            await().alias("given up, well before the 2 minutes it would retry for").atMost(Duration.ofSeconds(30)).until(write::isDone);
            assertThat(write).isCompletedExceptionally();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(write::join)).hasRootCauseInstanceOf(
                    redis.clients.jedis.exceptions.JedisConnectionException.class).hasMessageContaining("while cache-sync stops");
        }
    }

    @Test
    void idsThatLookLikeHelperKeysAreOrdinaryRows() {
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), new SyncStats(), Clock.systemUTC(), Duration.ofSeconds(5));
        // helper keys of this entity exist, as they do on a live cache
        applier.applyAll(List.of(move("1", "00000000000000100000000000000001", "a", "b")));
        redis.zadd(CacheKeys.popularity("products"), 1, "1");
        List<String> ids = List.of("popular", "gen:_all", "gen:category=b", "list:x", "search:g1:abc", "a:b:c", "_epoch");
        List<CacheMutation> batch = new ArrayList<>();
        for (String id : ids) {
            batch.add(move(id, "00000000000000200000000000000001", "a", "b"));
        }
        applier.applyAll(batch);
        for (String id : ids) {
            assertThat(redis.hget(KeyLayout.STANDALONE.row("products", id), "d")).as(id).isEqualTo("{\"category\":\"b\"}");
        }
        assertThat(redis.type(CacheKeys.popularity("products"))).isEqualTo("zset");
        assertThat(redis.type(CacheKeys.searchGeneration("products"))).isEqualTo("string");
    }

    @Test
    void aKeyWrittenAsAnotherTypeSendsItsChangeToTheDeadLettersAndTheBatchGoesOn() {
        List<String> deadLetters = new CopyOnWriteArrayList<>();
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), new SyncStats(), Clock.systemUTC(), Duration.ofSeconds(5),
                (m, reason) -> deadLetters.add(m.id() + ": " + reason));
        redis.set(KeyLayout.STANDALONE.row("products", "foreign-1"), "a string someone else wrote");
        applier.applyAll(List.of(move("before-1", "00000000000000100000000000000001", "a", "b"),
                move("foreign-1", "00000000000000100000000000000002", "a", "b"),
                move("after-1", "00000000000000100000000000000003", "a", "b")));
        assertThat(deadLetters).singleElement().asString().startsWith("foreign-1: ").contains("WRONGTYPE");
        assertThat(redis.hget(KeyLayout.STANDALONE.row("products", "before-1"), "d")).isNotNull();
        assertThat(redis.hget(KeyLayout.STANDALONE.row("products", "after-1"), "d")).isNotNull();
        assertThat(redis.get(KeyLayout.STANDALONE.row("products", "foreign-1"))).isEqualTo("a string someone else wrote");
    }

    @Test
    void withoutADeadLetterTopicARefusedWriteFailsTheBatchAfterItsRetries() {
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), new SyncStats(), Clock.systemUTC(), Duration.ofMillis(200));
        redis.set(KeyLayout.STANDALONE.row("products", "foreign-2"), "a string");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> applier.applyAll(List.of(move("foreign-2", "00000000000000100000000000000002", "a", "b"))))
                .isInstanceOf(RedisUnavailableException.class).hasMessageContaining("WRONGTYPE");
    }

    CacheMutation change(String id, CacheMutation.Op op, String version, String document, String from, String to) {
        return new CacheMutation(products, id, op, version, document, 0, false, Map.of("category", new java.util.TreeSet<>(List.of(from, to))));
    }

    /** Row applies this Redis answered so far (each runs one HMGET of the row; nothing else here calls it). */
    private static long rowApplies() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_hmget:calls=(\\d+)").matcher(redis.info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void aRowChangedSeveralTimesInABatchIsAppliedOnceWithItsNewestChangeAndTheSideEffectsOfEvery() {
        SyncStats stats = new SyncStats();
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), stats, Clock.systemUTC(), Duration.ofSeconds(5));
        String x = CacheKeys.listGeneration("products", "category", "hot-x");
        String y = CacheKeys.listGeneration("products", "category", "hot-y");
        String z = CacheKeys.listGeneration("products", "category", "hot-z");
        redis.set(x, "100");
        redis.set(y, "100");
        redis.set(z, "100");
        long appliesBefore = rowApplies();
        // versions out of order, as a publisher's commands may be: the newest (…09) is neither first nor last
        applier.applyAll(List.of(
                change("hot-1", CacheMutation.Op.UPSERT, "00000000000000100000000000000005", "{\"n\":5}", "hot-x", "hot-y"),
                change("hot-2", CacheMutation.Op.UPSERT, "00000000000000100000000000000006", "{\"n\":6}", "hot-x", "hot-x"),
                change("hot-1", CacheMutation.Op.UPSERT, "00000000000000100000000000000009", "{\"n\":9}", "hot-y", "hot-z"),
                change("hot-1", CacheMutation.Op.DELETE, "00000000000000100000000000000007", null, "hot-y", "hot-y")));

        assertThat(rowApplies() - appliesBefore).as("one apply per row").isEqualTo(2);
        String hot1 = KeyLayout.STANDALONE.row("products", "hot-1");
        assertThat(redis.hget(hot1, "v")).isEqualTo("00000000000000100000000000000009");
        assertThat(redis.hget(hot1, "d")).isEqualTo("{\"n\":9}");
        assertThat(redis.hget(hot1, "x")).as("no tombstone mark: the delete was older").isNull();
        assertThat(redis.hget(KeyLayout.STANDALONE.row("products", "hot-2"), "d")).isEqualTo("{\"n\":6}");
        assertThat(List.of(redis.get(x), redis.get(y), redis.get(z))).as("every change's lists bumped, the superseded ones' too")
                .containsExactly("101", "101", "101");
        assertThat(stats.applied()).isEqualTo(2);
        assertThat(stats.superseded()).isEqualTo(2);
        assertThat(stats.stale()).isZero();
        assertThat(stats.processed()).isEqualTo(4);

        // the same batch again (a replay): the newest is not newer than the stored version, so none of them were
        applier.applyAll(List.of(
                change("hot-1", CacheMutation.Op.UPSERT, "00000000000000100000000000000005", "{\"n\":5}", "hot-x", "hot-y"),
                change("hot-1", CacheMutation.Op.UPSERT, "00000000000000100000000000000009", "{\"n\":9}", "hot-y", "hot-z")));
        assertThat(stats.stale()).isEqualTo(2);
        assertThat(stats.superseded()).isEqualTo(2);
        assertThat(redis.hget(hot1, "d")).isEqualTo("{\"n\":9}");
    }

    @Test
    void aRowDeletedLastInItsBatchEndsAsATombstone() {
        SyncStats stats = new SyncStats();
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), stats, Clock.systemUTC(), Duration.ofSeconds(5));
        applier.applyAll(List.of(
                change("gone-1", CacheMutation.Op.UPSERT, "00000000000000100000000000000001", "{\"n\":1}", "a", "a"),
                change("gone-1", CacheMutation.Op.DELETE, "00000000000000100000000000000002", null, "a", "a")));
        String key = KeyLayout.STANDALONE.row("products", "gone-1");
        assertThat(redis.hget(key, "x")).isEqualTo("1");
        assertThat(redis.hget(key, "d")).isNull();
        assertThat(redis.hget(key, "v")).isEqualTo("00000000000000100000000000000002");
        assertThat(stats.tombstoned()).isEqualTo(1);
        assertThat(stats.superseded()).isEqualTo(1);
    }

    @Test
    void everyChangeOfARowWrittenAsAnotherTypeGoesToTheDeadLetters() {
        List<String> deadLetters = new CopyOnWriteArrayList<>();
        RedisMutationApplier applier = new RedisMutationApplier(new CacheStore(redis), new SyncStats(), Clock.systemUTC(), Duration.ofSeconds(5),
                (m, reason) -> deadLetters.add(m.id() + " " + m.version() + ": " + reason));
        redis.set(KeyLayout.STANDALONE.row("products", "foreign-3"), "a string someone else wrote");
        applier.applyAll(List.of(move("foreign-3", "00000000000000100000000000000001", "a", "b"),
                move("foreign-3", "00000000000000100000000000000002", "b", "c")));
        assertThat(deadLetters).hasSize(2).allSatisfy(d -> assertThat(d).startsWith("foreign-3 ").contains("WRONGTYPE"));
    }
}
