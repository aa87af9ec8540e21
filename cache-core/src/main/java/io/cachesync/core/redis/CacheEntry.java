package io.cachesync.core.redis;

/**
 * What Redis holds for a row.
 *
 * @param state    present, deleted (tombstone / negative cache) or absent (miss, possibly leased)
 * @param version  the stored version ({@code 0} for fills), null when absent
 * @param document the JSON document when present
 */
public record CacheEntry(State state, String version, String document) {
    public enum State { PRESENT, TOMBSTONE, ABSENT }

    public static final CacheEntry ABSENT = new CacheEntry(State.ABSENT, null, null);

    public static CacheEntry present(String version, String document) {
        return new CacheEntry(State.PRESENT, version, document);
    }

    public static CacheEntry tombstone(String version) {
        return new CacheEntry(State.TOMBSTONE, version, null);
    }
}
