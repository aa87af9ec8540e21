package io.cachesync.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.topics.CompactEnvelope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Debezium update event (captured from cdc-ingest's topic, in the form it publishes: compact, or the envelope
 * with its schema) turned into a template whose row id,
 * name, LSN and timestamps change per event, so that a million events cost a string join each rather than a JSON tree.
 */
final class EnvelopeTemplate {
    private static final String ID = "\u00a7ID\u00a7";
    private static final String NAME = "\u00a7NAME\u00a7";
    private static final String LSN = "\u00a7LSN\u00a7";
    private static final String TS = "\u00a7TS\u00a7";
    /** {@code source.sequence}: each event its own transaction, whose commit key is the event's LSN. */
    private static final String SEQUENCE = "\u00a7SEQ\u00a7";

    private final List<String> parts = new ArrayList<>();
    private final List<String> holes = new ArrayList<>();

    /** @param event the value of an op=u event of a table with an int8 key {@code id} and a text column {@code name} */
    EnvelopeTemplate(byte[] event) throws IOException {
        ObjectNode root = (ObjectNode) ValueCodec.mapper().readTree(event);
        ObjectNode payload = (ObjectNode) (root.has("payload") ? root.get("payload") : root);
        if (!"u".equals(payload.path("op").asText()) || !payload.path("after").isObject() || !payload.path("before").isObject()) {
            throw new IllegalArgumentException("the template must be an update event with before and after images, was op=" + payload.path("op"));
        }
        ((ObjectNode) payload.get("before")).put("id", ID);
        ((ObjectNode) payload.get("after")).put("id", ID);
        ((ObjectNode) payload.get("after")).put("name", NAME);
        ((ObjectNode) payload.get("source")).put("lsn", LSN);
        ((ObjectNode) payload.get("source")).put("sequence", SEQUENCE);
        ((ObjectNode) payload.get("source")).put("ts_ms", TS);
        payload.put("ts_ms", TS);
        String text = ValueCodec.mapper().writeValueAsString(root);
        int at = 0;
        while (true) {
            int next = -1;
            String hole = null;
            for (String h : List.of(ID, NAME, LSN, TS, SEQUENCE)) {
                int i = text.indexOf('"' + h + '"', at);
                if (i >= 0 && (next < 0 || i < next)) {
                    next = i;
                    hole = h;
                }
            }
            if (next < 0) {
                parts.add(text.substring(at));
                break;
            }
            parts.add(text.substring(at, next));
            holes.add(hole);
            at = next + hole.length() + 2;
        }
    }

    /** The event for row {@code id} at version {@code lsn}, committed at {@code tsMs}. */
    byte[] event(long id, long lsn, long tsMs, String name) {
        StringBuilder b = new StringBuilder(parts.get(0).length() * 2 + 512);
        for (int i = 0; i < holes.size(); i++) {
            b.append(parts.get(i));
            switch (holes.get(i)) {
                case ID -> b.append(id);
                case NAME -> b.append('"').append(name).append('"');
                case LSN -> b.append(lsn);
                case SEQUENCE -> b.append("\"[\\\"").append(lsn).append("\\\",\\\"").append(lsn).append("\\\"]\"");
                default -> b.append(tsMs);
            }
        }
        b.append(parts.get(parts.size() - 1));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the events are in the compact form (their schema by id, in {@code cachesync.schemas}). */
    boolean compact() {
        return parts.get(0).startsWith(CompactEnvelope.PREFIX);
    }

    static byte[] key(long id) {
        return ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** The LSN of the template event (the bench numbers its events from above it). */
    static long lsnOf(byte[] event) throws IOException {
        JsonNode root = ValueCodec.mapper().readTree(event);
        JsonNode payload = root.has("payload") ? root.get("payload") : root;
        return payload.path("source").path("lsn").asLong();
    }
}
