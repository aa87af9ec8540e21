package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.sync.Envelopes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader keeps an entity's schema and reuses its tree; whatever the bytes after it, the answer is the one
 * {@code readTree} gives for the whole event, and the parser's mutations are those of a parser that never kept one.
 */
class EnvelopeReaderTest {
    private static final String TOPIC = "cachesync.public.users";
    private final EntityCatalog catalog = EntityCatalog.from(Settings.of(Map.of(
            "entities", "users", "entities.users.sensitive", "password_hash", "entities.users.lists", "name")), new ArrayList<>());

    private static String text(byte[] event) {
        return new String(event, StandardCharsets.UTF_8);
    }

    /** The schema's text as it stands in every event of {@link Envelopes}. */
    private static String schemaText() {
        String event = text(Envelopes.upsert(1, "a", 1));
        return event.substring("{\"schema\":".length(), event.indexOf(",\"payload\":"));
    }

    /** Events that start with the kept schema, well-formed or not. */
    private static List<String> eventsAfterTheSchema() {
        String schema = schemaText();
        String payload = text(Envelopes.upsert(3, "Ada", 900)).substring(("{\"schema\":" + schema + ",\"payload\":").length());
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
                head + ",\"payload\":[1,2,{\"a\":null}]}");
    }

    /** readTree's answer: the tree, or the exception's message. */
    private static Object reference(String event) {
        try {
            return ValueCodec.mapper().readTree(event.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static Object read(EnvelopeReader reader, String event) {
        try {
            return reader.read("users", event.getBytes(StandardCharsets.UTF_8)).root();
        } catch (Exception e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    @Test
    void eventsAfterAKeptSchemaReadAsReadTreeReadsThem() throws Exception {
        EnvelopeReader reader = new EnvelopeReader();
        reader.read("users", Envelopes.upsert(1, "a", 1));
        assertThat(reader.read("users", Envelopes.upsert(2, "b", 2)).schema()).as("the schema was kept").isNotNull();
        for (String event : eventsAfterTheSchema()) {
            assertThat(read(reader, event)).as(event).isEqualTo(reference(event));
        }
    }

    @Test
    void theKeptSchemaStandsInTheTreeOnlyWhereItIsTheEventsSchema() throws Exception {
        EnvelopeReader reader = new EnvelopeReader();
        reader.read("users", Envelopes.upsert(1, "a", 1));
        EnvelopeReader.Envelope same = reader.read("users", Envelopes.upsert(2, "b", 2));
        assertThat(same.root().get("schema")).isSameAs(same.schema().node());
        assertThat(same.schemaOf(same.root().get("schema"))).isSameAs(same.schema());

        String overridden = text(Envelopes.upsert(2, "b", 2)).replace(",\"payload\":", ",\"schema\":{\"fields\":[]},\"payload\":");
        EnvelopeReader.Envelope other = reader.read("users", overridden.getBytes(StandardCharsets.UTF_8));
        JsonNode schema = other.root().get("schema");
        assertThat(schema).isEqualTo(ValueCodec.mapper().readTree("{\"fields\":[]}"));
        assertThat(other.schemaOf(schema).node()).isSameAs(schema);
    }

    @Test
    void parserWithAKeptSchemaGivesTheMutationsOfAParserWithout() throws Exception {
        EnvelopeParser warm = new EnvelopeParser(catalog);
        List<byte[]> events = List.of(Envelopes.upsert(1, "Ada", 10), Envelopes.upsert(1, "Grace", 11), Envelopes.delete(1, 12),
                Envelopes.event("r", null, Envelopes.row(2, "Snap"), 13, 1L), Envelopes.event("c", null, Envelopes.row(3, "New"), 14, 2L),
                Envelopes.upsert(4, "Zoë", Long.MAX_VALUE));
        for (int round = 0; round < 2; round++) {
            for (byte[] event : events) {
                CacheMutation cold = new EnvelopeParser(catalog).parse(TOPIC, event);
                assertThat(warm.parse(TOPIC, event)).isEqualTo(cold);
            }
        }
    }

    @Test
    void lsnAndKeyBeyondLongAreKeptExactly() throws Exception {
        String event = text(Envelopes.upsert(5, "big", 7)).replace("\"lsn\":7", "\"lsn\":18446744073709551615")
                .replace("{\"id\":5,", "{\"id\":5.0,");
        CacheMutation m = new EnvelopeParser(catalog).parse(TOPIC, event.getBytes(StandardCharsets.UTF_8));
        assertThat(m.version()).isEqualTo("18446744073709551615");
        assertThat(m.id()).isEqualTo("5");
    }
}
