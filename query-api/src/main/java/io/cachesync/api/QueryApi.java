package io.cachesync.api;

import io.cachesync.api.cache.Popularity;
import io.cachesync.api.cache.QueryCache;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.db.RowSource;
import io.cachesync.api.http.ApiLimits;
import io.cachesync.api.http.EntityRoutes;
import io.cachesync.api.http.HealthRoutes;
import io.cachesync.api.http.ProblemRenderer;
import io.cachesync.core.catalog.EntityCatalog;
import io.javalin.Javalin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Builds the HTTP app from its dependencies, so tests start the very same app in-process. */
public final class QueryApi {
    /** The OpenAPI document served at {@code /openapi.json}. */
    public static final String OPENAPI_RESOURCE = "/io/cachesync/api/openapi.json";

    private QueryApi() {
    }

    /** What the routes need. {@code popularity} may be null (no read counting). */
    public record Dependencies(EntityCatalog catalog, ReadThroughCache cache, QueryCache queries, RowSource db,
                               Popularity popularity, ApiLimits limits) {
    }

    public static Javalin create(Dependencies d) {
        EntityRoutes rows = new EntityRoutes(d.catalog(), d.cache(), d.queries(), d.popularity(), d.limits());
        HealthRoutes health = new HealthRoutes(d.cache().store().redis(), d.db());
        String openApi = openApiDocument();
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.defaultContentType = "application/json";
            cfg.routes.get("/health/live", health::live);
            cfg.routes.get("/health/ready", health::ready);
            cfg.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            cfg.routes.get("/v1/{entity}", rows::getMany);
            cfg.routes.get("/v1/{entity}/search", rows::search);
            cfg.routes.get("/v1/{entity}/{id}", rows::getOne);
            ProblemRenderer.register(cfg.routes);
        });
    }

    static String openApiDocument() {
        try (InputStream in = QueryApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            return in == null ? "{}" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
