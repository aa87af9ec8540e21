package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.topics.CompactEnvelope;
import io.cachesync.sync.UserEvents;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reader keeps an entity's schema and reuses its tree; whatever the bytes after it, the answer agrees with the one
 * {@code readTree} gives for the whole event in everything the parser uses, and the parser's mutations are those of a
 * parser that never kept one.
 */
class EnvelopeReaderTest {
    private static final String TOPIC = "cachesync.public.users";
    private final EntityCatalog catalog = EntityCatalog.from(Settings.of(Map.of(
            "entities", "users", "entities.users.sensitive", "password_hash", "entities.users.lists", "name")), new ArrayList<>());

    private static String text(byte[] event) {
        return new String(event, StandardCharsets.UTF_8);
    }

    /** The schema's text as it stands in every event of {@link UserEvents}. */
    private static String schemaText() {
        String event = text(UserEvents.upsert(1, "a", 1));
        return event.substring("{\"schema\":".length(), event.indexOf(",\"payload\":"));
    }

    /** Events that start with the kept schema, well-formed or not. */
    private static List<String> eventsAfterTheSchema() {
        String schema = schemaText();
        String payload = text(UserEvents.upsert(3, "Ada", 900)).substring(("{\"schema\":" + schema + ",\"payload\":").length());
        payload = payload.substring(0, payload.length() - 1);
        String head = "{\"schema\":" + schema;
        return List.of(
                head + ",\"payload\":" + payload + "}",
                head + " ,\n \"payload\" : " + payload + " }",
                head + ",\"payload\":" + payload + "}  trailing",
                head + ",\"payload\":" + payload + "}}",
                head + ",\"payload\":" + payload,
                head + ",\"payload\":" + payload + ",}",
                head + ",\"schema\":{\"fields\":[]},\"payload\":" + payload + "}",
                head + ",\"payload\":" + payload + ",\"schema\":null}",
                head + ",\"payload\":{\"op\":\"x\"},\"payload\":" + payload + "}",
                head + "}",
                head + ".5,\"payload\":" + payload + "}",
                head + "0,\"payload\":" + payload + "}",
                head + "x,\"payload\":" + payload + "}",
                head + "]",
                head,
                head + ",\"payload\":[1,2,{\"a\":null}]}",
                head + ",\"payload\":{\"op\":\"\",\"ts_ms\":-1,\"source\":{\"lsn\":18446744073709551616,\"ts_ms\":2147483648,"
                        + "\"snapshot\":true},\"after\":{\"id\":1.5e3,\"x\":false}}}",
                head + ",\"payload\":{\"op\":null,\"ts_ms\":1.25,\"source\":{\"lsn\":\"7\",\"ts_ms\":null,\"snapshot\":false},"
                        + "\"after\":\"row\",\"before\":7}}",
                head + ",\"payload\":{\"op\":\"d\",\"source\":[1],\"before\":{\"id\":-2147483649}}}");
    }

    /** readTree's answer: the tree, or the exception's message. */
    private static Object reference(String event) {
        try {
            return ValueCodec.mapper().readTree(event.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static Object read(EnvelopeReader reader, String event, boolean withBefore) {
        try {
            return reader.read("users", event.getBytes(StandardCharsets.UTF_8), withBefore).root();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    /** What the parser uses of an answer: a payload object reduced to the fields the reader promises to keep. */
    private static Object used(Object answer, boolean withBefore) {
        if (!(answer instanceof ObjectNode root) || !(root.get("payload") instanceof ObjectNode payload)) {
            return answer;
        }
        ObjectNode kept = ValueCodec.mapper().createObjectNode();
        for (String field : List.of("op", "ts_ms", "after")) {
            if (payload.has(field)) {
                kept.set(field, payload.get(field));
            }
        }
        if (payload.has("before") && (withBefore || "d".equals(payload.path("op").asText(null)))) {
            kept.set("before", payload.get("before"));
        }
        JsonNode source = payload.get("source");
        if (source instanceof ObjectNode s) {
            ObjectNode keptSource = kept.putObject("source");
            for (String field : List.of("lsn", "ts_ms", "snapshot")) {
                if (s.has(field)) {
                    keptSource.set(field, s.get(field));
                }
            }
        } else if (source != null) {
            kept.set("source", source);
        }
        ObjectNode copy = root.deepCopy();
        copy.set("payload", kept);
        return copy;
    }

    @Test
    void eventsAfterAKeptSchemaReadAsReadTreeReadsThem() throws Exception {
        for (boolean withBefore : new boolean[] {true, false}) {
            EnvelopeReader reader = new EnvelopeReader(SchemaSource.NONE);
            reader.read("users", UserEvents.upsert(1, "a", 1), withBefore);
            assertThat(reader.read("users", UserEvents.upsert(2, "b", 2), withBefore).schema()).as("the schema was kept").isNotNull();
            for (String event : eventsAfterTheSchema()) {
                assertThat(used(read(reader, event, withBefore), withBefore)).as(event).isEqualTo(used(reference(event), withBefore));
            }
        }
    }

    @Test
    void aPayloadReadAfterAKeptSchemaKeepsWhatTheParserUsesAndNothingElse() throws Exception {
        EnvelopeReader reader = new EnvelopeReader(SchemaSource.NONE);
        reader.read("users", UserEvents.upsert(1, "a", 1), false);
        JsonNode update = reader.read("users", UserEvents.upsert(2, "b", 2), false).root().get("payload");
        assertThat(update.has("before")).as("before of an update, not wanted").isFalse();
        assertThat(update.path("after").path("name").asText()).isEqualTo("b");
        assertThat(update.path("op").asText()).isEqualTo("u");
        assertThat(update.path("source").path("lsn").asLong()).isEqualTo(2);
        JsonNode delete = reader.read("users", UserEvents.delete(3, 4), false).root().get("payload");
        assertThat(delete.path("before").path("id").asLong()).as("before of a delete").isEqualTo(3);
        JsonNode wanted = reader.read("users", UserEvents.upsert(2, "b", 5), true).root().get("payload");
        assertThat(wanted.has("before")).as("before, wanted").isTrue();
        JsonNode full = ValueCodec.mapper().readTree(UserEvents.upsert(2, "b", 5)).get("payload");
        assertThat(wanted.get("before")).isEqualTo(full.get("before"));
    }

    @Test
    void theKeptSchemaStandsInTheTreeOnlyWhereItIsTheEventsSchema() throws Exception {
        EnvelopeReader reader = new EnvelopeReader(SchemaSource.NONE);
        reader.read("users", UserEvents.upsert(1, "a", 1), true);
        EnvelopeReader.Envelope same = reader.read("users", UserEvents.upsert(2, "b", 2), true);
        assertThat(same.root().get("schema")).isSameAs(same.schema().node());
        assertThat(same.schemaOf(same.root().get("schema"))).isSameAs(same.schema());

        String overridden = text(UserEvents.upsert(2, "b", 2)).replace(",\"payload\":", ",\"schema\":{\"fields\":[]},\"payload\":");
        EnvelopeReader.Envelope other = reader.read("users", overridden.getBytes(StandardCharsets.UTF_8), true);
        JsonNode schema = other.root().get("schema");
        assertThat(schema).isEqualTo(ValueCodec.mapper().readTree("{\"fields\":[]}"));
        assertThat(other.schemaOf(schema).node()).isSameAs(schema);
    }

    @Test
    void parserWithAKeptSchemaGivesTheMutationsOfAParserWithout() throws Exception {
        EntityCatalog withoutLists = EntityCatalog.from(Settings.of(Map.of(
                "entities", "users", "entities.users.sensitive", "password_hash")), new ArrayList<>());
        for (EntityCatalog c : List.of(catalog, withoutLists)) {
            keptSchemaChangesNoMutation(c);
        }
    }

    private static void keptSchemaChangesNoMutation(EntityCatalog catalog) throws Exception {
        EnvelopeParser warm = new EnvelopeParser(catalog);
        List<byte[]> events = List.of(UserEvents.upsert(1, "Ada", 10), UserEvents.upsert(1, "Grace", 11), UserEvents.delete(1, 12),
                UserEvents.USERS.read(UserEvents.row(2, "Snap")).lsn(13L).bytes(),
                UserEvents.USERS.insert(UserEvents.row(3, "New")).lsn(14L).bytes(),
                UserEvents.upsert(4, "Zoë", Long.MAX_VALUE));
        for (int round = 0; round < 2; round++) {
            for (byte[] event : events) {
                CacheMutation cold = new EnvelopeParser(catalog).parse(TOPIC, event);
                assertThat(warm.parse(TOPIC, event)).isEqualTo(cold);
            }
        }
    }

    @Test
    void lsnAndKeyBeyondLongAreKeptExactly() throws Exception {
        String event = text(UserEvents.upsert(5, "big", 7)).replace("\"lsn\":7", "\"lsn\":18446744073709551615")
                .replace("{\"id\":5,", "{\"id\":5.0,");
        CacheMutation m = new EnvelopeParser(catalog).parse(TOPIC, event.getBytes(StandardCharsets.UTF_8));
        assertThat(m.version()).isEqualTo("0000" + "f".repeat(32));
        assertThat(m.id()).isEqualTo("5");
    }

    /** {@code event} (Debezium's envelope) in the compact form; its schema is put in {@code schemas} under its id. */
    private static byte[] compact(byte[] event, Map<String, JsonNode> schemas) throws Exception {
        String text = text(event);
        String schema = text.substring("{\"schema\":".length(), text.indexOf(",\"payload\":"));
        String payload = text.substring(text.indexOf(",\"payload\":") + ",\"payload\":".length(), text.length() - 1);
        String id = CompactEnvelope.schemaId(schema.getBytes(StandardCharsets.UTF_8));
        schemas.put(id, ValueCodec.mapper().readTree(schema));
        return CompactEnvelope.of(id, payload).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCompactEventGivesTheMutationOfItsDebeziumEnvelopeAndItsSchemaIsLookedUpOnce() throws Exception {
        EntityCatalog withoutLists = EntityCatalog.from(Settings.of(Map.of(
                "entities", "users", "entities.users.sensitive", "password_hash")), new ArrayList<>());
        List<byte[]> events = List.of(UserEvents.upsert(1, "Ada", 10), UserEvents.upsert(1, "Grace", 11), UserEvents.delete(1, 12),
                UserEvents.USERS.read(UserEvents.row(2, "Snap")).lsn(13L).bytes(),
                UserEvents.USERS.insert(UserEvents.row(3, "New")).lsn(14L).bytes(),
                UserEvents.upsert(4, "Zoë \"quoted\"", Long.MAX_VALUE));
        for (EntityCatalog c : List.of(catalog, withoutLists)) {
            Map<String, JsonNode> schemas = new HashMap<>();
            List<String> lookedUp = new ArrayList<>();
            EnvelopeParser compactParser = new EnvelopeParser(c, id -> {
                lookedUp.add(id);
                return schemas.get(id);
            });
            for (int round = 0; round < 2; round++) {
                for (byte[] event : events) {
                    byte[] compactEvent = compact(event, schemas);
                    assertThat(compactEvent.length).as("a fraction of the envelope's bytes").isLessThan(event.length / 2);
                    assertThat(compactParser.parse(TOPIC, compactEvent)).isEqualTo(new EnvelopeParser(c).parse(TOPIC, event));
                }
            }
            assertThat(lookedUp).as("one schema for all these events, looked up once").hasSize(1).containsExactlyElementsOf(schemas.keySet());
        }
    }

    @Test
    void aCompactEventWithAnUnknownOrMalformedSchemaIdOrPayloadIsRefusedWithTheReason() throws Exception {
        Map<String, JsonNode> schemas = new HashMap<>();
        String good = text(compact(UserEvents.upsert(1, "Ada", 10), schemas));
        String id = schemas.keySet().iterator().next();
        EnvelopeParser parser = new EnvelopeParser(catalog, schemas::get);
        assertThat(parser.parse(TOPIC, good.getBytes(StandardCharsets.UTF_8)).document()).contains("Ada");

        String unknown = good.replace(id, "0".repeat(CompactEnvelope.ID_LENGTH));
        assertThatThrownBy(() -> parser.parse(TOPIC, unknown.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PoisonRecordException.class).hasMessage("schema " + "0".repeat(32) + " is not in cachesync.schemas (read to its end)");
        assertThatThrownBy(() -> new EnvelopeParser(catalog).parse(TOPIC, good.getBytes(StandardCharsets.UTF_8)))
                .as("a parser without a schema source").isInstanceOf(PoisonRecordException.class).hasMessageContaining("is not in cachesync.schemas");
        for (String malformed : List.of(good.replace(id, id.toUpperCase(java.util.Locale.ROOT)), good.replace(id, id.substring(1)),
                "{\"schema_id\":\"" + id)) {
            assertThatThrownBy(() -> parser.parse(TOPIC, malformed.getBytes(StandardCharsets.UTF_8))).as(malformed)
                    .isInstanceOf(PoisonRecordException.class).hasMessage("a compact event's schema_id must be 32 lower-case hex digits");
        }
        for (String notJson : List.of(good + " trailing", good.substring(0, good.length() - 1), good + "}", good.replace("\"payload\":{", "\"payload\":{,"))) {
            assertThatThrownBy(() -> parser.parse(TOPIC, notJson.getBytes(StandardCharsets.UTF_8))).as(notJson)
                    .isInstanceOf(PoisonRecordException.class).hasMessageStartingWith("value is not JSON");
        }
        String noPayload = "{\"schema_id\":\"" + id + "\",\"payload\":[1]}";
        assertThatThrownBy(() -> parser.parse(TOPIC, noPayload.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PoisonRecordException.class).hasMessage("payload is not a JSON object");
    }
}
