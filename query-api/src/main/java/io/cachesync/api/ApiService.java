package io.cachesync.api;

import io.cachesync.api.cache.InvalidationSubscriber;
import io.cachesync.api.cache.L1Cache;
import io.cachesync.api.cache.Popularity;
import io.cachesync.api.cache.QueryCache;
import io.cachesync.api.cache.ReadStats;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.cache.RedisCircuit;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.api.db.DatabaseException;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.consistency.Resync;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.redis.CacheStore;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;

/** query-api as a service: owns its Redis client, database pool, L1 and HTTP server. */
public final class ApiService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiService.class);
    private static final int WARM_CHUNK = 100;

    private final ApiConfig config;
    /** The configured entities keyed by their tables' primary keys (read at start). */
    private EntityCatalog catalog;
    private final PrometheusMeterRegistry registry;
    private final Consumer<RoutesConfig> extraRoutes;
    private UnifiedJedis redis;
    private PostgresRowSource db;
    private ReadThroughCache cache;
    private InvalidationSubscriber invalidations;
    private Popularity popularity;
    private Javalin app;
    private Javalin adminApp;
    private volatile boolean closed;

    /** query-api with its own Prometheus registry, exported on {@code /metrics}. */
    public ApiService(ApiConfig config) {
        this(config, Metrics.newRegistry());
    }

    /** query-api exporting {@code registry} on {@code /metrics} (the demo shares one registry between the three services). */
    public ApiService(ApiConfig config, PrometheusMeterRegistry registry) {
        this(config, registry, routes -> { });
    }

    /** query-api with extra routes on the same server (used by {@code cachesync bench} for its ceiling routes). */
    public ApiService(ApiConfig config, PrometheusMeterRegistry registry, Consumer<RoutesConfig> extraRoutes) {
        this.config = config;
        this.registry = registry;
        this.extraRoutes = extraRoutes;
    }

    public ApiService start() {
        LOG.info("query-api starting: {}", config);
        catalog = SchemaCheck.atStart("query-api", config.catalog(), config.postgres());
        redis = config.redis().client(config.redisPoolSize(), config.redisTimeout());
        CacheStore store = new CacheStore(redis, config.redis().invalidationChannel());
        store.loadScripts();
        db = new PostgresRowSource(catalog, config.postgres(), config.dbPoolSize(), config.dbTimeout(), config.statementTimeout());
        L1Cache l1 = new L1Cache(config.l1MaxEntries(), config.l1Ttl(), config.l1HeartbeatTimeout());
        RedisCircuit circuit = new RedisCircuit(config.fallbackConcurrency(),
                config.fallbackWait(), config.circuitOpenFor(), registry);
        cache = new ReadThroughCache(store, db, config.leaseTtl(), config.leaseWait(), l1, new ReadStats(registry), circuit);
        invalidations = new InvalidationSubscriber(redis, store.invalidationChannel(), l1).start();
        popularity = new Popularity(redis, config.popularityMax()).start();
        if (config.warmTop() > 0) {
            warmMostRead(config.warmTop());
        }
        QueryCache queries = new QueryCache(store, db, cache.stats(), circuit, config.pageCache());
        QueryApi.Dependencies deps = new QueryApi.Dependencies(catalog, cache, queries, db, popularity, config.limits(), registry,
                config.adminToken(), this::requestResync);
        app = QueryApi.create(deps, extraRoutes).start(config.host(), config.port());
        if (config.adminPort() >= 0) {
            adminApp = QueryApi.createAdmin(deps).start(config.host(), config.adminPort());
        }
        LOG.info("query-api listening on {} (admin and metrics: {})", baseUrl(), adminApp == null ? "off" : adminUrl());
        return this;
    }

    /** Reads the {@code n} most-read rows of each entity, and documents of each view, through the cache (filling those that are missing). */
    public void warmMostRead(int n) {
        for (EntityDefinition e : catalog.all()) {
            List<String> ids = popularity.top(e.name(), n);
            try {
                for (int i = 0; i < ids.size(); i += WARM_CHUNK) {
                    cache.getMany(e, ids.subList(i, Math.min(ids.size(), i + WARM_CHUNK)));
                }
                LOG.info("warmed {} most-read {} rows", ids.size(), e.name());
            } catch (DatabaseException | RuntimeException ex) {
                LOG.warn("warming {} failed: {}", e.name(), ex.getMessage());
            }
        }
    }

    /** Resync: a Debezium signal row starts an incremental snapshot of the entity's table (cdc-ingest re-reads it). */
    private String requestResync(EntityDefinition e) throws SQLException {
        try (Connection c = config.postgres().connect()) {
            return Resync.request(c, config.signalTable(), e);
        }
    }

    public int port() {
        return app.port();
    }

    /** {@code http://host:port}, with 127.0.0.1 when bound to every interface. */
    public String baseUrl() {
        String h = "0.0.0.0".equals(config.host()) ? "127.0.0.1" : config.host();
        return "http://" + h + ":" + port();
    }

    /** {@code http://host:adminPort} of /admin and /metrics. */
    public String adminUrl() {
        if (adminApp == null) {
            throw new IllegalStateException("the admin server is off (api.admin-port = -1)");
        }
        String h = "0.0.0.0".equals(config.host()) ? "127.0.0.1" : config.host();
        return "http://" + h + ":" + adminApp.port();
    }

    public ReadStats stats() {
        return cache.stats();
    }

    public ReadThroughCache cache() {
        return cache;
    }

    /** True while L1 invalidations arrive (the L1 is in use). */
    public boolean l1Live() {
        return invalidations.subscribed();
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
        if (adminApp != null) {
            adminApp.stop();
        }
        if (invalidations != null) {
            invalidations.close();
        }
        if (popularity != null) {
            popularity.close();
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
