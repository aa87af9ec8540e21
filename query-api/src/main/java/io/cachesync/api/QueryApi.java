package io.cachesync.api;

import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.db.RowSource;
import io.cachesync.api.http.HealthRoutes;
import io.cachesync.api.http.ProblemRenderer;
import io.cachesync.api.http.RowRoutes;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.redis.CacheStore;
import io.javalin.Javalin;

/** Builds the HTTP app from its dependencies, so tests start the very same app in-process. */
public final class QueryApi {
    private QueryApi() {
    }

    public static Javalin create(EntityCatalog catalog, CacheStore store, RowSource db, ReadThroughCache cache) {
        RowRoutes rows = new RowRoutes(catalog, cache);
        HealthRoutes health = new HealthRoutes(store.redis(), db);
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.defaultContentType = "application/json";
            cfg.routes.get("/health/live", health::live);
            cfg.routes.get("/health/ready", health::ready);
            cfg.routes.get("/v1/{entity}/{id}", rows::getOne);
            ProblemRenderer.register(cfg.routes);
        });
    }
}
