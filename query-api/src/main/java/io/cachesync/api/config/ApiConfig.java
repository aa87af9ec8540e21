package io.cachesync.api.config;

import io.cachesync.api.cache.PageCacheLimits;
import io.cachesync.api.http.ApiLimits;
import io.cachesync.api.http.EntityRoutes;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ListIndex;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.SharedKeys;
import io.cachesync.core.config.TypedKey;
import io.cachesync.core.keys.InvalidationMessages;
import io.cachesync.core.redis.RedisEndpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The typed, validated configuration of query-api. */
public record ApiConfig(
        String host,
        int port,
        int adminPort,
        RedisEndpoint redis,
        int redisPoolSize,
        Duration redisTimeout,
        PostgresEndpoint postgres,
        int dbPoolSize,
        Duration dbTimeout,
        Duration statementTimeout,
        Duration leaseTtl,
        Duration leaseWait,
        long l1MaxEntries,
        Duration l1Ttl,
        Duration l1HeartbeatTimeout,
        int warmTop,
        int popularityMax,
        ApiLimits limits,
        PageCacheLimits pageCache,
        String adminToken,
        int fallbackConcurrency,
        Duration fallbackWait,
        Duration circuitOpenFor,
        String signalTable,
        EntityCatalog catalog) {

    public static final TypedKey<String> HOST = TypedKey.text("api.host", "Interface the HTTP server binds to", "0.0.0.0");
    public static final TypedKey<Integer> PORT = TypedKey.port("api.port", "HTTP port (0 picks a free port)", 8080, false);
    public static final TypedKey<Integer> ADMIN_PORT = TypedKey.port("api.admin-port",
            "Port of /admin/* and /metrics, apart from the reads so that an Ingress for api.port never exposes them"
                    + " (0 picks a free port, -1 turns both off)", 8081, true);
    public static final TypedKey<Integer> REDIS_POOL = TypedKey.integer("api.redis-pool-size", "Redis connections of this instance", 32)
            .atLeast(1);
    public static final TypedKey<Duration> REDIS_TIMEOUT = TypedKey.positiveDuration("api.redis-timeout",
            "Connect/socket timeout of Redis calls and the longest wait for a pooled connection", Duration.ofSeconds(1));
    public static final ConfigKey POSTGRES_URL = SharedKeys.POSTGRES_URL;
    public static final ConfigKey POSTGRES_USER = SharedKeys.POSTGRES_USER;
    public static final ConfigKey POSTGRES_PASSWORD = SharedKeys.POSTGRES_PASSWORD;
    public static final ConfigKey POSTGRES_SSLMODE = SharedKeys.POSTGRES_SSLMODE;
    public static final TypedKey<Integer> DB_POOL = TypedKey.integer("api.db-pool-size",
            "Database connections of this instance (bounds read-through load)", 8).atLeast(1);
    public static final TypedKey<Duration> DB_TIMEOUT = TypedKey.positiveDuration("api.db-timeout", "Longest wait for a database connection",
            Duration.ofSeconds(2));
    public static final TypedKey<Duration> STATEMENT_TIMEOUT = TypedKey.positiveDuration("api.statement-timeout",
            "Longest a database query of the API may run: PostgreSQL cancels it (statement_timeout, set on every pooled connection)"
                    + " and the request gets 503 query-timeout", Duration.ofSeconds(2))
            .check(d -> d.toMillis() >= 1 && d.toMillis() <= Integer.MAX_VALUE,
                    "be between 1ms and " + Integer.MAX_VALUE + "ms (PostgreSQL's statement_timeout; 0 would turn it off)");
    public static final TypedKey<Duration> LEASE_TTL = TypedKey.positiveDuration("api.lease-ttl", "How long a miss holds the right to fill the key",
            Duration.ofSeconds(2));
    public static final TypedKey<Duration> LEASE_WAIT = TypedKey.duration("api.lease-wait",
            "How long a reader that finds another reader's lease waits for its fill before reading the database without filling",
            Duration.ofMillis(50));

    public static final TypedKey<Long> L1_MAX = TypedKey.longInteger("api.l1-max-entries", "Rows kept in the in-process L1 (0 turns it off)", 10_000)
            .atLeast(0L);
    public static final TypedKey<Duration> L1_TTL = TypedKey.duration("api.l1-ttl",
            "Longest time a row stays in the L1; cache-sync's pushes invalidate it sooner", Duration.ofSeconds(2));
    public static final TypedKey<Duration> L1_HEARTBEAT_TIMEOUT = TypedKey.positiveDuration("api.l1-heartbeat-timeout",
            "The L1 is used only while cache-sync's invalidations or heartbeats (one a second) arrive: after this long without"
                    + " any it is bypassed (reads go to Redis), and it restarts empty when they arrive again", Duration.ofSeconds(5))
            .check(d -> d.compareTo(InvalidationMessages.HEARTBEAT_INTERVAL.multipliedBy(2)) >= 0,
                    "be at least " + InvalidationMessages.HEARTBEAT_INTERVAL.multipliedBy(2).toMillis() + "ms, two of cache-sync's heartbeat"
                            + " intervals (shorter, one late heartbeat would turn the L1 off)");
    public static final TypedKey<Integer> WARM_TOP = TypedKey.integer("api.warm-top",
            "On start, read the N most-read rows of each entity into the cache (0: no warming)", 0).atLeast(0);
    public static final TypedKey<Integer> MAX_BATCH = TypedKey.integer("api.max-batch-ids", "Ids one batch read may ask for", 100)
            .between(1, 10_000);
    public static final TypedKey<Integer> MAX_QUERY = TypedKey.integer("api.max-query-length", "Characters of a search query or list value", 200)
            .atLeast(1);
    public static final TypedKey<Integer> MAX_PAGE_DEPTH = TypedKey.integer("api.max-page-depth",
            "Deepest row a list or search page may reach: page x per_page at most this (deeper: 400 page-too-deep), so no request"
                    + " makes PostgreSQL skip more rows; at least the largest per_page", 10_000);
    public static final TypedKey<Integer> MAX_CACHED_PAGES = TypedKey.integer("api.max-cached-pages",
            "List pages, and search pages, one entity may store in Redis per window (the longest page TTL plus 1s); further pages"
                    + " are served from PostgreSQL uncached, so at most twice this many of each kind exist (0: pages are never cached)", 1_000)
            .atLeast(0);
    public static final TypedKey<Integer> MAX_CACHED_PAGE_BYTES = TypedKey.integer("api.max-cached-page-bytes",
            "Largest list or search page body stored in Redis, in bytes; larger pages are served uncached", 65_536).atLeast(1);
    public static final TypedKey<Integer> POPULARITY_MAX = TypedKey.integer("api.popularity-max",
            "Most-read rows kept per entity in cs:_popular:<entity> (the set api.warm-top reads); at least api.warm-top", 10_000).atLeast(1);

    public static final TypedKey<String> ADMIN_TOKEN = TypedKey.secretText("api.admin-token",
            "Bearer token of the /admin endpoints; empty turns them off (404)", "")
            .check(t -> t.isEmpty() || t.length() >= 16, "be at least 16 characters: use a long random token (or leave it empty to turn /admin off)");
    public static final TypedKey<Integer> FALLBACK_CONCURRENCY = TypedKey.integer("api.fallback-concurrency",
            "While Redis is unavailable: database reads at once (the bulkhead); more wait api.fallback-wait, then get 503", 4).atLeast(1);
    public static final TypedKey<Duration> FALLBACK_WAIT = TypedKey.duration("api.fallback-wait", "Longest wait for a bulkhead slot",
            Duration.ofMillis(100));
    public static final TypedKey<Duration> CIRCUIT_OPEN_FOR = TypedKey.positiveDuration("api.circuit-open-for",
            "How long the Redis circuit stays open before it probes Redis again", Duration.ofSeconds(5));

    public static final List<ConfigKey> KEYS = ConfigKey.concat(RedisEndpoint.KEYS, List.of(HOST, PORT, ADMIN_PORT, REDIS_POOL, REDIS_TIMEOUT, POSTGRES_URL, POSTGRES_USER,
            POSTGRES_PASSWORD, POSTGRES_SSLMODE, DB_POOL, DB_TIMEOUT, STATEMENT_TIMEOUT, LEASE_TTL, LEASE_WAIT, L1_MAX, L1_TTL,
            L1_HEARTBEAT_TIMEOUT, WARM_TOP, POPULARITY_MAX, MAX_BATCH, MAX_QUERY, MAX_PAGE_DEPTH, MAX_CACHED_PAGES, MAX_CACHED_PAGE_BYTES,
            ADMIN_TOKEN, FALLBACK_CONCURRENCY, FALLBACK_WAIT, CIRCUIT_OPEN_FOR, SharedKeys.SIGNAL_TABLE,
            EntityCatalog.ENTITIES, io.cachesync.core.catalog.ViewDefinitions.VIEWS));

    public static ApiConfig from(Settings s) {
        List<String> problems = new ArrayList<>();
        int port = PORT.read(s, problems);
        int adminPort = ADMIN_PORT.read(s, problems);
        if (adminPort > 0 && adminPort == port) {
            problems.add(ADMIN_PORT.name() + " must differ from " + PORT.name() + " (" + port + "): admin and metrics are kept off the"
                    + " port that serves reads");
        }
        RedisEndpoint redis = RedisEndpoint.from(s, problems);
        PostgresEndpoint postgres = PostgresEndpoint.from(s, problems);
        int warmTop = WARM_TOP.read(s, problems);
        int popularityMax = POPULARITY_MAX.read(s, problems);
        if (warmTop > popularityMax) {
            problems.add(WARM_TOP.name() + " (" + warmTop + ") must not exceed " + POPULARITY_MAX.name() + " (" + popularityMax
                    + "): warming reads the most-read rows the popularity set keeps");
        }
        int maxPageDepth = MAX_PAGE_DEPTH.read(s, problems);
        ApiLimits limits = new ApiLimits(MAX_BATCH.read(s, problems), MAX_QUERY.read(s, problems), maxPageDepth);
        PageCacheLimits pageCache = new PageCacheLimits(MAX_CACHED_PAGES.read(s, problems), MAX_CACHED_PAGE_BYTES.read(s, problems));
        String signal = SharedKeys.SIGNAL_TABLE.read(s, problems);
        EntityCatalog catalog = EntityCatalog.from(s, problems);
        pageDepthCoversEveryPage(maxPageDepth, catalog, problems);
        ApiConfig config = new ApiConfig(HOST.read(s, problems), port, adminPort, redis, REDIS_POOL.read(s, problems),
                REDIS_TIMEOUT.read(s, problems), postgres, DB_POOL.read(s, problems),
                DB_TIMEOUT.read(s, problems), STATEMENT_TIMEOUT.read(s, problems), LEASE_TTL.read(s, problems), LEASE_WAIT.read(s, problems),
                L1_MAX.read(s, problems), L1_TTL.read(s, problems), L1_HEARTBEAT_TIMEOUT.read(s, problems), warmTop, popularityMax,
                limits, pageCache, ADMIN_TOKEN.read(s, problems), FALLBACK_CONCURRENCY.read(s, problems), FALLBACK_WAIT.read(s, problems),
                CIRCUIT_OPEN_FOR.read(s, problems), signal, catalog);
        if (!problems.isEmpty()) {
            throw ConfigException.of("query-api", problems);
        }
        return config;
    }

    /** The first page of every list and search must be servable: the depth covers the largest per_page a client may ask for. */
    private static void pageDepthCoversEveryPage(int maxPageDepth, EntityCatalog catalog, List<String> problems) {
        String widest = "a search (per_page up to " + EntityRoutes.MAX_SEARCH_PER_PAGE + ")";
        int largest = EntityRoutes.MAX_SEARCH_PER_PAGE;
        for (EntityDefinition e : catalog.all()) {
            for (ListIndex l : e.query().lists()) {
                if (l.maxPerPage() > largest) {
                    largest = l.maxPerPage();
                    widest = "entities." + e.name() + ".lists." + l.field() + ".max-per-page (" + l.maxPerPage() + ")";
                }
            }
        }
        if (maxPageDepth < largest) {
            problems.add(MAX_PAGE_DEPTH.name() + " (" + maxPageDepth + ") must be at least the largest page a client may ask for, "
                    + widest + ", or even page 1 of it would be refused");
        }
    }

    @Override
    public String toString() {
        return "ApiConfig[" + Settings.show(HOST, host) + ", " + Settings.show(PORT, port) + ", " + Settings.show(ADMIN_PORT, adminPort) + ", " + redis
                + ", " + postgres + ", " + Settings.show(ADMIN_TOKEN, adminToken)
                + ", entities=" + catalog.all().stream().map(e -> e.name()).toList() + "]";
    }
}
