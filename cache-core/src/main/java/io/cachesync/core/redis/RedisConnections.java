package io.cachesync.core.redis;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds Jedis clients from a {@code redis://[user:password@]host:port[/db]} (or {@code rediss://}) URL with
 * bounded pools: Jedis' defaults (8 connections, wait forever for one) would hang a request path.
 */
public final class RedisConnections {
    /** How often a cluster client re-reads the slot map on its own (besides after every MOVED). */
    private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(5);

    private RedisConnections() {
    }

    /** A client of one Redis at {@code url}. */
    public static RedisClient client(URI url, int maxConnections, Duration timeout) {
        int port = url.getPort() > 0 ? url.getPort() : 6379;
        return RedisClient.builder()
                .hostAndPort(url.getHost(), port)
                .clientConfig(clientConfig(url, timeout))
                .poolConfig(pool(maxConnections, timeout))
                .build();
    }

    /**
     * A client of the endpoint's deployment: {@link RedisClient}, {@link RedisSentinelClient} (follows the master through
     * failovers) or {@link RedisClusterClient} (follows MOVED and ASK; {@code maxConnections} per node). Sentinels are
     * asked without the data nodes' credentials.
     */
    static UnifiedJedis client(RedisEndpoint endpoint, int maxConnections, Duration timeout) {
        return switch (endpoint.mode()) {
            case STANDALONE -> client(endpoint.url(), maxConnections, timeout);
            case SENTINEL -> RedisSentinelClient.builder()
                    .masterName(endpoint.sentinelMaster())
                    .sentinels(hostsAndPorts(endpoint.nodes()))
                    .clientConfig(clientConfig(endpoint.url(), timeout))
                    .sentinelClientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis((int) timeout.toMillis())
                            .socketTimeoutMillis((int) timeout.toMillis()).ssl("rediss".equals(endpoint.url().getScheme()))
                            .serverDefaultProtocol().build())
                    .poolConfig(pool(maxConnections, timeout))
                    .build();
            case CLUSTER -> RedisClusterClient.builder()
                    .nodes(hostsAndPorts(endpoint.seeds()))
                    .clientConfig(clientConfig(endpoint.url(), timeout))
                    .poolConfig(pool(maxConnections, timeout))
                    .topologyRefreshPeriod(TOPOLOGY_REFRESH)
                    .maxTotalRetriesDuration(timeout.multipliedBy(5))
                    .build();
        };
    }

    private static JedisClientConfig clientConfig(URI url, Duration timeout) {
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) timeout.toMillis())
                .socketTimeoutMillis((int) timeout.toMillis())
                .ssl("rediss".equals(url.getScheme()))
                .clientName("cachesync");
        String userInfo = url.getUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                String user = userInfo.substring(0, colon);
                if (!user.isEmpty()) {
                    cfg.user(user);
                }
                cfg.password(userInfo.substring(colon + 1));
            } else {
                cfg.password(userInfo);
            }
        }
        cfg.database(database(url));
        return cfg.build();
    }

    /** The Redis database a {@code redis://host:port[/db]} URL names: its path, 0 without one. */
    static int database(URI url) {
        String path = url.getPath();
        return path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
    }

    private static ConnectionPoolConfig pool(int maxConnections, Duration timeout) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(maxConnections);
        pool.setMaxIdle(maxConnections);
        pool.setMinIdle(0);
        pool.setMaxWait(timeout);
        pool.setBlockWhenExhausted(true);
        pool.setTestWhileIdle(false);
        return pool;
    }

    private static Set<HostAndPort> hostsAndPorts(List<String> hostPorts) {
        Set<HostAndPort> out = new LinkedHashSet<>();
        for (String hp : hostPorts) {
            out.add(HostAndPort.from(hp.trim()));
        }
        return out;
    }

    /** The URL with its password replaced, fit for a log line. */
    public static String masked(URI url) {
        if (url.getUserInfo() == null) {
            return url.toString();
        }
        return url.getScheme() + "://<masked>@" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + url.getPath();
    }
}
