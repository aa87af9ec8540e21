package io.cachesync.core.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.EntityKey;
import io.cachesync.core.catalog.KeyType;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.codec.ValueCodec;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one way a view's document is made from its parts' documents (each the entity's cached document, as
 * {@link ValueCodec} encodes it), shared by cache-sync's view topology, the read-through fill and {@code verify}: equal
 * parts give equal strings. Fields in name order: the root's columns, each reference under its name (an object, or
 * {@code null}), each child collection under its name (an array ordered by the child's key, or
 * {@code {"avg_<column>": x, "count": n}}).
 */
public final class ViewDocument {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Digits of a summary's average. */
    public static final int AVERAGE_SCALE = 2;

    private ViewDocument() {
    }

    /** What a child collection contributes. */
    public sealed interface Children permits Items, Summary {
    }

    /** The children's documents by canonical id (any order; the document orders them by key). */
    public record Items(Map<String, JsonNode> byId) implements Children {
    }

    /**
     * A summary's counters, which a stream can add to and subtract from exactly.
     *
     * @param count  children
     * @param valued children whose summary column is a number
     * @param sum    the sum of those numbers
     */
    public record Summary(long count, long valued, BigDecimal sum) implements Children {
        public static final Summary EMPTY = new Summary(0, 0, BigDecimal.ZERO);

        /** These counters with one child more ({@code sign} 1) or less ({@code sign} -1), whose summary column holds {@code value}. */
        public Summary plus(JsonNode value, int sign) {
            BigDecimal v = number(value);
            return v == null ? new Summary(count + sign, valued, sum)
                    : new Summary(count + sign, valued + sign, sum.add(sign > 0 ? v : v.negate()));
        }

        /** The counters of {@code docs}' column {@code column}. */
        public static Summary of(Iterable<JsonNode> docs, String column) {
            Summary s = EMPTY;
            for (JsonNode d : docs) {
                s = s.plus(d.get(column), 1);
            }
            return s;
        }
    }

    /**
     * @param root     the root's document
     * @param refs     each reference's document by reference name (null or absent: none)
     * @param children each child collection by name (absent: empty)
     */
    public static String compose(EntityCatalog catalog, ViewDefinition v, JsonNode root, Map<String, JsonNode> refs,
                                 Map<String, Children> children) {
        TreeMap<String, JsonNode> fields = new TreeMap<>();
        project(root, v.columns()).fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue()));
        for (ViewDefinition.Reference r : v.references()) {
            JsonNode ref = refs.get(r.name());
            fields.put(r.name(), ref == null || ref.isNull() ? NODES.nullNode() : project(ref, r.columns()));
        }
        for (ViewDefinition.Child c : v.children()) {
            Children part = children.get(c.name());
            if (c.summarised()) {
                Summary s = part instanceof Summary sum ? sum : part instanceof Items items
                        ? Summary.of(items.byId().values(), c.summary().orElseThrow()) : Summary.EMPTY;
                fields.put(c.name(), summary(s, c.summary().orElseThrow()));
            } else {
                Map<String, JsonNode> items = part instanceof Items i ? i.byId() : Map.of();
                Comparator<String> order = idOrder(catalog.byName(c.entity()).orElseThrow().key());
                List<String> ids = new ArrayList<>(items.keySet());
                ids.sort(order);
                var array = NODES.arrayNode();
                ids.forEach(id -> array.add(project(items.get(id), c.columns())));
                fields.put(c.name(), array);
            }
        }
        ObjectNode doc = NODES.objectNode();
        fields.forEach(doc::set);
        return ValueCodec.encode(doc);
    }

    /** {@code doc}'s {@code columns} in name order (all of them when none are named); a column the document lacks is left out. */
    public static ObjectNode project(JsonNode doc, List<String> columns) {
        TreeMap<String, JsonNode> fields = new TreeMap<>();
        if (columns.isEmpty()) {
            doc.fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue()));
        } else {
            columns.forEach(c -> {
                if (doc.has(c)) {
                    fields.put(c, doc.get(c));
                }
            });
        }
        ObjectNode out = NODES.objectNode();
        fields.forEach(out::set);
        return out;
    }

    private static ObjectNode summary(Summary s, String column) {
        ObjectNode out = NODES.objectNode();
        out.set("avg_" + column, s.valued() == 0 ? NODES.nullNode()
                : NODES.numberNode(s.sum().divide(BigDecimal.valueOf(s.valued()), AVERAGE_SCALE, RoundingMode.HALF_EVEN)));
        out.put("count", s.count());
        return out;
    }

    /** A JSON value as a number (JSON numbers, and numeric columns, which the codec encodes as strings), or null. */
    static BigDecimal number(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * The order of a child collection: by the key, part by part for a composite one — a bigint part by its number, any
     * other by its text — so that {@code (eu, 4)} comes before {@code (eu, 204)}.
     */
    public static Comparator<String> idOrder(EntityKey key) {
        if (!key.composite()) {
            return part(key.columns().get(0).type());
        }
        Comparator<List<String>> byParts = null;
        for (int i = 0; i < key.columns().size(); i++) {
            int at = i;
            Comparator<List<String>> next = Comparator.comparing(parts -> parts.get(at), part(key.columns().get(i).type()));
            byParts = byParts == null ? next : byParts.thenComparing(next);
        }
        return Comparator.comparing(key::values, byParts);
    }

    private static Comparator<String> part(KeyType type) {
        return type == KeyType.BIGINT ? Comparator.comparingLong(Long::parseLong) : Comparator.naturalOrder();
    }

    /** The canonical id of the row {@code entity}'s column {@code column} names in {@code doc}, or null. */
    public static String idIn(EntityDefinition entity, JsonNode doc, String column) {
        JsonNode v = doc == null ? null : doc.get(column);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        return entity.key().canonical(v.asText()).orElse(null);
    }
}
