package io.cachesync.ingest.publish;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.core.topics.CompactEnvelope;
import io.debezium.embedded.EmbeddedEngineChangeEvent;
import io.debezium.engine.ChangeEvent;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.storage.ConverterType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * Writes change events in the {@link CompactEnvelope compact form}: Debezium converts only the payload
 * ({@code value.converter.schemas.enable=false}), and this class puts the reference to the event's Connect schema in
 * front of it. Each schema is written to the schemas' topic ({@link io.cachesync.core.topics.TopicNames#schemas()}) the first time this publisher meets it, and Kafka has
 * acknowledged it before the first event naming it is sent: whoever reads an event can find its schema by reading that
 * topic to its end.
 *
 * <p>Debezium builds one {@link Schema} object per table and keeps it until the table's columns change, so the id is
 * found by identity; the JSON of a schema (as the JsonConverter would have written it into every event) is built and
 * hashed once per object.
 */
final class CompactEvents {
    private static final Logger LOG = LoggerFactory.getLogger(CompactEvents.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Distinct schema objects remembered (Debezium keeps one per table; more means the columns changed often). */
    private static final int MAX_REMEMBERED = 10_000;

    /** The Connect schema of a change event's value, as the engine read it. */
    static final Function<ChangeEvent<String, String>, Schema> ENGINE_SCHEMA = event -> {
        if (event instanceof EmbeddedEngineChangeEvent<?, ?, ?> embedded) {
            return embedded.sourceRecord().valueSchema();
        }
        throw new IllegalStateException("ingest.envelope=compact needs the events of Debezium's embedded engine ("
                + EmbeddedEngineChangeEvent.class.getName() + "), got " + event.getClass().getName() + "; set ingest.envelope=debezium");
    };

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Function<ChangeEvent<String, String>, Schema> schemaOf;
    private final JsonConverter converter = new JsonConverter();
    private final Map<Schema, String> ids = new IdentityHashMap<>();
    private final Set<String> written = new HashSet<>();

    /**
     * @param producer the publisher's idempotent, acks=all producer
     * @param topic    the schemas' topic ({@link io.cachesync.core.topics.TopicNames#schemas()})
     */
    CompactEvents(Producer<byte[], byte[]> producer, String topic, Function<ChangeEvent<String, String>, Schema> schemaOf) {
        this.producer = producer;
        this.topic = topic;
        this.schemaOf = schemaOf;
        converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, true,
                JsonConverterConfig.TYPE_CONFIG, ConverterType.VALUE.getName()));
    }

    /**
     * The compact event of {@code payload}, the value Debezium converted for {@code event}; its schema is in
     * the schemas' topic when this returns.
     *
     * @throws ExecutionException when Kafka did not acknowledge the schema (nothing of the event was sent)
     */
    String of(ChangeEvent<String, String> event, String payload) throws ExecutionException, InterruptedException {
        Schema schema = schemaOf.apply(event);
        String id = ids.get(schema);
        if (id == null) {
            id = idOf(schema);
            if (ids.size() >= MAX_REMEMBERED) {
                ids.clear();
            }
            ids.put(schema, id);
        }
        return CompactEnvelope.of(id, payload);
    }

    private String idOf(Schema schema) throws ExecutionException, InterruptedException {
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(converter.asJsonSchema(schema));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the Connect schema " + schema + " as JSON", e);
        }
        String id = CompactEnvelope.schemaId(json);
        if (!written.contains(id)) {
            producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.US_ASCII), json)).get();
            written.add(id);
            LOG.info("cdc-ingest: schema {} ({}, {} bytes) written to {}", id, schema.name(), json.length, topic);
        }
        return id;
    }
}
