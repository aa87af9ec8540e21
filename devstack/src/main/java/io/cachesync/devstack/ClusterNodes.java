package io.cachesync.devstack;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Questions to the nodes of a {@link DevRedisCluster}, each over a connection of its own: a connection kept across a
 * failover or a restart would be one more thing to repair, and a loopback connection costs next to nothing.
 */
final class ClusterNodes {
    static final String HOST = "127.0.0.1";
    /** Above MIGRATE's own timeout ({@link SlotMigration}), so a slow MIGRATE fails with Redis's message. */
    private static final int TIMEOUT_MILLIS = 15_000;
    /** The server's own protocol (RESP2, no HELLO): a plain Jedis cannot negotiate RESP3 and warns at each connection. */
    private static final JedisClientConfig CONFIG = DefaultJedisClientConfig.builder()
            .timeoutMillis(TIMEOUT_MILLIS).serverDefaultProtocol().build();

    private ClusterNodes() {
    }

    static Jedis connect(int port) {
        return new Jedis(HOST, port, CONFIG);
    }

    /** The cluster as the node on {@code port} sees it ({@code CLUSTER NODES}). */
    static List<ClusterNode> view(int port) {
        try (Jedis j = connect(port)) {
            return ClusterNode.parseAll(j.clusterNodes());
        }
    }

    /** The node on {@code port} as it sees itself: its id, role and slots. */
    static ClusterNode myself(int port) {
        return view(port).stream().filter(ClusterNode::isMyself).findFirst()
                .orElseThrow(() -> new DevStackException("devstack: redis cluster: node " + port + " lists no myself line"));
    }

    /** {@code CLUSTER INFO} of the node on {@code port}, field → value. */
    static Map<String, String> clusterInfo(int port) {
        try (Jedis j = connect(port)) {
            return fields(j.clusterInfo());
        }
    }

    /** {@code INFO replication} of the node on {@code port}, field → value. */
    static Map<String, String> replicationInfo(int port) {
        try (Jedis j = connect(port)) {
            return fields(j.info("replication"));
        }
    }

    private static Map<String, String> fields(String reply) {
        Map<String, String> fields = new HashMap<>();
        for (String line : reply.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }
}
