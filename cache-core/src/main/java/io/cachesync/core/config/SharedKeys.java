package io.cachesync.core.config;

/** Keys more than one service reads, defined once. */
public final class SharedKeys {
    /** Debezium's signal table: cdc-ingest creates and captures it; query-api's resync writes to it. */
    public static final TypedKey<String> SIGNAL_TABLE = TypedKey.text("ingest.signal-table",
            "Debezium signal table (schema.table), created by cdc-ingest when missing; query-api's POST /admin/resync/{entity} "
                    + "inserts a row there to start an incremental snapshot", "public.cachesync_signal")
            .check(SharedKeys::isQualifiedTable, "be schema.table of plain lower-case identifiers");

    public static final ConfigKey POSTGRES_URL = ConfigKey.of("postgres.url",
            "JDBC URL of the database, jdbc:postgresql://host:port/db (cdc-ingest streams it, query-api reads through, "
                    + "cache-sync's auditor samples it)", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final ConfigKey POSTGRES_USER = ConfigKey.of("postgres.user",
            "Database user: cdc-ingest needs the REPLICATION attribute; query-api and the auditor read, and resync inserts "
                    + "into the signal table", "postgres");
    public static final ConfigKey POSTGRES_PASSWORD = ConfigKey.secret("postgres.password", "Password of postgres.user", "");
    public static final TypedKey<String> POSTGRES_SSLMODE = TypedKey.oneOf("postgres.sslmode",
            "TLS to PostgreSQL: disable, allow, prefer, require, verify-ca or verify-full", "prefer",
            "disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    public static final ConfigKey REDIS_URL = ConfigKey.secret("redis.url",
            "Redis URL, redis://[user:password@]host:port[/db] or rediss:// for TLS; with redis.mode cluster or sentinel it gives "
                    + "the credentials, the TLS and the first node to ask", "redis://127.0.0.1:6379");
    public static final TypedKey<String> REDIS_MODE = TypedKey.oneOf("redis.mode",
            "standalone (one Redis at redis.url), sentinel (the master named redis.sentinel-master, found through the Sentinels "
                    + "in redis.nodes) or cluster (a Redis Cluster: redis.url's host and redis.nodes are its seed nodes)",
            "standalone", "standalone", "sentinel", "cluster");
    public static final TypedKey<String> REDIS_NODES = TypedKey.text("redis.nodes",
            "Comma-separated host:port list: seed nodes of a cluster (besides redis.url's host) or the Sentinels; empty for standalone", "")
            .check(v -> v.isEmpty() || v.matches("[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*"), "be a comma-separated list of host:port");
    public static final TypedKey<String> REDIS_SENTINEL_MASTER = TypedKey.text("redis.sentinel-master",
            "With redis.mode sentinel: the master name the Sentinels monitor", "mymaster")
            .check(v -> !v.isBlank(), "not be empty");

    /**
     * The CDC topics' partition count. cdc-ingest and cache-sync both create missing CDC topics (whichever starts first),
     * so both read this one key: the count no longer depends on which service started first.
     */
    public static final TypedKey<Integer> CDC_TOPIC_PARTITIONS = TypedKey.integer("ingest.topic-partitions",
            "Partitions of each CDC topic, created by cdc-ingest or cache-sync, whichever starts first (per-key order is kept by the key)", 4)
            .atLeast(1);
    public static final TypedKey<Integer> REPLICATION_FACTOR = TypedKey.integer("kafka.replication-factor",
            "Replication factor of the topics cachesync creates", 1).between(1, (int) Short.MAX_VALUE);

    /** Names every topic of a deployment ({@link io.cachesync.core.topics.TopicNames}): cdc-ingest and cache-sync must agree. */
    public static final TypedKey<String> TOPIC_PREFIX = TypedKey.text("kafka.topic-prefix",
            "Prefix of every topic cachesync creates and reads (<prefix>.<schema>.<table>, <prefix>.commands, <prefix>.dlq, ...)"
                    + " and Debezium's topic.prefix: deployments with different prefixes share a Kafka cluster; the same in"
                    + " cdc-ingest and cache-sync", io.cachesync.core.topics.TopicNames.DEFAULT_PREFIX)
            .check(v -> v.matches(io.cachesync.core.topics.TopicNames.PREFIX_PATTERN), "be 1 to 100 letters, digits, '_' or '-' (no '.')");

    private SharedKeys() {
    }

    /** Whether a value is schema.table of plain lower-case identifiers. */
    public static boolean isQualifiedTable(String v) {
        return v != null && v.matches("[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}");
    }
}
