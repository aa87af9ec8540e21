package io.cachesync.api.cache;

import io.cachesync.api.db.DatabaseException;
import io.cachesync.api.db.RowSource;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ListColumnType;
import io.cachesync.core.catalog.ListIndex;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.Ttl;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.params.SetParams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Cached list and search pages (DESIGN rule 4). A page is stored under a key that embeds the current generation of
 * what it depends on — {@code cs:_gen:<entity>:<field>=<value>} for a list, {@code cs:_gen:<entity>:_all} for search —
 * which cache-sync INCRs on every change that can affect it. A bump makes the old pages unreachable (they expire);
 * no SCAN, no DEL. A page filled from a database read that raced with a change lands under the old generation, so
 * it is never served after the bump.
 *
 * <p>Redis memory for pages is bounded whatever clients ask ({@link PageCacheLimits}): a miss first takes a place among
 * the pages its entity may store in the current window — {@code INCR cs:_pages:<entity>:<kind>}, a counter that expires
 * one window (the kind's longest page TTL plus a second) after its first increment — and only the first
 * {@code maxPages} misses of a window store their page (if its body is at most {@code maxPageBytes}); the others are
 * answered from PostgreSQL without being stored. A page lives at most one window, so the pages alive at any moment
 * were stored in at most two windows: at most {@code 2 × maxPages} pages of each kind per entity. A list value's
 * generation counter is created only by a miss that may store its page, and then lives one window, so list values
 * clients make up leave at most one short-lived counter per stored page.
 */
public final class QueryCache {
    private static final Logger LOG = LoggerFactory.getLogger(QueryCache.class);
    /** Added to a kind's longest page TTL to make its window: covers the moments between taking a place and storing. */
    static final long WINDOW_MARGIN_MS = 1_000;

    private final UnifiedJedis redis;
    /** Creates missing generation counters (a missing one restarts above every value it had). */
    private final CacheStore store;
    private final RowSource db;
    private final ReadStats stats;
    private final RedisCircuit circuit;
    private final PageCacheLimits limits;

    public QueryCache(CacheStore store, RowSource db, ReadStats stats) {
        this(store, db, stats, RedisCircuit.unguarded());
    }

    public QueryCache(CacheStore store, RowSource db, ReadStats stats, RedisCircuit circuit) {
        this(store, db, stats, circuit, PageCacheLimits.DEFAULT);
    }

    public QueryCache(CacheStore store, RowSource db, ReadStats stats, RedisCircuit circuit, PageCacheLimits limits) {
        this.store = store;
        this.redis = store.redis();
        this.db = db;
        this.stats = stats;
        this.circuit = circuit;
        this.limits = limits;
    }

    /** The longest a list page of {@code e} lives (its TTL with the largest jitter) plus the margin: one window of its count. */
    static long listWindowMs(EntityDefinition e) {
        return (long) Math.ceil(e.query().listTtl().toMillis() * (1 + Math.max(0, e.ttlJitter()))) + WINDOW_MARGIN_MS;
    }

    /** The longest a search page of {@code e} lives plus the margin: one window of its count. */
    static long searchWindowMs(EntityDefinition e) {
        return e.query().searchTtl().toMillis() + WINDOW_MARGIN_MS;
    }

    /**
     * A page of the rows whose {@code index} column holds {@code value}, given as {@link ListColumnType#canonical} made it:
     * the text cache-sync names the list's generation with.
     */
    public PageResult list(EntityDefinition e, ListIndex index, String value, int page, int perPage) throws DatabaseException {
        String sql = RowQueries.selectAll(e) + " WHERE " + index.type().predicate("\"" + index.field() + "\"") + " ORDER BY "
                + e.key().columnList() + " LIMIT ? OFFSET ?";
        RowSource.SqlBinder binder = ps -> {
            index.type().bind(ps, 1, value);
            ps.setInt(2, perPage + 1);
            ps.setLong(3, (long) (page - 1) * perPage);
        };
        return circuit.call(() -> cachedPage(e, CacheKeys.PAGES_LIST, listWindowMs(e), CacheKeys.listGeneration(e.name(), index.field(), value),
                        gen -> CacheKeys.listPage(e.name(), index.field(), value, gen, page, perPage),
                        Ttl.jittered(e.query().listTtl(), e.ttlJitter()).toMillis(), page, perPage, sql, binder),
                () -> new PageResult(render(db.query(e, sql, binder), page, perPage), false));
    }

    public PageResult search(EntityDefinition e, String q, int page, int perPage) throws DatabaseException {
        String pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        List<String> fields = e.query().searchFields();
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            where.append(i == 0 ? "" : " OR ").append('"').append(fields.get(i)).append("\"::text ILIKE ? ESCAPE '\\'");
        }
        String sql = RowQueries.selectAll(e) + " WHERE " + where + " ORDER BY " + e.key().columnList() + " LIMIT ? OFFSET ?";
        RowSource.SqlBinder binder = ps -> {
            for (int i = 0; i < fields.size(); i++) {
                ps.setString(i + 1, pattern);
            }
            ps.setInt(fields.size() + 1, perPage + 1);
            ps.setLong(fields.size() + 2, (long) (page - 1) * perPage);
        };
        String queryHash = sha256(q + "\u0000" + page + "\u0000" + perPage);
        return circuit.call(() -> cachedPage(e, CacheKeys.PAGES_SEARCH, searchWindowMs(e), CacheKeys.searchGeneration(e.name()),
                        gen -> CacheKeys.searchPage(e.name(), gen, queryHash), e.query().searchTtl().toMillis(), page, perPage, sql, binder),
                () -> new PageResult(render(db.query(e, sql, binder), page, perPage), false));
    }

    /**
     * A page from Redis, or from PostgreSQL — stored when this miss gets one of the window's places and the body is small
     * enough. The generation is read (or created) before the database is, so a page read while a change landed is stored
     * under the generation the change bumped, and never served.
     */
    private PageResult cachedPage(EntityDefinition e, String kind, long windowMs, String generationKey, LongFunction<String> pageKey,
                                  long ttlMs, int page, int perPage, String sql, RowSource.SqlBinder binder) throws DatabaseException {
        String current = redis.get(generationKey);
        if (current != null) {
            String cached = redis.get(pageKey.apply(Long.parseLong(current)));
            if (cached != null) {
                return new PageResult(cached, true);
            }
        }
        boolean keep = takePlace(e, kind, windowMs);
        long gen = current != null ? Long.parseLong(current) : keep ? generation(generationKey, windowMs) : -1;
        stats.dbRead();
        String json = render(db.query(e, sql, binder), page, perPage);
        if (keep && utf8Length(json) <= limits.maxPageBytes()) {
            redis.set(pageKey.apply(gen), json, SetParams.setParams().px(Math.max(1, ttlMs)));
        }
        return new PageResult(json, false);
    }

    /**
     * The generation to store a page under, creating the counter when it is missing ({@code generation.lua} 'read': above
     * every value it ever had). A counter this creates lives one window — longer than any page stored under it — rather
     * than the week cache-sync gives the counters it bumps, so list values clients make up do not pile up counters;
     * cache-sync's next bump extends it.
     */
    private long generation(String generationKey, long windowMs) {
        return store.generation(generationKey, windowMs);
    }

    /**
     * Counts a page about to be stored in its entity's window ({@code INCR}, and the window's expiry when the counter has
     * none — set in the same round trip, so a counter can never be left without one); true while the window holds at
     * most {@code maxPages}.
     */
    private boolean takePlace(EntityDefinition e, String kind, long windowMs) {
        if (limits.maxPages() == 0) {
            return false;
        }
        String counter = CacheKeys.pageCount(e.name(), kind);
        Response<Long> n;
        try (AbstractPipeline p = RedisNodes.pipeline(redis)) {
            n = p.incr(counter);
            p.pexpire(counter, windowMs, ExpiryOption.NX);
            p.sync();
        }
        long taken = n.get();
        if (taken == limits.maxPages() + 1L) {
            LOG.info("{} has stored {} {} pages in this window (api.max-cached-pages): more are served from PostgreSQL without"
                    + " being cached until the window ends (at most {} ms)", e.name(), limits.maxPages(), kind, windowMs);
        }
        return taken <= limits.maxPages();
    }

    /** Bytes of {@code s} in UTF-8 (what Redis stores), without encoding it. */
    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
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
