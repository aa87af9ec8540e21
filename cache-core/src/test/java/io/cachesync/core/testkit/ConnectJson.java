package io.cachesync.core.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * JSON as Kafka Connect's JsonConverter writes it: compact, fields in the order they were added, a struct's schema as
 * type, fields, optional, name and version, and a record as its schema and payload side by side.
 */
final class ConnectJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ConnectJson() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** A Java value (number, string, boolean, list, null) as JSON. */
    static JsonNode value(Object value) {
        return value == null ? NullNode.getInstance() : MAPPER.valueToTree(value);
    }

    /** JSON text as a tree; {@code null} is JSON null. */
    static JsonNode parse(String json) {
        if (json == null) {
            return NullNode.getInstance();
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    /** The schema of a struct's field. */
    static ObjectNode field(String name, ConnectType type, boolean optional) {
        return type.schema(optional).put("field", name);
    }

    /** The schema of a struct; {@code version} may be null. */
    static ObjectNode struct(List<ObjectNode> fields, boolean optional, String name, Integer version) {
        ObjectNode struct = object().put("type", "struct");
        struct.putArray("fields").addAll(fields);
        struct.put("optional", optional).put("name", name);
        if (version != null) {
            struct.put("version", version);
        }
        return struct;
    }

    /** The record with {@code schemas.enable=true} ({@code {"schema":…,"payload":…}}), or its payload alone when {@code schema} is null. */
    static String write(JsonNode schema, JsonNode payload) {
        if (schema == null) {
            return payload.toString();
        }
        ObjectNode record = object();
        record.set("schema", schema);
        record.set("payload", payload);
        return record.toString();
    }
}
