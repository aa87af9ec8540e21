package io.cachesync.core.redis;

import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Endpoints;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.SharedKeys;
import redis.clients.jedis.UnifiedJedis;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where and how every service and command reaches Redis: one server, the master behind Sentinels, or a Redis Cluster
 * ({@code redis.mode}), with the credentials and TLS of {@code redis.url} ({@code redis.url}, {@code redis.mode},
 * {@code redis.nodes}, {@code redis.sentinel-master}). Every client cachesync opens is made by {@link #client}, so none
 * can leave out the credentials or the TLS. The password is never printed.
 */
public record RedisEndpoint(Mode mode, URI url, List<String> nodes, String sentinelMaster) {
    /** How Redis is deployed. */
    public enum Mode { STANDALONE, SENTINEL, CLUSTER }

    /** The keys this endpoint reads, for each service's list of declared keys. */
    public static final List<ConfigKey> KEYS = List.of(SharedKeys.REDIS_URL, SharedKeys.REDIS_MODE, SharedKeys.REDIS_NODES,
            SharedKeys.REDIS_SENTINEL_MASTER);

    public RedisEndpoint {
        nodes = List.copyOf(nodes);
    }

    /** The Redis database the cache is in: {@code redis.url}'s path ({@code redis://host:6379/2}), 0 without one. */
    public int database() {
        return RedisConnections.database(url);
    }

    /** The channel of this cache's L1 invalidations and heartbeats ({@link CacheKeys#invalidationChannel}). */
    public String invalidationChannel() {
        return CacheKeys.invalidationChannel(database());
    }

    /** One Redis at {@code url} (tests, the devstack). */
    public static RedisEndpoint standalone(URI url) {
        return new RedisEndpoint(Mode.STANDALONE, url, List.of(), "mymaster");
    }

    /** A Redis Cluster reached through {@code seeds} ({@code host:port}), with the credentials and TLS of {@code url}. */
    public static RedisEndpoint cluster(URI url, List<String> seeds) {
        return new RedisEndpoint(Mode.CLUSTER, url, seeds, "mymaster");
    }

    /** Reads the four shared keys; a problem is added to {@code problems}, never thrown. */
    public static RedisEndpoint from(Settings s, List<String> problems) {
        URI url = Endpoints.redisUrl(SharedKeys.REDIS_URL, s, problems);
        Mode mode = Mode.valueOf(SharedKeys.REDIS_MODE.read(s, problems).toUpperCase(Locale.ROOT));
        String nodes = SharedKeys.REDIS_NODES.read(s, problems);
        String master = SharedKeys.REDIS_SENTINEL_MASTER.read(s, problems);
        List<String> list = nodes.isBlank() ? List.of() : List.of(nodes.split(","));
        if (mode == Mode.SENTINEL && list.isEmpty()) {
            problems.add(SharedKeys.REDIS_NODES.name() + " must list the Sentinels (host:port,...) when redis.mode is sentinel");
        }
        if (mode == Mode.STANDALONE && !list.isEmpty()) {
            problems.add(SharedKeys.REDIS_NODES.name() + " is set but redis.mode is standalone: set redis.mode to cluster or sentinel, "
                    + "or empty redis.nodes");
        }
        return new RedisEndpoint(mode, url, list, master);
    }

    /** A client with a bounded pool ({@code maxConnections} per node, a wait of at most {@code timeout} for one). */
    public UnifiedJedis client(int maxConnections, Duration timeout) {
        return RedisConnections.client(this, maxConnections, timeout);
    }

    /** The nodes a cluster client starts from: redis.url's host and port, then redis.nodes. */
    public List<String> seeds() {
        List<String> out = new ArrayList<>();
        out.add(url.getHost() + ":" + (url.getPort() > 0 ? url.getPort() : 6379));
        nodes.stream().filter(n -> !out.contains(n)).forEach(out::add);
        return out;
    }

    @Override
    public String toString() {
        String where = RedisConnections.masked(url);
        return switch (mode) {
            case STANDALONE -> "redis.url=" + where;
            case CLUSTER -> "redis.mode=cluster, seeds=" + seeds() + " (" + where + ")";
            case SENTINEL -> "redis.mode=sentinel, master=" + sentinelMaster + ", sentinels=" + nodes + " (" + where + ")";
        };
    }
}
