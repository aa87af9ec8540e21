package io.cachesync.sync.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.views.ViewDocument;
import io.cachesync.sync.envelope.CacheMutation;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * The values flowing through the view topology, as JSON trees (their serde is {@link JsonSerde}):
 * <ul>
 *   <li>a <b>part row</b>, an entity's row as its last change left it: {@code {"v": version, "d": document}}, or
 *       {@code {"v": version, "i": true}} when the change did not carry the whole row (too large, or an unchanged
 *       TOASTed column): the row is unknown until its next change — with {@code "d"}, the columns the change did carry
 *       (an unchanged TOASTed column aside, every column is there: enough to know the row's parent and reference). A
 *       deleted row is no value (a tombstone).</li>
 *   <li>a <b>child entry</b>, a part row grouped under its parent: the part row plus {@code "id"}.</li>
 *   <li>a <b>child aggregate</b> per parent: {@code {"items": {id: document}, "unknown": n}} for an embedded array,
 *       {@code {"count": n, "valued": n, "sum": "decimal", "unknown": n}} for a summary.</li>
 *   <li>a <b>view row</b>: {@code {"v": newest part version, "root": document, "refs": {name: document|null},
 *       "kids": {name: aggregate}, "unknown": true?}}, which {@link #document} turns into the view's document.</li>
 * </ul>
 */
final class ViewValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ViewValues() {
    }

    /** A part row from a parsed change (null for a delete). */
    static JsonNode partRow(CacheMutation m) {
        if (m.op() == CacheMutation.Op.DELETE) {
            return null;
        }
        ObjectNode out = NODES.objectNode().put("v", m.version());
        if (m.op() == CacheMutation.Op.INVALIDATE || m.document() == null) {
            if (m.carried() != null) {
                out.set("d", ValueCodec.parse(m.carried()));
            }
            return out.put("i", true);
        }
        out.set("d", ValueCodec.parse(m.document()));
        return out;
    }

    static JsonNode document(JsonNode partRow) {
        return partRow == null ? null : partRow.get("d");
    }

    static boolean unknown(JsonNode partRow) {
        return partRow != null && partRow.path("i").asBoolean(false);
    }

    /** The view row of a root row alone. */
    static JsonNode start(JsonNode root) {
        if (root == null) {
            return null;
        }
        ObjectNode out = NODES.objectNode();
        out.put("v", root.path("v").asText(""));
        if (unknown(root)) {
            out.put("unknown", true);
        }
        JsonNode columns = document(root);
        if (columns != null) {
            out.set("root", columns); // of an unknown root, the columns its change carried: its references still follow
        }
        out.putObject("refs");
        out.putObject("kids");
        return out;
    }

    /** {@code row} with reference {@code name} set to {@code ref}'s document (null when there is none). */
    static JsonNode withReference(JsonNode row, String name, JsonNode ref) {
        if (row == null) {
            return null;
        }
        ObjectNode out = row.deepCopy();
        ((ObjectNode) out.get("refs")).set(name, ref == null || unknown(ref) ? NODES.nullNode() : document(ref));
        if (unknown(ref)) {
            out.put("unknown", true);
        }
        newer(out, ref);
        return out;
    }

    /** {@code row} with child collection {@code name} set to {@code aggregate} (null: no children). */
    static JsonNode withChildren(JsonNode row, String name, JsonNode aggregate) {
        if (row == null) {
            return null;
        }
        ObjectNode out = row.deepCopy();
        ((ObjectNode) out.get("kids")).set(name, aggregate == null ? NODES.nullNode() : aggregate);
        if (aggregate != null && aggregate.path("unknown").asLong(0) > 0) {
            out.put("unknown", true);
        }
        return out;
    }

    private static void newer(ObjectNode row, JsonNode part) {
        if (part == null) {
            return;
        }
        String v = part.path("v").asText("");
        String cur = row.path("v").asText("");
        if (v.length() > cur.length() || v.length() == cur.length() && v.compareTo(cur) > 0) {
            row.put("v", v);
        }
    }

    /** A child entry: the part row and its id. */
    static JsonNode childEntry(String id, JsonNode partRow) {
        ObjectNode out = partRow.deepCopy();
        out.put("id", id);
        return out;
    }

    static JsonNode emptyAggregate() {
        return NODES.objectNode();
    }

    /** {@code aggregate} with {@code entry} added ({@code sign} 1) or taken away ({@code sign} -1). */
    static JsonNode aggregate(ViewDefinition.Child child, JsonNode entry, JsonNode aggregate, int sign) {
        ObjectNode out = aggregate.deepCopy();
        if (unknown(entry)) {
            out.put("unknown", out.path("unknown").asLong(0) + sign);
            return out;
        }
        if (child.summarised()) {
            ViewDocument.Summary s = summary(out).plus(document(entry).get(child.summary().orElseThrow()), sign);
            out.put("count", s.count());
            out.put("valued", s.valued());
            out.put("sum", s.sum().toPlainString());
        } else {
            ObjectNode items = out.has("items") ? (ObjectNode) out.get("items") : out.putObject("items");
            String id = entry.get("id").asText();
            if (sign > 0) {
                items.set(id, document(entry));
            } else {
                items.remove(id);
            }
        }
        return out;
    }

    private static ViewDocument.Summary summary(JsonNode aggregate) {
        return new ViewDocument.Summary(aggregate.path("count").asLong(0), aggregate.path("valued").asLong(0),
                new BigDecimal(aggregate.path("sum").asText("0")));
    }

    /** The view's document of a view row, or null when a part is unknown (the document is then invalidated). */
    static String document(EntityCatalog catalog, ViewDefinition view, JsonNode row) {
        if (row.path("unknown").asBoolean(false)) {
            return null;
        }
        Map<String, JsonNode> refs = new HashMap<>();
        row.path("refs").fields().forEachRemaining(f -> refs.put(f.getKey(), f.getValue()));
        Map<String, ViewDocument.Children> kids = new HashMap<>();
        for (ViewDefinition.Child c : view.children()) {
            JsonNode agg = row.path("kids").get(c.name());
            if (agg == null || agg.isNull()) {
                continue;
            }
            if (c.summarised()) {
                kids.put(c.name(), summary(agg));
            } else {
                Map<String, JsonNode> items = new HashMap<>();
                agg.path("items").fields().forEachRemaining(e -> items.put(e.getKey(), e.getValue()));
                kids.put(c.name(), new ViewDocument.Items(items));
            }
        }
        return ViewDocument.compose(catalog, view, row.get("root"), refs, kids);
    }
}
