package io.cachesync.core.config;

/** Keys more than one service reads, defined once. */
public final class SharedKeys {
    /** Debezium's signal table: cdc-ingest creates and captures it; query-api's resync writes to it. */
    public static final ConfigKey SIGNAL_TABLE = ConfigKey.of("ingest.signal-table",
            "Debezium signal table (schema.table), created by cdc-ingest when missing; query-api's POST /admin/resync/{entity} "
                    + "inserts a row there to start an incremental snapshot", "public.cachesync_signal");

    private SharedKeys() {
    }

    /** Whether a value is schema.table of plain lower-case identifiers. */
    public static boolean isQualifiedTable(String v) {
        return v != null && v.matches("[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}");
    }
}
