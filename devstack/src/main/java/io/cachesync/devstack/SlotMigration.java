package io.cachesync.devstack;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.MigrateParams;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves one hash slot, with its keys, from one master to another by the protocol of the Redis Cluster specification
 * (what {@code redis-cli --cluster reshard} does): the target imports it, the source migrates it, the keys go over
 * with MIGRATE, then every master is told the slot's new owner. While the keys move, a client meets {@code ASK} for a
 * key already moved, and {@code MOVED} afterwards; a pause between keys makes that window as wide as a test needs.
 */
final class SlotMigration {
    /** MIGRATE's timeout: how long one batch may take to reach the target. */
    private static final int MIGRATE_TIMEOUT_MILLIS = 5_000;
    private static final int BATCH = 100;

    private final int slot;
    private final ClusterNode source;
    private final ClusterNode target;

    private SlotMigration(int slot, ClusterNode source, ClusterNode target) {
        this.slot = slot;
        this.source = source;
        this.target = target;
    }

    /**
     * Moves {@code slot} from the master on {@code sourcePort} to the one on {@code targetPort}, pausing
     * {@code pauseBetweenKeys} after each key (zero: batches of {@value #BATCH} keys, no pause), and waits until every
     * node of {@code allPorts} agrees on the new owner.
     */
    static void migrate(int slot, int sourcePort, int targetPort, List<Integer> allPorts, Duration pauseBetweenKeys, Duration timeout) {
        if (sourcePort == targetPort) {
            return;
        }
        SlotMigration m = new SlotMigration(slot, ClusterNodes.myself(sourcePort), ClusterNodes.myself(targetPort));
        if (!m.target.isMaster()) {
            throw new DevStackException("devstack: redis cluster: node " + targetPort + " is not a master; slot " + slot + " stays");
        }
        m.open();
        m.moveKeys(pauseBetweenKeys);
        m.assign(allPorts);
        BoundedWait.until("every node seeing slot " + slot + " on " + targetPort, timeout, () -> m.disagreement(allPorts));
    }

    /** The target first, so that a client sent there by ASK finds it importing. */
    private void open() {
        try (Jedis t = ClusterNodes.connect(target.port())) {
            t.clusterSetSlotImporting(slot, source.id());
        }
        try (Jedis s = ClusterNodes.connect(source.port())) {
            s.clusterSetSlotMigrating(slot, target.id());
        }
    }

    private void moveKeys(Duration pauseBetweenKeys) {
        boolean slow = !pauseBetweenKeys.isZero() && !pauseBetweenKeys.isNegative();
        try (Jedis s = ClusterNodes.connect(source.port())) {
            while (true) {
                List<String> keys = s.clusterGetKeysInSlot(slot, slow ? 1 : BATCH);
                if (keys.isEmpty()) {
                    return;
                }
                s.migrate(ClusterNodes.HOST, target.port(), 0, MIGRATE_TIMEOUT_MILLIS, new MigrateParams(), keys.toArray(new String[0]));
                if (slow) {
                    LockSupport.parkNanos(pauseBetweenKeys.toNanos());
                    if (Thread.currentThread().isInterrupted()) {
                        throw new DevStackException("devstack: redis cluster: interrupted while migrating slot " + slot
                                + "; it is left migrating from " + source.port() + " to " + target.port());
                    }
                }
            }
        }
    }

    /**
     * SETSLOT NODE on the target, then the source, then every other master: the target's config epoch is bumped
     * first, so its claim wins wherever the news arrives by gossip before the command.
     */
    private void assign(List<Integer> allPorts) {
        setNode(target.port());
        setNode(source.port());
        for (int port : allPorts) {
            if (port != target.port() && port != source.port() && ClusterNodes.myself(port).isMaster()) {
                setNode(port);
            }
        }
    }

    private void setNode(int port) {
        try (Jedis j = ClusterNodes.connect(port)) {
            j.clusterSetSlotNode(slot, target.id());
        }
    }

    private Optional<String> disagreement(List<Integer> allPorts) {
        for (int port : allPorts) {
            Optional<ClusterNode> owner = ClusterNodes.view(port).stream().filter(n -> n.isMaster() && n.serves(slot)).findFirst();
            if (owner.isEmpty() || !owner.get().id().equals(target.id())) {
                return Optional.of("node " + port + " sees slot " + slot + " on " + owner.map(ClusterNode::port).orElse(null));
            }
        }
        return Optional.empty();
    }
}
