package io.cachesync.api.cache;

import io.cachesync.api.config.ApiConfig;

/**
 * How much of Redis list and search pages may take, whatever clients ask ({@link QueryCache}).
 *
 * @param maxPages     pages of each kind (list, search) one entity may store per window ({@code api.max-cached-pages};
 *                     0: pages are never cached). A window is the kind's longest page TTL plus a second, so at most
 *                     {@code 2 × maxPages} pages of a kind are alive at any moment
 * @param maxPageBytes the largest page body stored ({@code api.max-cached-page-bytes}); larger pages are served uncached
 */
public record PageCacheLimits(int maxPages, int maxPageBytes) {
    /** The defaults {@link ApiConfig} declares. */
    public static final PageCacheLimits DEFAULT = new PageCacheLimits(ApiConfig.MAX_CACHED_PAGES.typedDefault(),
            ApiConfig.MAX_CACHED_PAGE_BYTES.typedDefault());

    public PageCacheLimits {
        if (maxPages < 0 || maxPageBytes < 1) {
            throw new IllegalArgumentException("maxPages must be >= 0 and maxPageBytes >= 1, were " + maxPages + " and " + maxPageBytes);
        }
    }
}
