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
        URI redisUrl,
        int redisPoolSize,
        Duration redisTimeout,
        String jdbcUrl,
        String user,
        String password,
        String sslMode,
        int dbPoolSize,
        Duration dbTimeout,
        Duration leaseTtl,
        Duration leaseWait,
        long l1MaxEntries,
        Duration l1Ttl,
        Duration l1HeartbeatTimeout,
        int warmTop,
        io.cachesync.api.http.ApiLimits limits,
        String adminToken,
        int fallbackConcurrency,
        Duration fallbackWait,
        Duration circuitOpenFor,
        String signalTable,
        EntityCatalog catalog) {

    public static final ConfigKey HOST = ConfigKey.of("api.host", "Interface the HTTP server binds to", "0.0.0.0");
    public static final ConfigKey PORT = ConfigKey.of("api.port", "HTTP port (0 picks a free port)", "8080");
    public static final ConfigKey REDIS_URL = io.cachesync.core.config.SharedKeys.REDIS_URL;
    public static final ConfigKey REDIS_POOL = ConfigKey.of("api.redis-pool-size", "Redis connections of this instance", "32");
    public static final ConfigKey REDIS_TIMEOUT = ConfigKey.of("api.redis-timeout", "Connect/socket timeout of Redis calls and the longest wait for a pooled connection", "1s");
    public static final ConfigKey POSTGRES_URL = io.cachesync.core.config.SharedKeys.POSTGRES_URL;
    public static final ConfigKey POSTGRES_USER = io.cachesync.core.config.SharedKeys.POSTGRES_USER;
    public static final ConfigKey POSTGRES_PASSWORD = io.cachesync.core.config.SharedKeys.POSTGRES_PASSWORD;
    public static final ConfigKey POSTGRES_SSLMODE = io.cachesync.core.config.SharedKeys.POSTGRES_SSLMODE;
    public static final ConfigKey DB_POOL = ConfigKey.of("api.db-pool-size", "Database connections of this instance (bounds read-through load)", "8");
    public static final ConfigKey DB_TIMEOUT = ConfigKey.of("api.db-timeout", "Longest wait for a database connection", "2s");
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

    public static final ConfigKey ADMIN_TOKEN = ConfigKey.secret("api.admin-token",
            "Bearer token of the /admin endpoints; empty turns them off (404)", "");
    public static final ConfigKey FALLBACK_CONCURRENCY = ConfigKey.of("api.fallback-concurrency",
            "While Redis is unavailable: database reads at once (the bulkhead); more wait api.fallback-wait, then get 503", "4");
    public static final ConfigKey FALLBACK_WAIT = ConfigKey.of("api.fallback-wait", "Longest wait for a bulkhead slot", "100ms");
    public static final ConfigKey CIRCUIT_OPEN_FOR = ConfigKey.of("api.circuit-open-for",
            "How long the Redis circuit stays open before it probes Redis again", "5s");

    public static final List<ConfigKey> KEYS = List.of(HOST, PORT, REDIS_URL, REDIS_POOL, REDIS_TIMEOUT, POSTGRES_URL, POSTGRES_USER,
            POSTGRES_PASSWORD, POSTGRES_SSLMODE, DB_POOL, DB_TIMEOUT, LEASE_TTL, LEASE_WAIT, L1_MAX, L1_TTL, L1_HEARTBEAT_TIMEOUT, WARM_TOP,
            MAX_BATCH, MAX_QUERY, ADMIN_TOKEN, FALLBACK_CONCURRENCY, FALLBACK_WAIT, CIRCUIT_OPEN_FOR,
            io.cachesync.core.config.SharedKeys.SIGNAL_TABLE, EntityCatalog.ENTITIES);

    public static ApiConfig from(Settings s) {
        List<String> problems = new ArrayList<>();
        int port = s.parse(PORT, Integer::parseInt, 8080, problems, "a TCP port number");
        if (port < 0 || port > 65535) {
            problems.add(PORT.name() + " must be between 0 and 65535, was " + port);
        }
        URI redis = Endpoints.redisUrl(REDIS_URL, s, problems);
        int redisPool = s.parse(REDIS_POOL, Integer::parseInt, 32, problems, "a whole number");
        Duration redisTimeout = s.parse(REDIS_TIMEOUT, Settings::positiveDuration, Duration.ofSeconds(1), problems, "a positive duration such as 1s");
        String jdbc = Endpoints.jdbcUrl(POSTGRES_URL, s, problems);
        int dbPool = s.parse(DB_POOL, Integer::parseInt, 8, problems, "a whole number");
        Duration dbTimeout = s.parse(DB_TIMEOUT, Settings::positiveDuration, Duration.ofSeconds(2), problems, "a positive duration such as 2s");
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
        if (!problems.isEmpty()) {
            throw ConfigException.of("query-api", problems);
        }
        return new ApiConfig(s.get(HOST), port, redis, redisPool, redisTimeout, jdbc, s.get(POSTGRES_USER), s.get(POSTGRES_PASSWORD),
                sslMode, dbPool, dbTimeout, leaseTtl, leaseWait, l1Max, l1Ttl, l1Heartbeat, warmTop,
                new io.cachesync.api.http.ApiLimits(maxBatch, maxQuery, 10_000), token, fallback, fallbackWait, openFor, signal, catalog);
    }

    @Override
    public String toString() {
        return "ApiConfig[" + Settings.show(HOST, host) + ", " + Settings.show(PORT, port) + ", redis.url=" + RedisConnections.masked(redisUrl)
                + ", " + Settings.show(POSTGRES_URL, jdbcUrl) + ", " + Settings.show(POSTGRES_USER, user) + ", "
                + Settings.show(POSTGRES_PASSWORD, password) + ", " + Settings.show(ADMIN_TOKEN, adminToken)
                + ", entities=" + catalog.all().stream().map(e -> e.name()).toList() + "]";
    }
}
