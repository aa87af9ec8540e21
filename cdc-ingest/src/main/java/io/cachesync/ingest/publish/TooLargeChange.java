package io.cachesync.ingest.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.topics.Topics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The small change published instead of an event Kafka would refuse ({@link Topics#TOO_LARGE_FIELD}): its {@code op},
 * {@code source} (so its version is the event's) and {@code ts_ms}, the key columns as its only image, and the size
 * and reason. cache-sync invalidates the row, and reads fill it from PostgreSQL; ingestion goes on instead of retrying
 * the refused event forever while WAL piles up on the primary.
 */
final class TooLargeChange {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TooLargeChange() {
    }

    /**
     * @param event the change event as Debezium's JsonConverter wrote it (with or without the Connect schema)
     * @param key   the record key: the primary-key columns, e.g. {@code {"id":42}}
     * @param bytes the size of the event
     */
    static byte[] of(String event, byte[] key, long bytes, String reason) {
        JsonNode root;
        JsonNode keyColumns;
        try {
            root = MAPPER.readTree(event);
            keyColumns = key == null ? null : MAPPER.readTree(key);
        } catch (IOException e) {
            throw new PublishException("a change event too large to publish (" + bytes + " bytes) is not JSON: " + e.getMessage(), e);
        }
        JsonNode payload = root.has("payload") && root.has("schema") ? root.get("payload") : root;
        String op = payload.path("op").asText("");
        ObjectNode out = MAPPER.createObjectNode();
        out.put("op", op);
        out.set("source", payload.get("source"));
        out.set("ts_ms", payload.get("ts_ms"));
        out.set("d".equals(op) ? "before" : "after", keyColumns);
        out.putObject(Topics.TOO_LARGE_FIELD).put("bytes", bytes).put("reason", reason);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
