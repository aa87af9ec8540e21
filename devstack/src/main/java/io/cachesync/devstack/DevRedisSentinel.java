package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Redis master with one replica, watched by three Sentinels, on the loopback interface: for the suites that must
 * meet {@code redis.mode: sentinel}, a client that finds the master through the Sentinels and follows it through a
 * failover.
 *
 * <p>All five are {@link LocalRedis} processes of the same binary (redis-server 7.x on PATH, or the embedded 6.2), so
 * the same {@link ParentDeathGuard} keeps any from outliving this JVM. A Sentinel is that binary started as
 * {@code redis-server <sentinel.conf> --sentinel}, each with a config file of its own in a directory of its own: a
 * Sentinel writes what it learns (its id, its peers, the current master) back into that file. The Sentinels find the
 * replica by asking the master and each other through the master's hello channel. A quorum of two, and a master
 * counted down after 2 s instead of 30 s, keep a failover within a test's patience. Embedded provider only.
 *
 * <p>Roles change with a failover, so {@link #masterPort()} asks a Sentinel each time rather than remember the start.
 */
public final class DevRedisSentinel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevRedisSentinel.class);
    private static final String MASTER_NAME = "mymaster";
    private static final int SENTINELS = 3;
    private static final int QUORUM = 2;
    /** A replica's full sync (the first, and the former master's after a failover) starts at once, not after 5 s. */
    private static final List<String> SERVER_SETTINGS = List.of("--repl-diskless-sync-delay", "0");
    private static final Duration FORMING = Duration.ofSeconds(60);
    /** A Sentinel turns the former master into a replica only some 10 s after a failover (its INFO period). */
    private static final Duration CONVERGING = Duration.ofSeconds(60);

    private final Path dir;
    private final List<LocalRedis> servers = new ArrayList<>();
    private final List<LocalRedis> sentinels = new ArrayList<>();
    private boolean closed;

    private DevRedisSentinel(Path dir) {
        this.dir = dir;
    }

    /**
     * Starts the master ({@code redis-1}), its replica ({@code redis-2}) and three Sentinels ({@code sentinel-<n>}, each
     * config file written afresh) in {@code dir}; returns once the replica's link is up and every Sentinel knows the
     * master, the replica and the two other Sentinels. {@code dir} is left in place by {@link #close()}.
     */
    public static DevRedisSentinel start(Path dir) {
        DevRedisSentinel set = new DevRedisSentinel(dir);
        try {
            long t0 = System.nanoTime();
            // one server at a time: a server's port is bound before the next one looks for a free one
            LocalRedis master = set.startServer("redis-1", List.of());
            LocalRedis replica = set.startServer("redis-2", List.of("--replicaof", ClusterNodes.HOST, Integer.toString(master.port())));
            // linked before the Sentinels come: they find the replica in the master's INFO, asked at once and then every 10 s
            BoundedWait.until("the replica's first sync", FORMING, () -> SentinelNodes.notReplicaOf(replica.port(), master.port()));
            for (int i = 1; i <= SENTINELS; i++) {
                set.startSentinel(dir.resolve("sentinel-" + i), master.port());
            }
            set.awaitWatched(master.port(), replica.port());
            LOG.info("redis sentinel up in {} ms: master {}, replica {}, sentinels {}, under {}",
                    (System.nanoTime() - t0) / 1_000_000, master.port(), replica.port(), set.sentinels(), dir);
            return set;
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
    }

    private LocalRedis startServer(String name, List<String> settings) {
        LocalRedis server = new LocalRedis(dir.resolve(name), FreePorts.next(),
                Stream.concat(SERVER_SETTINGS.stream(), settings.stream()).toList());
        servers.add(server);
        return server.start();
    }

    private void startSentinel(Path sentinelDir, int masterPort) {
        Path config = sentinelDir.resolve("sentinel.conf").toAbsolutePath();
        try {
            Files.createDirectories(sentinelDir);
            // written afresh: a file of an earlier set would bring back its peers and its master
            Files.write(config, List.of(
                    "sentinel monitor " + MASTER_NAME + " " + ClusterNodes.HOST + " " + masterPort + " " + QUORUM,
                    "sentinel down-after-milliseconds " + MASTER_NAME + " 2000",
                    "sentinel failover-timeout " + MASTER_NAME + " 10000",
                    "sentinel resolve-hostnames no"));
        } catch (IOException e) {
            throw new DevStackException("devstack: redis sentinel: cannot write " + config + ": " + e.getMessage(), e);
        }
        LocalRedis sentinel = LocalRedis.withLeadingArgs(sentinelDir, FreePorts.next(), List.of(config.toString()), List.of("--sentinel"));
        sentinels.add(sentinel);
        sentinel.start();
    }

    /**
     * Waits until the replica on {@code replicaPort} is linked to the master on {@code masterPort} and every Sentinel
     * knows both and the other Sentinels: before that a Sentinel would refuse to fail over, or could not agree to.
     */
    private void awaitWatched(int masterPort, int replicaPort) {
        BoundedWait.until("every Sentinel knowing the master on " + masterPort + ", its replica on " + replicaPort
                + " and the other Sentinels", FORMING, () -> {
            Optional<String> replica = SentinelNodes.notReplicaOf(replicaPort, masterPort);
            if (replica.isPresent()) {
                return replica;
            }
            for (int port : sentinelPorts()) {
                Optional<String> unknown = SentinelNodes.unknown(port, MASTER_NAME, masterPort, replicaPort, SENTINELS - 1);
                if (unknown.isPresent()) {
                    return unknown;
                }
            }
            return Optional.empty();
        });
    }

    /** {@code 127.0.0.1:<port>} of every Sentinel, in start order: the {@code redis.nodes} of a sentinel client. */
    public List<String> sentinels() {
        return sentinelPorts().stream().map(p -> ClusterNodes.HOST + ":" + p).toList();
    }

    private List<Integer> sentinelPorts() {
        return sentinels.stream().map(LocalRedis::port).toList();
    }

    /** The name the Sentinels monitor the master by: the {@code redis.sentinel-master} of a sentinel client. */
    public String masterName() {
        return MASTER_NAME;
    }

    /** The master's port now, as the first Sentinel that answers names it. */
    public int masterPort() {
        JedisException last = null;
        for (int port : sentinelPorts()) {
            try {
                return SentinelNodes.masterPort(port, MASTER_NAME);
            } catch (JedisException e) {
                last = e;
            }
        }
        throw new DevStackException("devstack: redis sentinel: no Sentinel named the master " + MASTER_NAME, last);
    }

    /**
     * The replica takes over ({@code SENTINEL FAILOVER}, which needs no quorum); returns once every Sentinel has
     * switched to it (the failover over, the switch announced to the clients) and it says it is the master, and once
     * the former master has become its replica with its link up. The Sentinels turn the former master into a replica
     * only some 10 s after the switch; waiting for it means a client still on the former master is refused (READONLY)
     * instead of writing into a server about to be wiped by its first sync.
     */
    public synchronized void failover() {
        int from = masterPort();
        int to = servers.stream().mapToInt(LocalRedis::port).filter(p -> p != from).findFirst()
                .orElseThrow(() -> new DevStackException("devstack: redis sentinel: no replica of " + from));
        awaitWatched(from, to);
        long t0 = System.nanoTime();
        SentinelNodes.failover(sentinelPorts().get(0), MASTER_NAME);
        BoundedWait.until("every Sentinel switching to " + to + " and " + from + " becoming its replica", CONVERGING, () -> {
            for (int port : sentinelPorts()) {
                Optional<String> switching = SentinelNodes.notSwitchedTo(port, MASTER_NAME, to);
                if (switching.isPresent()) {
                    return switching;
                }
            }
            Optional<String> master = SentinelNodes.notMaster(to);
            return master.isPresent() ? master : SentinelNodes.notReplicaOf(from, to);
        });
        LOG.info("redis sentinel: {} took over from {}, now its replica, in {} ms", to, from, (System.nanoTime() - t0) / 1_000_000);
    }

    /** The redis-server process ids, the master and replica as started, then the Sentinels (-1 for one not running). */
    public List<Long> pids() {
        return Stream.concat(servers.stream(), sentinels.stream()).map(LocalRedis::pid).toList();
    }

    /** The directory the servers and the Sentinels work in. */
    public Path dir() {
        return dir;
    }

    /**
     * Stops the Sentinels first (so that none fails the master over while it stops), then the servers (SIGTERM, SIGKILL
     * after a bound; see {@link LocalRedis#stop()}) and their guards; their files stay in {@link #dir()}.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Closing.all("the redis sentinel set", Stream.concat(sentinels.stream(), servers.stream())
                .map(node -> (AutoCloseable) node::stop).toList());
    }
}
