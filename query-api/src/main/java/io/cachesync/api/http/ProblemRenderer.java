package io.cachesync.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.cache.OverloadedException;
import io.cachesync.api.db.DatabaseException;
import io.cachesync.api.db.ConfigurationDriftException;
import io.cachesync.api.db.QueryTimeoutException;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.util.LogThrottle;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Maps every error to RFC 9457 problem+json, in one place. A failure that every request meets while Redis or the
 * database is down is logged at most once per {@link LogThrottle#REPEATED_FAILURES} per kind, with how many more there were: the
 * responses and the HTTP metrics count every one.
 */
public final class ProblemRenderer {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemRenderer.class);
    private static final LogThrottle REDIS_FAILED = new LogThrottle(LogThrottle.REPEATED_FAILURES);
    private static final LogThrottle QUERY_CANCELLED = new LogThrottle(LogThrottle.REPEATED_FAILURES);
    private static final LogThrottle DATABASE_FAILED = new LogThrottle(LogThrottle.REPEATED_FAILURES);
    private static final LogThrottle CONFIGURATION_DRIFT = new LogThrottle(LogThrottle.REPEATED_FAILURES);
    private static final LogThrottle UNEXPECTED = new LogThrottle(LogThrottle.REPEATED_FAILURES);
    public static final String CONTENT_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://cachesync.io/problems/";

    private ProblemRenderer() {
    }

    public static void register(RoutesConfig routes) {
        routes.exception(ApiProblem.class, (e, ctx) -> render(ctx, e));
        routes.exception(JedisException.class, (e, ctx) -> {
            REDIS_FAILED.warn(LOG, "Redis failed while serving {}: {}", ctx.path(), e.toString());
            render(ctx, ApiProblem.unavailable("the cache is unavailable; retry shortly"));
        });
        routes.exception(OverloadedException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            render(ctx, new ApiProblem(503, "overloaded", "Service unavailable", e.getMessage() + "; retry after 1 s"));
        });
        routes.exception(DatabaseException.class, (e, ctx) -> {
            if (e instanceof ConfigurationDriftException d) {
                CONFIGURATION_DRIFT.error(LOG, "not serving {}: {}", ctx.path(), e.getMessage());
                render(ctx, new ApiProblem(503, "entity-unavailable", "Service unavailable", d.entity()
                        + " cannot be read: its configuration no longer matches its table (the query-api log says how)"));
                return;
            }
            if (e instanceof QueryTimeoutException t) {
                QUERY_CANCELLED.warn(LOG, "query cancelled while serving {}: {}", ctx.path(), e.getMessage());
                render(ctx, ApiProblem.queryTimeout(t.timeout()));
                return;
            }
            DATABASE_FAILED.warn(LOG, "database failed while serving {}: {}", ctx.path(), e.getMessage());
            render(ctx, ApiProblem.unavailable("the database is unavailable; retry shortly"));
        });
        routes.exception(Exception.class, (e, ctx) -> {
            UNEXPECTED.error(LOG, "unexpected error serving {}", ctx.path(), e);
            render(ctx, new ApiProblem(500, "internal", "Internal error", "an unexpected error occurred"));
        });
        routes.error(404, ctx -> {
            if (!isProblem(ctx)) {
                render(ctx, new ApiProblem(404, "no-route", "Not found", "no route matches " + ctx.method() + " " + ctx.path()));
            }
        });
        routes.error(405, ctx -> {
            if (!isProblem(ctx)) {
                render(ctx, new ApiProblem(405, "method-not-allowed", "Method not allowed", ctx.method() + " is not allowed on " + ctx.path()));
            }
        });
    }

    private static boolean isProblem(Context ctx) {
        String ct = ctx.res().getContentType();
        return ct != null && ct.startsWith(CONTENT_TYPE);
    }

    public static void render(Context ctx, ApiProblem p) {
        ctx.status(p.status()).contentType(CONTENT_TYPE).result(body(p, ctx.path()));
    }

    private static String body(ApiProblem p, String instance) {
        ObjectNode body = ValueCodec.mapper().createObjectNode();
        body.put("type", TYPE_BASE + p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.getMessage());
        if (instance != null) {
            body.put("instance", instance);
        }
        return ValueCodec.encode(body);
    }

    /**
     * Jetty's error page, for what Jetty rejects before any route runs (a request line it cannot parse, a malformed
     * percent-encoding, an over-long URI, over-large headers): problem+json as well, whatever the method and Accept
     * header, e.g. {@code 400 https://cachesync.io/problems/bad-request}. Without {@code instance}: Jetty hands its
     * error page a placeholder target ({@code /badMessage}) when it could not parse the request's.
     */
    public static Request.Handler jettyErrorHandler() {
        return new ErrorHandler() {
            @Override
            public boolean errorPageForMethod(String method) {
                return true;
            }

            @Override
            protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
                String title = HttpStatus.getMessage(code);
                String type = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
                ApiProblem p = new ApiProblem(code, type, title, message == null ? title : message);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
                // Jetty drops some of these connections (e.g. after a %00 in the path) without saying so, and a client
                // that reuses the connection then fails its next request: always close, and say so
                response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
                response.write(true, ByteBuffer.wrap(body(p, null).getBytes(StandardCharsets.UTF_8)), callback);
            }
        };
    }
}
