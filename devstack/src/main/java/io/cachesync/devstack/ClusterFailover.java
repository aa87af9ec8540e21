package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClusterFailoverOption;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A manual failover: the replica of a master takes its place, as an operator's {@code CLUSTER FAILOVER} does. Asked
 * plainly first, so the replica catches up with its master before the switch and no acknowledged write is lost; only
 * when that does not complete (Redis gives it 5 s) is it repeated with {@code FORCE}, which does not wait for the
 * master.
 */
final class ClusterFailover {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterFailover.class);
    /** Above Redis's own limit for a manual failover (5 s), after which the replica gives it up. */
    private static final Duration PLAIN = Duration.ofSeconds(8);

    private ClusterFailover() {
    }

    /** The replica of the master on {@code masterPort} becomes master; returns once the cluster is healthy again. */
    static void run(int masterPort, List<Integer> allPorts, Duration timeout) {
        ClusterNode master = ClusterNodes.myself(masterPort);
        if (!master.isMaster()) {
            throw new DevStackException("devstack: redis cluster: node " + masterPort + " is not a master; no failover");
        }
        ClusterNode replica = allPorts.stream().filter(p -> p != masterPort).map(ClusterNodes::myself)
                .filter(n -> n.isReplica() && n.masterId().equals(master.id())).findFirst()
                .orElseThrow(() -> new DevStackException("devstack: redis cluster: master " + masterPort + " has no replica to take over"));
        String what = "replica " + replica.port() + " taking over from " + masterPort;
        ask(replica.port(), null);
        try {
            BoundedWait.until(what, PLAIN, () -> notSwapped(master, replica));
        } catch (DevStackException e) {
            LOG.warn("devstack: redis cluster: {} did not complete within {}; again with FORCE", what, PLAIN);
            ask(replica.port(), ClusterFailoverOption.FORCE);
            BoundedWait.until(what + " (FORCE)", timeout, () -> notSwapped(master, replica));
        }
        ClusterFormation.awaitHealthy("the cluster healthy after " + what, allPorts, timeout);
        LOG.info("redis cluster: {} took over from {}", replica.port(), masterPort);
    }

    private static void ask(int replicaPort, ClusterFailoverOption option) {
        try (Jedis j = ClusterNodes.connect(replicaPort)) {
            if (option == null) {
                j.clusterFailover();
            } else {
                j.clusterFailover(option);
            }
        }
    }

    /** Empty once the replica says it is a master and the former master says it is the replica of it. */
    private static Optional<String> notSwapped(ClusterNode master, ClusterNode replica) {
        ClusterNode newMaster = ClusterNodes.myself(replica.port());
        ClusterNode formerMaster = ClusterNodes.myself(master.port());
        if (newMaster.isMaster() && formerMaster.isReplica() && formerMaster.masterId().equals(replica.id())) {
            return Optional.empty();
        }
        return Optional.of(replica.port() + " is " + newMaster.role() + ", " + master.port() + " is " + formerMaster.role());
    }
}
