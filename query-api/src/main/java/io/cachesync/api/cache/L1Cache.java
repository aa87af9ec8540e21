package io.cachesync.api.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.redis.CacheEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The in-process L1 in front of Redis: bounded in size, a short TTL, and invalidated by push (Redis pub/sub from
 * cache-sync, see {@link InvalidationSubscriber}) so that a write reaches every API instance within the pipeline lag.
 *
 * <p><b>A fill never lands after the invalidation it raced.</b> Every invalidation takes the next number of one
 * sequence. A reader takes a {@link #ticket()} (the sequence's current value) before it reads Redis, and {@link #put}
 * drops the entry if an invalidation of the key, or of everything, was numbered after the ticket; it checks again after
 * the put, which closes the race with a concurrent invalidation. Per-key numbers live in a fixed array of slots indexed
 * by the key's hash, each slot holding the highest number of the keys that share it: a record is never evicted, so it
 * can never be missing when a reader checks it; keys that share a slot only make a put drop more often (the next read
 * goes to Redis), never less.
 *
 * <p><b>The L1 is used only while pushes are known to arrive.</b> cache-sync publishes a heartbeat every second; the
 * subscriber reports each message ({@link #heard()}). When no message arrived for {@code heartbeatTimeout} (or the
 * subscription is down) the L1 is bypassed: not read, not filled, reads go to Redis. When messages come again it
 * restarts empty, since invalidations may have been missed meanwhile.
 */
public final class L1Cache {
    private static final Logger LOG = LoggerFactory.getLogger(L1Cache.class);
    /** Default of {@code api.l1-heartbeat-timeout}. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);
    private static final long NEVER = Long.MIN_VALUE;
    private static final int MIN_SLOTS = 1024;
    private static final int MAX_SLOTS = 1 << 16;

    private final Cache<String, CacheEntry> entries;
    private final AtomicLongArray invalidatedAt;
    private final int slotMask;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong clearedAt = new AtomicLong();
    private final Ticker ticker;
    private final long heartbeatTimeoutNanos;
    private final Duration heartbeatTimeout;
    private final boolean enabled;
    private volatile boolean subscribed;
    private volatile long heardAt = NEVER;

    public L1Cache(long maxEntries, Duration ttl) {
        this(maxEntries, ttl, DEFAULT_HEARTBEAT_TIMEOUT);
    }

    public L1Cache(long maxEntries, Duration ttl, Duration heartbeatTimeout) {
        this(maxEntries, ttl, heartbeatTimeout, Ticker.systemTicker());
    }

    /** @param ticker nanosecond time of the TTL and of the heartbeat timeout (tests pass a fake one) */
    public L1Cache(long maxEntries, Duration ttl, Duration heartbeatTimeout, Ticker ticker) {
        this(maxEntries, ttl, heartbeatTimeout, ticker, slotsFor(maxEntries));
    }

    L1Cache(long maxEntries, Duration ttl, Duration heartbeatTimeout, Ticker ticker, int invalidationSlots) {
        if (Integer.bitCount(invalidationSlots) != 1) {
            throw new IllegalArgumentException("invalidation slots must be a power of two, was " + invalidationSlots);
        }
        if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
            throw new IllegalArgumentException("heartbeat timeout must be positive, was " + heartbeatTimeout);
        }
        this.enabled = maxEntries > 0 && !ttl.isZero();
        this.ticker = ticker;
        this.heartbeatTimeout = heartbeatTimeout;
        this.heartbeatTimeoutNanos = heartbeatTimeout.toNanos();
        this.entries = Caffeine.newBuilder().ticker(ticker).maximumSize(Math.max(1, maxEntries))
                .expireAfterWrite(ttl.isZero() ? Duration.ofMillis(1) : ttl).build();
        this.invalidatedAt = new AtomicLongArray(invalidationSlots);
        this.slotMask = invalidationSlots - 1;
    }

    /** About one slot per entry, as a power of two in 1024..65536. */
    private static int slotsFor(long maxEntries) {
        int n = (int) Math.min(MAX_SLOTS, Math.max(MIN_SLOTS, maxEntries));
        return Integer.highestOneBit(n - 1) << 1;
    }

    public static L1Cache disabled() {
        return new L1Cache(0, Duration.ZERO);
    }

    /** A ticket taken before reading Redis; {@link #put} drops the entry if the key was invalidated after it. */
    public long ticket() {
        return sequence.get();
    }

    /**
     * The key of a row's in-process copy: {@code cs:<entity>:<id>} whatever the Redis key layout, since invalidation
     * messages name rows as {@code <entity>:<id>} ({@code InvalidationSubscriber}).
     */
    public static String keyOf(String entity, String canonicalId) {
        return CacheKeys.PREFIX + entity + ":" + canonicalId;
    }

    public CacheEntry get(String key) {
        return inUse() ? entries.getIfPresent(key) : null;
    }

    public void put(String key, CacheEntry entry, long ticket) {
        if (!inUse() || entry.state() == CacheEntry.State.ABSENT || stale(key, ticket)) {
            return;
        }
        entries.put(key, entry);
        if (stale(key, ticket)) {
            entries.invalidate(key);
        }
    }

    private boolean stale(String key, long ticket) {
        return clearedAt.get() > ticket || invalidatedAt.get(slot(key)) > ticket;
    }

    private int slot(String key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & slotMask;
    }

    public void invalidate(String key) {
        long n = sequence.incrementAndGet();
        invalidatedAt.accumulateAndGet(slot(key), n, Math::max);
        entries.invalidate(key);
    }

    public void invalidateAll() {
        long n = sequence.incrementAndGet();
        clearedAt.accumulateAndGet(n, Math::max);
        entries.invalidateAll();
    }

    /** The subscription is (re)established: nothing is trusted until its first message arrives. */
    void subscribed() {
        heardAt = NEVER;
        subscribed = true;
        invalidateAll();
    }

    /** The subscription is gone: the L1 is bypassed, and emptied. */
    void unsubscribed() {
        subscribed = false;
        invalidateAll();
    }

    /** A message (invalidation or heartbeat) arrived; after a silence the L1 restarts empty before it is used again. */
    void heard() {
        long now = ticker.read();
        if (!healthy(now)) {
            invalidateAll();
            if (heardAt != NEVER) {
                LOG.info("L1 invalidations arrive again after {} ms of silence; L1 restarted empty",
                        Duration.ofNanos(now - heardAt).toMillis());
            }
        }
        heardAt = now;
    }

    private boolean healthy(long now) {
        long at = heardAt;
        return subscribed && at != NEVER && now - at <= heartbeatTimeoutNanos;
    }

    /** True while the L1 is read and filled: enabled, subscribed, and a message arrived within the heartbeat timeout. */
    public boolean inUse() {
        return enabled && healthy(ticker.read());
    }

    /** Nanoseconds since the last message, or -1 when none arrived on this subscription. */
    long silentForNanos() {
        long at = heardAt;
        return at == NEVER ? -1 : ticker.read() - at;
    }

    Ticker ticker() {
        return ticker;
    }

    public Duration heartbeatTimeout() {
        return heartbeatTimeout;
    }

    public boolean enabled() {
        return enabled;
    }

    public long size() {
        return entries.estimatedSize();
    }
}
