package io.cachesync.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.db.RowSource;
import io.cachesync.core.codec.ValueCodec;
import io.javalin.http.Context;
import redis.clients.jedis.UnifiedJedis;

/** {@code /health/live} (the process answers) and {@code /health/ready} (Redis and PostgreSQL answer). */
public final class HealthRoutes {
    private final UnifiedJedis redis;
    private final RowSource db;

    public HealthRoutes(UnifiedJedis redis, RowSource db) {
        this.redis = redis;
        this.db = db;
    }

    public void live(Context ctx) {
        ctx.contentType("application/json").result("{\"status\":\"UP\"}");
    }

    public void ready(Context ctx) {
        boolean redisUp = redisUp();
        boolean dbUp = db.ping();
        ObjectNode body = ValueCodec.mapper().createObjectNode();
        body.put("status", redisUp && dbUp ? "UP" : "DOWN");
        body.putObject("checks").put("redis", redisUp ? "UP" : "DOWN").put("postgres", dbUp ? "UP" : "DOWN");
        ctx.status(redisUp && dbUp ? 200 : 503).contentType("application/json").result(ValueCodec.encode(body));
    }

    private boolean redisUp() {
        try {
            return "PONG".equals(redis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
