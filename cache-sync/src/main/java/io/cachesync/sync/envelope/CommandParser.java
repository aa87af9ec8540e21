package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses a change event a backend team published on {@code cachesync.commands}:
 * <pre>{"entity":"products","id":"42","op":"upsert","version":17,"data":{"name":"..."},"ts_ms":1764150000000}</pre>
 * {@code version} is the publisher's own monotonic version for that row (an integer &gt; 0, as a number or a string);
 * {@code data} is the row's columns (sensitive ones are dropped); {@code before} (optional) the row's previous columns,
 * which lets a change that moves a row between list values invalidate the old list too; {@code ts_ms} (optional) is when the change
 * happened, for the lag figure. The record must be keyed {@code <entity>:<id>} (the same row always in one partition,
 * so its commands stay in order), and the entity must be declared {@code entities.<name>.source=commands}: an entity is
 * fed by CDC or by commands, never both, because the two version spaces are not comparable. Anything else goes to the
 * dead-letter topic with the reason.
 */
public final class CommandParser implements MutationParser {
    private static final ObjectMapper MAPPER = ValueCodec.mapper();
    private final EntityCatalog catalog;

    public CommandParser(EntityCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public CacheMutation parse(String topic, byte[] key, byte[] value, int sourceEpoch) throws PoisonRecordException {
        CacheMutation m = parse(value);
        String expected = m.entity().name() + ":" + m.id();
        String actual = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (actual == null || !expected.equals(canonicalKey(actual))) {
            throw new PoisonRecordException("command for " + expected + " is keyed " + (actual == null ? "null" : "'" + abbreviate(actual) + "'")
                    + ": commands must be keyed <entity>:<id> ('" + expected + "'), so that one row's commands stay in one partition, in order");
        }
        return m;
    }

    /** {@code <entity>:<canonical id>} of a record key, or the key itself when it is not of that form. */
    private String canonicalKey(String key) {
        int colon = key.indexOf(':');
        if (colon <= 0) {
            return key;
        }
        String name = key.substring(0, colon);
        return catalog.byName(name).flatMap(e -> e.key().canonical(key.substring(colon + 1))).map(id -> name + ":" + id).orElse(key);
    }

    /**
     * The canonical id of a command's {@code id}: the id as a string or number ({@code "acme,42"} for a composite key), or
     * for a composite key also the array of its parts' values in key order ({@code ["acme, inc", 42]}).
     */
    private static String id(EntityDefinition entity, JsonNode idNode) throws PoisonRecordException {
        if (idNode == null || idNode.isNull() || idNode.isObject()) {
            throw new PoisonRecordException("command has no id");
        }
        if (idNode.isArray()) {
            List<String> parts = new ArrayList<>();
            idNode.forEach(p -> parts.add(p.isNumber() ? p.bigIntegerValue().toString() : p.isValueNode() && !p.isNull() ? p.asText() : null));
            if (!entity.key().composite() || parts.contains(null)) {
                throw new PoisonRecordException("command id " + abbreviate(idNode.toString()) + " is not " + entity.key().describe());
            }
            return entity.key().ofValues(parts).orElseThrow(() -> new PoisonRecordException("command id " + abbreviate(idNode.toString())
                    + " does not fit the key " + entity.key()));
        }
        String rawId = idNode.isNumber() ? idNode.bigIntegerValue().toString() : idNode.asText();
        return entity.key().canonical(rawId)
                .orElseThrow(() -> new PoisonRecordException("command id '" + abbreviate(rawId) + "' is not " + entity.key().describe()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** The command in {@code value}, its key not checked (the record key is checked by {@link #parse(String, byte[], byte[], int)}). */
    CacheMutation parse(byte[] value) throws PoisonRecordException {
        if (value == null || value.length == 0) {
            throw new PoisonRecordException("empty command");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (IOException e) {
            throw new PoisonRecordException("command is not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new PoisonRecordException("command is not a JSON object");
        }
        String name = text(root, "entity");
        EntityDefinition entity = catalog.byName(name)
                .orElseThrow(() -> new PoisonRecordException("command names entity '" + name + "', which is not configured"));
        if (entity.source() != EntityDefinition.Source.COMMANDS) {
            throw new PoisonRecordException("entity '" + name + "' is fed by CDC: commands for it are refused (declare entities." + name
                    + ".source=commands for an entity its publisher feeds; CDC and publisher versions are not comparable)");
        }
        String id = id(entity, root.get("id"));
        String op = text(root, "op");
        CacheMutation.Op mop = switch (op) {
            case "upsert" -> CacheMutation.Op.UPSERT;
            case "delete" -> CacheMutation.Op.DELETE;
            default -> throw new PoisonRecordException("command op is '" + op + "', expected upsert or delete");
        };
        String version = version(root.get("version"));
        String document = null;
        ObjectNode after = null;
        if (mop == CacheMutation.Op.UPSERT) {
            JsonNode data = root.get("data");
            if (data == null || !data.isObject()) {
                throw new PoisonRecordException("upsert command has no data object");
            }
            after = cachedColumns(entity, data);
            document = ValueCodec.encode(after);
        }
        JsonNode before = root.get("before");
        long ts = root.path("ts_ms").asLong(0);
        return new CacheMutation(entity, id, mop, version, document, ts, false,
                CacheMutation.listValues(entity, before != null && before.isObject() ? before : null, after));
    }

    private static ObjectNode cachedColumns(EntityDefinition entity, JsonNode data) {
        Map<String, JsonNode> sorted = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = data.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (entity.isCached(e.getKey())) {
                sorted.put(e.getKey(), e.getValue());
            }
        }
        ObjectNode out = MAPPER.createObjectNode();
        sorted.forEach(out::set);
        return out;
    }

    private static String text(JsonNode root, String field) throws PoisonRecordException {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new PoisonRecordException("command has no " + field);
        }
        return n.asText();
    }

    private static String version(JsonNode v) throws PoisonRecordException {
        if (v == null || v.isNull()) {
            throw new PoisonRecordException("command has no version: every change needs the publisher's monotonic version");
        }
        try {
            BigInteger n;
            if (v.isIntegralNumber()) {
                n = v.bigIntegerValue();
            } else if (v.isTextual() && v.asText().matches("\\d{1,40}")) {
                n = new BigInteger(v.asText());
            } else {
                throw new NumberFormatException();
            }
            if (n.signum() <= 0) {
                throw new PoisonRecordException("command version must be > 0, was " + n);
            }
            return n.toString();
        } catch (NumberFormatException e) {
            throw new PoisonRecordException("command version is not an integer: '" + v + "'");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
