package io.cachesync.api;

import io.cachesync.api.cache.ReadStats;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/** query-api as a service: owns its Redis client, database pool and HTTP server. */
public final class ApiService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiService.class);

    private final ApiConfig config;
    private RedisClient redis;
    private PostgresRowSource db;
    private ReadThroughCache cache;
    private Javalin app;
    private volatile boolean closed;

    public ApiService(ApiConfig config) {
        this.config = config;
    }

    public ApiService start() {
        LOG.info("query-api starting: {}", config);
        redis = RedisConnections.client(config.redisUrl(), config.redisPoolSize(), config.redisTimeout());
        CacheStore store = new CacheStore(redis);
        store.loadScripts();
        db = new PostgresRowSource(config.jdbcUrl(), config.user(), config.password(), config.sslMode(), config.dbPoolSize(), config.dbTimeout());
        cache = new ReadThroughCache(store, db, config.leaseTtl(), config.leaseWait());
        app = QueryApi.create(config.catalog(), store, db, cache).start(config.host(), config.port());
        LOG.info("query-api listening on {}", baseUrl());
        return this;
    }

    public int port() {
        return app.port();
    }

    /** {@code http://host:port}, with 127.0.0.1 when bound to every interface. */
    public String baseUrl() {
        String h = "0.0.0.0".equals(config.host()) ? "127.0.0.1" : config.host();
        return "http://" + h + ":" + port();
    }

    public ReadStats stats() {
        return cache.stats();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (app != null) {
            app.stop();
        }
        if (db != null) {
            db.close();
        }
        if (redis != null) {
            redis.close();
        }
        LOG.info("query-api stopped");
    }
}
