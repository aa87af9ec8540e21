package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.topics.Topics;
import io.cachesync.core.topics.TopicNames;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Turns a Debezium change event (JsonConverter, with or without the Connect schema, or in cdc-ingest's
 * {@link io.cachesync.core.topics.CompactEnvelope compact form}) into a {@link CacheMutation}.
 * Anything it cannot use raises {@link PoisonRecordException} with a reason a person can act on.
 */
public final class EnvelopeParser implements MutationParser {
    private final EntityCatalog catalog;
    private final Consumer<EntityDefinition> onSchemaChange;
    private final String prefix;
    private final EnvelopeReader reader;
    /** By entity name: the columns of its last event. */
    private final ConcurrentHashMap<String, Set<String>> columns = new ConcurrentHashMap<>();
    /** By topic: the entities found so far (the topics are those of the catalog). */
    private final ConcurrentHashMap<String, EntityDefinition> byTopic = new ConcurrentHashMap<>();

    /** A parser of Debezium's envelope only: compact events are refused. */
    public EnvelopeParser(EntityCatalog catalog) {
        this(TopicNames.DEFAULT, catalog, SchemaSource.NONE, e -> { });
    }

    /** A parser of both forms, finding the schemas of compact events in {@code schemas}, of the default prefix's topics. */
    public EnvelopeParser(EntityCatalog catalog, SchemaSource schemas) {
        this(TopicNames.DEFAULT, catalog, schemas, e -> { });
    }

    /**
     * @param topics         the deployment's topics: a CDC topic of another prefix names no entity
     * @param onSchemaChange told when an entity's events carry other columns than before (ADD/DROP COLUMN, a column's
     *                       type: {@link EventSchema.Struct#shape})
     */
    public EnvelopeParser(TopicNames topics, EntityCatalog catalog, SchemaSource schemas, Consumer<EntityDefinition> onSchemaChange) {
        this.prefix = topics.prefix();
        this.catalog = catalog;
        this.onSchemaChange = onSchemaChange;
        this.reader = new EnvelopeReader(schemas, topics.schemas());
    }

    private void trackColumns(EntityDefinition entity, Set<String> now) {
        if (now == null) {
            return;
        }
        Set<String> before = columns.put(entity.name(), now);
        if (before != null && !before.equals(now)) {
            onSchemaChange.accept(entity);
        }
    }

    /**
     * @param topic the topic the record came from ({@code <prefix>.<schema>.<table>})
     * @param value the record value
     */
    @Override
    public CacheMutation parse(String topic, byte[] key, byte[] value, int sourceEpoch) throws PoisonRecordException {
        return parse(topic, value, sourceEpoch);
    }

    /** As {@link #parse(String, byte[], byte[], int)} of source epoch 0. */
    public CacheMutation parse(String topic, byte[] value) throws PoisonRecordException {
        return parse(topic, value, 0);
    }

    /** As {@link #parse(String, byte[], byte[], int)}: the key of a CDC record is not needed (the row's key is in its image). */
    public CacheMutation parse(String topic, byte[] value, int sourceEpoch) throws PoisonRecordException {
        EntityDefinition entity = entityOf(topic);
        if (entity == null) {
            throw new PoisonRecordException("no entity is configured for topic " + topic);
        }
        if (entity.source() != EntityDefinition.Source.CDC) {
            throw new PoisonRecordException("entity '" + entity.name() + "' is fed by commands (entities." + entity.name()
                    + ".source=commands): CDC events for it are refused, their versions are not comparable");
        }
        if (value == null || value.length == 0) {
            throw new PoisonRecordException("empty value (a Kafka tombstone); cdc-ingest publishes deletes as events with op=d");
        }
        EnvelopeReader.Envelope envelope;
        try {
            envelope = reader.read(entity.name(), value, !entity.query().lists().isEmpty());
        } catch (EnvelopeReader.UnknownSchemaException e) {
            throw new PoisonRecordException(e.getMessage());
        } catch (IOException e) {
            throw new PoisonRecordException("value is not JSON: " + firstLine(e.getMessage()));
        }
        JsonNode root = envelope.root();
        if (root == null || !root.isObject()) {
            throw new PoisonRecordException("value is not a JSON object");
        }
        EventSchema schema = root.has("payload") && root.has("schema") ? envelope.schemaOf(root.get("schema")) : null;
        JsonNode payload = schema != null ? root.get("payload") : root;
        if (payload == null || !payload.isObject()) {
            throw new PoisonRecordException("payload is not a JSON object");
        }
        String op = payload.path("op").asText("");
        JsonNode source = payload.path("source");
        long ts = source.path("ts_ms").asLong(payload.path("ts_ms").asLong(0));
        if ("t".equals(op)) {
            return new CacheMutation(entity, null, CacheMutation.Op.TRUNCATE, CommitOrderVersion.of(sourceEpoch, source, false), null, ts, false);
        }
        CacheMutation.Op mop = switch (op) {
            case "c", "u", "r" -> CacheMutation.Op.UPSERT;
            case "d" -> CacheMutation.Op.DELETE;
            default -> throw new PoisonRecordException("op is '" + op + "', expected one of c, u, r, d, t");
        };
        String version = CommitOrderVersion.of(sourceEpoch, source, "r".equals(op));
        boolean snapshot = "r".equals(op) || isSnapshot(source.get("snapshot"));
        JsonNode row = mop == CacheMutation.Op.DELETE ? payload.get("before") : payload.get("after");
        if (row == null || !row.isObject()) {
            throw new PoisonRecordException(mop == CacheMutation.Op.DELETE
                    ? "delete event has no before image (it needs at least the key column)"
                    : "event op=" + op + " has no after image");
        }
        String id = id(entity, row);
        if (payload.has(Topics.TOO_LARGE_FIELD)) {
            // cdc-ingest could not publish the whole event: the image holds the key columns only (a delete needs no more)
            return new CacheMutation(entity, id, mop == CacheMutation.Op.DELETE ? mop : CacheMutation.Op.INVALIDATE, version, null, ts,
                    snapshot, Map.of());
        }
        EventSchema.Struct before = schema == null ? EventSchema.Struct.ABSENT : schema.before();
        EventSchema.Struct after = schema == null ? EventSchema.Struct.ABSENT : schema.after();
        trackColumns(entity, (mop == CacheMutation.Op.DELETE ? before : after).columns());
        String document = null;
        ObjectNode afterDocument = null;
        boolean unavailable = mop == CacheMutation.Op.UPSERT && row instanceof ObjectNode image && UnavailableValues.anyIn(image);
        if (unavailable) {
            // an untouched TOASTed column the event does not carry: never cached; the row is invalidated (versioned) and
            // the next read fills it whole. Its other columns still tell which list values it left or joined.
            mop = CacheMutation.Op.INVALIDATE;
            afterDocument = document(entity, after, UnavailableValues.without((ObjectNode) row), "after");
        } else if (mop == CacheMutation.Op.UPSERT) {
            afterDocument = document(entity, after, row, "after");
            document = ValueCodec.encode(afterDocument);
        }
        Map<String, Set<String>> lists = Map.of();
        if (!entity.query().lists().isEmpty()) {
            JsonNode beforeRow = payload.get("before");
            JsonNode beforeDocument = beforeRow instanceof ObjectNode b
                    ? document(entity, before, UnavailableValues.anyIn(b) ? UnavailableValues.without(b) : b, "before") : null;
            lists = CacheMutation.listValues(entity, beforeDocument, afterDocument);
        }
        String carried = unavailable ? ValueCodec.encode(afterDocument) : null;
        return new CacheMutation(entity, id, mop, version, document, ts, snapshot, lists, null, carried);
    }

    /** The cached document of one image; a value that does not fit its column's type makes the record poison. */
    private static ObjectNode document(EntityDefinition entity, EventSchema.Struct struct, JsonNode row, String image)
            throws PoisonRecordException {
        try {
            return ValueCodec.fromDebezium(entity, struct.columnSchemas(), row);
        } catch (IllegalArgumentException e) {
            throw new PoisonRecordException(image + " image: " + e.getMessage());
        }
    }

    /** The entity of {@code <prefix>.<schema>.<table>}, or null. */
    private EntityDefinition entityOf(String topic) {
        if (topic == null) {
            return null;
        }
        EntityDefinition known = byTopic.get(topic);
        if (known != null) {
            return known;
        }
        String[] parts = topic.split("\\.");
        if (parts.length != 3 || !parts[0].equals(prefix)) {
            return null;
        }
        EntityDefinition entity = catalog.byTable(parts[1] + "." + parts[2]).orElse(null);
        if (entity != null) {
            byTopic.put(topic, entity);
        }
        return entity;
    }

    private static boolean isSnapshot(JsonNode n) {
        if (n == null || n.isNull()) {
            return false;
        }
        String s = n.asText();
        return !s.equals("false") && !s.isEmpty();
    }

    /** The canonical id of an image: its key columns' values, in key order. */
    private static String id(EntityDefinition entity, JsonNode row) throws PoisonRecordException {
        List<String> values = new ArrayList<>(entity.key().columns().size());
        for (String column : entity.key().names()) {
            JsonNode value = row.get(column);
            if (value == null || value.isNull() || value.isContainerNode()) {
                throw new PoisonRecordException("row has no usable key column '" + column + "'");
            }
            if (value.isIntegralNumber() && value.canConvertToLong()) {
                values.add(Long.toString(value.longValue()));
            } else {
                values.add(value.isNumber() ? value.bigIntegerValue().toString() : value.asText());
            }
        }
        return entity.key().ofValues(values).orElseThrow(() -> new PoisonRecordException("key " + String.join(",", entity.key().names())
                + " = " + values + " is not " + entity.key().describe()));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
