package io.cachesync.devstack;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Makes a Redis Cluster of fresh cluster-enabled nodes the way {@code redis-cli --cluster create} does, but over Jedis
 * (a machine with redis-server may still lack redis-cli): distinct config epochs, the hash slots split between the
 * masters, every node introduced to the first, each replica attached to its master; then waits until the cluster is
 * {@linkplain #problem healthy}.
 */
final class ClusterFormation {

    private ClusterFormation() {
    }

    /** Forms the cluster: {@code masters.get(i)} serves the i-th part of the slots, {@code replicas.get(i)} copies it. */
    static void form(List<Integer> masters, List<Integer> replicas, Duration timeout) {
        List<Integer> all = new ArrayList<>(masters);
        all.addAll(replicas);
        // distinct epochs up front, as redis-cli does: otherwise the masters all start at 0 and must first settle the
        // collision among themselves
        for (int i = 0; i < all.size(); i++) {
            try (Jedis j = ClusterNodes.connect(all.get(i))) {
                j.clusterSetConfigEpoch(i + 1);
            }
        }
        assignSlots(masters);
        for (int port : all.subList(1, all.size())) {
            try (Jedis j = ClusterNodes.connect(port)) {
                j.clusterMeet(ClusterNodes.HOST, all.get(0));
            }
        }
        BoundedWait.until("every node knowing all " + all.size(), timeout, () -> strangers(all));
        for (int i = 0; i < replicas.size(); i++) {
            String masterId = ClusterNodes.myself(masters.get(i)).id();
            try (Jedis j = ClusterNodes.connect(replicas.get(i))) {
                j.clusterReplicate(masterId);
            }
        }
        awaitHealthy("the cluster forming", all, timeout);
    }

    /**
     * Splits the {@value DevRedisCluster#SLOTS} slots into contiguous ranges as redis-cli does (three masters:
     * 0-5460, 5461-10922, 10923-16383).
     */
    private static void assignSlots(List<Integer> masters) {
        double perMaster = (double) DevRedisCluster.SLOTS / masters.size();
        int first = 0;
        double cursor = 0;
        for (int i = 0; i < masters.size(); i++) {
            int last = i == masters.size() - 1 ? DevRedisCluster.SLOTS - 1 : (int) Math.round(cursor + perMaster - 1);
            try (Jedis j = ClusterNodes.connect(masters.get(i))) {
                addSlots(j, first, last);
            }
            cursor += perMaster;
            first = last + 1;
        }
    }

    /** CLUSTER ADDSLOTSRANGE; slot by slot on redis-server 6.2 (the embedded binary), which does not know it. */
    private static void addSlots(Jedis j, int first, int last) {
        try {
            j.clusterAddSlotsRange(first, last);
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().toLowerCase().contains("unknown subcommand")) {
                throw e;
            }
            j.clusterAddSlots(IntStream.rangeClosed(first, last).toArray());
        }
    }

    /** Which node does not know which others yet (or still shakes hands with them); empty when all know all. */
    private static Optional<String> strangers(List<Integer> ports) {
        Set<Integer> expected = new HashSet<>(ports);
        for (int port : ports) {
            List<ClusterNode> view = ClusterNodes.view(port);
            Set<Integer> known = view.stream().filter(n -> !n.isTroubled()).map(ClusterNode::port).collect(Collectors.toSet());
            if (view.size() != ports.size() || !known.equals(expected)) {
                return Optional.of("node " + port + " knows " + known + " of " + expected);
            }
        }
        return Optional.empty();
    }

    /** Waits until the nodes on {@code ports} form a {@linkplain #problem healthy} cluster. */
    static void awaitHealthy(String what, List<Integer> ports, Duration timeout) {
        BoundedWait.until(what, timeout, () -> problem(ports));
    }

    /**
     * What keeps the cluster from being healthy, or empty when it is: every node says {@code cluster_state:ok}, knows
     * all the others and sees no failure; each master has exactly one replica, whose link to it is up; and every
     * node's view of every node (role, master, slots) matches what that node says of itself.
     */
    static Optional<String> problem(List<Integer> ports) {
        List<ClusterNode> selves = new ArrayList<>();
        for (int port : ports) {
            Map<String, String> info = ClusterNodes.clusterInfo(port);
            if (!"ok".equals(info.get("cluster_state"))
                    || !Integer.toString(DevRedisCluster.SLOTS).equals(info.get("cluster_slots_ok"))
                    || !Integer.toString(ports.size()).equals(info.get("cluster_known_nodes"))) {
                return Optional.of("node " + port + ": cluster_state:" + info.get("cluster_state") + ", cluster_slots_ok:"
                        + info.get("cluster_slots_ok") + ", cluster_known_nodes:" + info.get("cluster_known_nodes"));
            }
            selves.add(ClusterNodes.myself(port));
        }
        for (ClusterNode node : selves) {
            Optional<String> p = node.isMaster() ? replicationProblem(node, selves) : linkProblem(node);
            if (p.isPresent()) {
                return p;
            }
        }
        Set<String> truth = selves.stream().map(ClusterNode::role).collect(Collectors.toSet());
        for (int port : ports) {
            List<ClusterNode> view = ClusterNodes.view(port);
            Optional<ClusterNode> troubled = view.stream().filter(n -> n.isTroubled() || !n.connected()).findFirst();
            if (troubled.isPresent()) {
                return Optional.of("node " + port + " sees trouble with " + troubled.get());
            }
            Set<String> seen = view.stream().map(ClusterNode::role).collect(Collectors.toSet());
            if (!seen.equals(truth)) {
                return Optional.of("node " + port + " does not see the cluster's roles yet: " + seen + " vs " + truth);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> replicationProblem(ClusterNode master, List<ClusterNode> selves) {
        long replicas = selves.stream().filter(n -> n.isReplica() && n.masterId().equals(master.id())).count();
        String connected = ClusterNodes.replicationInfo(master.port()).get("connected_slaves");
        if (replicas != 1 || !"1".equals(connected)) {
            return Optional.of("master " + master.port() + " has " + replicas + " replica(s), " + connected + " connected");
        }
        return Optional.empty();
    }

    private static Optional<String> linkProblem(ClusterNode replica) {
        String link = ClusterNodes.replicationInfo(replica.port()).get("master_link_status");
        return "up".equals(link) ? Optional.empty() : Optional.of("replica " + replica.port() + ": master_link_status:" + link);
    }
}
