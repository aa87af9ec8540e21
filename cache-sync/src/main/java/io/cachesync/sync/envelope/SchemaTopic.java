package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.topics.CompactEnvelope;
import io.cachesync.core.topics.SmallTopics;
import io.cachesync.core.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The schemas cdc-ingest wrote to {@link Topics#SCHEMAS}. An id not seen yet has the topic read to its end: cdc-ingest
 * had the schema acknowledged before it sent the first event naming it, so an id that is still missing after that
 * does not exist. A record whose key is not the id of its value is ignored (with a warning).
 */
public final class SchemaTopic implements SchemaSource {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaTopic.class);
    private static final ObjectMapper MAPPER = ValueCodec.mapper();

    private final Map<String, Object> kafkaClientConfig;
    private final String clientId;
    private final Map<String, JsonNode> known = new ConcurrentHashMap<>();

    /** @param clientId the client id of the consumer that reads the topic (it uses no consumer group) */
    public SchemaTopic(Map<String, Object> kafkaClientConfig, String clientId) {
        this.kafkaClientConfig = Map.copyOf(kafkaClientConfig);
        this.clientId = clientId;
    }

    @Override
    public JsonNode schema(String id) {
        JsonNode schema = known.get(id);
        if (schema != null) {
            return schema;
        }
        synchronized (this) {
            if (!known.containsKey(id)) {
                SmallTopics.readToEnd(kafkaClientConfig, Topics.SCHEMAS, clientId, r -> keep(r.key(), r.value()));
            }
        }
        return known.get(id);
    }

    private void keep(byte[] key, byte[] value) {
        if (key == null || value == null) {
            return;
        }
        String id = new String(key, StandardCharsets.US_ASCII);
        if (!id.equals(CompactEnvelope.schemaId(value))) {
            LOG.warn("a record of {} is not the schema of its key {}: ignored", Topics.SCHEMAS, id);
            return;
        }
        try {
            known.putIfAbsent(id, MAPPER.readTree(value));
        } catch (IOException e) {
            LOG.warn("the record of {} for schema {} is not JSON: ignored", Topics.SCHEMAS, id);
        }
    }
}
