package io.cachesync.sync;

import java.nio.charset.StandardCharsets;

/**
 * Debezium 3.x PostgreSQL change events as JsonConverter writes them with schemas enabled
 * (decimal.handling.mode=string), for the demo's {@code public.users} table.
 */
public final class Envelopes {
    private Envelopes() {
    }

    private static final String ROW_SCHEMA = """
            {"type":"struct","fields":[
              {"type":"int64","optional":false,"field":"id"},
              {"type":"string","optional":false,"field":"name"},
              {"type":"string","optional":false,"field":"email"},
              {"type":"string","optional":false,"field":"password_hash"},
              {"type":"string","optional":false,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"created_at"}],
             "optional":true,"name":"cachesync.public.users.Value","field":"%s"}""";

    private static final String SCHEMA = """
            {"type":"struct","fields":[%s,%s,
              {"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},
                {"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},
                {"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},
                {"type":"string","optional":false,"field":"db"},{"type":"string","optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},
                {"type":"int64","optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":true,"field":"xmin"}],
               "optional":false,"name":"io.debezium.connector.postgresql.Source","field":"source"},
              {"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"}],
             "optional":false,"name":"cachesync.public.users.Envelope","version":2}""".formatted(ROW_SCHEMA.formatted("before"), ROW_SCHEMA.formatted("after"));

    public static String row(long id, String name) {
        return """
                {"id":%d,"name":"%s","email":"u%d@example.com","password_hash":"$argon2id$secret%d","created_at":"2026-11-26T10:15:30.123456Z"}"""
                .formatted(id, name, id, id);
    }

    /** An event with op c/u/r/d and no {@code source.sequence} (as older Debezium wrote); rows are JSON or null. */
    public static byte[] event(String op, String before, String after, long lsn, long tsMs) {
        return event(op, before, after, "null", lsn, tsMs);
    }

    /**
     * An event with op c/u/r/d whose {@code source.sequence} is {@code ["commit","lsn"]}, as Debezium 3.6 writes it:
     * {@code commit} is the commit position of the transaction decoded before this one.
     */
    public static byte[] event(String op, String before, String after, long commit, long lsn, long tsMs) {
        return event(op, before, after, "\"[\\\"" + commit + "\\\",\\\"" + lsn + "\\\"]\"", lsn, tsMs);
    }

    private static byte[] event(String op, String before, String after, String sequence, long lsn, long tsMs) {
        String payload = """
                {"before":%s,"after":%s,"source":{"version":"3.6.1.Final","connector":"postgresql","name":"cachesync","ts_ms":%d,
                 "snapshot":"%s","db":"postgres","sequence":%s,"schema":"public","table":"users","txId":771,"lsn":%d,"xmin":null},
                 "op":"%s","ts_ms":%d}""".formatted(before, after, tsMs, "r".equals(op) ? "true" : "false", sequence, lsn, op, tsMs + 3);
        return ("{\"schema\":" + SCHEMA + ",\"payload\":" + payload + "}").getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] upsert(long id, String name, long lsn) {
        return event("u", row(id, "old"), row(id, name), lsn, 1_764_150_000_000L);
    }

    /** An update committed in the transaction decoded after the commit at {@code commit}, its record at {@code lsn}. */
    public static byte[] upsert(long id, String name, long commit, long lsn) {
        return event("u", row(id, "old"), row(id, name), commit, lsn, 1_764_150_000_000L);
    }

    /** The version cache-sync gives a change without {@code source.sequence}: its LSN in both halves. */
    public static String version(long lsn) {
        return io.cachesync.sync.envelope.CommitOrderVersion.of(lsn, lsn);
    }

    public static byte[] delete(long id, long lsn) {
        return event("d", row(id, "gone"), null, lsn, 1_764_150_000_000L);
    }
}
