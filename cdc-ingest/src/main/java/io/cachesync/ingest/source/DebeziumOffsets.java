package io.cachesync.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.core.topics.SmallTopics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The offsets the embedded Debezium engine stores in {@link io.cachesync.core.topics.TopicNames#ingestOffsets()} (Kafka Connect's format: key
 * {@code ["<engine name>",{"server":"<topic prefix>"}]}). {@link #reset()} writes a tombstone for each of the engine's
 * keys — how Kafka Connect itself resets a connector's offsets — so that the next start has none. Call it only while
 * the engine is stopped.
 */
public final class DebeziumOffsets {
    private static final Logger LOG = LoggerFactory.getLogger(DebeziumOffsets.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Map<String, Object> kafkaClientConfig;
    private final String topic;
    private final String engineName;

    /** @param topic Debezium's offsets topic ({@link io.cachesync.core.topics.TopicNames#ingestOffsets()}) */
    public DebeziumOffsets(Map<String, Object> kafkaClientConfig, String topic, String engineName) {
        this.kafkaClientConfig = kafkaClientConfig;
        this.topic = topic;
        this.engineName = engineName;
    }

    /** The engine's offsets now, by key (a tombstoned key is absent). */
    public Map<String, byte[]> read() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        SmallTopics.readToEnd(kafkaClientConfig, topic, "cachesync-ingest-offsets", r -> {
            if (r.key() == null || !isEngines(r.key())) {
                return;
            }
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                out.remove(key);
            } else {
                out.put(key, r.value());
            }
        });
        return out;
    }

    /** Tombstones every offset of the engine; returns how many keys it reset. */
    public int reset() {
        List<ProducerRecord<byte[], byte[]>> tombstones = read().keySet().stream()
                .map(k -> new ProducerRecord<byte[], byte[]>(topic, k.getBytes(StandardCharsets.UTF_8), null)).toList();
        if (!tombstones.isEmpty()) {
            SmallTopics.writeAll(kafkaClientConfig, "cachesync-ingest-offsets", tombstones);
        }
        LOG.warn("reset Debezium's offsets ({} keys of engine {} in {})", tombstones.size(), engineName, topic);
        return tombstones.size();
    }

    /** True for a key {@code ["<engineName>", …]}. */
    private boolean isEngines(byte[] key) {
        try {
            JsonNode n = MAPPER.readTree(key);
            return n != null && n.isArray() && n.size() > 0 && engineName.equals(n.get(0).asText());
        } catch (IOException e) {
            return false;
        }
    }
}
