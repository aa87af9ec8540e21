package io.cachesync.api.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.InvalidationMessages;
import io.cachesync.core.util.Backoff;
import io.cachesync.core.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.Pool;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Listens on the cache's invalidation channel ({@link CacheKeys#invalidationChannel}) and drops the named rows from the L1. Every message, row lines or
 * cache-sync's heartbeat ({@link InvalidationMessages#HEARTBEAT}, every second), tells the L1 that pushes arrive; after
 * {@link L1Cache#heartbeatTimeout()} without one the L1 is bypassed, and it restarts empty when they come again. When
 * the subscription breaks the L1 is cleared and bypassed until it is back (a missed push must not leave a stale entry).
 *
 * <p>A watchdog catches the half-open subscription (the socket looks open, nothing arrives): when the channel has been
 * quiet for half the timeout it publishes a probe ({@link InvalidationMessages#PROBE}) on the channel from another
 * connection, and when not even a probe came back for twice the timeout it closes the subscription's connection, so the
 * subscriber connects again. A quiet channel whose connection delivers (cache-sync is not running) keeps its connection,
 * with the L1 bypassed. (Not a PING on the subscription: Jedis 8 registers the PONG's handler only after sending the
 * PING, so a fast PONG can arrive first and end the subscription with "Unexpected message".)
 *
 * <p>Longer than our ~250-line guide: the subscription, its reconnects and the watchdog share the connection state whose
 * races the comments above describe.
 */
public final class InvalidationSubscriber implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidationSubscriber.class);
    private static final Duration MIN_WATCH_PERIOD = Duration.ofMillis(50);
    private static final Duration MAX_WATCH_PERIOD = Duration.ofSeconds(1);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final UnifiedJedis redis;
    private final String channel;
    private final L1Cache l1;
    private final Ticker ticker;
    private final long timeoutNanos;
    private final Duration watchPeriod;
    private final Thread thread;
    private final ScheduledExecutorService watchdog;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong subscriptions = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong probes = new AtomicLong();
    private volatile JedisPubSub pubSub;
    private volatile Connection connection;
    /** The connection the watchdog closed last: it is closed once, however long the subscriber takes to notice. */
    private volatile Connection droppedConnection;
    /** Ticker time of the subscription or of its last message. */
    private volatile long messageAt;
    /** Ticker time of the subscription, its last message or the last probe it delivered. */
    private volatile long activeAt;
    private volatile boolean silenceReported;
    private volatile boolean closing;

    /** Listens on {@code channel}, the cache's ({@link CacheKeys#invalidationChannel}), for {@code l1}. */
    public InvalidationSubscriber(UnifiedJedis redis, String channel, L1Cache l1) {
        this(redis, channel, l1, watchPeriodFor(l1.heartbeatTimeout()));
    }

    InvalidationSubscriber(UnifiedJedis redis, String channel, L1Cache l1, Duration watchPeriod) {
        this.redis = redis;
        this.channel = channel;
        this.l1 = l1;
        this.ticker = l1.ticker();
        this.timeoutNanos = l1.heartbeatTimeout().toNanos();
        this.watchPeriod = watchPeriod;
        this.thread = Threads.daemon("cachesync-l1-invalidations").newThread(this::loop);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-l1-watchdog"));
    }

    private static Duration watchPeriodFor(Duration timeout) {
        Duration p = timeout.dividedBy(5);
        return p.compareTo(MIN_WATCH_PERIOD) < 0 ? MIN_WATCH_PERIOD : p.compareTo(MAX_WATCH_PERIOD) > 0 ? MAX_WATCH_PERIOD : p;
    }

    public InvalidationSubscriber start() {
        if (l1.enabled()) {
            thread.start();
            watchdog.scheduleWithFixedDelay(this::watch, watchPeriod.toNanos(), watchPeriod.toNanos(), TimeUnit.NANOSECONDS);
        }
        return this;
    }

    private void loop() {
        Backoff backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF);
        while (!closing) {
            JedisPubSub sub = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int subscribedChannels) {
                    long now = ticker.read();
                    messageAt = now;
                    activeAt = now;
                    l1.subscribed();
                    subscriptions.incrementAndGet();
                    LOG.debug("L1 invalidations subscribed on {}; L1 in use once cache-sync's first message arrives", channel);
                }

                @Override
                public void onMessage(String channel, String message) {
                    long now = ticker.read();
                    if (message.equals(InvalidationMessages.PROBE)) {
                        activeAt = now;
                        probes.incrementAndGet();
                        return;
                    }
                    messageAt = now;
                    activeAt = now;
                    silenceReported = false;
                    l1.heard();
                    if (message.equals(InvalidationMessages.FLUSH)) {
                        l1.invalidateAll();
                    } else {
                        invalidateAll(l1, message);
                    }
                    messages.incrementAndGet();
                }

            };
            pubSub = sub;
            try {
                subscribe(sub);
                backoff.reset();
            } catch (RuntimeException e) {
                if (!closing) {
                    LOG.warn("L1 invalidation subscription lost ({}); L1 bypassed until it is back", e.toString());
                }
            } finally {
                l1.unsubscribed();
            }
            try {
                if (stopped.await(backoff.next().toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Subscribes on a connection of our own when we can, so that the watchdog can close it: from the pool of one Redis,
     * or of any node of a cluster (a cluster forwards every PUBLISH to every node; when that node fails, the subscription
     * drops and the next one picks another).
     */
    private void subscribe(JedisPubSub sub) {
        Pool<Connection> pool = redis instanceof RedisClient client ? client.getPool()
                : redis instanceof RedisClusterClient cluster ? anyNode(cluster) : null;
        if (pool == null) {
            redis.subscribe(sub, channel);
            return;
        }
        try (Connection c = pool.getResource()) {
            connection = c;
            if (closing) {
                return;
            }
            sub.proceed(c, channel);
        } finally {
            connection = null;
        }
    }

    private static Pool<Connection> anyNode(RedisClusterClient cluster) {
        List<ConnectionPool> nodes = new ArrayList<>(cluster.getClusterNodes().values());
        if (nodes.isEmpty()) {
            throw new IllegalStateException("the Redis Cluster client knows no node");
        }
        return nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
    }

    /** Probes a quiet subscription and drops one that does not even deliver the probe (half-open). */
    private void watch() {
        try {
            JedisPubSub s = pubSub;
            if (closing || s == null || !s.isSubscribed()) {
                return;
            }
            long now = ticker.read();
            if (now - messageAt > timeoutNanos && !silenceReported) {
                silenceReported = true;
                LOG.warn("no L1 invalidation nor heartbeat for {} ms: L1 bypassed, reads go to Redis (is cache-sync running?)",
                        Duration.ofNanos(now - messageAt).toMillis());
            }
            long idle = now - activeAt;
            if (idle > 2 * timeoutNanos) {
                Connection c = connection;
                if (c != null && c != droppedConnection) {
                    LOG.warn("L1 invalidation subscription silent for {} ms, not even delivering a probe: reconnecting",
                            Duration.ofNanos(idle).toMillis());
                    dropped.incrementAndGet();
                    drop(c);
                }
            } else if (idle > timeoutNanos / 2) {
                redis.publish(channel, InvalidationMessages.PROBE);
            }
        } catch (RuntimeException e) {
            LOG.debug("L1 subscription watchdog: {}", e.toString());
            Connection c = connection;
            if (c != null) {
                drop(c);
            }
        }
    }

    private void drop(Connection c) {
        droppedConnection = c;
        c.setBroken();
        try {
            c.forceDisconnect();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing the L1 subscription connection: {}", e.toString());
        }
    }

    /** Drops every row a message names ({@code <entity>:<id>}, one or more, see {@link CacheKeys#invalidationChannel}); control lines name none. */
    static void invalidateAll(L1Cache l1, String message) {
        int from = 0;
        while (from <= message.length()) {
            int end = message.indexOf(CacheKeys.INVALIDATION_SEPARATOR, from);
            if (end < 0) {
                end = message.length();
            }
            if (end > from && !InvalidationMessages.isControl(message, from)) {
                l1.invalidate(CacheKeys.PREFIX + message.substring(from, end)); // L1Cache.keyOf(entity, id)
            }
            from = end + 1;
        }
    }

    /** True while pushes arrive (the L1 is in use): subscribed, and a message came within the heartbeat timeout. */
    public boolean subscribed() {
        return l1.inUse();
    }

    /** Messages received (row invalidations and heartbeats). */
    long messages() {
        return messages.get();
    }

    /** Subscriptions made (the first one and every reconnection). */
    long subscriptions() {
        return subscriptions.get();
    }

    /** Probes received (the watchdog of every query-api publishes one when its channel is quiet). */
    long probes() {
        return probes.get();
    }

    /** Connections the watchdog closed because they did not even deliver a probe. */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        closing = true;
        stopped.countDown();
        watchdog.shutdownNow();
        try {
            watchdog.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        JedisPubSub s = pubSub;
        if (s != null && s.isSubscribed()) {
            try {
                s.unsubscribe();
            } catch (RuntimeException ignored) {
                // the connection is going away anyway
            }
        }
        try {
            thread.join(2_000);
            Connection c = connection;
            if (thread.isAlive() && c != null) {
                drop(c);    // a half-open connection never answers the UNSUBSCRIBE
                thread.join(2_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
