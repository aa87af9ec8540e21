package io.cachesync.core.redis;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.time.Duration;

/**
 * Builds Jedis clients from a {@code redis://[user:password@]host:port[/db]} (or {@code rediss://}) URL with
 * bounded pools: Jedis' defaults (8 connections, wait forever for one) would hang a request path.
 */
public final class RedisConnections {
    private RedisConnections() {
    }

    public static RedisClient client(URI url, int maxConnections, Duration timeout) {
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
        String path = url.getPath();
        if (path != null && path.length() > 1) {
            cfg.database(Integer.parseInt(path.substring(1)));
        }
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(maxConnections);
        pool.setMaxIdle(maxConnections);
        pool.setMinIdle(0);
        pool.setMaxWait(timeout);
        pool.setBlockWhenExhausted(true);
        pool.setTestWhileIdle(false);
        int port = url.getPort() > 0 ? url.getPort() : 6379;
        return RedisClient.builder()
                .hostAndPort(url.getHost(), port)
                .clientConfig(cfg.build())
                .poolConfig(pool)
                .build();
    }

    /** The URL with its password replaced, fit for a log line. */
    public static String masked(URI url) {
        if (url.getUserInfo() == null) {
            return url.toString();
        }
        return url.getScheme() + "://<masked>@" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + url.getPath();
    }
}
