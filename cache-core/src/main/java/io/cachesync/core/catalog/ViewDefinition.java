package io.cachesync.core.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A view: one document per row of a root entity, composed of some of its columns, the rows it references (many-to-one,
 * embedded as objects) and its children (one-to-many, embedded as an array or summarised). Every part is an entity fed by
 * CDC, so its rows, keys, sensitive columns and change events are the entity's. Served like an entity
 * ({@code GET /v1/<view>/<id>}), keyed by the root's key; kept by cache-sync's view topology, filled on a miss from the
 * same declaration ({@link io.cachesync.core.views.ViewQueries}).
 *
 * @param name       the view's name (URL and cache keys), distinct from every entity's
 * @param root       the root entity's name
 * @param columns    the root columns in the document; empty: all its cached columns
 * @param references the embedded references, in declaration order
 * @param children   the embedded children, in declaration order
 */
public record ViewDefinition(String name, String root, List<String> columns, List<Reference> references, List<Child> children) {

    /**
     * A row the root references: {@code entity}'s row whose key is the root's column {@code via}; embedded under
     * {@code name} as an object, or {@code null} when {@code via} is null or names no row.
     */
    public record Reference(String name, String entity, String via, List<String> columns) {
        public Reference {
            columns = List.copyOf(columns);
        }
    }

    /**
     * The rows of {@code entity} whose column {@code parent} holds the root's key: embedded under {@code name} as an array
     * of objects ordered by the child's key, or, with a {@code summary} column, as {@code {"count": n, "avg_<column>": x}}.
     */
    public record Child(String name, String entity, String parent, List<String> columns, Optional<String> summary) {
        public Child {
            columns = List.copyOf(columns);
        }

        public boolean summarised() {
            return summary.isPresent();
        }
    }

    public ViewDefinition {
        columns = List.copyOf(columns);
        references = List.copyOf(references);
        children = List.copyOf(children);
    }

    /** Every entity the view reads, the root first, each once. */
    public List<String> parts() {
        List<String> out = new ArrayList<>();
        out.add(root);
        references.forEach(r -> {
            if (!out.contains(r.entity())) {
                out.add(r.entity());
            }
        });
        children.forEach(c -> {
            if (!out.contains(c.entity())) {
                out.add(c.entity());
            }
        });
        return out;
    }
}
