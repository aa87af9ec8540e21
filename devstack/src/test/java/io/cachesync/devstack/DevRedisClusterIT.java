package io.cachesync.devstack;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The devstack's Redis Cluster: formed without redis-cli, served to a Jedis cluster client, and changed under it (a
 * slot moved, a master failed over) the way the suites that race cachesync against a resharding will change it.
 * The tests share one cluster and each writes keys of its own, so their order does not matter; the last test starts
 * a cluster of its own to close it.
 */
class DevRedisClusterIT {
    @TempDir
    static Path dir;
    static DevRedisCluster cluster;
    static RedisClusterClient client;

    @BeforeAll
    static void up() {
        cluster = DevRedisCluster.start(dir.resolve("shared"));
        Set<HostAndPort> seeds = cluster.seedNodes().stream().map(HostAndPort::from).collect(Collectors.toSet());
        client = RedisClusterClient.builder().nodes(seeds).build();
    }

    @AfterAll
    static void down() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everySlotIsServedAndEveryNodeSaysOk() {
        assertThat(cluster.masterPorts()).hasSize(3);
        assertThat(cluster.replicaPorts()).hasSize(3);
        assertThat(cluster.url()).isEqualTo("redis://" + cluster.seedNodes().get(0));
        for (int port : cluster.ports()) {
            try (Jedis j = ClusterNodes.connect(port)) {
                String info = j.clusterInfo();
                assertThat(info).as("CLUSTER INFO of %d", port)
                        .contains("cluster_state:ok", "cluster_slots_assigned:16384", "cluster_slots_ok:16384", "cluster_known_nodes:6", "cluster_size:3");
            }
        }
        Set<Integer> owners = new HashSet<>();
        for (int slot : new int[] {0, 5460, 5461, 10922, 10923, 16383}) {
            owners.add(cluster.masterPortOfSlot(slot));
        }
        assertThat(owners).containsExactlyInAnyOrderElementsOf(cluster.masterPorts());
    }

    @Test
    void aThousandKeysGoInAndComeBack() {
        for (int i = 0; i < 1000; i++) {
            client.set("thousand:" + i, "v" + i);
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(client.get("thousand:" + i)).isEqualTo("v" + i);
        }
        Set<Integer> slots = IntStream.range(0, 1000).mapToObj(i -> JedisClusterCRC16.getSlot("thousand:" + i)).collect(Collectors.toSet());
        Set<Integer> masters = slots.stream().map(cluster::masterPortOfSlot).collect(Collectors.toSet());
        assertThat(masters).as("the keys are spread over every master").hasSize(3);
    }

    @Test
    void keysOfAMigratedSlotAreReadFromTheirNewMaster() {
        // 150 keys in one slot (a hash tag): more than one MIGRATE batch
        List<String> keys = IntStream.range(0, 150).mapToObj(i -> "{migrated}:" + i).toList();
        keys.forEach(k -> client.set(k, "value of " + k));
        int slot = JedisClusterCRC16.getSlot(keys.get(0));
        int from = cluster.masterPortOfSlot(slot);
        int to = cluster.masterPorts().stream().filter(p -> p != from).findFirst().orElseThrow();

        cluster.migrateSlot(slot, to);

        assertThat(cluster.masterPortOfSlot(slot)).isEqualTo(to);
        try (Jedis source = ClusterNodes.connect(from); Jedis target = ClusterNodes.connect(to)) {
            assertThat(source.clusterCountKeysInSlot(slot)).isZero();
            assertThat(target.clusterCountKeysInSlot(slot)).isEqualTo(150);
        }
        keys.forEach(k -> assertThat(client.get(k)).as(k).isEqualTo("value of " + k));
    }

    @Test
    void keysStayReadableWhileTheirSlotMovesSlowly() throws Exception {
        List<String> keys = IntStream.range(0, 40).mapToObj(i -> "{slow}:" + i).toList();
        keys.forEach(k -> client.set(k, "value of " + k));
        int slot = JedisClusterCRC16.getSlot(keys.get(0));
        int from = cluster.masterPortOfSlot(slot);
        int to = cluster.masterPorts().stream().filter(p -> p != from).findFirst().orElseThrow();

        CompletableFuture<Void> moving = CompletableFuture.runAsync(() -> cluster.migrateSlot(slot, to, Duration.ofMillis(25)));
        List<String> misses = new ArrayList<>();
        int rounds = 0;
        while (!moving.isDone() || rounds == 0) { // every key read again and again while the slot is half moved (ASK)
            for (String k : keys) {
                if (!("value of " + k).equals(client.get(k))) {
                    misses.add(k);
                }
            }
            rounds++;
        }
        moving.get(60, TimeUnit.SECONDS);

        assertThat(misses).isEmpty();
        assertThat(rounds).as("reads while the slot moved").isGreaterThan(1);
        assertThat(cluster.masterPortOfSlot(slot)).isEqualTo(to);
    }

    @Test
    void aFailedOverMastersKeysAreStillThereAndItsReplicaLeads() {
        int master = cluster.masterPorts().get(0);
        ClusterNode before = ClusterNodes.myself(master);
        Map<String, String> written = new LinkedHashMap<>();
        for (int i = 0; written.size() < 100; i++) {
            String key = "failover:" + i;
            if (before.serves(JedisClusterCRC16.getSlot(key))) {
                client.set(key, "v" + i);
                written.put(key, "v" + i);
            }
        }
        List<Integer> replicasBefore = cluster.replicaPorts();

        cluster.failover(master);

        assertThat(cluster.replicaPorts()).as("the former master follows now").contains(master);
        List<Integer> promoted = cluster.masterPorts().stream().filter(replicasBefore::contains).toList();
        assertThat(promoted).as("one former replica leads now").hasSize(1);
        await("the keys of the failed-over master readable through the cluster client")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> written.forEach((k, v) -> assertThat(client.get(k)).as(k).isEqualTo(v)));
        assertThat(ClusterNodes.myself(promoted.get(0)).slots()).as("the promoted replica serves the slots").isEqualTo(before.slots());
    }

    @Test
    void closeLeavesNoNodeAndNoGuardBehind() {
        Set<Long> before = descendants();
        DevRedisCluster own = DevRedisCluster.start(dir.resolve("closed"));
        List<ProcessHandle> servers = own.pids().stream().map(pid -> ProcessHandle.of(pid).orElseThrow()).toList();
        assertThat(servers).hasSize(6).allMatch(ProcessHandle::isAlive);

        own.close();

        // a ProcessHandle compares start times too: a pid reused by another process does not count as alive
        assertThat(servers).noneMatch(ProcessHandle::isAlive);
        await("the nodes' watchdogs exit").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> before.containsAll(descendants()));
        assertThat(own.pids()).containsOnly(-1L);
        assertThat(dir.resolve("closed/node-1/nodes.conf")).as("close() deletes nothing").exists();
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
