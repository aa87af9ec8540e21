package io.cachesync.core.keys;

import java.util.Collection;

/**
 * The Redis key scheme (DESIGN rule 6: a keyspace no id can break). Rows and the guards of their writes are placed by
 * {@link KeyLayout} (one Redis, or buckets of a Redis Cluster); every other key is touched alone, so it may live in
 * any slot.
 * <ul>
 *   <li>{@code cs:<entity>:<id>} (on a cluster {@code cs:<entity>:{<bucket tag>}:<id>}) — a row: a hash of {@code v}
 *       version, {@code d} document, {@code o} origin, {@code x} tombstone, {@code l} lease. The id is the canonical id,
 *       whatever characters it holds.</li>
 *   <li>{@code cs:_gen:<entity>:<field>=<value>} — generation of the list pages of one list value</li>
 *   <li>{@code cs:_gen:<entity>:_all} — generation of the entity's search pages</li>
 *   <li>{@code cs:_list:<entity>:<field>=<value>:g<gen>:<page>:<perPage>} — a cached list page</li>
 *   <li>{@code cs:_search:<entity>:g<gen>:<hash>} — a cached search page</li>
 *   <li>{@code cs:_pages:<entity>:list}, {@code cs:_pages:<entity>:search} — pages of that kind the entity stored in the
 *       current window (query-api's bound on page memory; expires with the window)</li>
 *   <li>{@code cs:_popular:<entity>} — sorted set of read counts of rows that exist (warming), trimmed to the most read</li>
 *   <li>{@code cs:_epoch} — set by cache-sync; its loss means Redis lost its data</li>
 *   <li>{@code cs:_rebuild:<run ids>} — the cache-sync instance that asked for the re-read after the Redis servers changed
 *       (expires after a day)</li>
 *   <li>{@code cs:_fence:<application>:<store>:<task>} (on a cluster one copy per bucket, {@code …:{<tag>}}) — the
 *       fencing token of a cache-sync task's current owner</li>
 *   <li>{@code cs:_source} — the source floor: the newest source epoch (identity of the database) cache-sync has seen;
 *       on a cluster also one copy of its epoch per bucket, {@code cs:_source:{<tag>}}, read by {@code apply.lua}</li>
 *   <li>channel {@code cs:invalidate} ({@code cs:invalidate:<n>} in Redis database n &gt; 0) — {@code <entity>:<id>} lines
 *       published after writes, for the API's in-process L1</li>
 * </ul>
 * Helper keys put a segment starting with {@code _} right after {@code cs:}, where a row key has its entity name, and an
 * entity name starts with a letter ({@code EntityCatalog}): no id of any entity, whatever it holds ({@code popular},
 * {@code gen:_all}, {@code a:b:c}), can make a row key equal to a helper key, and {@link #rowPattern} matches rows only.
 */
public final class CacheKeys {
    public static final String PREFIX = "cs:";
    /** Every helper key starts with this ({@code cs:_}); no row key does. */
    public static final String HELPER_PREFIX = PREFIX + "_";

    private CacheKeys() {
    }

    /**
     * Pub/sub channel of row invalidations (and cache-sync's heartbeats) of a cache in Redis database 0. A message names
     * one row or more, {@code <entity>:<id>} each, separated by {@link #INVALIDATION_SEPARATOR} (neither an entity name
     * nor a key may contain a control character).
     */
    public static final String INVALIDATION_CHANNEL = "cs:invalidate";

    /**
     * The invalidation channel of a cache in Redis database {@code database}: {@link #INVALIDATION_CHANNEL} for 0,
     * {@code cs:invalidate:<database>} for another. A channel belongs to the whole server, not to a database, so two
     * deployments sharing a Redis (a database each) would otherwise hear each other's invalidations and heartbeats — and
     * another deployment's heartbeat would keep an L1 in use while its own cache-sync is down.
     */
    public static String invalidationChannel(int database) {
        return database == 0 ? INVALIDATION_CHANNEL : INVALIDATION_CHANNEL + ":" + database;
    }
    public static final char INVALIDATION_SEPARATOR = '\n';

    /** The generation of the list pages of {@code field = value}. */
    public static String listGeneration(String entity, String field, String value) {
        return HELPER_PREFIX + "gen:" + entity + ":" + field + "=" + value;
    }

    /** The generation of every search page of the entity. */
    public static String searchGeneration(String entity) {
        return HELPER_PREFIX + "gen:" + entity + ":_all";
    }

    public static String listPage(String entity, String field, String value, long generation, int page, int perPage) {
        return HELPER_PREFIX + "list:" + entity + ":" + field + "=" + value + ":g" + generation + ":" + page + ":" + perPage;
    }

    public static String searchPage(String entity, long generation, String queryHash) {
        return HELPER_PREFIX + "search:" + entity + ":g" + generation + ":" + queryHash;
    }

    /** The kind of {@link #pageCount} that counts list pages. */
    public static final String PAGES_LIST = "list";
    /** The kind of {@link #pageCount} that counts search pages. */
    public static final String PAGES_SEARCH = "search";

    /** How many pages of {@code kind} ({@link #PAGES_LIST} or {@link #PAGES_SEARCH}) the entity stored in the current window. */
    public static String pageCount(String entity, String kind) {
        return HELPER_PREFIX + "pages:" + entity + ":" + kind;
    }

    /** The pending resync request of an entity (its signal id), while further requests are folded into it. */
    public static String resyncRequest(String entity) {
        return HELPER_PREFIX + "resync:" + entity;
    }

    public static String popularity(String entity) {
        return HELPER_PREFIX + "popular:" + entity;
    }

    /** Set by cache-sync when it starts; its disappearance means Redis lost its data. */
    public static final String EPOCH = HELPER_PREFIX + "epoch";

    /**
     * Claimed by the cache-sync instance that asks for the re-read after the Redis servers the cache is on changed to
     * {@code runIds} (a restart from a saved dataset, a failover), so that the other instances do not ask again.
     */
    public static String rebuildClaim(Collection<String> runIds) {
        return HELPER_PREFIX + "rebuild:" + String.join(",", runIds);
    }

    /**
     * The source floor (a hash, {@code source.lua}): {@code e} the newest source epoch cdc-ingest announced, {@code p}
     * the epoch whose purge of older rows finished. Changes of an older epoch are skipped.
     */
    public static final String SOURCE = HELPER_PREFIX + "source";

    /** The pattern matching every row key of an entity and nothing else (for operator tools and verify, never a request path). */
    public static String rowPattern(String entity) {
        return PREFIX + entity + ":*";
    }

    /** The pattern matching every generation counter of an entity's list and search pages (for maintenance, never a request path). */
    public static String generationPattern(String entity) {
        return HELPER_PREFIX + "gen:" + entity + ":*";
    }
}
