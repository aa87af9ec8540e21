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

    /** Whether a value is schema.table of plain lower-case identifiers. */
    public static boolean isQualifiedTable(String v) {
        return v != null && v.matches("[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}");
    }
}
