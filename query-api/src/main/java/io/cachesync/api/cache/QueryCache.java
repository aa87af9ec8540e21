package io.cachesync.api.cache;

import io.cachesync.api.db.DatabaseException;
import io.cachesync.api.db.RowSource;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ListIndex;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.Ttl;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Cached list and search pages (DESIGN rule 4). A page is stored under a key that embeds the current generation of
 * what it depends on — {@code cs:_gen:<entity>:<field>=<value>} for a list, {@code cs:_gen:<entity>:_all} for search —
 * which cache-sync INCRs on every change that can affect it. A bump makes the old pages unreachable (they expire);
 * no SCAN, no DEL. A page filled from a database read that raced with a change lands under the old generation, so
 * it is never served after the bump.
 */
public final class QueryCache {
    private final UnifiedJedis redis;
    private final RowSource db;
    private final ReadStats stats;
    private final RedisCircuit circuit;
    /** Reads generation counters through generation.lua (a missing one restarts above every value it had). */
    private final io.cachesync.core.redis.CacheStore store;

    public QueryCache(io.cachesync.core.redis.CacheStore store, RowSource db, ReadStats stats) {
        this(store, db, stats, RedisCircuit.unguarded());
    }

    public QueryCache(io.cachesync.core.redis.CacheStore store, RowSource db, ReadStats stats, RedisCircuit circuit) {
        this.store = store;
        this.redis = store.redis();
        this.db = db;
        this.stats = stats;
        this.circuit = circuit;
    }

    public PageResult list(EntityDefinition e, ListIndex index, String value, int page, int perPage) throws DatabaseException {
        String sql = RowQueries.selectAll(e) + " WHERE \"" + index.field() + "\"::text = ? ORDER BY \"" + e.keyColumn() + "\" LIMIT ? OFFSET ?";
        RowSource.SqlBinder binder = ps -> {
            ps.setString(1, value);
            ps.setInt(2, perPage + 1);
            ps.setLong(3, (long) (page - 1) * perPage);
        };
        return circuit.call(() -> {
            long gen = store.generation(CacheKeys.listGeneration(e.name(), index.field(), value));
            String key = CacheKeys.listPage(e.name(), index.field(), value, gen, page, perPage);
            return cachedPage(e, key, Ttl.jittered(e.query().listTtl(), e.ttlJitter()).toMillis(), page, perPage, sql, binder);
        }, () -> new PageResult(render(db.query(e, sql, binder), page, perPage), false));
    }

    public PageResult search(EntityDefinition e, String q, int page, int perPage) throws DatabaseException {
        String pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        List<String> fields = e.query().searchFields();
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            where.append(i == 0 ? "" : " OR ").append('"').append(fields.get(i)).append("\"::text ILIKE ? ESCAPE '\\'");
        }
        String sql = RowQueries.selectAll(e) + " WHERE " + where + " ORDER BY \"" + e.keyColumn() + "\" LIMIT ? OFFSET ?";
        RowSource.SqlBinder binder = ps -> {
            for (int i = 0; i < fields.size(); i++) {
                ps.setString(i + 1, pattern);
            }
            ps.setInt(fields.size() + 1, perPage + 1);
            ps.setLong(fields.size() + 2, (long) (page - 1) * perPage);
        };
        return circuit.call(() -> {
            long gen = store.generation(CacheKeys.searchGeneration(e.name()));
            String key = CacheKeys.searchPage(e.name(), gen, sha256(q + "\u0000" + page + "\u0000" + perPage));
            return cachedPage(e, key, e.query().searchTtl().toMillis(), page, perPage, sql, binder);
        }, () -> new PageResult(render(db.query(e, sql, binder), page, perPage), false));
    }

    private PageResult cachedPage(EntityDefinition e, String key, long ttlMs, int page, int perPage, String sql,
                                  RowSource.SqlBinder binder) throws DatabaseException {
        String cached = redis.get(key);
        if (cached != null) {
            return new PageResult(cached, true);
        }
        stats.dbRead();
        String json = render(db.query(e, sql, binder), page, perPage);
        redis.set(key, json, SetParams.setParams().px(Math.max(1, ttlMs)));
        return new PageResult(json, false);
    }

    /** The page body; {@code rows} holds up to perPage + 1 rows, the extra one only tells that there are more. */
    private static String render(List<String> rows, int page, int perPage) {
        StringBuilder body = new StringBuilder("{\"items\":[");
        for (int i = 0; i < Math.min(perPage, rows.size()); i++) {
            body.append(i == 0 ? "" : ",").append(rows.get(i));
        }
        return body.append("],\"page\":").append(page).append(",\"per_page\":").append(perPage).append(",\"has_more\":")
                .append(rows.size() > perPage).append('}').toString();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
