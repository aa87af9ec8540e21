package io.cachesync.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.db.DatabaseException;
import io.cachesync.core.codec.ValueCodec;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/** Maps every error to RFC 9457 problem+json, in one place. */
public final class ProblemRenderer {
    private static final Logger LOG = LoggerFactory.getLogger(ProblemRenderer.class);
    public static final String CONTENT_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://cachesync.io/problems/";

    private ProblemRenderer() {
    }

    public static void register(RoutesConfig routes) {
        routes.exception(ApiProblem.class, (e, ctx) -> render(ctx, e));
        routes.exception(JedisException.class, (e, ctx) -> {
            LOG.warn("Redis failed while serving {}: {}", ctx.path(), e.toString());
            render(ctx, ApiProblem.unavailable("the cache is unavailable; retry shortly"));
        });
        routes.exception(DatabaseException.class, (e, ctx) -> {
            LOG.warn("database failed while serving {}: {}", ctx.path(), e.getMessage());
            render(ctx, ApiProblem.unavailable("the database is unavailable; retry shortly"));
        });
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("unexpected error serving {}", ctx.path(), e);
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
        ObjectNode body = ValueCodec.mapper().createObjectNode();
        body.put("type", TYPE_BASE + p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.getMessage());
        body.put("instance", ctx.path());
        ctx.status(p.status()).contentType(CONTENT_TYPE).result(ValueCodec.encode(body));
    }
}
