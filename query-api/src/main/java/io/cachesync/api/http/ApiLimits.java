package io.cachesync.api.http;

import io.cachesync.api.config.ApiConfig;

/**
 * Bounds on what one request may ask for.
 *
 * @param maxBatchIds    ids in one batch read
 * @param maxQueryLength characters of a search query or list value
 * @param maxPageDepth   the deepest row a list or search page may reach: {@code page × per_page} at most this
 *                       ({@code api.max-page-depth}), so that no request makes PostgreSQL skip more rows than that
 */
public record ApiLimits(int maxBatchIds, int maxQueryLength, int maxPageDepth) {
    /** The defaults {@link ApiConfig} declares. */
    public static final ApiLimits DEFAULT = new ApiLimits(ApiConfig.MAX_BATCH.typedDefault(), ApiConfig.MAX_QUERY.typedDefault(),
            ApiConfig.MAX_PAGE_DEPTH.typedDefault());
}
