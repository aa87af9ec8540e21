package io.cachesync.sync.redis;

import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.InvalidationMessages;
import io.cachesync.core.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes {@link InvalidationMessages#HEARTBEAT} on the cache's invalidation channel ({@link CacheKeys#invalidationChannel})
 * at a fixed rate, so that
 * query-api can tell a quiet pipeline from a half-open subscription: it uses its L1 only while messages arrive. A failed
 * publish (Redis down) is logged once and retried at the next beat.
 */
public final class InvalidationHeartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationHeartbeat.class);

    private final UnifiedJedis redis;
    private final String channel;
    private final ScheduledExecutorService timer;
    private volatile boolean failing;

    private InvalidationHeartbeat(UnifiedJedis redis, String channel) {
        this.redis = redis;
        this.channel = channel;
        this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-sync-heartbeat"));
    }

    /** Starts beating on {@code channel} at {@link InvalidationMessages#HEARTBEAT_INTERVAL}, the first beat at once. */
    public static InvalidationHeartbeat start(UnifiedJedis redis, String channel) {
        return start(redis, channel, InvalidationMessages.HEARTBEAT_INTERVAL);
    }

    public static InvalidationHeartbeat start(UnifiedJedis redis, String channel, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive, was " + interval);
        }
        InvalidationHeartbeat h = new InvalidationHeartbeat(redis, channel);
        h.timer.scheduleAtFixedRate(h::beat, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        return h;
    }

    private void beat() {
        try {
            redis.publish(channel, InvalidationMessages.HEARTBEAT);
            if (failing) {
                failing = false;
                LOG.info("L1 invalidation heartbeats published again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("L1 invalidation heartbeat not published ({}); query-api instances bypass their L1 until it is", e.toString());
            }
        }
    }

    /** True while the last beat could not be published. */
    boolean failing() {
        return failing;
    }

    /** Stops beating; waits a bounded time for a beat in progress. Idempotent. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("L1 invalidation heartbeat did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
