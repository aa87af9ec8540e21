package io.cachesync.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.db.RowSource;
import io.cachesync.core.codec.ValueCodec;
import io.javalin.http.Context;
import redis.clients.jedis.UnifiedJedis;

/** {@code /health/live} (the process answers) and {@code /health/ready} (PostgreSQL answers; DEGRADED without Redis). */
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

    /**
     * Ready while PostgreSQL answers: without Redis the API still serves (from PostgreSQL, through the bulkhead), so
     * it reports {@code DEGRADED} with 200 rather than leaving the load balancer with no instance at all.
     */
    public void ready(Context ctx) {
        boolean redisUp = redisUp();
        boolean dbUp = db.ping();
        ObjectNode body = ValueCodec.mapper().createObjectNode();
        body.put("status", !dbUp ? "DOWN" : redisUp ? "UP" : "DEGRADED");
        body.putObject("checks").put("redis", redisUp ? "UP" : "DOWN").put("postgres", dbUp ? "UP" : "DOWN");
        ctx.status(dbUp ? 200 : 503).contentType("application/json").result(ValueCodec.encode(body));
    }

    private boolean redisUp() {
        try {
            return "PONG".equals(redis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
