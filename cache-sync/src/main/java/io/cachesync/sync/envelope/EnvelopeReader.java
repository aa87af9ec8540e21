package io.cachesync.sync.envelope;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.topics.CompactEnvelope;
import io.cachesync.core.topics.TopicNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the JSON of change events, parsing an entity's Connect schema once rather than with every event.
 *
 * <p>The JsonConverter writes each event as {@code {"schema":<schema>,"payload":<payload>}}, and the schema, about
 * four fifths of the bytes, is the same in every event of a table until its columns change. The reader keeps the
 * text and the tree of the last schema it saw at that place for each entity. When an event starts with
 * {@code {"schema":} followed by exactly that text, it parses the event with {@code {}} in place of the schema and
 * puts the kept tree there. The kept text is one complete JSON object (checked when it is kept), so the rest of the
 * event reads exactly as it would after the schema itself. Anything else, and any event that is not a JSON object
 * or does not parse, is read with {@link ObjectMapper#readTree(byte[])}, whose result or exception is the answer.
 *
 * <p>After a kept schema, a payload object is read field by field and only what {@link EnvelopeParser} uses becomes
 * a tree: {@code op}, {@code ts_ms}, {@code after}, {@code source.lsn|sequence|ts_ms|snapshot}, and {@code before} when the
 * caller needs it or the event is a delete ({@code op} comes after {@code before}, so the before image is skipped
 * and read from its bytes afterwards). The other fields are checked to be JSON but not kept.
 *
 * <p>An event in the {@link CompactEnvelope compact form} names its schema by id: the schema comes from the
 * {@link SchemaSource} (once per id) and stands in the root as if the event had carried it, and the payload is read as
 * above.
 */
final class EnvelopeReader {
    private static final ObjectMapper MAPPER = ValueCodec.mapper();
    private static final byte[] SCHEMA_FIRST = "{\"schema\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PLACEHOLDER = "{}".getBytes(StandardCharsets.US_ASCII);

    /** A schema as it stood in an event, and its tree. */
    private record Kept(byte[] text, EventSchema schema) {
    }

    /** By entity name: the last schema seen at the start of its events. */
    private final ConcurrentHashMap<String, Kept> kept = new ConcurrentHashMap<>();
    private final SchemaSource schemas;
    private final String schemasTopic;
    /** By id: the schemas of compact events met so far. */
    private final ConcurrentHashMap<String, EventSchema> byId = new ConcurrentHashMap<>();

    /** An event that names a schema the source does not have, or names none in the form of an id. */
    static final class UnknownSchemaException extends IOException {
        UnknownSchemaException(String message) {
            super(message);
        }
    }

    /** @param schemas where the schemas of compact events are found */
    EnvelopeReader(SchemaSource schemas) {
        this(schemas, TopicNames.DEFAULT.schemas());
    }

    /** @param schemasTopic where {@code schemas} reads them (named when a schema is not found) */
    EnvelopeReader(SchemaSource schemas, String schemasTopic) {
        this.schemas = schemas;
        this.schemasTopic = schemasTopic;
    }

    /**
     * An event's root.
     *
     * @param root   as {@code readTree} returns it
     * @param schema the kept schema, when its tree stands in {@code root}
     */
    record Envelope(JsonNode root, EventSchema schema) {
        /** The parser's view of {@code node}, the schema of this envelope. */
        EventSchema schemaOf(JsonNode node) {
            return schema != null && schema.node() == node ? schema : EventSchema.of(node);
        }
    }

    /**
     * @param withBefore whether the payload's {@code before} is wanted for events other than deletes
     * @throws IOException            as {@code MAPPER.readTree(value)} would
     * @throws UnknownSchemaException  for a compact event whose schema is not known
     */
    Envelope read(String entity, byte[] value, boolean withBefore) throws IOException {
        if (CompactEnvelope.isCompact(value)) {
            return readCompact(value, withBefore);
        }
        if (!startsWith(value, SCHEMA_FIRST, 0)) {
            return new Envelope(MAPPER.readTree(value), null);
        }
        Kept last = kept.get(entity);
        if (last != null && startsWith(value, last.text(), SCHEMA_FIRST.length)) {
            JsonNode root = readWithKeptSchema(value, last, withBefore);
            if (root != null) {
                return new Envelope(root, last.schema());
            }
            return new Envelope(MAPPER.readTree(value), null);
        }
        JsonNode root = MAPPER.readTree(value);
        keep(entity, value);
        return new Envelope(root, null);
    }

    private Envelope readCompact(byte[] value, boolean withBefore) throws IOException {
        String id = CompactEnvelope.idOf(value);
        if (id == null) {
            throw new UnknownSchemaException("a compact event's schema_id must be " + CompactEnvelope.ID_LENGTH + " lower-case hex digits");
        }
        EventSchema schema = byId.get(id);
        if (schema == null) {
            JsonNode node = schemas.schema(id);
            if (node == null) {
                throw new UnknownSchemaException("schema " + id + " is not in " + schemasTopic + " (read to its end)");
            }
            schema = byId.computeIfAbsent(id, i -> EventSchema.of(node));
        }
        try (JsonParser p = MAPPER.createParser(value)) {
            p.nextToken();
            ObjectNode root = MAPPER.createObjectNode();
            root.set("schema", schema.node());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                if (name.equals("schema_id")) {
                    p.skipChildren();
                } else if (token == JsonToken.START_OBJECT && name.equals("payload")) {
                    root.set(name, readPayload(p, value, withBefore));
                } else {
                    root.set(name, MAPPER.readTree(p));
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("the event is not one JSON object");
            }
            return new Envelope(root, schema);
        }
    }

    /** The root of {@code value} with the kept schema's tree for the schema; null when it is not read this way. */
    private static JsonNode readWithKeptSchema(byte[] value, Kept last, boolean withBefore) {
        int schemaEnd = SCHEMA_FIRST.length + last.text().length;
        byte[] rest = new byte[value.length - last.text().length + PLACEHOLDER.length];
        System.arraycopy(value, 0, rest, 0, SCHEMA_FIRST.length);
        System.arraycopy(PLACEHOLDER, 0, rest, SCHEMA_FIRST.length, PLACEHOLDER.length);
        System.arraycopy(value, schemaEnd, rest, SCHEMA_FIRST.length + PLACEHOLDER.length, value.length - schemaEnd);
        try (JsonParser p = MAPPER.createParser(rest)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode root = MAPPER.createObjectNode();
            boolean placed = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                if (token == JsonToken.START_OBJECT && p.currentTokenLocation().getByteOffset() == SCHEMA_FIRST.length) {
                    p.skipChildren();
                    root.set(name, last.schema().node());
                    placed = true;
                } else if (token == JsonToken.START_OBJECT && name.equals("payload")) {
                    root.set(name, readPayload(p, rest, withBefore));
                } else {
                    root.set(name, MAPPER.readTree(p));
                }
            }
            return placed ? root : null;
        } catch (IOException | RuntimeException e) {
            // not valid JSON (or not as expected): readTree of the event itself gives the answer
            return null;
        }
    }

    /** The fields of the payload object at the parser's current token that the parser uses (see the class comment). */
    private static ObjectNode readPayload(JsonParser p, byte[] bytes, boolean withBefore) throws IOException {
        ObjectNode payload = MAPPER.createObjectNode();
        int beforeFrom = -1;
        int beforeTo = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            switch (name) {
                case "before" -> {
                    if (token == JsonToken.START_OBJECT) {
                        beforeFrom = Math.toIntExact(p.currentTokenLocation().getByteOffset());
                        p.skipChildren();
                        beforeTo = Math.toIntExact(p.currentLocation().getByteOffset());
                        payload.remove(name);
                    } else {
                        beforeFrom = -1;
                        payload.set(name, MAPPER.readTree(p));
                    }
                }
                case "after", "op", "ts_ms" -> payload.set(name, MAPPER.readTree(p));
                case "source" -> payload.set(name, token == JsonToken.START_OBJECT ? readSource(p) : MAPPER.readTree(p));
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("payload object not closed");
        }
        if (beforeFrom >= 0 && (withBefore || "d".equals(payload.path("op").asText(null)))) {
            payload.set("before", MAPPER.readTree(bytes, beforeFrom, beforeTo - beforeFrom));
        }
        return payload;
    }

    /** {@code lsn}, {@code sequence}, {@code ts_ms} and {@code snapshot} of the source object at the parser's current token. */
    private static ObjectNode readSource(JsonParser p) throws IOException {
        ObjectNode source = MAPPER.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "lsn", "sequence", "ts_ms", "snapshot" -> source.set(name, MAPPER.readTree(p));
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new IOException("source object not closed");
        }
        return source;
    }

    /** Keeps the schema at the start of {@code value} if it is one complete JSON object. */
    private void keep(String entity, byte[] value) {
        try (JsonParser p = MAPPER.createParser(value)) {
            p.nextToken();
            p.nextToken();
            if (p.nextToken() != JsonToken.START_OBJECT || p.currentTokenLocation().getByteOffset() != SCHEMA_FIRST.length) {
                return;
            }
            p.skipChildren();
            byte[] text = Arrays.copyOfRange(value, SCHEMA_FIRST.length, Math.toIntExact(p.currentLocation().getByteOffset()));
            JsonNode schema = completeObject(text);
            if (schema != null) {
                kept.put(entity, new Kept(text, EventSchema.of(schema)));
            }
        } catch (IOException | RuntimeException e) {
            // not kept: the next event is read in full again
        }
    }

    /** The tree of {@code text} if it is one JSON object from its first byte to its last, else null. */
    private static JsonNode completeObject(byte[] text) throws IOException {
        if (text.length < 2 || text[0] != '{' || text[text.length - 1] != '}') {
            return null;
        }
        try (JsonParser p = MAPPER.createParser(text)) {
            JsonNode node = MAPPER.readTree(p);
            return node != null && node.isObject() && p.nextToken() == null ? node : null;
        }
    }

    private static boolean startsWith(byte[] value, byte[] prefix, int at) {
        return value.length >= at + prefix.length
                && Arrays.equals(value, at, at + prefix.length, prefix, 0, prefix.length);
    }
}
