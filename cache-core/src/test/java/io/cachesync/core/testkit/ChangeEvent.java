package io.cachesync.core.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One change event of a {@link ChangeEvents} table, set fluently and written as Debezium 3.6's PostgreSQL connector
 * writes it through JsonConverter: {@code before}, {@code after}, the {@code source} block, {@code transaction} (null),
 * {@code op} and the envelope's timestamps, under the Connect schema unless {@link #withoutSchema()}.
 *
 * <p>Unless set: no {@code source.lsn} (null), no {@code source.sequence} (null, the event of a Debezium that did not
 * write it), committed at {@link #COMMITTED_AT_MS} and emitted 3 ms later. {@code source.snapshot} is {@code "true"}
 * for a read, {@code "false"} otherwise.
 */
public final class ChangeEvent {
    /** {@code source.ts_ms} unless set: 2025-11-26T09:40:00Z. */
    public static final long COMMITTED_AT_MS = 1_764_150_000_000L;

    private static final String DEBEZIUM_VERSION = "3.6.1.Final";
    private static final String DATABASE = "postgres";
    private static final long TX_ID = 771;
    private static final String SNAPSHOT_VALUES = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental";

    private final ChangeEvents table;
    private final String op;
    private final String before;
    private final String after;
    private Long lsn;
    private boolean sequenced;
    private Long lastCommit;
    private long committedAtMs = COMMITTED_AT_MS;
    private Long emittedAtMs;
    private boolean withSchema = true;

    ChangeEvent(ChangeEvents table, String op, String before, String after) {
        this.table = table;
        this.op = op;
        this.before = before;
        this.after = after;
    }

    /** {@code source.lsn}: the WAL position of the change's record (null: none). */
    public ChangeEvent lsn(Long lsn) {
        this.lsn = lsn;
        return this;
    }

    /**
     * {@code source.sequence} as Debezium 3.6 writes it, a string holding the JSON array
     * {@code ["<lastCommit>","<lsn>"]}: {@code lastCommit} is the commit position of the transaction decoded before this
     * event's, null where the engine has decoded none since it started from a fresh offset.
     */
    public ChangeEvent lastCommit(Long lastCommit) {
        this.sequenced = true;
        this.lastCommit = lastCommit;
        return this;
    }

    /** {@code source.ts_ms} (and {@code ts_us}, {@code ts_ns}): when the transaction committed. */
    public ChangeEvent committedAtMs(long committedAtMs) {
        this.committedAtMs = committedAtMs;
        return this;
    }

    /** The envelope's {@code ts_ms} (and {@code ts_us}, {@code ts_ns}): when Debezium processed the event. */
    public ChangeEvent emittedAtMs(long emittedAtMs) {
        this.emittedAtMs = emittedAtMs;
        return this;
    }

    /** The payload alone, as JsonConverter writes it with {@code schemas.enable=false}. */
    public ChangeEvent withoutSchema() {
        this.withSchema = false;
        return this;
    }

    public String json() {
        return ConnectJson.write(withSchema ? schema() : null, payload());
    }

    public byte[] bytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    private ObjectNode payload() {
        long emitted = emittedAtMs == null ? committedAtMs + 3 : emittedAtMs;
        ObjectNode payload = ConnectJson.object();
        payload.set("before", ConnectJson.parse(before));
        payload.set("after", ConnectJson.parse(after));
        ObjectNode source = payload.putObject("source").put("version", DEBEZIUM_VERSION).put("connector", "postgresql")
                .put("name", ChangeEvents.SERVER).put("ts_ms", committedAtMs).put("snapshot", "r".equals(op) ? "true" : "false")
                .put("db", DATABASE);
        source.put("sequence", sequenced ? sequence() : null);
        source.put("ts_us", committedAtMs * 1_000).put("ts_ns", committedAtMs * 1_000_000)
                .put("schema", table.schema()).put("table", table.table()).put("txId", TX_ID).put("lsn", lsn);
        source.putNull("xmin");
        payload.putNull("transaction");
        return payload.put("op", op).put("ts_ms", emitted).put("ts_us", emitted * 1_000).put("ts_ns", emitted * 1_000_000);
    }

    /** {@code ["<lastCommit>","<lsn>"]} as Debezium's PostgreSQL source info writes it (Jackson, positions as strings). */
    private String sequence() {
        ArrayNode positions = ConnectJson.array();
        positions.add(lastCommit == null ? null : lastCommit.toString());
        positions.add(lsn == null ? null : lsn.toString());
        return positions.toString();
    }

    private ObjectNode schema() {
        List<ObjectNode> fields = List.of(table.rowSchema("before"), table.rowSchema("after"), sourceSchema(), transactionSchema(),
                ConnectJson.field("op", ConnectType.STRING, false), ConnectJson.field("ts_ms", ConnectType.INT64, true),
                ConnectJson.field("ts_us", ConnectType.INT64, true), ConnectJson.field("ts_ns", ConnectType.INT64, true));
        return ConnectJson.struct(fields, false, table.schemaName("Envelope"), 2);
    }

    private static ObjectNode sourceSchema() {
        ObjectNode snapshot = ConnectJson.object().put("type", "string").put("optional", true).put("name", "io.debezium.data.Enum")
                .put("version", 1);
        snapshot.putObject("parameters").put("allowed", SNAPSHOT_VALUES);
        snapshot.put("default", "false").put("field", "snapshot");
        List<ObjectNode> fields = List.of(
                ConnectJson.field("version", ConnectType.STRING, false), ConnectJson.field("connector", ConnectType.STRING, false),
                ConnectJson.field("name", ConnectType.STRING, false), ConnectJson.field("ts_ms", ConnectType.INT64, false),
                snapshot, ConnectJson.field("db", ConnectType.STRING, false), ConnectJson.field("sequence", ConnectType.STRING, true),
                ConnectJson.field("ts_us", ConnectType.INT64, true), ConnectJson.field("ts_ns", ConnectType.INT64, true),
                ConnectJson.field("schema", ConnectType.STRING, false), ConnectJson.field("table", ConnectType.STRING, false),
                ConnectJson.field("txId", ConnectType.INT64, true), ConnectJson.field("lsn", ConnectType.INT64, true),
                ConnectJson.field("xmin", ConnectType.INT64, true));
        return ConnectJson.struct(fields, false, "io.debezium.connector.postgresql.Source", 1).put("field", "source");
    }

    private static ObjectNode transactionSchema() {
        List<ObjectNode> fields = List.of(ConnectJson.field("id", ConnectType.STRING, false),
                ConnectJson.field("total_order", ConnectType.INT64, false),
                ConnectJson.field("data_collection_order", ConnectType.INT64, false));
        return ConnectJson.struct(fields, true, "event.block", 1).put("field", "transaction");
    }
}
