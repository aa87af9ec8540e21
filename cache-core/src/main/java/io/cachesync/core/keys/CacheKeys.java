package io.cachesync.core.keys;

/**
 * The Redis key scheme. Every operation touches one key, so the layout works on Redis Cluster.
 * <ul>
 *   <li>{@code cs:<entity>:<id>} — a hash: {@code v} version, {@code d} document, {@code o} origin, {@code x} tombstone, {@code l} lease</li>
 *   <li>{@code cs:<entity>:gen:<field>=<value>} — generation of the list pages of one list value (INCR on change)</li>
 *   <li>{@code cs:<entity>:gen:_all} — generation of the entity's search pages (INCR on any change)</li>
 *   <li>{@code cs:<entity>:list:<field>=<value>:g<gen>:<page>:<perPage>} — a cached list page; older generations are unreachable and expire</li>
 *   <li>{@code cs:<entity>:search:g<gen>:<hash>} — a cached search page</li>
 *   <li>{@code cs:<entity>:popular} — sorted set of read counts (warming)</li>
 *   <li>channel {@code cs:invalidate} — {@code <entity>:<id>} published after every write, for the API's in-process L1</li>
 * </ul>
 * Non-row keys of an entity always contain a second ':' after the entity, so they never look like a row id.
 */
public final class CacheKeys {
    public static final String PREFIX = "cs:";

    private CacheKeys() {
    }

    /** The key of a row; {@code canonicalId} comes from {@link io.cachesync.core.catalog.KeyType#canonical}. */
    public static String row(String entity, String canonicalId) {
        return PREFIX + entity + ":" + canonicalId;
    }

    /**
     * Pub/sub channel of row invalidations. A message names one row or more, {@code <entity>:<id>} each, separated by
     * {@link #INVALIDATION_SEPARATOR} (neither an entity name nor a key may contain a control character).
     */
    public static final String INVALIDATION_CHANNEL = "cs:invalidate";
    public static final char INVALIDATION_SEPARATOR = '\n';

    /** The generation of the list pages of {@code field = value}. */
    public static String listGeneration(String entity, String field, String value) {
        return PREFIX + entity + ":gen:" + field + "=" + value;
    }

    /** The generation of every search page of the entity. */
    public static String searchGeneration(String entity) {
        return PREFIX + entity + ":gen:_all";
    }

    public static String listPage(String entity, String field, String value, long generation, int page, int perPage) {
        return PREFIX + entity + ":list:" + field + "=" + value + ":g" + generation + ":" + page + ":" + perPage;
    }

    public static String searchPage(String entity, long generation, String queryHash) {
        return PREFIX + entity + ":search:g" + generation + ":" + queryHash;
    }

    public static String popularity(String entity) {
        return PREFIX + entity + ":popular";
    }

    /** The pattern matching every row key of an entity (for operator tools and verify, never a request path). */
    public static String rowPattern(String entity) {
        return PREFIX + entity + ":*";
    }

    /** The id part of a row key, or null when the key is not a row key of the entity. */
    public static String idOf(String entity, String key) {
        String p = PREFIX + entity + ":";
        return key.startsWith(p) ? key.substring(p.length()) : null;
    }
}
