package io.cachesync.api.cache;

/**
 * The answer to a single-row read.
 *
 * @param source   where it came from: HIT (Redis), MISS (read through to PostgreSQL), NEGATIVE (cached "no such row")
 * @param document the row's JSON document, or null when the row does not exist
 * @param version  the cached version when known (0 for fills), null on a miss
 */
public record ReadResult(Source source, String document, String version) {
    public enum Source { HIT, MISS, NEGATIVE }

    public boolean found() {
        return document != null;
    }
}
