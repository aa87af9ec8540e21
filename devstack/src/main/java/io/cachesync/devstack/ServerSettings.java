package io.cachesync.devstack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server settings both providers apply, so that a suite meets the same servers on the embedded stack and in
 * containers: PostgreSQL's (logical WAL and its replication limits), the Kafka broker's (partitions and one-node
 * internal topics) and redis-server's (no persistence; and a cluster node's, embedded only). Addresses, ports and
 * directories are each provider's own.
 */
public final class ServerSettings {
    private ServerSettings() {
    }

    /** PostgreSQL server parameters, name → value (each a {@code -c name=value} of the server). */
    public static Map<String, String> postgres() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("wal_level", "logical");
        s.put("max_wal_senders", "10");
        s.put("max_replication_slots", "10");
        s.put("max_connections", "200");
        s.put("fsync", "off");
        s.put("full_page_writes", "off");
        // zonky defaults to synchronous_commit=off: WAL then reaches the walsender only every wal_writer_delay
        // (200 ms), which would add that much to every change's end-to-end lag. With fsync=off, on is cheap.
        s.put("synchronous_commit", "on");
        return s;
    }

    /** Kafka broker properties that do not depend on addresses (one node: every internal topic has one replica). */
    public static Map<String, String> kafka() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("num.partitions", "4");
        s.put("auto.create.topics.enable", "false");
        s.put("offsets.topic.replication.factor", "1");
        s.put("offsets.topic.num.partitions", "4");
        s.put("transaction.state.log.replication.factor", "1");
        s.put("transaction.state.log.min.isr", "1");
        s.put("transaction.state.log.num.partitions", "4");
        s.put("share.coordinator.state.topic.replication.factor", "1");
        s.put("share.coordinator.state.topic.min.isr", "1");
        s.put("group.initial.rebalance.delay.ms", "0");
        s.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        s.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        // message.max.bytes stays at Kafka's default (1 MiB), as on most brokers: cachesync sets max.message.bytes on
        // the topics it creates, and an event larger than that is published as a too-large change
        return s;
    }

    /**
     * redis-server arguments: no persistence (a restart comes back empty, as a cache node after a crash), and rows of
     * up to 1 KiB per field kept in a hash's compact encoding, as the README recommends for any Redis cachesync writes
     * to (docs/performance.md, step 6). {@code hash-max-ziplist-value} is the name Redis 6.2 knows; Redis 7 takes it
     * for {@code hash-max-listpack-value}.
     */
    public static List<String> redis() {
        return List.of("--save", "", "--appendonly", "no", "--protected-mode", "no", "--hash-max-ziplist-value", "1024");
    }

    /**
     * redis-server arguments of a {@link DevRedisCluster} node, on top of {@link #redis()} (embedded provider only).
     * The node table file is relative to each node's own {@code --dir}, so no two nodes share one. A node timeout of
     * 2 s (the default is 15 s) lets a failure be detected, and a failover happen, within a test's patience; a replica's
     * first sync starts at once instead of after Redis's 5 s wait for more replicas to share a diskless transfer.
     */
    public static List<String> redisCluster() {
        return List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
                "--repl-diskless-sync-delay", "0");
    }
}
