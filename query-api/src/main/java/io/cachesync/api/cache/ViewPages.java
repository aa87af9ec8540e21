package io.cachesync.api.cache;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.api.db.DatabaseException;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A list or search page of a view: the page of its root entity (same query, same cached page, invalidated by the root's
 * changes as the root's own page is), its rows' ids, and the view's documents of those ids read like a batch (L1,
 * Redis, the read-through for the rest). The root's page says which rows, in which order; each document is as fresh as
 * any document of the view. A root deleted between the two reads is left out of the page.
 */
public final class ViewPages {
    private final ReadThroughCache cache;

    public ViewPages(ReadThroughCache cache) {
        this.cache = cache;
    }

    /** The view's page in the shape of {@code rootPage} ({@code items}, {@code page}, {@code per_page}, {@code has_more}). */
    public PageResult of(EntityDefinition view, EntityDefinition root, PageResult rootPage) throws DatabaseException {
        JsonNode page;
        try {
            page = ValueCodec.documentMapper().readTree(rootPage.body());
        } catch (IOException e) {
            throw new IllegalStateException("a page of " + root.name() + " is not JSON", e);
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode row : page.path("items")) {
            List<String> values = new ArrayList<>();
            root.key().names().forEach(k -> values.add(row.path(k).asText()));
            root.key().ofValues(values).ifPresent(ids::add);
        }
        Map<String, ReadResult> documents = cache.getMany(view, ids);
        StringBuilder body = new StringBuilder("{\"items\":[");
        boolean cached = rootPage.cached();
        boolean first = true;
        for (ReadResult r : documents.values()) {
            cached &= r.source() != ReadResult.Source.MISS;
            if (r.found()) {
                body.append(first ? "" : ",").append(r.document());
                first = false;
            }
        }
        body.append("],\"page\":").append(page.path("page").asInt()).append(",\"per_page\":").append(page.path("per_page").asInt())
                .append(",\"has_more\":").append(page.path("has_more").asBoolean()).append('}');
        return new PageResult(body.toString(), cached);
    }
}
