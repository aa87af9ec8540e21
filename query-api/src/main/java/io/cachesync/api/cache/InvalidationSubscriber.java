package io.cachesync.api.cache;

import io.cachesync.core.keys.CacheKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Listens on {@link CacheKeys#INVALIDATION_CHANNEL} and drops the named rows from the L1. When the subscription
 * breaks the L1 is cleared and bypassed until it is back (a missed push must not leave a stale L1 entry).
 */
public final class InvalidationSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationSubscriber.class);

    private final UnifiedJedis redis;
    private final L1Cache l1;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile JedisPubSub pubSub;
    private volatile boolean closing;

    public InvalidationSubscriber(UnifiedJedis redis, L1Cache l1) {
        this.redis = redis;
        this.l1 = l1;
        this.thread = new Thread(this::loop, "cachesync-l1-invalidations");
        this.thread.setDaemon(true);
    }

    public InvalidationSubscriber start() {
        if (l1.enabled()) {
            thread.start();
        }
        return this;
    }

    private void loop() {
        long backoff = 100;
        while (!closing) {
            JedisPubSub sub = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int subscribedChannels) {
                    l1.live(true);
                    LOG.debug("L1 invalidations subscribed on {}", channel);
                }

                @Override
                public void onMessage(String channel, String message) {
                    invalidateAll(l1, message);
                }
            };
            pubSub = sub;
            try {
                redis.subscribe(sub, CacheKeys.INVALIDATION_CHANNEL);
                backoff = 100;
            } catch (RuntimeException e) {
                if (!closing) {
                    LOG.warn("L1 invalidation subscription lost ({}); L1 bypassed until it is back", e.toString());
                }
            } finally {
                l1.live(false);
            }
            try {
                if (stopped.await(backoff, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = Math.min(5_000, backoff * 2);
        }
    }

    /** Drops every row a message names ({@code <entity>:<id>}, one or more, see {@link CacheKeys#INVALIDATION_CHANNEL}). */
    static void invalidateAll(L1Cache l1, String message) {
        int from = 0;
        while (from <= message.length()) {
            int end = message.indexOf(CacheKeys.INVALIDATION_SEPARATOR, from);
            if (end < 0) {
                end = message.length();
            }
            if (end > from) {
                l1.invalidate(CacheKeys.PREFIX + message.substring(from, end));
            }
            from = end + 1;
        }
    }

    /** True while pushes arrive (the L1 is in use). */
    public boolean subscribed() {
        JedisPubSub s = pubSub;
        return s != null && s.isSubscribed();
    }

    @Override
    public void close() {
        closing = true;
        stopped.countDown();
        JedisPubSub s = pubSub;
        if (s != null && s.isSubscribed()) {
            try {
                s.unsubscribe();
            } catch (RuntimeException ignored) {
                // the connection is going away anyway
            }
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
