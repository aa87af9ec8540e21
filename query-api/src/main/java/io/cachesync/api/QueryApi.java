package io.cachesync.api;

import io.cachesync.api.cache.Popularity;
import io.cachesync.api.cache.QueryCache;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.api.db.RowSource;
import io.cachesync.api.http.AdminRoutes;
import io.cachesync.api.http.ApiLimits;
import io.cachesync.api.http.EntityRoutes;
import io.cachesync.api.http.HealthRoutes;
import io.cachesync.api.http.ProblemRenderer;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.metrics.MetricNames;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.http.UriCompliance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/** Builds the HTTP app from its dependencies, so tests start the very same app in-process. */
public final class QueryApi {
    /** The OpenAPI document served at {@code /openapi.json}. */
    public static final String OPENAPI_RESOURCE = "/io/cachesync/api/openapi.json";

    private QueryApi() {
    }

    /**
     * What the routes need. {@code popularity} may be null (no read counting); {@code registry} may be null (no
     * /metrics); {@code adminToken} empty turns /admin off; {@code resync} may be null (no resync).
     */
    public record Dependencies(EntityCatalog catalog, ReadThroughCache cache, QueryCache queries, RowSource db,
                               Popularity popularity, ApiLimits limits, PrometheusMeterRegistry registry,
                               String adminToken, AdminRoutes.ResyncSignal resync) {
        public Dependencies(EntityCatalog catalog, ReadThroughCache cache, QueryCache queries, RowSource db, Popularity popularity,
                            ApiLimits limits) {
            this(catalog, cache, queries, db, popularity, limits, null, "", null);
        }
    }

    public static Javalin create(Dependencies d) {
        return create(d, routes -> { });
    }

    /**
     * The app with {@code extraRoutes} declared after the standard ones ({@code cachesync bench} adds its ceiling routes
     * this way, so that they run on the same server, threads and request logging as the real ones).
     */
    public static Javalin create(Dependencies d, Consumer<RoutesConfig> extraRoutes) {
        EntityRoutes rows = new EntityRoutes(d.catalog(), d.cache(), d.queries(), d.popularity(), d.limits());
        HealthRoutes health = new HealthRoutes(d.cache().store().redis(), d.db());
        String openApi = openApiDocument();
        return Javalin.create(cfg -> {
            configure(cfg, d);
            getAndHead(cfg, "/health/live", health::live);
            getAndHead(cfg, "/health/ready", health::ready);
            getAndHead(cfg, "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            getAndHead(cfg, "/v1/{entity}", rows::getMany);
            getAndHead(cfg, "/v1/{entity}/search", rows::search);
            getAndHead(cfg, "/v1/{entity}/{id}", rows::getOne);
            extraRoutes.accept(cfg.routes);
            ProblemRenderer.register(cfg.routes);
        });
    }

    /**
     * The admin app, on its own port ({@code api.admin-port}): {@code /admin/*} behind the token and {@code /metrics},
     * kept apart from the reads so that exposing {@code api.port} (an Ingress, a load balancer) never exposes them.
     */
    public static Javalin createAdmin(Dependencies d) {
        AdminRoutes admin = new AdminRoutes(d.adminToken(), d.catalog(), d.cache(), d.resync());
        return Javalin.create(cfg -> {
            configure(cfg, d);
            if (d.registry() != null) {
                PrometheusMeterRegistry registry = d.registry();
                getAndHead(cfg, "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
            }
            cfg.routes.before("/admin/*", admin::authorize);
            getAndHead(cfg, "/admin/cache/stats", admin::stats);
            getAndHead(cfg, "/admin/cache/keys", admin::keys);
            cfg.routes.delete("/admin/cache/{entity}/{id}", admin::deleteOne);
            cfg.routes.delete("/admin/cache", admin::deletePattern);
            cfg.routes.post("/admin/resync/{entity}", admin::resync);
            ProblemRenderer.register(cfg.routes);
        });
    }

    /**
     * A GET route and its HEAD (RFC 9110 §9.3.2): the same handler, so the same status and header fields (ETag,
     * Cache-Control, X-Cache, If-None-Match → 304); Jetty sends no content for HEAD but the length GET would send.
     */
    private static void getAndHead(JavalinConfig cfg, String path, Handler handler) {
        cfg.routes.get(path, handler);
        cfg.routes.head(path, handler);
    }

    /** What both apps share: Jetty settings, problem+json errors and the request timer. */
    private static void configure(JavalinConfig cfg, Dependencies d) {
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.http.defaultContentType = "application/json";
        cfg.jetty.modifyServer(server -> server.setErrorHandler(ProblemRenderer.jettyErrorHandler()));
        // Javalin runs Jetty with UriCompliance.LEGACY, which lets %uXXXX through to Javalin's path-parameter
        // decoding, where it throws (a 500): have Jetty reject it like any other malformed encoding (a 400)
        cfg.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(
                http.getUriCompliance().without("JAVALIN_WITHOUT_UTF16", UriCompliance.Violation.UTF16_ENCODINGS)));
        if (d.registry() != null) {
            PrometheusMeterRegistry registry = d.registry();
            cfg.requestLogger.http((ctx, ms) -> Timer.builder(MetricNames.HTTP_REQUESTS)
                    .description("HTTP requests by method, route template and status")
                    .tag("method", ctx.method().name())
                    .tag("route", route(ctx))
                    .tag("status", Integer.toString(ctx.statusCode()))
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(Duration.ofNanos((long) (ms * 1_000_000))));
        }
    }

    /** The matched route template (bounded label values), or "unmatched". */
    private static String route(Context ctx) {
        try {
            Endpoint e = ctx.endpoints().lastHttpEndpoint();
            return e == null ? "unmatched" : e.path;
        } catch (RuntimeException ex) {
            return "unmatched";
        }
    }

    static String openApiDocument() {
        try (InputStream in = QueryApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            return in == null ? "{}" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
