package io.cachesync.core.redis;

import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.devstack.DevRedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cache protocol on a Redis Cluster (three masters with a replica each, from the devstack): the bucketed key layout
 * keeps every script in one slot (no CROSSSLOT), spreads rows over every master, and carries the fence and the source
 * floor to every bucket; scans, purges and script loads reach every node; a slot migration and a failover are followed.
 * Every test works on its own entity name.
 */
class CacheStoreOnClusterIT {
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final String EPOCH_1 = "0001";
    private static final String EPOCH_2 = "0002";

    // the source floor is one for the whole cluster: only the floor test writes epoch 1 and raises the floor to epoch 2
    @TempDir
    static Path dir;
    private static DevRedisCluster cluster;
    private static UnifiedJedis client;
    private static CacheStore store;

    @BeforeAll
    static void start() {
        cluster = DevRedisCluster.start(dir.resolve("cluster"));
        client = RedisEndpoint.cluster(URI.create(cluster.url()), cluster.seedNodes()).client(4, Duration.ofSeconds(2));
        store = new CacheStore(client);
        store.loadScripts();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<CacheStore.Write> rows(String entity, int n, String epoch, String document) {
        List<CacheStore.Write> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new CacheStore.Write(store.keys().row(entity, Integer.toString(i)), version(epoch, 1), document, TTL, epoch, false));
        }
        return out;
    }

    /** A CDC version of the given epoch: 4 hex digits, then 32. */
    private static String version(String epoch, long position) {
        return epoch + String.format("%032x", position);
    }

    private static long count(List<CacheStore.Applied> applied, CacheStore.Outcome outcome) {
        return applied.stream().filter(a -> a.outcome() == outcome).count();
    }

    @Test
    void aBatchOverEveryBucketIsWrittenInOnePipelineWithItsFenceAndFloorAndSpreadOverEveryMaster() {
        assertThat(store.keys()).isSameAs(KeyLayout.CLUSTER);
        CacheStore.Fence fence = store.takeFence("app", "store-a", "0_0");
        assertThat(fence.keys()).hasSize(KeyLayout.CLUSTER_BUCKETS);
        List<CacheStore.Write> writes = rows("spread", 3000, EPOCH_2, "{\"a\":1}");

        assertThat(store.applyAll(writes, fence)).extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.WRITTEN);

        Set<Integer> slots = new HashSet<>();
        writes.forEach(w -> slots.add(JedisClusterCRC16.getSlot(w.key())));
        assertThat(slots).as("every bucket used").hasSize(KeyLayout.CLUSTER_BUCKETS);
        for (int port : cluster.masterPorts()) {
            try (Jedis node = new Jedis("127.0.0.1", port)) {
                assertThat(node.keys("cs:spread:*")).as("rows on the master at %d", port).hasSizeGreaterThan(800);
            }
        }
        List<String> scanned = new ArrayList<>();
        store.scan(CacheKeys.rowPattern("spread"), scanned::addAll);
        assertThat(scanned).as("a scan reaches every master, and no replica twice").hasSize(3000).doesNotHaveDuplicates();
        assertThat(scanned.stream().map(k -> store.keys().idOf("spread", k)).map(Integer::parseInt).sorted().toList())
                .isEqualTo(IntStream.range(0, 3000).boxed().toList());
        assertThat(store.readAll(List.of(store.keys().row("spread", "7")))).containsExactly(CacheEntry.present(version(EPOCH_2, 1), "{\"a\":1}"));
    }

    @Test
    void theCountersOfABatchAreBumpedOnTheirOwnSlotsWithoutCrossSlotErrors() {
        List<String> counters = IntStream.range(0, 50).mapToObj(i -> CacheKeys.listGeneration("bumped", "category", "c" + i)).toList();
        List<Long> before = counters.stream().map(store::generation).toList();
        assertThat(counters.stream().map(JedisClusterCRC16::getSlot).distinct().count())
                .as("counters on many slots").isGreaterThan(40);

        store.afterWriteAll(List.of(new CacheStore.RowRef("bumped", "1")), counters);

        assertThat(counters.stream().map(store::generation).toList())
                .isEqualTo(before.stream().map(g -> g + 1).toList());
    }

    @Test
    void aWriterWhoseFenceAnotherOwnerTookIsRefusedInEveryBucket() {
        CacheStore.Fence zombie = store.takeFence("app", "store-b", "0_1");
        CacheStore.Fence owner = store.takeFence("app", "store-b", "0_1");
        List<CacheStore.Write> writes = rows("fenced", 1000, EPOCH_2, "{\"by\":\"zombie\"}");

        assertThat(store.applyAll(writes, zombie)).extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.FENCED);
        assertThat(store.readAll(writes.stream().map(CacheStore.Write::key).toList())).containsOnly(CacheEntry.ABSENT);
        assertThat(store.applyAll(writes, owner)).extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.WRITTEN);

        assertThat(store.fenceLost(owner)).isFalse();
        client.del(owner.keys().get(17));
        assertThat(store.fenceLost(owner)).as("one bucket's copy gone").isTrue();
    }

    @Test
    void aRaisedSourceFloorReachesEveryBucketAndThePurgeEveryMaster() {
        List<CacheStore.Write> old = rows("floor", 1000, EPOCH_1, "{\"db\":1}");
        assertThat(count(store.applyAll(old, null), CacheStore.Outcome.WRITTEN)).isEqualTo(1000);

        assertThat(store.raiseSourceFloor(EPOCH_2)).isTrue();
        assertThat(store.sourceFloor().epoch()).isEqualTo(EPOCH_2);
        List<CacheStore.Write> late = rows("floor", 1000, EPOCH_1, "{\"db\":\"late\"}").stream()
                .map(w -> new CacheStore.Write(w.key(), version(EPOCH_1, 9), w.document(), TTL, EPOCH_1, false)).toList();
        assertThat(store.applyAll(late, null)).as("a late change of the old database, in every bucket")
                .extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.SKIPPED);

        List<String> deleted = new ArrayList<>();
        store.scan(CacheKeys.rowPattern("floor"), keys -> deleted.addAll(store.purgeOlderSource(keys, EPOCH_2, 36)));
        assertThat(deleted).hasSize(1000);
        List<String> left = new ArrayList<>();
        store.scan(CacheKeys.rowPattern("floor"), left::addAll);
        assertThat(left).isEmpty();

        assertThat(count(store.applyAll(rows("floor", 1000, EPOCH_2, "{\"db\":2}"), null), CacheStore.Outcome.WRITTEN)).isEqualTo(1000);
    }

    @Test
    void scriptsForgottenByEveryNodeAreLoadedAgainOnEveryNode() {
        for (int port : cluster.ports()) {
            try (Jedis node = new Jedis("127.0.0.1", port)) {
                node.scriptFlush();
            }
        }
        assertThat(store.applyAll(rows("flushed", 500, EPOCH_2, "{\"a\":1}"), null))
                .extracting(CacheStore.Applied::outcome).containsOnly(CacheStore.Outcome.WRITTEN);
    }

    @Test
    void writesFollowASlotThatMovedToAnotherMasterAndAMasterThatFailedOver() {
        String key = store.keys().row("moving", "1");
        int slot = JedisClusterCRC16.getSlot(key);
        int from = cluster.masterPortOfSlot(slot);
        int to = cluster.masterPorts().stream().filter(p -> p != from).findFirst().orElseThrow();
        List<CacheStore.Write> first = List.of(new CacheStore.Write(key, version(EPOCH_2, 1), "{\"n\":1}", TTL, EPOCH_2, false));
        assertThat(store.applyAll(first, null)).extracting(CacheStore.Applied::outcome).containsExactly(CacheStore.Outcome.WRITTEN);

        cluster.migrateSlot(slot, to);
        List<CacheStore.Write> second = List.of(new CacheStore.Write(key, version(EPOCH_2, 2), "{\"n\":2}", TTL, EPOCH_2, false));
        await().alias("a write after the slot moved").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> store.applyAll(second, null).get(0).outcome() != CacheStore.Outcome.REFUSED);
        assertThat(store.read(key)).isEqualTo(CacheEntry.present(version(EPOCH_2, 2), "{\"n\":2}"));

        cluster.failover(to);
        List<CacheStore.Write> third = List.of(new CacheStore.Write(key, version(EPOCH_2, 3), "{\"n\":3}", TTL, EPOCH_2, false));
        await().alias("a write after the failover").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> store.applyAll(third, null).get(0).outcome() != CacheStore.Outcome.REFUSED);
        assertThat(store.read(key)).isEqualTo(CacheEntry.present(version(EPOCH_2, 3), "{\"n\":3}"));
        assertThat(cluster.masterPortOfSlot(slot)).isNotEqualTo(to);
    }
}
