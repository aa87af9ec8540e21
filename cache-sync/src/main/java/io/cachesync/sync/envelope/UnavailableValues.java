package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.topics.Topics;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Values a change event does not carry. With {@code REPLICA IDENTITY DEFAULT} (PostgreSQL's default), an UPDATE that
 * leaves a TOASTed column (a large text, jsonb, bytea or array) untouched does not write it to the WAL, and Debezium puts
 * {@link Topics#UNAVAILABLE_VALUE} in its place — as text, as the bytes of that text (base64 here), or as an element of
 * an array. Such an image must never be cached: the row is invalidated instead, and the next read fills it whole.
 */
final class UnavailableValues {
    private static final String AS_BASE64 = Base64.getEncoder().encodeToString(Topics.UNAVAILABLE_VALUE.getBytes(StandardCharsets.UTF_8));

    private UnavailableValues() {
    }

    /** True when any column of the image is a placeholder (or an array holding one). */
    static boolean anyIn(JsonNode row) {
        Iterator<Map.Entry<String, JsonNode>> it = row.fields();
        while (it.hasNext()) {
            if (isUnavailable(it.next().getValue())) {
                return true;
            }
        }
        return false;
    }

    /** A copy of the image without the columns it does not carry. */
    static ObjectNode without(ObjectNode row) {
        ObjectNode out = row.deepCopy();
        List<String> unavailable = new ArrayList<>();
        row.fields().forEachRemaining(e -> {
            if (isUnavailable(e.getValue())) {
                unavailable.add(e.getKey());
            }
        });
        out.remove(unavailable);
        return out;
    }

    private static boolean isUnavailable(JsonNode v) {
        if (v == null) {
            return false;
        }
        if (v.isTextual()) {
            return Topics.UNAVAILABLE_VALUE.equals(v.textValue()) || AS_BASE64.equals(v.textValue());
        }
        if (v.isArray()) {
            for (JsonNode element : v) {
                if (isUnavailable(element)) {
                    return true;
                }
            }
        }
        return false;
    }
}
