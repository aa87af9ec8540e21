package io.cachesync.api.cache;

/**
 * The answer to a single-row read.
 *
 * @param source   where it came from: HIT_L1 (in-process), HIT (Redis), MISS (read through to PostgreSQL), NEGATIVE (cached "no such row")
 * @param document the row's JSON document, or null when the row does not exist
 * @param version  the cached version when known (0 for fills), null on a miss
 */
public record ReadResult(Source source, String document, String version) {
    public enum Source {
        HIT_L1("HIT-L1"), HIT("HIT"), MISS("MISS"), NEGATIVE("NEGATIVE");

        private final String header;

        Source(String header) {
            this.header = header;
        }

        /** The value of the {@code X-Cache} header. */
        public String header() {
            return header;
        }
    }

    public boolean found() {
        return document != null;
    }
}
