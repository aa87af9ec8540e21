package io.cachesync.core.redis;

import io.cachesync.core.util.Threads;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What must be asked of every node rather than of the node owning a key: SCAN, INFO, DBSIZE and the connection a
 * subscriber holds. On one Redis (standalone, Sentinel's master) that is the one node; on a Redis Cluster it is every
 * master, found with {@code CLUSTER NODES} (Jedis' own node map also holds the replicas, which would list every key
 * twice). For maintenance and admin calls, never a request path.
 */
public final class RedisNodes {
    private RedisNodes() {
    }

    /**
     * The threads that send a cluster pipeline's per-node parts in parallel, shared by every pipeline: without it, Jedis
     * starts and stops a thread pool for each pipeline it syncs (a batch, a read of many keys).
     */
    private static final ExecutorService CLUSTER_PIPELINE_WORKERS = Executors.newCachedThreadPool(Threads.daemon("cachesync-redis-pipeline"));

    /** A pipeline on {@code redis}: on a cluster, one whose per-node parts are sent by shared threads. */
    public static AbstractPipeline pipeline(UnifiedJedis redis) {
        return redis instanceof RedisClusterClient cluster ? cluster.pipelined(CLUSTER_PIPELINE_WORKERS) : redis.pipelined();
    }

    /** Whether the client talks to a Redis Cluster. */
    public static boolean clustered(UnifiedJedis redis) {
        return redis instanceof RedisClusterClient;
    }

    /** {@code call} run on every master (on one Redis: once, on it), the answers in no particular order. */
    public static <T> List<T> onEachMaster(UnifiedJedis redis, Function<Jedis, T> call) {
        if (!(redis instanceof RedisClusterClient cluster)) {
            throw new IllegalArgumentException("onEachMaster needs a cluster client; ask a single Redis directly");
        }
        List<T> out = new ArrayList<>();
        for (ConnectionPool pool : masters(cluster)) {
            try (Connection c = pool.getResource()) {
                out.add(call.apply(new Jedis(c)));
            }
        }
        return out;
    }

    /**
     * Every key matching {@code pattern}, handed to {@code page} one SCAN page (about {@code count} keys) at a time, from
     * every master in turn. A key moved between masters while the scan runs may be seen twice or not at all (SCAN's own
     * guarantee holds per node).
     */
    public static void scan(UnifiedJedis redis, String pattern, int count, Consumer<List<String>> page) {
        scanWhile(redis, pattern, count, keys -> {
            page.accept(keys);
            return true;
        });
    }

    /**
     * As {@link #scan}, until {@code page} answers false; true when every key was scanned (on every master), false
     * when {@code page} stopped it.
     */
    public static boolean scanWhile(UnifiedJedis redis, String pattern, int count, Predicate<List<String>> page) {
        ScanParams params = new ScanParams().match(pattern).count(count);
        if (!clustered(redis)) {
            return scanNode(redis::scan, params, page);
        }
        boolean[] complete = {true};
        onEachMaster(redis, node -> {
            complete[0] = complete[0] && scanNode(node::scan, params, page);
            return null;
        });
        return complete[0];
    }

    @FunctionalInterface
    private interface Scanner {
        ScanResult<String> scan(String cursor, ScanParams params);
    }

    private static boolean scanNode(Scanner node, ScanParams params, Predicate<List<String>> page) {
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> r = node.scan(cursor, params);
            cursor = r.getCursor();
            if (!r.getResult().isEmpty() && !page.test(r.getResult())) {
                return ScanParams.SCAN_POINTER_START.equals(cursor);
            }
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return true;
    }

    /** The pools of the cluster's masters that serve slots now, asked from the first node that answers. */
    static List<ConnectionPool> masters(RedisClusterClient cluster) {
        Map<String, ConnectionPool> nodes = cluster.getClusterNodes();
        RuntimeException last = null;
        for (ConnectionPool any : nodes.values()) {
            try (Connection c = any.getResource()) {
                List<ConnectionPool> out = new ArrayList<>();
                for (String hostPort : mastersOf(new Jedis(c).clusterNodes())) {
                    ConnectionPool pool = nodes.get(hostPort);
                    if (pool == null) {
                        cluster.refreshClusterTopology();
                        pool = cluster.getClusterNodes().get(hostPort);
                    }
                    if (pool == null) {
                        throw new IllegalStateException("Redis Cluster master " + hostPort + " is not among the client's nodes");
                    }
                    out.add(pool);
                }
                return out;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no node of the Redis Cluster answered CLUSTER NODES", last);
    }

    /**
     * The {@code host:port} of every master in a {@code CLUSTER NODES} answer that serves at least one slot and is not
     * marked failed: {@code <id> <host:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...}.
     */
    static List<String> mastersOf(String clusterNodes) {
        List<String> out = new ArrayList<>();
        for (String line : clusterNodes.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9) {
                continue;
            }
            String flags = "," + f[2] + ",";
            if (flags.contains(",master,") && !flags.contains(",fail,") && !flags.contains(",fail?,")) {
                String address = f[1];
                int at = address.indexOf('@');
                out.add(at >= 0 ? address.substring(0, at) : address);
            }
        }
        return out;
    }
}
