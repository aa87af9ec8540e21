package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.topics.CompactEnvelope;
import io.cachesync.core.topics.TopicTail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The schemas cdc-ingest wrote to the schemas' topic ({@link io.cachesync.core.topics.TopicNames#schemas()}). An id not seen yet has the topic read to its end: cdc-ingest
 * had the schema acknowledged before it sent the first event naming it, so an id that is still missing after that
 * does not exist. The topic is read from its beginning once and then only for what was appended since
 * ({@link TopicTail}, which reads it whole again when it was deleted and created anew): a record naming an id that does
 * not exist (a foreign or corrupted producer) costs two small requests when nothing was appended since the last
 * look-up, instead of a read of the whole topic with a new consumer. A record whose key is not the id of its value is
 * ignored (with a warning).
 */
public final class SchemaTopic implements SchemaSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaTopic.class);
    private static final ObjectMapper MAPPER = ValueCodec.mapper();

    private final TopicTail tail;
    private final Map<String, JsonNode> known = new ConcurrentHashMap<>();

    private final String topic;

    /**
     * @param topic    the schemas' topic
     * @param clientId the client id of the consumer that reads the topic (it uses no consumer group)
     */
    public SchemaTopic(Map<String, Object> kafkaClientConfig, String topic, String clientId) {
        this.topic = topic;
        this.tail = new TopicTail(kafkaClientConfig, topic, clientId);
    }

    @Override
    public JsonNode schema(String id) {
        JsonNode schema = known.get(id);
        if (schema != null) {
            return schema;
        }
        synchronized (this) {
            if (!known.containsKey(id)) {
                tail.catchUp(r -> keep(r.key(), r.value()));
            }
        }
        return known.get(id);
    }

    /** Records of the topic read so far. */
    synchronized long recordsRead() {
        return tail.recordsRead();
    }

    @Override
    public synchronized void close() {
        tail.close();
    }

    private void keep(byte[] key, byte[] value) {
        if (key == null || value == null) {
            return;
        }
        String id = new String(key, StandardCharsets.US_ASCII);
        if (!id.equals(CompactEnvelope.schemaId(value))) {
            LOG.warn("a record of {} is not the schema of its key {}: ignored", topic, id);
            return;
        }
        try {
            known.putIfAbsent(id, MAPPER.readTree(value));
        } catch (IOException e) {
            LOG.warn("the record of {} for schema {} is not JSON: ignored", topic, id);
        }
    }
}
