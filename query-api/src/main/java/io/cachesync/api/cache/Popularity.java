package io.cachesync.api.cache;

import io.cachesync.core.keys.CacheKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts reads per row in process and adds them to {@code cs:_popular:<entity>} (a sorted set) once a second in one
 * pipeline, so the read path never waits for it. {@link #top} gives the most-read ids for warming.
 */
public final class Popularity implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Popularity.class);

    private final UnifiedJedis redis;
    private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cachesync-popularity");
        t.setDaemon(true);
        return t;
    });

    public Popularity(UnifiedJedis redis) {
        this.redis = redis;
    }

    public Popularity start() {
        flusher.scheduleWithFixedDelay(this::flushQuietly, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    public void record(String entity, String id) {
        counts.computeIfAbsent(entity, e -> new ConcurrentHashMap<>()).computeIfAbsent(id, i -> new LongAdder()).increment();
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.debug("popularity flush failed: {}", e.toString());
        }
    }

    /** Writes the counts gathered so far (one pipeline). */
    public void flush() {
        try (AbstractPipeline p = redis.pipelined()) {
            boolean any = false;
            for (var byEntity : counts.entrySet()) {
                for (var it = byEntity.getValue().entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    long n = e.getValue().sumThenReset();
                    if (n > 0) {
                        p.zincrby(CacheKeys.popularity(byEntity.getKey()), n, e.getKey());
                        any = true;
                    } else {
                        it.remove();
                    }
                }
            }
            if (any) {
                p.sync();
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
