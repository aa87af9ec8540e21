package io.cachesync.core.config;

/** Keys more than one service reads, defined once. */
public final class SharedKeys {
    /** Debezium's signal table: cdc-ingest creates and captures it; query-api's resync writes to it. */
    public static final ConfigKey SIGNAL_TABLE = ConfigKey.of("ingest.signal-table",
            "Debezium signal table (schema.table), created by cdc-ingest when missing; query-api's POST /admin/resync/{entity} "
                    + "inserts a row there to start an incremental snapshot", "public.cachesync_signal");

    public static final ConfigKey POSTGRES_URL = ConfigKey.of("postgres.url",
            "JDBC URL of the database, jdbc:postgresql://host:port/db (cdc-ingest streams it, query-api reads through, "
                    + "cache-sync's auditor samples it)", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final ConfigKey POSTGRES_USER = ConfigKey.of("postgres.user",
            "Database user: cdc-ingest needs the REPLICATION attribute; query-api and the auditor read, and resync inserts "
                    + "into the signal table", "postgres");
    public static final ConfigKey POSTGRES_PASSWORD = ConfigKey.secret("postgres.password", "Password of postgres.user", "");
    public static final ConfigKey POSTGRES_SSLMODE = ConfigKey.of("postgres.sslmode",
            "TLS to PostgreSQL: disable, allow, prefer, require, verify-ca or verify-full", "prefer");

    public static final ConfigKey REDIS_URL = ConfigKey.secret("redis.url",
            "Redis URL, redis://[user:password@]host:port[/db] or rediss:// for TLS", "redis://127.0.0.1:6379");

    /**
     * The CDC topics' partition count. cdc-ingest and cache-sync both create missing CDC topics (whichever starts first),
     * so both read this one key: the count no longer depends on which service started first.
     */
    public static final ConfigKey CDC_TOPIC_PARTITIONS = ConfigKey.of("ingest.topic-partitions",
            "Partitions of each CDC topic, created by cdc-ingest or cache-sync, whichever starts first (per-key order is kept by the key)", "4");
    public static final ConfigKey REPLICATION_FACTOR = ConfigKey.of("kafka.replication-factor",
            "Replication factor of the topics cachesync creates", "1");

    private static final java.util.List<String> SSL_MODES = java.util.List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    private SharedKeys() {
    }

    /** The validated {@code postgres.sslmode}; a bad value is added to {@code problems}. */
    public static String sslMode(Settings s, java.util.List<String> problems) {
        String v = s.get(POSTGRES_SSLMODE);
        if (!SSL_MODES.contains(v)) {
            problems.add(POSTGRES_SSLMODE.name() + " is not one of " + String.join(", ", SSL_MODES) + ": '" + v + "'");
        }
        return v;
    }

    /** The validated {@link #CDC_TOPIC_PARTITIONS}; a bad value is added to {@code problems}. */
    public static int cdcTopicPartitions(Settings s, java.util.List<String> problems) {
        int partitions = s.parse(CDC_TOPIC_PARTITIONS, Integer::parseInt, 4, problems, "a whole number of partitions");
        if (partitions < 1) {
            problems.add(CDC_TOPIC_PARTITIONS.name() + " must be at least 1");
        }
        return partitions;
    }

    /** The validated {@link #REPLICATION_FACTOR}; a bad value is added to {@code problems}. */
    public static short replicationFactor(Settings s, java.util.List<String> problems) {
        short rf = s.parse(REPLICATION_FACTOR, Short::parseShort, (short) 1, problems, "a replication factor such as 1 or 3");
        if (rf < 1) {
            problems.add(REPLICATION_FACTOR.name() + " must be at least 1");
        }
        return rf;
    }

    /** Whether a value is schema.table of plain lower-case identifiers. */
    public static boolean isQualifiedTable(String v) {
        return v != null && v.matches("[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}");
    }
}
