package io.cachesync.api.cache;

/**
 * A list or search page: the JSON body ({@code {"items":[...],"page":1,"per_page":20,"has_more":false}}) and whether
 * it came from Redis.
 */
public record PageResult(String body, boolean cached) {
}
