package io.cachesync.sync.redis;

import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.Ttl;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.sync.envelope.CacheMutation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Clock;
import java.time.Duration;

/**
 * Applies mutations with the versioned-apply script. A Redis failure is retried with capped exponential backoff
 * for up to {@code retryFor}; after that the failure is rethrown so that the stream thread is replaced and
 * re-reads from its last committed offset. Nothing is ever skipped.
 */
public final class RedisMutationApplier {
    private static final Logger LOG = LoggerFactory.getLogger(RedisMutationApplier.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final CacheStore store;
    private final SyncStats stats;
    private final Clock clock;
    private final Duration retryFor;

    public RedisMutationApplier(CacheStore store, SyncStats stats, Clock clock, Duration retryFor) {
        this.store = store;
        this.stats = stats;
        this.clock = clock;
        this.retryFor = retryFor;
    }

    /** The generations to bump after a write: each list value the row left or joined, and the entity's search pages. */
    static java.util.List<String> generationKeys(CacheMutation m) {
        java.util.List<String> keys = new java.util.ArrayList<>();
        m.listValues().forEach((field, values) -> values.forEach(v -> keys.add(CacheKeys.listGeneration(m.entity().name(), field, v))));
        if (!m.entity().query().searchFields().isEmpty()) {
            keys.add(CacheKeys.searchGeneration(m.entity().name()));
        }
        return keys;
    }

    /** Applies one mutation; returns true when Redis was written, false when it held an equal or newer version. */
    public boolean apply(CacheMutation m) {
        String key = CacheKeys.row(m.entity().name(), m.id());
        boolean delete = m.op() == CacheMutation.Op.DELETE;
        Duration ttl = delete ? m.entity().tombstoneTtl() : Ttl.jittered(m.entity().ttl(), m.entity().ttlJitter());
        long deadline = System.nanoTime() + retryFor.toNanos();
        Duration backoff = Duration.ofMillis(50);
        while (true) {
            try {
                boolean written = store.apply(key, m.version(), m.document(), ttl);
                if (written) {
                    store.afterWrite(m.entity().name(), m.id(), generationKeys(m));
                    stats.applied(m.entity().name(), delete);
                } else {
                    stats.skippedStale(m.entity().name());
                }
                if (!m.snapshot() && m.sourceTimestampMs() > 0) {
                    stats.lag(clock.millis() - m.sourceTimestampMs());
                }
                LOG.debug("apply {} v{} {} -> {}", key, m.version(), m.op(), written ? "written" : "stale");
                return written;
            } catch (JedisException e) {
                stats.redisRetry();
                if (System.nanoTime() > deadline) {
                    throw new RedisUnavailableException("Redis write of " + key + " failed for " + retryFor + "; giving the "
                            + "partition back to re-read from the last committed offset: " + e.getMessage(), e);
                }
                LOG.warn("Redis write of {} failed ({}); retrying in {} ms", key, e.getMessage(), backoff.toMillis());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RedisUnavailableException("interrupted while retrying a Redis write of " + key, ie);
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }
}
