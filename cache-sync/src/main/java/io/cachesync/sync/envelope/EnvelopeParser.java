package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Turns a Debezium change event (JsonConverter, with or without the Connect schema) into a {@link CacheMutation}.
 * Anything it cannot use raises {@link PoisonRecordException} with a reason a person can act on.
 */
public final class EnvelopeParser implements MutationParser {
    private static final ObjectMapper MAPPER = ValueCodec.mapper();

    private final EntityCatalog catalog;
    private final java.util.function.Consumer<EntityDefinition> onSchemaChange;
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.Set<String>> columns = new java.util.concurrent.ConcurrentHashMap<>();

    public EnvelopeParser(EntityCatalog catalog) {
        this(catalog, e -> { });
    }

    /** @param onSchemaChange told when an entity's events carry other columns than before (ADD/DROP COLUMN) */
    public EnvelopeParser(EntityCatalog catalog, java.util.function.Consumer<EntityDefinition> onSchemaChange) {
        this.catalog = catalog;
        this.onSchemaChange = onSchemaChange;
    }

    private void trackColumns(EntityDefinition entity, JsonNode rowSchema) {
        if (rowSchema == null) {
            return;
        }
        java.util.Set<String> now = new java.util.TreeSet<>();
        rowSchema.path("fields").forEach(f -> now.add(f.path("field").asText()));
        java.util.Set<String> before = columns.put(entity.name(), now);
        if (before != null && !before.equals(now)) {
            onSchemaChange.accept(entity);
        }
    }

    /**
     * @param topic the topic the record came from ({@code cachesync.<schema>.<table>})
     * @param value the record value
     */
    @Override
    public CacheMutation parse(String topic, byte[] value) throws PoisonRecordException {
        EntityDefinition entity = entityOf(topic)
                .orElseThrow(() -> new PoisonRecordException("no entity is configured for topic " + topic));
        if (value == null || value.length == 0) {
            throw new PoisonRecordException("empty value (a Kafka tombstone); cdc-ingest publishes deletes as events with op=d");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (IOException e) {
            throw new PoisonRecordException("value is not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new PoisonRecordException("value is not a JSON object");
        }
        JsonNode schema = root.has("payload") && root.has("schema") ? root.get("schema") : null;
        JsonNode payload = schema != null ? root.get("payload") : root;
        if (payload == null || !payload.isObject()) {
            throw new PoisonRecordException("payload is not a JSON object");
        }
        String op = payload.path("op").asText("");
        CacheMutation.Op mop = switch (op) {
            case "c", "u", "r" -> CacheMutation.Op.UPSERT;
            case "d" -> CacheMutation.Op.DELETE;
            default -> throw new PoisonRecordException("op is '" + op + "', expected one of c, u, r, d");
        };
        JsonNode source = payload.path("source");
        String version = version(source.get("lsn"));
        long ts = source.path("ts_ms").asLong(payload.path("ts_ms").asLong(0));
        boolean snapshot = "r".equals(op) || isSnapshot(source.get("snapshot"));
        JsonNode row = mop == CacheMutation.Op.DELETE ? payload.get("before") : payload.get("after");
        if (row == null || !row.isObject()) {
            throw new PoisonRecordException(mop == CacheMutation.Op.DELETE
                    ? "delete event has no before image (it needs at least the key column)"
                    : "event op=" + op + " has no after image");
        }
        String id = id(entity, row.get(entity.keyColumn()));
        trackColumns(entity, structSchema(schema, mop == CacheMutation.Op.DELETE ? "before" : "after"));
        String document = null;
        com.fasterxml.jackson.databind.node.ObjectNode after = null;
        if (mop == CacheMutation.Op.UPSERT) {
            after = ValueCodec.fromDebezium(entity, structSchema(schema, "after"), row);
            document = ValueCodec.encode(after);
        }
        java.util.Map<String, java.util.Set<String>> lists = java.util.Map.of();
        if (!entity.query().lists().isEmpty()) {
            JsonNode beforeRow = payload.get("before");
            JsonNode before = beforeRow != null && beforeRow.isObject()
                    ? ValueCodec.fromDebezium(entity, structSchema(schema, "before"), beforeRow) : null;
            lists = CacheMutation.listValues(entity, before, after);
        }
        return new CacheMutation(entity, id, mop, version, document, ts, snapshot, lists);
    }

    private Optional<EntityDefinition> entityOf(String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        String[] parts = topic.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        return catalog.byTable(parts[1] + "." + parts[2]);
    }

    private static String version(JsonNode lsn) throws PoisonRecordException {
        if (lsn == null || lsn.isNull()) {
            throw new PoisonRecordException("source.lsn is missing: the version of a change is its LSN");
        }
        try {
            BigInteger v = lsn.isNumber() ? lsn.bigIntegerValue() : new BigInteger(lsn.asText().trim());
            if (v.signum() <= 0) {
                throw new PoisonRecordException("source.lsn must be > 0, was " + v);
            }
            return v.toString();
        } catch (NumberFormatException e) {
            throw new PoisonRecordException("source.lsn is not an integer: '" + lsn.asText() + "'");
        }
    }

    private static boolean isSnapshot(JsonNode n) {
        if (n == null || n.isNull()) {
            return false;
        }
        String s = n.asText();
        return !s.equals("false") && !s.isEmpty();
    }

    private static String id(EntityDefinition entity, JsonNode key) throws PoisonRecordException {
        if (key == null || key.isNull() || key.isContainerNode()) {
            throw new PoisonRecordException("row has no usable key column '" + entity.keyColumn() + "'");
        }
        String raw = key.isNumber() ? key.bigIntegerValue().toString() : key.asText();
        return entity.keyType().canonical(raw).orElseThrow(() ->
                new PoisonRecordException("key column '" + entity.keyColumn() + "' = '" + raw + "' is not " + entity.keyType().describe()));
    }

    private static JsonNode structSchema(JsonNode schema, String field) {
        if (schema == null) {
            return null;
        }
        for (JsonNode f : schema.path("fields")) {
            if (field.equals(f.path("field").asText())) {
                return f;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
