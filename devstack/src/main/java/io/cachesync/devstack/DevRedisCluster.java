package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster on the loopback interface for the suites that must meet one (MOVED and ASK redirects, a failover,
 * a slot moving under load): six redis-server processes, three masters with a third of the hash slots each and one
 * replica per master, formed over Jedis without redis-cli ({@link ClusterFormation}).
 *
 * <p>Each node is a {@link LocalRedis} with {@link ServerSettings#redisCluster()} on top: the same binary, no
 * persistence, and the same {@link ParentDeathGuard}, so no node outlives this JVM. Started under a devstack's work
 * directory in {@value AbandonedStacks#REDIS_CLUSTER_DIR}, the nodes are also reaped with that devstack should the
 * JVM and the guards be killed ({@link AbandonedStacks}). Embedded provider only: the nodes are processes on this
 * host whichever provider the rest of the stack uses.
 *
 * <p>Roles change (a failover swaps a master and its replica), so {@link #masterPorts()}, {@link #replicaPorts()} and
 * {@link #masterPortOfSlot(int)} ask the nodes each time rather than remember the start.
 */
public final class DevRedisCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevRedisCluster.class);
    static final int SLOTS = 16384;
    private static final int MASTERS = 3;
    /** A node's cluster bus listens on its port + 10000. */
    private static final int BUS_PORT_OFFSET = 10_000;
    private static final Duration FORMING = Duration.ofSeconds(60);
    private static final Duration CONVERGING = Duration.ofSeconds(30);

    private final Path dir;
    private final List<LocalRedis> nodes = new ArrayList<>();
    private boolean closed;

    private DevRedisCluster(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts six nodes in {@code dir} (each in its own {@code node-<n>} directory, which must not hold the node table
     * of an earlier cluster) and forms the cluster; returns once every node says {@code cluster_state:ok} and every
     * master has its replica in sync. {@code dir} is left in place by {@link #close()}.
     */
    public static DevRedisCluster start(Path dir) {
        DevRedisCluster cluster = new DevRedisCluster(dir);
        try {
            long t0 = System.nanoTime();
            for (int i = 1; i <= 2 * MASTERS; i++) {
                Path nodeDir = dir.resolve("node-" + i);
                if (Files.exists(nodeDir.resolve("nodes.conf"))) {
                    throw new DevStackException("devstack: redis cluster: " + nodeDir + " holds the node table of an earlier"
                            + " cluster (nodes.conf); start the cluster in a fresh directory");
                }
                // one node at a time: a node's ports are bound before the next node looks for free ones
                LocalRedis node = new LocalRedis(nodeDir, FreePorts.nextWithFree(BUS_PORT_OFFSET), ServerSettings.redisCluster());
                cluster.nodes.add(node);
                node.start();
            }
            List<Integer> ports = cluster.ports();
            ClusterFormation.form(ports.subList(0, MASTERS), ports.subList(MASTERS, ports.size()), FORMING);
            LOG.info("redis cluster up in {} ms: masters {}, replicas {}, under {}",
                    (System.nanoTime() - t0) / 1_000_000, cluster.masterPorts(), cluster.replicaPorts(), dir);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code 127.0.0.1:<port>} of every node, in start order: each is a seed for a cluster client. */
    public List<String> seedNodes() {
        return ports().stream().map(p -> ClusterNodes.HOST + ":" + p).toList();
    }

    /** {@code redis://127.0.0.1:<port>} of the first node: one seed, for a client configured by URL. */
    public String url() {
        return "redis://" + ClusterNodes.HOST + ":" + nodes.get(0).port();
    }

    /** The client ports of every node, in start order. */
    public List<Integer> ports() {
        return nodes.stream().map(LocalRedis::port).toList();
    }

    /** The ports of the nodes that are masters now, as each says of itself. */
    public List<Integer> masterPorts() {
        return ports().stream().filter(p -> ClusterNodes.myself(p).isMaster()).toList();
    }

    /** The ports of the nodes that are replicas now, as each says of itself. */
    public List<Integer> replicaPorts() {
        return ports().stream().filter(p -> ClusterNodes.myself(p).isReplica()).toList();
    }

    /** The port of the master that serves {@code slot} now, as the masters say of themselves. */
    public int masterPortOfSlot(int slot) {
        if (slot < 0 || slot >= SLOTS) {
            throw new IllegalArgumentException("no hash slot " + slot + " (0.." + (SLOTS - 1) + ")");
        }
        for (int port : ports()) {
            ClusterNode node = ClusterNodes.myself(port);
            if (node.isMaster() && node.serves(slot)) {
                return port;
            }
        }
        throw new DevStackException("devstack: redis cluster: no master serves slot " + slot);
    }

    /**
     * The replica of the master on {@code masterPort} takes over ({@code CLUSTER FAILOVER}, with {@code FORCE} only if
     * the plain one does not complete); returns once the roles are swapped and the cluster is healthy again.
     */
    public void failover(int masterPort) {
        ClusterFailover.run(masterPort, ports(), CONVERGING);
    }

    /** Moves {@code slot} with all its keys to the master on {@code toMasterPort}; see {@link SlotMigration}. */
    public void migrateSlot(int slot, int toMasterPort) {
        migrateSlot(slot, toMasterPort, Duration.ZERO);
    }

    /**
     * Moves {@code slot} with all its keys to the master on {@code toMasterPort}, one key at a time with
     * {@code pauseBetweenKeys} after each (zero: in batches, no pause), so a test can run its clients against the
     * slot while it is half moved. Returns once every node agrees on the new owner.
     */
    public void migrateSlot(int slot, int toMasterPort, Duration pauseBetweenKeys) {
        int from = masterPortOfSlot(slot);
        SlotMigration.migrate(slot, from, toMasterPort, ports(), pauseBetweenKeys, CONVERGING);
        LOG.info("redis cluster: slot {} moved from {} to {}", slot, from, toMasterPort);
    }

    /** The redis-server process ids, in start order (-1 for a node that is not running). */
    public List<Long> pids() {
        return nodes.stream().map(LocalRedis::pid).toList();
    }

    /** The directory the nodes work in. */
    public Path dir() {
        return dir;
    }

    /**
     * Stops every node (SIGTERM, SIGKILL after a bound; see {@link LocalRedis#stop()}) and its guard; their files stay
     * in {@link #dir()}.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Closing.all("the redis cluster", nodes.stream().map(node -> (AutoCloseable) node::stop).toList());
    }
}
