package io.cachesync.api.cache;

import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.redis.RedisNodes;
import io.cachesync.core.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts reads of rows that exist, per row, in process, and adds them to {@code cs:_popular:<entity>} (a sorted set)
 * once a second, so the read path never waits for it. {@link #top} gives the most-read ids for warming.
 *
 * <p>Both sides are bounded: in process, at most {@code max(maxPerEntity, }{@link #MIN_PENDING_IDS}{@code )} distinct ids
 * per entity are counted between two flushes (reads of further ids are not counted in that second); in Redis, each flush
 * is one transaction that adds the counts, keeps only the {@code maxPerEntity} most-read ids ({@code ZREMRANGEBYRANK})
 * and gives the set {@link #TTL} again — so the set never holds more, even for a moment, and one nobody reads goes away.
 * The callers record found rows only: ids a client makes up never enter.
 */
public final class Popularity implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Popularity.class);
    /** A popularity set lives this long after the last read of its entity was counted. */
    public static final Duration TTL = Duration.ofDays(7);
    /** Distinct ids per entity counted in process between two flushes, at least (a few hundred KiB). */
    public static final int MIN_PENDING_IDS = 10_000;

    private final UnifiedJedis redis;
    private final int maxPerEntity;
    private final int maxPending;
    private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-popularity"));

    /** @param maxPerEntity the most-read ids kept per entity in Redis ({@code api.popularity-max}, at least 1) */
    public Popularity(UnifiedJedis redis, int maxPerEntity) {
        if (maxPerEntity < 1) {
            throw new IllegalArgumentException("maxPerEntity must be at least 1, was " + maxPerEntity);
        }
        this.redis = redis;
        this.maxPerEntity = maxPerEntity;
        this.maxPending = Math.max(maxPerEntity, MIN_PENDING_IDS);
    }

    public Popularity start() {
        flusher.scheduleWithFixedDelay(this::flushQuietly, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    /** Counts one read of a row that exists. */
    public void record(String entity, String id) {
        Map<String, LongAdder> byId = counts.computeIfAbsent(entity, e -> new ConcurrentHashMap<>());
        LongAdder n = byId.get(id);
        if (n == null) {
            if (byId.size() >= maxPending) {
                return;
            }
            n = byId.computeIfAbsent(id, i -> new LongAdder());
        }
        n.increment();
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.debug("popularity flush failed: {}", e.toString());
        }
    }

    /**
     * Writes the counts gathered so far and trims each set written to its {@code maxPerEntity} most-read ids: one
     * pipeline per entity (a Redis Cluster client has no transactions; a trim that misses a concurrent increment of
     * another instance only drops a rarely read id).
     */
    public synchronized void flush() {
        for (var byEntity : counts.entrySet()) {
            String key = CacheKeys.popularity(byEntity.getKey());
            AbstractPipeline pipe = null;
            try {
                for (var it = byEntity.getValue().entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    long n = e.getValue().sumThenReset();
                    if (n > 0) {
                        if (pipe == null) {
                            pipe = RedisNodes.pipeline(redis);
                        }
                        pipe.zincrby(key, n, e.getKey());
                    } else {
                        it.remove();
                    }
                }
                if (pipe != null) {
                    pipe.zremrangeByRank(key, 0, -(maxPerEntity + 1L));
                    pipe.pexpire(key, TTL.toMillis());
                    pipe.sync();
                }
            } finally {
                if (pipe != null) {
                    pipe.close();
                }
            }
        }
    }

    /** The {@code n} most-read ids of an entity. */
    public List<String> top(String entity, int n) {
        return n <= 0 ? List.of() : redis.zrevrange(CacheKeys.popularity(entity), 0, n - 1L);
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        flushQuietly();
    }
}
