package io.cachesync.api.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.cachesync.core.redis.CacheEntry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process L1 in front of Redis: bounded in size, a short TTL, and invalidated by push (Redis pub/sub from
 * cache-sync, see {@link InvalidationSubscriber}) so that a write reaches every API instance within the pipeline lag.
 *
 * <p>An entry read from Redis just before its invalidation arrives must not be cached after it: readers take a
 * {@link #ticket()} before they read Redis and {@link #put} checks that no invalidation of the key (nor a global one)
 * happened since, re-checking after the put to close the race with a concurrent invalidation. While no
 * subscription is active the L1 is bypassed entirely: without pushes it could not be kept right.
 */
public final class L1Cache {
    private final Cache<String, CacheEntry> entries;
    private final Cache<String, Long> invalidatedAt;
    private final AtomicLong sequence = new AtomicLong();
    private volatile long clearedAt;
    private volatile boolean live;
    private final boolean enabled;

    public L1Cache(long maxEntries, Duration ttl) {
        this.enabled = maxEntries > 0 && !ttl.isZero();
        this.entries = Caffeine.newBuilder().maximumSize(Math.max(1, maxEntries)).expireAfterWrite(ttl.isZero() ? Duration.ofMillis(1) : ttl).build();
        // an invalidation only matters to reads that started before it; reads are short, so a few TTLs suffice
        this.invalidatedAt = Caffeine.newBuilder().maximumSize(Math.max(1024, maxEntries)).expireAfterWrite(ttl.multipliedBy(5).plusSeconds(5)).build();
    }

    public static L1Cache disabled() {
        return new L1Cache(0, Duration.ZERO);
    }

    /** A ticket taken before reading Redis; {@link #put} drops the entry if the key was invalidated after it. */
    public long ticket() {
        return sequence.get();
    }

    public CacheEntry get(String key) {
        return usable() ? entries.getIfPresent(key) : null;
    }

    public void put(String key, CacheEntry entry, long ticket) {
        if (!usable() || entry.state() == CacheEntry.State.ABSENT || stale(key, ticket)) {
            return;
        }
        entries.put(key, entry);
        if (stale(key, ticket)) {
            entries.invalidate(key);
        }
    }

    private boolean stale(String key, long ticket) {
        Long at = invalidatedAt.getIfPresent(key);
        return clearedAt > ticket || (at != null && at > ticket);
    }

    public void invalidate(String key) {
        invalidatedAt.put(key, sequence.incrementAndGet());
        entries.invalidate(key);
    }

    public void invalidateAll() {
        clearedAt = sequence.incrementAndGet();
        entries.invalidateAll();
    }

    /** Called by the subscriber: the L1 is used only while pushes arrive. */
    void live(boolean isLive) {
        invalidateAll();
        this.live = isLive;
    }

    private boolean usable() {
        return enabled && live;
    }

    public boolean enabled() {
        return enabled;
    }

    public long size() {
        return entries.estimatedSize();
    }
}
