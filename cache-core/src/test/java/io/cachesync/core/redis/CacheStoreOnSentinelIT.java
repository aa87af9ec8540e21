package io.cachesync.core.redis;

import io.cachesync.core.keys.KeyLayout;
import io.cachesync.devstack.DevRedisSentinel;
import io.cachesync.devstack.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cache protocol on a master found through Sentinels ({@code redis.mode: sentinel}; a master, its replica and three
 * Sentinels from the devstack), with the client built as the services build it: the plain key layout, fenced applies,
 * lease and fill, and a failover the client follows without losing what the master held. Every test works on its own
 * entity name.
 */
class CacheStoreOnSentinelIT {
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final String EPOCH = "0001";

    @TempDir
    static Path dir;
    private static DevRedisSentinel sentinel;
    private static UnifiedJedis client;
    private static CacheStore store;

    @BeforeAll
    static void start() {
        sentinel = DevRedisSentinel.start(dir.resolve("sentinel"));
        // in sentinel mode redis.url gives only the credentials and the TLS: a port nothing listens on proves it
        URI url = URI.create("redis://127.0.0.1:" + FreePorts.next());
        client = new RedisEndpoint(RedisEndpoint.Mode.SENTINEL, url, sentinel.sentinels(), sentinel.masterName())
                .client(4, Duration.ofSeconds(2));
        store = new CacheStore(client);
        store.loadScripts();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (sentinel != null) {
            sentinel.close();
        }
    }

    private static List<CacheStore.Write> rows(String entity, int n, long position, String document) {
        List<CacheStore.Write> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new CacheStore.Write(store.keys().row(entity, Integer.toString(i)), version(position), document, TTL, EPOCH, false));
        }
        return out;
    }

    /** A CDC version of {@link #EPOCH}: 4 hex digits, then 32. */
    private static String version(long position) {
        return EPOCH + String.format("%032x", position);
    }

    private static List<String> keysOf(List<CacheStore.Write> writes) {
        return writes.stream().map(CacheStore.Write::key).toList();
    }

    @Test
    void theClientFindsTheMasterThroughTheSentinelsAndTheLayoutIsThePlainOne() {
        assertThat(client).isInstanceOf(RedisSentinelClient.class);
        assertThat(((RedisSentinelClient) client).getCurrentMaster().getPort()).isEqualTo(sentinel.masterPort());
        assertThat(store.keys()).isSameAs(KeyLayout.STANDALONE);
    }

    @Test
    void aFencedBatchWithSourceEpochsIsWrittenAndAZombieFenceIsRefused() {
        CacheStore.Fence zombie = store.takeFence("app", "store-a", "0_0");
        CacheStore.Fence owner = store.takeFence("app", "store-a", "0_0");
        assertThat(owner.keys()).hasSize(1);
        List<CacheStore.Write> writes = rows("fenced", 200, 1, "{\"by\":\"owner\"}");

        assertThat(store.applyAll(writes, zombie)).extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.FENCED);
        assertThat(store.readAll(keysOf(writes))).containsOnly(CacheEntry.ABSENT);
        assertThat(store.applyAll(writes, owner)).extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.WRITTEN);
        assertThat(store.readAll(keysOf(writes))).containsOnly(CacheEntry.present(version(1), "{\"by\":\"owner\"}"));
        assertThat(store.applyAll(writes, owner)).as("the same versions again")
                .extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.SKIPPED);
        assertThat(store.fenceLost(owner)).isFalse();
    }

    @Test
    void aReaderLeasesAMissAndFillsIt() {
        String key = store.keys().row("leased", "1");

        assertThat(store.lease(key, "reader-1", Duration.ofSeconds(30))).isEqualTo(LeaseOutcome.LEASED);
        assertThat(store.lease(key, "reader-2", Duration.ofSeconds(30))).isEqualTo(LeaseOutcome.BUSY);
        assertThat(store.fill(key, "reader-2", "{\"by\":\"reader-2\"}", TTL)).as("a fill under another's lease").isFalse();
        assertThat(store.fill(key, "reader-1", "{\"by\":\"reader-1\"}", TTL)).isTrue();

        assertThat(store.read(key)).isEqualTo(CacheEntry.present("0", "{\"by\":\"reader-1\"}"));
    }

    @Test
    void writesFollowTheMasterThroughAFailoverAndWhatItHeldIsKept() {
        List<CacheStore.Write> before = rows("failover", 100, 1, "{\"n\":1}");
        assertThat(store.applyAll(before, null)).extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.WRITTEN);
        assertThat(client.waitReplicas(before.get(0).key(), 1, 5_000)).as("the replica has the rows").isEqualTo(1);
        int formerMaster = sentinel.masterPort();

        sentinel.failover();

        assertThat(sentinel.masterPort()).isNotEqualTo(formerMaster);
        List<CacheStore.Write> after = rows("failover", 100, 2, "{\"n\":2}").subList(50, 100);
        await().alias("a batch through the same client after the failover").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> store.applyAll(after, null).stream().noneMatch(a -> a.outcome() == CacheStore.Outcome.REFUSED));
        assertThat(((RedisSentinelClient) client).getCurrentMaster().getPort()).isEqualTo(sentinel.masterPort());
        assertThat(store.readAll(keysOf(before.subList(0, 50)))).as("written before the failover")
                .containsOnly(CacheEntry.present(version(1), "{\"n\":1}"));
        assertThat(store.readAll(keysOf(after))).containsOnly(CacheEntry.present(version(2), "{\"n\":2}"));
    }
}
