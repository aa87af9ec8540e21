package io.cachesync.devstack;

import redis.clients.jedis.Jedis;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Questions to the Sentinels and the servers of a {@link DevRedisSentinel}, each over a connection of its own (as
 * {@link ClusterNodes} does for a cluster): a connection kept across a failover would be one more thing to repair.
 * Every question is one that Redis 6.2 (the embedded binary) answers as 7.x does.
 */
final class SentinelNodes {
    private SentinelNodes() {
    }

    /** The master's port as the Sentinel on {@code sentinelPort} names it ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}). */
    static int masterPort(int sentinelPort, String masterName) {
        try (Jedis j = ClusterNodes.connect(sentinelPort)) {
            List<String> address = j.sentinelGetMasterAddrByName(masterName);
            if (address == null || address.size() != 2) {
                throw new DevStackException("devstack: redis sentinel on " + sentinelPort + " does not know " + masterName);
            }
            return Integer.parseInt(address.get(1));
        }
    }

    /** Asks the Sentinel on {@code sentinelPort} to fail the master over now, without the other Sentinels' consent. */
    static void failover(int sentinelPort, String masterName) {
        try (Jedis j = ClusterNodes.connect(sentinelPort)) {
            j.sentinelFailover(masterName);
        }
    }

    /**
     * Why the Sentinel on {@code sentinelPort} has not yet switched to the master on {@code masterPort}, or empty when
     * it has: it names that address in {@code SENTINEL MASTER} (which, unlike {@code GET-MASTER-ADDR-BY-NAME}, changes
     * only at the switch, when {@code +switch-master} is published to the clients) and no failover is in progress.
     */
    static Optional<String> notSwitchedTo(int sentinelPort, String masterName, int masterPort) {
        try (Jedis j = ClusterNodes.connect(sentinelPort)) {
            Map<String, String> master = j.sentinelMaster(masterName);
            if (Integer.toString(masterPort).equals(master.get("port")) && "master".equals(master.get("flags"))) {
                return Optional.empty();
            }
            return Optional.of("sentinel " + sentinelPort + " sees master port " + master.get("port") + ", flags " + master.get("flags"));
        }
    }

    /**
     * What the Sentinel on {@code sentinelPort} does not know yet of a set whose master is on {@code masterPort} and
     * whose one replica is on {@code replicaPort}, or empty when it knows it all: the master by that address, not down
     * and not failing over, the other {@code otherSentinels} Sentinels, and exactly that replica, its link to the
     * master up as the replica last reported it. {@code SENTINEL FAILOVER} refuses a replica the Sentinel has not
     * seen linked ({@code NOGOODSLAVE}); and a Sentinel that has not found its peers cannot agree to a failover.
     */
    static Optional<String> unknown(int sentinelPort, String masterName, int masterPort, int replicaPort, int otherSentinels) {
        try (Jedis j = ClusterNodes.connect(sentinelPort)) {
            Map<String, String> master = j.sentinelMaster(masterName);
            if (!Integer.toString(masterPort).equals(master.get("port")) || !"master".equals(master.get("flags"))
                    || !Integer.toString(otherSentinels).equals(master.get("num-other-sentinels"))
                    || !"1".equals(master.get("num-slaves"))) {
                return Optional.of("sentinel " + sentinelPort + " sees master port " + master.get("port") + ", flags "
                        + master.get("flags") + ", " + master.get("num-other-sentinels") + " other sentinel(s), "
                        + master.get("num-slaves") + " replica(s)");
            }
            List<Map<String, String>> replicas = j.sentinelReplicas(masterName);
            Map<String, String> replica = replicas.isEmpty() ? Map.of() : replicas.get(0);
            if (!Integer.toString(replicaPort).equals(replica.get("port")) || !"slave".equals(replica.get("flags"))
                    || !"ok".equals(replica.get("master-link-status"))) {
                return Optional.of("sentinel " + sentinelPort + " sees replica port " + replica.get("port") + ", flags "
                        + replica.get("flags") + ", master-link-status " + replica.get("master-link-status"));
            }
            return Optional.empty();
        }
    }

    /**
     * Why the server on {@code port} is not yet the replica of the master on {@code masterPort} with its link up
     * ({@code INFO replication}), or empty when it is.
     */
    static Optional<String> notReplicaOf(int port, int masterPort) {
        Map<String, String> info = ClusterNodes.replicationInfo(port);
        if ("slave".equals(info.get("role")) && Integer.toString(masterPort).equals(info.get("master_port"))
                && "up".equals(info.get("master_link_status"))) {
            return Optional.empty();
        }
        return Optional.of("server " + port + ": role:" + info.get("role") + ", master_port:" + info.get("master_port")
                + ", master_link_status:" + info.get("master_link_status"));
    }

    /** Why the server on {@code port} is not a master ({@code INFO replication}), or empty when it is. */
    static Optional<String> notMaster(int port) {
        String role = ClusterNodes.replicationInfo(port).get("role");
        return "master".equals(role) ? Optional.empty() : Optional.of("server " + port + ": role:" + role);
    }
}
