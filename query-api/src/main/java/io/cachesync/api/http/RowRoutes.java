package io.cachesync.api.http;

import io.cachesync.api.cache.ReadResult;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.javalin.http.Context;

/** {@code GET /v1/{entity}/{id}}: one row as a flat JSON object of its (non-sensitive) columns. */
public final class RowRoutes {
    public static final String X_CACHE = "X-Cache";

    private final EntityCatalog catalog;
    private final ReadThroughCache cache;

    public RowRoutes(EntityCatalog catalog, ReadThroughCache cache) {
        this.catalog = catalog;
        this.cache = cache;
    }

    public void getOne(Context ctx) throws Exception {
        String name = ctx.pathParam("entity");
        EntityDefinition entity = catalog.byName(name).orElseThrow(() -> ApiProblem.unknownEntity(name));
        String rawId = ctx.pathParam("id");
        String id = entity.keyType().canonical(rawId)
                .orElseThrow(() -> ApiProblem.malformedId(name, rawId, entity.keyType().describe()));
        ReadResult r = cache.get(entity, id);
        ctx.header(X_CACHE, r.source().name());
        if (!r.found()) {
            throw ApiProblem.notFound(name, id);
        }
        ctx.contentType("application/json").result(r.document());
    }
}
