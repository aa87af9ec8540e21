package io.cachesync.api.config;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Endpoints;
import io.cachesync.core.config.Settings;
import io.cachesync.core.keys.InvalidationMessages;
import io.cachesync.core.redis.RedisConnections;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The typed, validated configuration of query-api. */
public record ApiConfig(
        String host,
        int port,
        int adminPort,
        URI redisUrl,
        int redisPoolSize,
        Duration redisTimeout,
        String jdbcUrl,
        String user,
        String password,
        String sslMode,
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
        io.cachesync.api.http.ApiLimits limits,
        io.cachesync.api.cache.PageCacheLimits pageCache,
        String adminToken,
        int fallbackConcurrency,
        Duration fallbackWait,
        Duration circuitOpenFor,
        String signalTable,
        EntityCatalog catalog) {

    public static final ConfigKey HOST = ConfigKey.of("api.host", "Interface the HTTP server binds to", "0.0.0.0");
    public static final ConfigKey PORT = ConfigKey.of("api.port", "HTTP port (0 picks a free port)", "8080");
    public static final ConfigKey ADMIN_PORT = ConfigKey.of("api.admin-port",
            "Port of /admin/* and /metrics, apart from the reads so that an Ingress for api.port never exposes them"
                    + " (0 picks a free port, -1 turns both off)", "8081");
    public static final ConfigKey REDIS_URL = io.cachesync.core.config.SharedKeys.REDIS_URL;
    public static final ConfigKey REDIS_POOL = ConfigKey.of("api.redis-pool-size", "Redis connections of this instance", "32");
    public static final ConfigKey REDIS_TIMEOUT = ConfigKey.of("api.redis-timeout", "Connect/socket timeout of Redis calls and the longest wait for a pooled connection", "1s");
    public static final ConfigKey POSTGRES_URL = io.cachesync.core.config.SharedKeys.POSTGRES_URL;
    public static final ConfigKey POSTGRES_USER = io.cachesync.core.config.SharedKeys.POSTGRES_USER;
    public static final ConfigKey POSTGRES_PASSWORD = io.cachesync.core.config.SharedKeys.POSTGRES_PASSWORD;
    public static final ConfigKey POSTGRES_SSLMODE = io.cachesync.core.config.SharedKeys.POSTGRES_SSLMODE;
    public static final ConfigKey DB_POOL = ConfigKey.of("api.db-pool-size", "Database connections of this instance (bounds read-through load)", "8");
    public static final ConfigKey DB_TIMEOUT = ConfigKey.of("api.db-timeout", "Longest wait for a database connection", "2s");
    public static final ConfigKey STATEMENT_TIMEOUT = ConfigKey.of("api.statement-timeout",
            "Longest a database query of the API may run: PostgreSQL cancels it (statement_timeout, set on every pooled connection)"
                    + " and the request gets 503 query-timeout", "2s");
    public static final ConfigKey LEASE_TTL = ConfigKey.of("api.lease-ttl", "How long a miss holds the right to fill the key", "2s");
    public static final ConfigKey LEASE_WAIT = ConfigKey.of("api.lease-wait",
            "How long a reader that finds another reader's lease waits for its fill before reading the database without filling", "50ms");

    public static final ConfigKey L1_MAX = ConfigKey.of("api.l1-max-entries", "Rows kept in the in-process L1 (0 turns it off)", "10000");
    public static final ConfigKey L1_TTL = ConfigKey.of("api.l1-ttl",
            "Longest time a row stays in the L1; cache-sync's pushes invalidate it sooner", "2s");
    public static final ConfigKey L1_HEARTBEAT_TIMEOUT = ConfigKey.of("api.l1-heartbeat-timeout",
            "The L1 is used only while cache-sync's invalidations or heartbeats (one a second) arrive: after this long without"
                    + " any it is bypassed (reads go to Redis), and it restarts empty when they arrive again", "5s");
    public static final ConfigKey WARM_TOP = ConfigKey.of("api.warm-top",
            "On start, read the N most-read rows of each entity into the cache (0: no warming)", "0");
    public static final ConfigKey MAX_BATCH = ConfigKey.of("api.max-batch-ids", "Ids one batch read may ask for", "100");
    public static final ConfigKey MAX_QUERY = ConfigKey.of("api.max-query-length", "Characters of a search query or list value", "200");
    public static final ConfigKey MAX_PAGE_DEPTH = ConfigKey.of("api.max-page-depth",
            "Deepest row a list or search page may reach: page x per_page at most this (deeper: 400 page-too-deep), so no request"
                    + " makes PostgreSQL skip more rows; at least the largest per_page", "10000");
    public static final ConfigKey MAX_CACHED_PAGES = ConfigKey.of("api.max-cached-pages",
            "List pages, and search pages, one entity may store in Redis per window (the longest page TTL plus 1s); further pages"
                    + " are served from PostgreSQL uncached, so at most twice this many of each kind exist (0: pages are never cached)", "1000");
    public static final ConfigKey MAX_CACHED_PAGE_BYTES = ConfigKey.of("api.max-cached-page-bytes",
            "Largest list or search page body stored in Redis, in bytes; larger pages are served uncached", "65536");
    public static final ConfigKey POPULARITY_MAX = ConfigKey.of("api.popularity-max",
            "Most-read rows kept per entity in cs:_popular:<entity> (the set api.warm-top reads); at least api.warm-top", "10000");

    public static final ConfigKey ADMIN_TOKEN = ConfigKey.secret("api.admin-token",
            "Bearer token of the /admin endpoints; empty turns them off (404)", "");
    public static final ConfigKey FALLBACK_CONCURRENCY = ConfigKey.of("api.fallback-concurrency",
            "While Redis is unavailable: database reads at once (the bulkhead); more wait api.fallback-wait, then get 503", "4");
    public static final ConfigKey FALLBACK_WAIT = ConfigKey.of("api.fallback-wait", "Longest wait for a bulkhead slot", "100ms");
    public static final ConfigKey CIRCUIT_OPEN_FOR = ConfigKey.of("api.circuit-open-for",
            "How long the Redis circuit stays open before it probes Redis again", "5s");

    public static final List<ConfigKey> KEYS = List.of(HOST, PORT, ADMIN_PORT, REDIS_URL, REDIS_POOL, REDIS_TIMEOUT, POSTGRES_URL, POSTGRES_USER,
            POSTGRES_PASSWORD, POSTGRES_SSLMODE, DB_POOL, DB_TIMEOUT, STATEMENT_TIMEOUT, LEASE_TTL, LEASE_WAIT, L1_MAX, L1_TTL,
            L1_HEARTBEAT_TIMEOUT, WARM_TOP, POPULARITY_MAX, MAX_BATCH, MAX_QUERY, MAX_PAGE_DEPTH, MAX_CACHED_PAGES, MAX_CACHED_PAGE_BYTES,
            ADMIN_TOKEN, FALLBACK_CONCURRENCY, FALLBACK_WAIT, CIRCUIT_OPEN_FOR, io.cachesync.core.config.SharedKeys.SIGNAL_TABLE,
            EntityCatalog.ENTITIES);

    public static ApiConfig from(Settings s) {
        List<String> problems = new ArrayList<>();
        int port = s.parse(PORT, Integer::parseInt, 8080, problems, "a TCP port number");
        if (port < 0 || port > 65535) {
            problems.add(PORT.name() + " must be between 0 and 65535, was " + port);
        }
        int adminPort = s.parse(ADMIN_PORT, Integer::parseInt, 8081, problems, "a TCP port number");
        if (adminPort < -1 || adminPort > 65535) {
            problems.add(ADMIN_PORT.name() + " must be between 0 and 65535 (or -1: off), was " + adminPort);
        } else if (adminPort > 0 && adminPort == port) {
            problems.add(ADMIN_PORT.name() + " must differ from " + PORT.name() + " (" + port + "): admin and metrics are kept off the"
                    + " port that serves reads");
        }
        URI redis = Endpoints.redisUrl(REDIS_URL, s, problems);
        int redisPool = s.parse(REDIS_POOL, Integer::parseInt, 32, problems, "a whole number");
        Duration redisTimeout = s.parse(REDIS_TIMEOUT, Settings::positiveDuration, Duration.ofSeconds(1), problems, "a positive duration such as 1s");
        String jdbc = Endpoints.jdbcUrl(POSTGRES_URL, s, problems);
        int dbPool = s.parse(DB_POOL, Integer::parseInt, 8, problems, "a whole number");
        Duration dbTimeout = s.parse(DB_TIMEOUT, Settings::positiveDuration, Duration.ofSeconds(2), problems, "a positive duration such as 2s");
        Duration statementTimeout = s.parse(STATEMENT_TIMEOUT, Settings::positiveDuration, Duration.ofSeconds(2), problems,
                "a positive duration such as 2s");
        if (statementTimeout.toMillis() < 1 || statementTimeout.toMillis() > Integer.MAX_VALUE) {
            problems.add(STATEMENT_TIMEOUT.name() + " must be between 1ms and " + Integer.MAX_VALUE + "ms (PostgreSQL's statement_timeout;"
                    + " 0 would turn it off), was '" + s.get(STATEMENT_TIMEOUT) + "'");
        }
        Duration leaseTtl = s.parse(LEASE_TTL, Settings::positiveDuration, Duration.ofSeconds(2), problems, "a positive duration such as 2s");
        Duration leaseWait = s.parse(LEASE_WAIT, Settings::duration, Duration.ofMillis(50), problems, "a duration such as 50ms");
        if (redisPool < 1 || dbPool < 1) {
            problems.add("api.redis-pool-size and api.db-pool-size must be at least 1");
        }
        String sslMode = io.cachesync.core.config.SharedKeys.sslMode(s, problems);
        long l1Max = s.parse(L1_MAX, Long::parseLong, 10_000L, problems, "a whole number of entries");
        Duration l1Ttl = s.parse(L1_TTL, Settings::duration, Duration.ofSeconds(2), problems, "a duration such as 2s");
        Duration l1Heartbeat = s.parse(L1_HEARTBEAT_TIMEOUT, Settings::positiveDuration, Duration.ofSeconds(5), problems,
                "a positive duration such as 5s");
        Duration minHeartbeat = InvalidationMessages.HEARTBEAT_INTERVAL.multipliedBy(2);
        if (l1Heartbeat.compareTo(minHeartbeat) < 0) {
            problems.add(L1_HEARTBEAT_TIMEOUT.name() + " must be at least " + minHeartbeat.toMillis() + "ms, two of cache-sync's heartbeat"
                    + " intervals (shorter, one late heartbeat would turn the L1 off), was '" + s.get(L1_HEARTBEAT_TIMEOUT) + "'");
        }
        int warmTop = s.parse(WARM_TOP, Integer::parseInt, 0, problems, "a whole number");
        int maxBatch = s.parse(MAX_BATCH, Integer::parseInt, 100, problems, "a whole number");
        int maxQuery = s.parse(MAX_QUERY, Integer::parseInt, 200, problems, "a whole number");
        if (l1Max < 0 || warmTop < 0 || maxBatch < 1 || maxBatch > 10_000 || maxQuery < 1) {
            problems.add("api.l1-max-entries and api.warm-top must be >= 0, api.max-batch-ids in 1..10000, api.max-query-length >= 1");
        }
        int maxPageDepth = s.parse(MAX_PAGE_DEPTH, Integer::parseInt, 10_000, problems, "a whole number of rows");
        int maxCachedPages = s.parse(MAX_CACHED_PAGES, Integer::parseInt, 1_000, problems, "a whole number of pages");
        if (maxCachedPages < 0) {
            problems.add(MAX_CACHED_PAGES.name() + " must be >= 0 (0: pages are never cached), was " + maxCachedPages);
        }
        int maxCachedPageBytes = s.parse(MAX_CACHED_PAGE_BYTES, Integer::parseInt, 65_536, problems, "a whole number of bytes");
        if (maxCachedPageBytes < 1) {
            problems.add(MAX_CACHED_PAGE_BYTES.name() + " must be at least 1, was " + maxCachedPageBytes);
        }
        int popularityMax = s.parse(POPULARITY_MAX, Integer::parseInt, 10_000, problems, "a whole number of rows");
        if (popularityMax < 1) {
            problems.add(POPULARITY_MAX.name() + " must be at least 1, was " + popularityMax);
        } else if (warmTop > popularityMax) {
            problems.add(WARM_TOP.name() + " (" + warmTop + ") must not exceed " + POPULARITY_MAX.name() + " (" + popularityMax
                    + "): warming reads the most-read rows the popularity set keeps");
        }
        int fallback = s.parse(FALLBACK_CONCURRENCY, Integer::parseInt, 4, problems, "a whole number");
        if (fallback < 1) {
            problems.add(FALLBACK_CONCURRENCY.name() + " must be at least 1");
        }
        Duration fallbackWait = s.parse(FALLBACK_WAIT, Settings::duration, Duration.ofMillis(100), problems, "a duration such as 100ms");
        Duration openFor = s.parse(CIRCUIT_OPEN_FOR, Settings::positiveDuration, Duration.ofSeconds(5), problems, "a positive duration such as 5s");
        String token = s.get(ADMIN_TOKEN);
        if (!token.isEmpty() && token.length() < 16) {
            problems.add(ADMIN_TOKEN.name() + " is shorter than 16 characters: use a long random token (or leave it empty to turn /admin off)");
        }
        String signal = s.get(io.cachesync.core.config.SharedKeys.SIGNAL_TABLE);
        if (!io.cachesync.core.config.SharedKeys.isQualifiedTable(signal)) {
            problems.add(io.cachesync.core.config.SharedKeys.SIGNAL_TABLE.name() + " is not schema.table of plain lower-case identifiers: '" + signal + "'");
        }
        EntityCatalog catalog = EntityCatalog.from(s, problems);
        pageDepthCoversEveryPage(maxPageDepth, catalog, problems);
        if (!problems.isEmpty()) {
            throw ConfigException.of("query-api", problems);
        }
        return new ApiConfig(s.get(HOST), port, adminPort, redis, redisPool, redisTimeout, jdbc, s.get(POSTGRES_USER), s.get(POSTGRES_PASSWORD),
                sslMode, dbPool, dbTimeout, statementTimeout, leaseTtl, leaseWait, l1Max, l1Ttl, l1Heartbeat, warmTop, popularityMax,
                new io.cachesync.api.http.ApiLimits(maxBatch, maxQuery, maxPageDepth),
                new io.cachesync.api.cache.PageCacheLimits(maxCachedPages, maxCachedPageBytes), token, fallback, fallbackWait, openFor,
                signal, catalog);
    }

    /** The first page of every list and search must be servable: the depth covers the largest per_page a client may ask for. */
    private static void pageDepthCoversEveryPage(int maxPageDepth, EntityCatalog catalog, List<String> problems) {
        String widest = "a search (per_page up to " + io.cachesync.api.http.EntityRoutes.MAX_SEARCH_PER_PAGE + ")";
        int largest = io.cachesync.api.http.EntityRoutes.MAX_SEARCH_PER_PAGE;
        for (io.cachesync.core.catalog.EntityDefinition e : catalog.all()) {
            for (io.cachesync.core.catalog.ListIndex l : e.query().lists()) {
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
        return "ApiConfig[" + Settings.show(HOST, host) + ", " + Settings.show(PORT, port) + ", " + Settings.show(ADMIN_PORT, adminPort) + ", redis.url=" + RedisConnections.masked(redisUrl)
                + ", " + Settings.show(POSTGRES_URL, jdbcUrl) + ", " + Settings.show(POSTGRES_USER, user) + ", "
                + Settings.show(POSTGRES_PASSWORD, password) + ", " + Settings.show(ADMIN_TOKEN, adminToken)
                + ", entities=" + catalog.all().stream().map(e -> e.name()).toList() + "]";
    }
}
