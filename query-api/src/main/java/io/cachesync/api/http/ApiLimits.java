package io.cachesync.api.http;

/**
 * Bounds on what one request may ask for.
 *
 * @param maxBatchIds    ids in one batch read
 * @param maxQueryLength characters of a search query
 * @param maxPage        the highest page number of a list or search
 */
public record ApiLimits(int maxBatchIds, int maxQueryLength, int maxPage) {
    public static final ApiLimits DEFAULT = new ApiLimits(100, 200, 10_000);
}
