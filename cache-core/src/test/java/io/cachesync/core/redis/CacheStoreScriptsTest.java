package io.cachesync.core.redis;

import io.cachesync.devstack.DevRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Lua scripts of the cache protocol (DESIGN "The consistency protocol", rules 1-3) against a real redis-server.
 * Every test works on its own keys, derived from the test's name.
 */
class CacheStoreScriptsTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration TOMBSTONE_TTL = Duration.ofSeconds(60);
    private static final Duration LEASE_TTL = Duration.ofSeconds(10);

    @TempDir
    static Path redisDir;

    private static DevRedis redis;
    private static RedisClient client;
    private static CacheStore store;

    private String prefix;

    @BeforeAll
    static void startRedis() {
        redis = DevRedis.start(redisDir.resolve("redis"));
        client = RedisConnections.client(URI.create(redis.url()), 4, Duration.ofSeconds(2));
        store = new CacheStore(client);
        store.loadScripts();
    }

    @AfterAll
    static void stopRedis() {
        if (client != null) {
            client.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    @BeforeEach
    void keySpace(TestInfo info) {
        prefix = "cs:t_" + info.getTestMethod().orElseThrow().getName() + ":";
    }

    private String key(String id) {
        return prefix + id;
    }

    // ------------------------------------------------------------------ rule 1: versioned apply

    @Test
    void newerVersionOverwritesTheDocument() {
        String k = key("1");
        assertThat(store.apply(k, "100", "{\"n\":1}", TTL)).isTrue();
        assertThat(store.apply(k, "101", "{\"n\":2}", TTL)).isTrue();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("101", "{\"n\":2}"));
        assertThat(client.hget(k, "o")).isEqualTo("cdc");
    }

    @Test
    void olderVersionIsSkippedAndLeavesTheDocumentUnchanged() {
        String k = key("1");
        assertThat(store.apply(k, "200", "{\"n\":2}", TTL)).isTrue();

        assertThat(store.apply(k, "199", "{\"n\":1}", TTL)).isFalse();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("200", "{\"n\":2}"));
    }

    @Test
    void equalVersionIsSkippedAsAReplay() {
        String k = key("1");
        assertThat(store.apply(k, "300", "{\"n\":1}", TTL)).isTrue();

        assertThat(store.apply(k, "300", "{\"n\":\"other\"}", TTL)).isFalse();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("300", "{\"n\":1}"));
    }

    @Test
    void versionsOfDifferentLengthsCompareNumericallyNotLexically() {
        String k = key("1");
        assertThat(store.apply(k, "9", "{\"v\":9}", TTL)).isTrue();
        assertThat(store.apply(k, "10", "{\"v\":10}", TTL)).as("10 is newer than 9").isTrue();
        assertThat(store.apply(k, "9", "{\"v\":9}", TTL)).as("9 is older than 10").isFalse();
        assertThat(store.apply(k, "99", "{\"v\":99}", TTL)).as("99 is newer than 10").isTrue();
        assertThat(store.apply(k, "100", "{\"v\":100}", TTL)).as("100 is newer than 99").isTrue();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("100", "{\"v\":100}"));
    }

    @Test
    void versionsAbove2To53CompareExactly() {
        String k = key("1");
        // both differ only in the last digit and are far beyond a Lua double's exact range
        assertThat(store.apply(k, "18446744073709551614", "{\"v\":\"max-1\"}", TTL)).isTrue();
        assertThat(store.apply(k, "18446744073709551615", "{\"v\":\"max\"}", TTL)).isTrue();
        assertThat(store.apply(k, "18446744073709551614", "{\"v\":\"max-1\"}", TTL)).isFalse();
        assertThat(store.apply(k, "9007199254740993", "{\"v\":\"2^53+1\"}", TTL)).isFalse();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("18446744073709551615", "{\"v\":\"max\"}"));

        String k2 = key("2");
        assertThat(store.apply(k2, "9007199254740992", "{\"v\":\"2^53\"}", TTL)).isTrue();
        assertThat(store.apply(k2, "9007199254740993", "{\"v\":\"2^53+1\"}", TTL))
                .as("2^53 + 1 is newer than 2^53 even though both are the same double").isTrue();
        assertThat(store.read(k2).version()).isEqualTo("9007199254740993");
    }

    @Test
    void aRowOfUpTo1KiBIsKeptInRedisCompactHashEncoding() {
        // the devstack's redis-server runs with hash-max-ziplist-value 1024, as the README recommends (fewer bytes
        // per row than a hash table: docs/performance.md, step 6)
        String k = key("compact");
        assertThat(store.apply(k, "1", "{\"d\":\"" + "x".repeat(900) + "\"}", TTL)).isTrue();
        assertThat(client.objectEncoding(k)).isIn("listpack", "ziplist");
        String big = key("big");
        assertThat(store.apply(big, "1", "{\"d\":\"" + "x".repeat(1100) + "\"}", TTL)).isTrue();
        assertThat(client.objectEncoding(big)).isEqualTo("hashtable");
    }

    @Test
    void applySetsTheGivenTtl() {
        String k = key("1");
        store.apply(k, "1", "{}", TTL);

        assertThat(client.pttl(k)).isBetween(TTL.toMillis() - 5_000, TTL.toMillis());
    }

    @Test
    void deleteLeavesTombstoneWithItsVersionAndTheTombstoneTtl() {
        String k = key("1");
        assertThat(store.apply(k, "500", "{\"n\":1}", TTL)).isTrue();

        assertThat(store.apply(k, "501", null, TOMBSTONE_TTL)).isTrue();

        assertThat(store.read(k)).isEqualTo(CacheEntry.tombstone("501"));
        assertThat(client.hgetAll(k)).containsOnlyKeys("v", "x");
        assertThat(client.pttl(k)).isBetween(TOMBSTONE_TTL.toMillis() - 5_000, TOMBSTONE_TTL.toMillis());
    }

    @Test
    void lateOlderUpsertAfterDeleteIsSkipped() {
        String k = key("1");
        assertThat(store.apply(k, "601", null, TOMBSTONE_TTL)).isTrue();

        assertThat(store.apply(k, "600", "{\"n\":\"resurrected\"}", TTL)).isFalse();

        assertThat(store.read(k)).isEqualTo(CacheEntry.tombstone("601"));
        assertThat(client.pttl(k)).as("a skipped apply does not extend the tombstone").isLessThanOrEqualTo(TOMBSTONE_TTL.toMillis());
    }

    @Test
    void newerUpsertAfterDeleteRecreatesTheRow() {
        String k = key("1");
        store.apply(k, "700", null, TOMBSTONE_TTL);

        assertThat(store.apply(k, "701", "{\"n\":\"back\"}", TTL)).isTrue();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("701", "{\"n\":\"back\"}"));
        assertThat(client.hexists(k, "x")).isFalse();
    }

    @Test
    void applyAlwaysRemovesAPendingLease() {
        // a lease on a missing key, then a CDC apply that writes
        String written = key("written");
        assertThat(store.lease(written, "tok-a", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        assertThat(store.apply(written, "10", "{}", TTL)).isTrue();
        assertThat(client.hexists(written, "l")).isFalse();

        // a lease field next to an entry (set by hand), then a CDC apply that is skipped as older
        String skipped = key("skipped");
        store.apply(skipped, "20", "{}", TTL);
        client.hset(skipped, "l", "tok-b");
        assertThat(store.apply(skipped, "19", "{\"old\":true}", TTL)).isFalse();
        assertThat(client.hexists(skipped, "l")).isFalse();

        // and a delete
        String deleted = key("deleted");
        assertThat(store.lease(deleted, "tok-c", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        assertThat(store.apply(deleted, "30", null, TOMBSTONE_TTL)).isTrue();
        assertThat(client.hexists(deleted, "l")).isFalse();
    }

    @Test
    void readOfAMissingKeyIsAbsent() {
        assertThat(store.read(key("nothing"))).isEqualTo(CacheEntry.ABSENT);
    }

    // ------------------------------------------------------------------ rules 2 and 3: lease and fill

    @Test
    void leaseOnAMissingKeyIsGrantedAndASecondLeaseIsBusy() {
        String k = key("1");
        assertThat(store.lease(k, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        assertThat(client.hget(k, "l")).isEqualTo("tok-1");
        assertThat(client.pttl(k)).isBetween(1L, LEASE_TTL.toMillis());

        assertThat(store.lease(k, "tok-2", LEASE_TTL)).isEqualTo(LeaseOutcome.BUSY);
        assertThat(client.hget(k, "l")).as("the second reader does not steal the lease").isEqualTo("tok-1");
        assertThat(store.read(k)).as("a leased key is still a miss").isEqualTo(CacheEntry.ABSENT);
    }

    @Test
    void fillWithTheLeaseTokenStoresVersionZeroFromOriginFill() {
        String k = key("1");
        assertThat(store.lease(k, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);

        assertThat(store.fill(k, "tok-1", "{\"id\":1}", TTL)).isTrue();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("0", "{\"id\":1}"));
        assertThat(client.hget(k, "o")).isEqualTo("fill");
        assertThat(client.hexists(k, "l")).isFalse();
        assertThat(client.pttl(k)).isBetween(TTL.toMillis() - 5_000, TTL.toMillis());
    }

    @Test
    void fillWithAWrongTokenIsDropped() {
        String k = key("1");
        assertThat(store.lease(k, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);

        assertThat(store.fill(k, "tok-other", "{\"id\":1}", TTL)).isFalse();

        assertThat(store.read(k)).isEqualTo(CacheEntry.ABSENT);
        assertThat(client.hget(k, "l")).isEqualTo("tok-1");
    }

    @Test
    void fillWithoutAnyLeaseIsDropped() {
        String k = key("1");

        assertThat(store.fill(k, "tok-1", "{\"id\":1}", TTL)).isFalse();

        assertThat(client.exists(k)).isFalse();
    }

    @Test
    void staleFillIsDroppedWhenCdcWroteFirst() {
        String k = key("1");
        assertThat(store.lease(k, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        // the reader reads PostgreSQL (old value); meanwhile the change is committed and applied by cache-sync
        assertThat(store.apply(k, "42", "{\"name\":\"new\"}", TTL)).isTrue();

        assertThat(store.fill(k, "tok-1", "{\"name\":\"old\"}", TTL)).isFalse();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("42", "{\"name\":\"new\"}"));
        assertThat(client.hget(k, "o")).isEqualTo("cdc");
    }

    @Test
    void fillOfAMissingRowStoresAVersionZeroTombstone() {
        String k = key("1");
        assertThat(store.lease(k, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);

        assertThat(store.fill(k, "tok-1", null, TOMBSTONE_TTL)).isTrue();

        assertThat(store.read(k)).isEqualTo(CacheEntry.tombstone("0"));
        assertThat(client.hexists(k, "l")).isFalse();
        assertThat(client.pttl(k)).isBetween(TOMBSTONE_TTL.toMillis() - 5_000, TOMBSTONE_TTL.toMillis());
    }

    @Test
    void anyCdcVersionWinsOverANegativeFill() {
        String k = key("1");
        store.lease(k, "tok-1", LEASE_TTL);
        assertThat(store.fill(k, "tok-1", null, TOMBSTONE_TTL)).isTrue();

        assertThat(store.apply(k, "1", "{\"inserted\":true}", TTL)).isTrue();

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("1", "{\"inserted\":true}"));
        assertThat(client.hexists(k, "x")).isFalse();
        assertThat(client.hget(k, "o")).isEqualTo("cdc");
    }

    @Test
    void anyCdcVersionWinsOverAFill() {
        String k = key("1");
        store.lease(k, "tok-1", LEASE_TTL);
        assertThat(store.fill(k, "tok-1", "{\"n\":\"filled\"}", TTL)).isTrue();

        assertThat(store.apply(k, "1", "{\"n\":\"cdc\"}", TTL)).isTrue();
        assertThat(store.read(k)).isEqualTo(CacheEntry.present("1", "{\"n\":\"cdc\"}"));
        assertThat(client.hget(k, "o")).isEqualTo("cdc");

        String deleted = key("2");
        store.lease(deleted, "tok-2", LEASE_TTL);
        assertThat(store.fill(deleted, "tok-2", "{\"n\":\"filled\"}", TTL)).isTrue();
        assertThat(store.apply(deleted, "7", null, TOMBSTONE_TTL)).isTrue();
        assertThat(store.read(deleted)).isEqualTo(CacheEntry.tombstone("7"));
        assertThat(client.hgetAll(deleted)).containsOnlyKeys("v", "x");
    }

    @Test
    void leaseOnAKeyHoldingAValueReturnsTheEntry() {
        String k = key("1");
        store.apply(k, "77", "{\"id\":1}", TTL);

        LeaseOutcome outcome = store.lease(k, "tok-1", LEASE_TTL);

        assertThat(outcome.kind()).isEqualTo(LeaseOutcome.Kind.ENTRY);
        assertThat(outcome.entry()).isEqualTo(CacheEntry.present("77", "{\"id\":1}"));
        assertThat(client.hexists(k, "l")).as("no lease is taken on a hit").isFalse();
    }

    @Test
    void leaseOnATombstoneReturnsTheNegativeEntry() {
        String k = key("1");
        store.apply(k, "78", null, TOMBSTONE_TTL);

        LeaseOutcome outcome = store.lease(k, "tok-1", LEASE_TTL);

        assertThat(outcome.kind()).isEqualTo(LeaseOutcome.Kind.ENTRY);
        assertThat(outcome.entry()).isEqualTo(CacheEntry.tombstone("78"));
        assertThat(client.hexists(k, "l")).isFalse();
    }

    @Test
    void releaseGivesTheLeaseBackOnlyForTheRightToken() {
        String k = key("1");
        assertThat(store.lease(k, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);

        store.release(k, "tok-other");
        assertThat(client.hget(k, "l")).isEqualTo("tok-1");
        assertThat(store.lease(k, "tok-2", LEASE_TTL)).isEqualTo(LeaseOutcome.BUSY);

        store.release(k, "tok-1");
        assertThat(client.exists(k)).as("the lease was the only field, so the key is gone").isFalse();
        assertThat(store.lease(k, "tok-2", LEASE_TTL)).as("the next reader can lease again").isEqualTo(LeaseOutcome.LEASED);
    }

    @Test
    void releaseDoesNotTouchAnEntry() {
        String k = key("1");
        store.apply(k, "5", "{}", TTL);

        store.release(k, "tok-1");

        assertThat(store.read(k)).isEqualTo(CacheEntry.present("5", "{}"));
    }

    // ------------------------------------------------------------------ script cache

    @Test
    void scriptsAreReloadedAfterRedisForgetsThem() {
        String k = key("1");
        assertThat(store.apply(k, "1", "{\"n\":1}", TTL)).isTrue();

        assertThat(client.scriptFlush()).isEqualTo("OK");
        assertThat(store.apply(k, "2", "{\"n\":2}", TTL)).isTrue();
        assertThat(store.read(k)).isEqualTo(CacheEntry.present("2", "{\"n\":2}"));

        client.scriptFlush();
        String leased = key("2");
        assertThat(store.lease(leased, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        client.scriptFlush();
        assertThat(store.fill(leased, "tok-1", "{}", TTL)).isTrue();
        client.scriptFlush();
        store.release(leased, "tok-1");
        assertThat(store.read(leased)).isEqualTo(CacheEntry.present("0", "{}"));
    }

    @Test
    void documentsAreStoredByteForByte() {
        String k = key("1");
        String doc = "{\"name\":\"Zoë – ✓ 日本\",\"q\":\"a\\\"b\",\"nl\":\"x\\ny\"}";

        store.apply(k, "1", doc, TTL);

        assertThat(store.read(k).document()).isEqualTo(doc);
        assertThat(client.hgetAll(k)).isEqualTo(Map.of("v", "1", "d", doc, "o", "cdc"));
    }

    // ------------------------------------------------------------------ L1 invalidations

    @Test
    void theRowsOfABatchAreInvalidatedInOneMessagePerThousandRows() throws Exception {
        java.util.List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
        redis.clients.jedis.JedisPubSub sub = new redis.clients.jedis.JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                messages.add(message);
            }
        };
        Thread listener = new Thread(() -> client.subscribe(sub, io.cachesync.core.keys.CacheKeys.INVALIDATION_CHANNEL));
        listener.start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(sub::isSubscribed);
            java.util.List<CacheStore.RowRef> rows = new java.util.ArrayList<>();
            for (int i = 1; i <= CacheStore.ROWS_PER_INVALIDATION + 2; i++) {
                rows.add(new CacheStore.RowRef("products", Integer.toString(i)));
            }

            store.afterWriteAll(rows, java.util.List.of());

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() == 2);
            String[] first = messages.get(0).split("\n");
            assertThat(first).hasSize(CacheStore.ROWS_PER_INVALIDATION);
            assertThat(first[0]).isEqualTo("products:1");
            assertThat(first[first.length - 1]).isEqualTo("products:" + CacheStore.ROWS_PER_INVALIDATION);
            assertThat(messages.get(1)).isEqualTo("products:" + (CacheStore.ROWS_PER_INVALIDATION + 1) + "\nproducts:"
                    + (CacheStore.ROWS_PER_INVALIDATION + 2));
        } finally {
            sub.unsubscribe();
            listener.join(10_000);
        }
    }

    @Test
    void aLostGenerationCounterRestartsAboveEveryValueItHad() {
        String gen = io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "gen:" + prefix + "category=a";
        long read = store.generation(gen);
        assertThat(read).as("a missing counter is created, not read as 0").isPositive();
        for (int i = 0; i < 5; i++) {
            store.afterWriteAll(java.util.List.of(), java.util.List.of(gen));
        }
        long before = store.generation(gen);
        assertThat(before).isEqualTo(read + 5);
        client.del(gen);
        assertThat(store.generation(gen)).as("after the counter was lost").isGreaterThan(before);
        client.del(gen);
        store.afterWriteAll(java.util.List.of(), java.util.List.of(gen));
        assertThat(store.generation(gen)).as("a bump of a lost counter").isGreaterThan(before);
    }

    @Test
    void oneScriptCallBumpsEveryCounterOfABatchEachByOneAndALostOneAboveItsPast() {
        String a = io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "gen:" + prefix + "category=a";
        String b = io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "gen:" + prefix + "category=b";
        String lost = io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "gen:" + prefix + "_all";
        long ra = store.generation(a);
        long rb = store.generation(b);
        long rLost = store.generation(lost);
        client.del(lost);
        long callsBefore = evalshaCalls();

        store.afterWriteAll(java.util.List.of(new CacheStore.RowRef("products", "1")), java.util.List.of(a, b, lost));

        assertThat(evalshaCalls() - callsBefore).as("script calls for three counters").isEqualTo(1);
        assertThat(store.generation(a)).isEqualTo(ra + 1);
        assertThat(store.generation(b)).isEqualTo(rb + 1);
        assertThat(store.generation(lost)).as("a lost counter bumped in the same call").isGreaterThan(rLost);
        for (String k : java.util.List.of(a, b, lost)) {
            assertThat(client.pttl(k)).as("the week-long TTL of " + k).isGreaterThan(Duration.ofDays(6).toMillis());
        }
    }

    @Test
    void manyCountersAreBumpedInCallsOfAtMostAnApplyCallsRows() {
        java.util.List<String> counters = java.util.stream.IntStream.range(0, 2 * ApplyCalls.ROWS_PER_CALL + 50)
                .mapToObj(i -> io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "gen:" + prefix + "category=" + i).toList();
        java.util.List<Long> before = counters.stream().map(store::generation).toList();
        long callsBefore = evalshaCalls();

        store.afterWriteAll(java.util.List.of(), counters);

        assertThat(evalshaCalls() - callsBefore).as("script calls for " + counters.size() + " counters").isEqualTo(3);
        assertThat(counters.stream().map(store::generation).toList()).isEqualTo(before.stream().map(g -> g + 1).toList());
    }

    /** EVALSHA calls this Redis answered so far ({@code INFO commandstats}). */
    private static long evalshaCalls() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_evalsha:calls=(\\d+)").matcher(client.info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void aRefusedSideEffectFailsTheCallInsteadOfCountingAsDone() {
        String gen = io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "gen:" + prefix + "wrong";
        client.hset(gen, "not", "a counter");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.afterWriteAll(
                        java.util.List.of(new CacheStore.RowRef("products", "1")), java.util.List.of(gen)))
                .isInstanceOf(redis.clients.jedis.exceptions.JedisDataException.class);
    }

    @Test
    void generationScriptIsReloadedAfterRedisForgotIt() {
        String gen = io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "gen:" + prefix + "x";
        client.scriptFlush();
        store.afterWriteAll(java.util.List.of(), java.util.List.of(gen));
        assertThat(client.get(gen)).isNotNull();
    }

    @Test
    void aWriteWithATokenTheFenceNoLongerHoldsIsRefusedAndLeavesTheRowAlone() {
        String fenceKey = io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "fence:" + prefix + "0_1";
        CacheStore.Fence old = store.takeFence(java.util.List.of(fenceKey));
        String key = prefix + "1";
        assertThat(store.applyAll(java.util.List.of(new CacheStore.Write(key, "10", "{\"a\":1}", TTL)), old))
                .extracting(CacheStore.Applied::outcome).containsExactly(CacheStore.Outcome.WRITTEN);
        CacheStore.Fence current = store.takeFence(java.util.List.of(fenceKey));
        assertThat(Long.parseLong(current.tokens().get(0))).isGreaterThan(Long.parseLong(old.tokens().get(0)));

        assertThat(store.applyAll(java.util.List.of(new CacheStore.Write(key, "20", null, TOMBSTONE_TTL)), old))
                .extracting(CacheStore.Applied::outcome).containsExactly(CacheStore.Outcome.FENCED);
        assertThat(client.hget(key, "v")).isEqualTo("10");
        assertThat(store.applyAll(java.util.List.of(new CacheStore.Write(key, "20", null, TOMBSTONE_TTL)), current))
                .extracting(CacheStore.Applied::outcome).containsExactly(CacheStore.Outcome.WRITTEN);

        client.del(fenceKey);
        CacheStore.Fence afterLoss = store.takeFence(java.util.List.of(fenceKey));
        assertThat(Long.parseLong(afterLoss.tokens().get(0))).as("a lost fence restarts above every token").isGreaterThan(Long.parseLong(current.tokens().get(0)));
    }

    @Test
    void aGuardKeyOfAnotherTypeFailsTheCallWithAnErrorNamingIt() {
        String fenceKey = io.cachesync.core.keys.CacheKeys.HELPER_PREFIX + "fence:" + prefix + "0_1";
        CacheStore.Fence fence = store.takeFence(java.util.List.of(fenceKey));
        String key = prefix + "1";
        client.del(fenceKey);
        client.hset(fenceKey, "written", "by someone else");
        assertThatThrownBy(() -> store.applyAll(java.util.List.of(new CacheStore.Write(key, "10", "{\"a\":1}", TTL)), fence))
                .isInstanceOf(redis.clients.jedis.exceptions.JedisDataException.class)
                .hasMessageStartingWith("WRONGTYPE").hasMessageContaining("the fence " + fenceKey);
        client.del(fenceKey);

        String floor = io.cachesync.core.keys.CacheKeys.SOURCE;
        client.del(floor);
        client.set(floor, "not a hash");
        try {
            assertThatThrownBy(() -> store.applyAll(java.util.List.of(new CacheStore.Write(key, "10", "{\"a\":1}", TTL, "0001", false)), null))
                    .isInstanceOf(redis.clients.jedis.exceptions.JedisDataException.class)
                    .hasMessageStartingWith("WRONGTYPE").hasMessageContaining("the source floor " + floor);
        } finally {
            client.del(floor);
        }
        assertThat(client.exists(key)).as("nothing written").isFalse();
    }

    @Test
    void aBatchLargerThanOneScriptCallKeepsEachKeysOrderAndEveryOutcomeInItsPlace() {
        int keys = 150;
        java.util.List<CacheStore.Write> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 3 * keys; i++) {  // every key three times, newer each time: 450 rows, more than one call takes
            int k = i % keys;
            batch.add(new CacheStore.Write(prefix + k, Integer.toString(10 + i), i >= 2 * keys && k % 2 == 0 ? null : "{\"rev\":" + i + "}",
                    k % 2 == 0 && i >= 2 * keys ? TOMBSTONE_TTL : TTL));
        }
        batch.add(new CacheStore.Write(prefix + "1", "5", "{\"rev\":\"older\"}", TTL));
        assertThat(batch.size()).isGreaterThan(ApplyCalls.ROWS_PER_CALL);

        java.util.List<CacheStore.Applied> out = store.applyAll(batch, null);
        assertThat(out).hasSize(batch.size());
        assertThat(out.subList(0, 3 * keys)).extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.WRITTEN);
        assertThat(out.get(3 * keys).outcome()).as("an older version later in the batch").isEqualTo(CacheStore.Outcome.SKIPPED);
        for (int k = 0; k < keys; k++) {
            int last = 2 * keys + k;
            assertThat(client.hget(prefix + k, "v")).isEqualTo(Integer.toString(10 + last));
            assertThat(client.hget(prefix + k, "d")).isEqualTo(k % 2 == 0 ? null : "{\"rev\":" + last + "}");
            assertThat(client.hget(prefix + k, "x")).isEqualTo(k % 2 == 0 ? "1" : null);
        }
        assertThat(store.applyAll(batch, null)).as("the same batch again: a replay").extracting(CacheStore.Applied::outcome)
                .containsOnly(CacheStore.Outcome.SKIPPED);

        // a newer upsert over a tombstone clears its mark; an upsert over a reader's lease removes the lease
        store.lease(prefix + "leased", "t", LEASE_TTL);
        assertThat(store.applyAll(java.util.List.of(new CacheStore.Write(prefix + "0", "1000", "{\"back\":true}", TTL),
                new CacheStore.Write(prefix + "leased", "1000", "{\"l\":1}", TTL)), null))
                .extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.WRITTEN);
        assertThat(client.hgetAll(prefix + "0")).containsOnlyKeys("v", "d", "o");
        assertThat(client.hgetAll(prefix + "leased")).containsOnlyKeys("v", "d", "o");
    }

    @Test
    void aKeyOfAnotherTypeRefusesItsApplyWhileTheRestOfTheBatchIsWritten() {
        String foreign = prefix + "foreign";
        client.set(foreign, "written by something else");
        java.util.List<CacheStore.Applied> out = store.applyAll(java.util.List.of(
                new CacheStore.Write(prefix + "1", "10", "{\"a\":1}", TTL),
                new CacheStore.Write(foreign, "10", "{\"a\":2}", TTL),
                new CacheStore.Write(prefix + "3", "10", "{\"a\":3}", TTL)), null);
        assertThat(out).extracting(CacheStore.Applied::outcome)
                .containsExactly(CacheStore.Outcome.WRITTEN, CacheStore.Outcome.REFUSED, CacheStore.Outcome.WRITTEN);
        assertThat(out.get(1).reason()).contains("WRONGTYPE");
        assertThat(client.get(foreign)).isEqualTo("written by something else");
        assertThat(client.hget(prefix + "3", "d")).isEqualTo("{\"a\":3}");
    }

    @Test
    void theSourceFloorSkipsChangesOfOlderEpochsAndThePurgeKeepsOnlyRowsOfTheFloorsEpochOrNewer() {
        String source = io.cachesync.core.keys.CacheKeys.SOURCE;
        client.del(source);
        String v0 = "0000" + "0".repeat(31) + "9";
        String v1 = "0001" + "0".repeat(31) + "1";
        assertThat(store.raiseSourceFloor("0000")).as("the first epoch seen needs no purge").isFalse();
        assertThat(store.sourceFloor().purgeDue()).isFalse();
        store.applyAll(java.util.List.of(
                new CacheStore.Write(prefix + "old", v0, "{\"a\":0}", TTL, "0000", false),
                new CacheStore.Write(prefix + "gone", v0, null, TOMBSTONE_TTL, "0000", false),
                new CacheStore.Write(prefix + "legacy", "0".repeat(31) + "9", "{\"a\":0}", TTL)), null);
        store.lease(prefix + "filled", "t", LEASE_TTL);
        store.fill(prefix + "filled", "t", "{\"a\":0}", TTL);
        client.set(prefix + "foreign", "not a row");

        assertThat(store.raiseSourceFloor("0001")).isTrue();
        assertThat(store.raiseSourceFloor("0001")).as("raised once").isFalse();
        assertThat(store.sourceFloor()).isEqualTo(new CacheStore.SourceFloor("0001", "0000", null));
        store.sourceCaptured("0000");
        assertThat(store.sourceFloor().captureBegun()).as("a change of an older epoch says nothing of the floor's").isFalse();
        store.sourceCaptured("0001");
        assertThat(store.sourceFloor().captureBegun()).isTrue();
        assertThat(store.applyAll(java.util.List.of(new CacheStore.Write(prefix + "late", v0, "{\"a\":0}", TTL, "0000", false),
                new CacheStore.Write(prefix + "new", v1, "{\"a\":1}", TTL, "0001", false)), null))
                .extracting(CacheStore.Applied::outcome).as("a change of an older epoch is skipped even where no row is stored")
                .containsExactly(CacheStore.Outcome.SKIPPED, CacheStore.Outcome.WRITTEN);
        assertThat(client.exists(prefix + "late")).isFalse();

        java.util.List<String> keys = java.util.List.of(prefix + "old", prefix + "gone", prefix + "legacy", prefix + "filled",
                prefix + "new", prefix + "foreign", prefix + "absent");
        assertThat(store.purgeOlderSource(keys, "0001", 36))
                .containsExactlyInAnyOrder(prefix + "old", prefix + "gone", prefix + "legacy", prefix + "filled");
        assertThat(client.hget(prefix + "new", "d")).isEqualTo("{\"a\":1}");
        assertThat(client.get(prefix + "foreign")).isEqualTo("not a row");
        store.sourcePurged("0001");
        assertThat(store.sourceFloor().purgeDue()).isFalse();

        client.del(source);  // Redis lost its data: rows of older epochs may be written again before the next epoch
        assertThat(store.raiseSourceFloor("0002")).as("without a floor, any epoch but 0 is due a purge").isTrue();
        assertThat(store.sourceFloor().purgeDue()).isTrue();
        client.del(source);
    }

    @Test
    void anInvalidationLeavesOnlyItsVersionSoReadsMissAndALaterOlderChangeIsSkipped() {
        String key = prefix + "big";
        store.apply(key, "100", "{\"a\":1}", TTL);
        assertThat(store.applyAll(java.util.List.of(invalidation(key, "200")), null))
                .extracting(CacheStore.Applied::outcome).containsExactly(CacheStore.Outcome.WRITTEN);
        assertThat(store.read(key)).as("the row is read from PostgreSQL next").isEqualTo(CacheEntry.ABSENT);
        assertThat(client.hgetAll(key)).containsExactly(java.util.Map.entry("v", "200"));
        assertThat(client.pttl(key)).as("the tombstone TTL").isBetween(TOMBSTONE_TTL.toMillis() - 5_000, TOMBSTONE_TTL.toMillis());

        // a command publisher's retry of an older version, arriving after the too-large one
        assertThat(store.apply(key, "150", "{\"a\":\"older\"}", TTL)).as("older than the invalidation").isFalse();
        assertThat(store.read(key)).isEqualTo(CacheEntry.ABSENT);
        assertThat(store.applyAll(java.util.List.of(invalidation(key, "200")), null))
                .extracting(CacheStore.Applied::outcome).as("a replay of it").containsExactly(CacheStore.Outcome.SKIPPED);

        store.apply(key, "300", "{\"a\":3}", TTL);
        assertThat(store.applyAll(java.util.List.of(invalidation(key, "200")), null))
                .extracting(CacheStore.Applied::outcome).as("an older invalidation (a replay)").containsExactly(CacheStore.Outcome.SKIPPED);
        assertThat(store.read(key)).isEqualTo(CacheEntry.present("300", "{\"a\":3}"));
    }

    @Test
    void aReadAfterAnInvalidationLeasesAndFillsAtItsVersion() {
        String key = prefix + "big";
        store.applyAll(java.util.List.of(invalidation(key, "200")), null);
        long markTtl = client.pttl(key);

        assertThat(store.lease(key, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        assertThat(client.hgetAll(key)).containsOnlyKeys("v", "l");
        assertThat(client.pttl(key)).as("the lease keeps the mark's TTL").isBetween(markTtl - 5_000, markTtl);
        assertThat(store.lease(key, "tok-2", LEASE_TTL)).isEqualTo(LeaseOutcome.BUSY);

        assertThat(store.fill(key, "tok-1", "{\"a\":\"read\"}", TTL)).isTrue();
        assertThat(store.read(key)).as("filled at the invalidation's version").isEqualTo(CacheEntry.present("200", "{\"a\":\"read\"}"));
        assertThat(client.pttl(key)).isBetween(TTL.toMillis() - 5_000, TTL.toMillis());
        assertThat(store.apply(key, "150", "{\"a\":\"older\"}", TTL)).as("still older than what was read").isFalse();
        assertThat(store.apply(key, "201", "{\"a\":\"newer\"}", TTL)).isTrue();
        assertThat(store.read(key)).isEqualTo(CacheEntry.present("201", "{\"a\":\"newer\"}"));

        String gone = prefix + "gone";
        store.applyAll(java.util.List.of(invalidation(gone, "300")), null);
        assertThat(store.lease(gone, "tok-3", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        assertThat(store.fill(gone, "tok-3", null, TOMBSTONE_TTL)).as("deleted meanwhile: its delete is on its way").isTrue();
        assertThat(store.read(gone)).isEqualTo(CacheEntry.tombstone("300"));
    }

    @Test
    void aFillUnderALeaseOnAnInvalidationIsDroppedWhenANewerChangeCameFirst() {
        String key = prefix + "big";
        store.applyAll(java.util.List.of(invalidation(key, "200")), null);
        assertThat(store.lease(key, "tok-1", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        store.applyAll(java.util.List.of(invalidation(key, "210")), null);

        assertThat(store.fill(key, "tok-1", "{\"a\":\"read before 210\"}", TTL)).isFalse();
        assertThat(client.hgetAll(key)).containsExactly(java.util.Map.entry("v", "210"));

        store.release(key, "tok-1");
        assertThat(client.hgetAll(key)).as("a release by the dropped reader leaves the newer mark").containsExactly(java.util.Map.entry("v", "210"));
        assertThat(store.lease(key, "tok-2", LEASE_TTL)).isEqualTo(LeaseOutcome.LEASED);
        store.release(key, "tok-2");
        assertThat(client.hgetAll(key)).as("a released lease leaves the mark").containsExactly(java.util.Map.entry("v", "210"));
    }

    private static CacheStore.Write invalidation(String key, String version) {
        return new CacheStore.Write(key, version, null, TOMBSTONE_TTL, null, true);
    }
}
