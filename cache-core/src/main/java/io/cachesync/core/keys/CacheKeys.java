package io.cachesync.core.keys;

/**
 * The Redis key scheme. Every operation touches one key, so the layout works on Redis Cluster.
 * <ul>
 *   <li>{@code cs:<entity>:<id>} — a hash: {@code v} version, {@code d} document, {@code o} origin, {@code x} tombstone, {@code l} lease</li>
 * </ul>
 */
public final class CacheKeys {
    public static final String PREFIX = "cs:";

    private CacheKeys() {
    }

    /** The key of a row; {@code canonicalId} comes from {@link io.cachesync.core.catalog.KeyType#canonical}. */
    public static String row(String entity, String canonicalId) {
        return PREFIX + entity + ":" + canonicalId;
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
