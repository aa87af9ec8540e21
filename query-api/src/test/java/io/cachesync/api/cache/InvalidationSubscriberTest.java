package io.cachesync.api.cache;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.db.RowSource;
import io.cachesync.api.testing.FakeTicker;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.Settings;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.keys.InvalidationMessages;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The L1's push invalidation: how messages are read, and, against a real redis-server with a fake ticker, when the L1
 * is used: only while cache-sync's messages (row lines or heartbeats) arrive.
 */
class InvalidationSubscriberTest {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final Duration WAIT = Duration.ofSeconds(10);
    static final EntityDefinition PRODUCTS = EntityCatalog.from(Settings.of(Map.of("entities", "products")), new ArrayList<>())
            .byName("products").orElseThrow();

    @TempDir
    static Path redisDir;
    static DevRedis server;
    static RedisClient redis;
    static CacheStore store;

    final CacheEntry v1 = CacheEntry.present("100", "{\"n\":1}");
    FakeTicker ticker;
    L1Cache l1;
    InvalidationSubscriber subscriber;
    ReadThroughCache cache;
    String idPrefix;

    @BeforeAll
    static void startRedis() {
        server = DevRedis.start(redisDir.resolve("redis"));
        redis = RedisConnections.client(URI.create(server.url()), 8, Duration.ofSeconds(1));
        store = new CacheStore(redis);
        store.loadScripts();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @BeforeEach
    void subscribe(TestInfo info) {
        idPrefix = info.getTestMethod().orElseThrow().getName() + "-";
        ticker = new FakeTicker();
        l1 = new L1Cache(100, Duration.ofMinutes(1), TIMEOUT, ticker);
        subscriber = new InvalidationSubscriber(redis, CacheKeys.INVALIDATION_CHANNEL, l1, Duration.ofMillis(50)).start();
        cache = new ReadThroughCache(store, new OneRowSource(), Duration.ofSeconds(2), Duration.ofMillis(50), l1);
        await().alias("subscribed to " + CacheKeys.INVALIDATION_CHANNEL).atMost(WAIT).until(() -> subscriber.subscriptions() == 1);
    }

    @AfterEach
    void close() {
        subscriber.close();
    }

    /** Publishes one heartbeat, as cache-sync does every second, and waits until the subscriber has taken it. */
    void heartbeat() {
        long before = subscriber.messages();
        assertThat(redis.publish(CacheKeys.INVALIDATION_CHANNEL, InvalidationMessages.HEARTBEAT)).as("subscribers").isPositive();
        await().alias("heartbeat received").atMost(WAIT).until(() -> subscriber.messages() == before + 1);
    }

    /** Writes a row straight into Redis, without any invalidation. */
    void redisHolds(String id, int n) {
        redis.hset(KeyLayout.STANDALONE.row(PRODUCTS.name(), idPrefix + id), Map.of("v", Integer.toString(100 + n), "d", "{\"n\":" + n + "}"));
    }

    ReadResult read(String id) throws Exception {
        return cache.get(PRODUCTS, idPrefix + id);
    }

    void assertRead(String id, ReadResult.Source source, int n) throws Exception {
        ReadResult r = read(id);
        assertThat(r.source()).as("source of %s", id).isEqualTo(source);
        assertThat(r.document()).as("document of %s", id).isEqualTo("{\"n\":" + n + "}");
    }

    @Test
    void heartbeatsKeepTheL1InUse() throws Exception {
        heartbeat();
        redisHolds("1", 1);
        assertRead("1", ReadResult.Source.HIT, 1);
        assertRead("1", ReadResult.Source.HIT_L1, 1);
        ticker.advance(Duration.ofSeconds(3));
        heartbeat();
        ticker.advance(Duration.ofSeconds(3));       // 6 s since the first heartbeat, 3 s since the last
        assertThat(subscriber.subscribed()).isTrue();
        assertRead("1", ReadResult.Source.HIT_L1, 1);
    }

    @Test
    void withoutHeartbeatsTheL1IsBypassedAndWhenTheyResumeItRestartsEmpty() throws Exception {
        heartbeat();
        redisHolds("2", 1);
        assertRead("2", ReadResult.Source.HIT, 1);
        redisHolds("2", 2);                          // changed in Redis, its invalidation lost
        assertRead("2", ReadResult.Source.HIT_L1, 1);

        ticker.advance(TIMEOUT.plusSeconds(1));       // no heartbeat for longer than the timeout
        assertThat(subscriber.subscribed()).isFalse();
        assertRead("2", ReadResult.Source.HIT, 2);
        assertRead("2", ReadResult.Source.HIT, 2);    // nor filled

        heartbeat();
        assertThat(subscriber.subscribed()).isTrue();
        assertRead("2", ReadResult.Source.HIT, 2);    // the entry from before the silence is gone
        assertRead("2", ReadResult.Source.HIT_L1, 2);
    }

    @Test
    void withoutCacheSyncReadsGoToRedisAndTheDatabase() throws Exception {
        // subscribed, but no cache-sync publishes anything
        redisHolds("3", 1);
        assertRead("3", ReadResult.Source.HIT, 1);
        assertRead("3", ReadResult.Source.HIT, 1);
        assertRead("4", ReadResult.Source.MISS, 0);
        assertRead("4", ReadResult.Source.HIT, 0);
        assertRead("4", ReadResult.Source.HIT, 0);
        assertThat(subscriber.subscribed()).isFalse();
        assertThat(l1.size()).isZero();
    }

    @Test
    void aPushedInvalidationDropsTheRowFromTheL1() throws Exception {
        heartbeat();
        redisHolds("5", 1);
        redisHolds("6", 1);
        assertRead("5", ReadResult.Source.HIT, 1);
        assertRead("6", ReadResult.Source.HIT, 1);
        redisHolds("5", 2);
        redisHolds("6", 2);
        long before = subscriber.messages();
        redis.publish(CacheKeys.INVALIDATION_CHANNEL, PRODUCTS.name() + ":" + idPrefix + "5");
        await().alias("invalidation received").atMost(WAIT).until(() -> subscriber.messages() == before + 1);
        assertRead("5", ReadResult.Source.HIT, 2);
        assertRead("6", ReadResult.Source.HIT_L1, 1);  // not invalidated: the L1 keeps it
    }

    @Test
    void aQuietConnectionThatAnswersPingIsKept() {
        heartbeat();
        ticker.advance(TIMEOUT.plusSeconds(1));       // cache-sync stopped: quiet, but the connection answers
        await().alias("probed, and the probe delivered").atMost(WAIT).until(() -> subscriber.probes() > 0);
        ticker.advance(TIMEOUT.plusSeconds(1));       // 12 s without a message, 6 s since the probe came back
        long probes = subscriber.probes();
        await().alias("probed again").atMost(WAIT).until(() -> subscriber.probes() > probes);
        assertThat(subscriber.dropped()).isZero();
        assertThat(subscriber.subscriptions()).isEqualTo(1);
        assertThat(subscriber.subscribed()).isFalse();
        heartbeat();
        assertThat(subscriber.subscribed()).isTrue();
    }

    @Test
    void aHalfOpenSubscriptionIsDroppedAndMadeAgain() throws Exception {
        heartbeat();
        redisHolds("7", 1);
        assertRead("7", ReadResult.Source.HIT, 1);
        assertRead("7", ReadResult.Source.HIT_L1, 1);
        server.freeze();                              // the socket stays open, nothing comes back, not even a probe
        try {
            ticker.advance(TIMEOUT.multipliedBy(2).plusSeconds(1));
            assertThat(subscriber.subscribed()).isFalse();
            await().alias("silent connection closed").atMost(WAIT).until(() -> subscriber.dropped() == 1);
        } finally {
            server.thaw();
        }
        await().alias("subscribed again").atMost(Duration.ofSeconds(30)).until(() -> subscriber.subscriptions() == 2);
        assertThat(subscriber.subscribed()).as("in use before cache-sync was heard on the new subscription").isFalse();
        heartbeat();
        assertThat(subscriber.subscribed()).isTrue();
        assertRead("7", ReadResult.Source.HIT, 1);
        assertRead("7", ReadResult.Source.HIT_L1, 1);
    }

    L1Cache holding(String... keys) {
        L1Cache l1 = new L1Cache(100, Duration.ofMinutes(1), TIMEOUT, new FakeTicker());
        l1.subscribed();
        l1.heard();
        for (String k : keys) {
            l1.put(k, v1, l1.ticket());
        }
        return l1;
    }

    @Test
    void aFlushDropsTheWholeL1() throws Exception {
        heartbeat();
        redisHolds("8", 1);
        redisHolds("9", 1);
        assertRead("8", ReadResult.Source.HIT, 1);
        assertRead("9", ReadResult.Source.HIT, 1);
        assertRead("9", ReadResult.Source.HIT_L1, 1);
        long before = subscriber.messages();
        redis.publish(CacheKeys.INVALIDATION_CHANNEL, InvalidationMessages.FLUSH);
        await().alias("flush received").atMost(WAIT).until(() -> subscriber.messages() == before + 1);
        assertThat(l1.size()).isZero();
        assertRead("8", ReadResult.Source.HIT, 1);
        assertThat(l1.inUse()).as("a flush is a message of cache-sync: the L1 stays in use").isTrue();
    }

    @Test
    void aMessageNamingSeveralRowsDropsEachOfThemAndNoOther() {
        L1Cache l1 = holding("cs:products:1", "cs:products:2", "cs:users:a b", "cs:products:3");

        InvalidationSubscriber.invalidateAll(l1, "products:1\nusers:a b\nproducts:2");

        assertThat(l1.get("cs:products:1")).isNull();
        assertThat(l1.get("cs:products:2")).isNull();
        assertThat(l1.get("cs:users:a b")).isNull();
        assertThat(l1.get("cs:products:3")).isEqualTo(v1);
    }

    @Test
    void aMessageNamingOneRowDropsIt() {
        L1Cache l1 = holding("cs:products:1", "cs:products:10");

        InvalidationSubscriber.invalidateAll(l1, "products:1");

        assertThat(l1.get("cs:products:1")).isNull();
        assertThat(l1.get("cs:products:10")).isEqualTo(v1);
    }

    @Test
    void emptyPartsOfAMessageAreIgnored() {
        L1Cache l1 = holding("cs:products:1", "cs:products:2");

        InvalidationSubscriber.invalidateAll(l1, "\nproducts:2\n\n");

        assertThat(l1.get("cs:products:2")).isNull();
        assertThat(l1.get("cs:products:1")).isEqualTo(v1);
    }

    @Test
    void aHeartbeatNamesNoRow() {
        String heartbeatAsARow = CacheKeys.PREFIX + InvalidationMessages.HEARTBEAT;
        L1Cache l1 = holding(heartbeatAsARow, "cs:products:1");

        InvalidationSubscriber.invalidateAll(l1, InvalidationMessages.HEARTBEAT);

        assertThat(l1.get(heartbeatAsARow)).isEqualTo(v1);
        assertThat(l1.get("cs:products:1")).isEqualTo(v1);
    }

    /** The database: every row exists, as {@code {"n":0}}. */
    static final class OneRowSource implements RowSource {
        @Override
        public Optional<ObjectNode> load(EntityDefinition entity, String canonicalId) {
            return Optional.of(JsonNodeFactory.instance.objectNode().put("n", 0));
        }

        @Override
        public Map<String, String> loadMany(EntityDefinition entity, Collection<String> canonicalIds) {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public List<String> query(EntityDefinition entity, String sql, SqlBinder binder) {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public boolean ping() {
            return true;
        }
    }
}
