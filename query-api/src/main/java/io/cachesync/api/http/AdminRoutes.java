package io.cachesync.api.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.cache.CacheAdmin;
import io.cachesync.api.cache.ReadStats;
import io.cachesync.api.cache.ReadThroughCache;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.keys.CacheKeys;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Operator endpoints under {@code /admin}, behind {@code Authorization: Bearer <api.admin-token>} (compared in constant
 * time; 401 without it; 404 for all of them when no token is configured). SCAN is used here and nowhere on a request path.
 */
public final class AdminRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
    private static final int MAX_KEYS = 1000;
    private static final int STATS_SCAN_LIMIT = 1_000_000;
    static final Duration RESYNC_FOLD = CacheAdmin.RESYNC_FOLD;

    /** Writes a resync request (a Debezium signal row) and returns its id. */
    @FunctionalInterface
    public interface ResyncSignal {
        String request(EntityDefinition entity) throws Exception;
    }

    private final byte[] token;
    private final EntityCatalog catalog;
    private final ReadThroughCache cache;
    private final CacheAdmin admin;
    private final ResyncSignal resync;

    public AdminRoutes(String token, EntityCatalog catalog, ReadThroughCache cache, ResyncSignal resync) {
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.catalog = catalog;
        this.cache = cache;
        this.admin = new CacheAdmin(cache.store(), cache.l1());
        this.resync = resync;
    }

    /** Before every /admin request. */
    public void authorize(Context ctx) {
        if (token == null) {
            throw new ApiProblem(404, "admin-disabled", "Not found", "the admin endpoints are off: set api.admin-token to turn them on");
        }
        String h = ctx.header("Authorization");
        // the scheme is case-insensitive (RFC 9110 §11.1)
        byte[] given = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(token, given)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"cachesync-admin\"");
            throw new ApiProblem(401, "unauthorized", "Unauthorized", "send Authorization: Bearer <api.admin-token>");
        }
    }

    /** {@code GET /admin/cache/stats}: hit rate, Redis memory and info, keys per entity. */
    public void stats(Context ctx) {
        ReadStats s = cache.stats();
        ObjectNode body = ValueCodec.mapper().createObjectNode();
        ObjectNode reads = body.putObject("reads");
        reads.put("total", s.reads()).put("hit_l1", s.l1Hits()).put("hit", s.hits()).put("miss", s.misses()).put("negative", s.negatives())
                .put("hit_rate", s.hitRate()).put("l1_hit_rate", s.l1HitRate());
        body.putObject("fills").put("kept", s.fills()).put("dropped", s.fillsDropped()).put("lease_waits", s.leaseWaits());
        body.put("circuit", cache.circuit().state().name().toLowerCase());
        Map<String, String> info = admin.info();
        ObjectNode r = body.putObject("redis");
        for (String k : List.of("redis_version", "used_memory", "used_memory_human", "maxmemory", "maxmemory_policy", "connected_clients",
                "evicted_keys", "expired_keys", "keyspace_hits", "keyspace_misses", "uptime_in_seconds")) {
            if (info.containsKey(k)) {
                r.put(k, info.get(k));
            }
        }
        r.put("db_size", admin.dbSize());
        CacheAdmin.KeyCounts counts = admin.countRows(catalog.all().stream().map(EntityDefinition::name).toList(), STATS_SCAN_LIMIT);
        ObjectNode perEntity = body.putObject("keys_per_entity");
        counts.perEntity().forEach(perEntity::put);
        body.put("keys_counted_complete", counts.complete());
        ctx.contentType("application/json").result(ValueCodec.encode(body));
    }

    /** {@code GET /admin/cache/keys?pattern=cs:products:*&limit=100}: SCAN, capped. */
    public void keys(Context ctx) {
        String pattern = pattern(ctx);
        int limit = limit(ctx);
        CacheAdmin.KeyList page = admin.keys(pattern, limit);
        ObjectNode body = ValueCodec.mapper().createObjectNode();
        ArrayNode arr = body.putArray("keys");
        page.keys().forEach(arr::add);
        body.put("truncated", page.truncated());
        ctx.contentType("application/json").result(ValueCodec.encode(body));
    }

    /** {@code DELETE /admin/cache/{entity}/{id}}: removes one row's entry (the next read fills it) and its L1 copies. */
    public void deleteOne(Context ctx) {
        EntityDefinition e = catalog.byName(ctx.pathParam("entity")).orElseThrow(() -> ApiProblem.unknownEntity(ctx.pathParam("entity")));
        String raw = ctx.pathParam("id");
        String id = e.key().canonical(raw).orElseThrow(() -> ApiProblem.malformedId(e.name(), raw, e.key().describe()));
        long n = admin.deleteRow(e.name(), id);
        LOG.info("admin: deleted row {} of {} ({} key)", id, e.name(), n);
        ctx.contentType("application/json").result("{\"deleted\":" + n + "}");
    }

    /**
     * {@code DELETE /admin/cache?pattern=cs:products:*}: SCAN + UNLINK, a page at a time; returns the count. Only row keys are
     * deleted: cachesync's own keys ({@code cs:_…}: the Redis epoch, the source floor, fences, page generations) are
     * skipped whatever the pattern, since losing them forces a full re-snapshot or lets an old page be served again.
     */
    public void deletePattern(Context ctx) {
        String pattern = pattern(ctx);
        long deleted = admin.deleteRows(pattern);
        LOG.info("admin: deleted {} keys matching {}", deleted, pattern);
        ctx.contentType("application/json").result("{\"deleted\":" + deleted + ",\"pattern\":" + ValueCodec.mapper().valueToTree(pattern) + "}");
    }

    /**
     * {@code POST /admin/resync/{entity}}: starts a Debezium incremental snapshot of the entity's table (a view has none of
     * its own: {@code 400 view-resync} names its root entity). Requests for
     * an entity within {@link #RESYNC_FOLD} of the last one (from any API instance) are folded into it: each would
     * re-read the whole table again. {@code force=true} requests another one regardless.
     */
    public void resync(Context ctx) throws Exception {
        EntityDefinition e = catalog.byName(ctx.pathParam("entity")).orElseThrow(() -> ApiProblem.unknownEntity(ctx.pathParam("entity")));
        if (e.source() == EntityDefinition.Source.VIEW) {
            ViewDefinition v = catalog.view(e);
            throw ApiProblem.viewResync(v.name(), v.root(), v.parts());
        }
        if (e.source() != EntityDefinition.Source.CDC) {
            throw new ApiProblem(409, "not-cdc-fed", "Not fed by CDC", e.name() + " is fed by commands (entities." + e.name()
                    + ".source=commands): there is no table snapshot to re-read; its publisher must send the rows again");
        }
        if (resync == null) {
            throw ApiProblem.unavailable("resync is not available: the signal table cannot be written");
        }
        String force = ctx.queryParam("force");
        if (force != null && !force.equals("true") && !force.equals("false")) {
            throw new ApiProblem(400, "bad-request", "Bad request", "force is true or false, was '" + force + "'");
        }
        String claim = "requesting:" + UUID.randomUUID();
        Optional<String> pending = "true".equals(force) ? Optional.empty() : admin.pendingResync(e.name(), claim);
        if (pending.isPresent()) {
            LOG.info("admin: resync of {} folded into the pending request {}", e.qualifiedTable(), pending.get());
            resyncAnswer(ctx, e, pending.get(), true);
            return;
        }
        String id;
        try {
            id = resync.request(e);
        } catch (Exception ex) {
            admin.releaseResync(e.name(), claim);
            throw ex;
        }
        admin.rememberResync(e.name(), id);
        LOG.info("admin: resync of {} requested (signal {})", e.qualifiedTable(), id);
        resyncAnswer(ctx, e, id, false);
    }

    private static void resyncAnswer(Context ctx, EntityDefinition e, String signal, boolean folded) {
        ObjectNode body = ValueCodec.mapper().createObjectNode().put("entity", e.name()).put("table", e.qualifiedTable()).put("signal", signal)
                .put("deduplicated", folded).put("status", folded
                        ? "an incremental snapshot was requested less than " + RESYNC_FOLD.toMinutes() + " minutes ago: this request is folded"
                        + " into it (force=true requests another)"
                        : "incremental snapshot requested");
        ctx.status(202).contentType("application/json").result(body.toString());
    }

    private static String pattern(Context ctx) {
        String p = ctx.queryParam("pattern");
        if (p == null || p.isBlank()) {
            throw new ApiProblem(400, "bad-request", "Bad request", "pattern is required, e.g. pattern=cs:products:*");
        }
        if (!p.startsWith(CacheKeys.PREFIX) || p.length() > 256) {
            throw new ApiProblem(400, "bad-request", "Bad request", "pattern must start with '" + CacheKeys.PREFIX
                    + "' (only cachesync's keys) and be at most 256 characters");
        }
        return p;
    }

    private static int limit(Context ctx) {
        String l = ctx.queryParam("limit");
        if (l == null) {
            return 100;
        }
        try {
            int n = Integer.parseInt(l);
            if (n < 1 || n > MAX_KEYS) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException ex) {
            throw new ApiProblem(400, "bad-request", "Bad request", "limit must be a whole number from 1 to " + MAX_KEYS);
        }
    }
}
