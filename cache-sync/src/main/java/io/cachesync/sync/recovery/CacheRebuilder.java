package io.cachesync.sync.recovery;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.consistency.Resync;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.util.Threads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rebuilds what the cache lost, by asking cdc-ingest for an incremental snapshot (a signal row):
 * <ul>
 *   <li>when Redis lost its data (restarted empty, flushed): noticed because the epoch key {@code cs:_epoch}, set when
 *       cache-sync starts, vanished — every entity is re-read;</li>
 *   <li>when a table's columns changed (ADD/DROP COLUMN, ALTER COLUMN … TYPE): rows not written since would keep their old shape — that
 *       entity is re-read.</li>
 * </ul>
 * Requests per entity are spaced by {@code minInterval}, so a burst of signals does not start a burst of snapshots; a
 * request that comes sooner is deferred to the end of the interval (never dropped: the later change, e.g. a DROP COLUMN
 * after an ADD COLUMN, needs its own re-read).
 */
public final class CacheRebuilder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CacheRebuilder.class);
    public static final String EPOCH_KEY = CacheKeys.EPOCH;

    private final EntityCatalog catalog;
    private final UnifiedJedis redis;
    private final PostgresEndpoint postgres;
    private final String signalTable;
    private final Duration minInterval;
    private final Counter rebuilds;
    private final Map<String, Long> lastRequest = new ConcurrentHashMap<>();
    private final Set<String> deferred = ConcurrentHashMap.newKeySet();
    private final String epoch = UUID.randomUUID().toString();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-rebuilder"));

    public CacheRebuilder(EntityCatalog catalog, UnifiedJedis redis, PostgresEndpoint postgres, String signalTable, Duration minInterval, MeterRegistry registry) {
        this.catalog = catalog;
        this.redis = redis;
        this.postgres = postgres;
        this.signalTable = signalTable;
        this.minInterval = minInterval;
        this.rebuilds = Counter.builder(MetricNames.CACHE_REBUILDS).description("Incremental snapshots cache-sync requested "
                + "because Redis lost its data or a table's columns changed").register(registry);
    }

    /** Sets the epoch (if Redis has none yet) and checks it every {@code every}. */
    public CacheRebuilder start(Duration every) {
        try {
            redis.set(EPOCH_KEY, epoch, SetParams.setParams().nx());
        } catch (RuntimeException e) {
            LOG.debug("epoch not set yet: {}", e.toString());
        }
        timer.scheduleWithFixedDelay(this::checkEpoch, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void checkEpoch() {
        try {
            if ("OK".equals(redis.set(EPOCH_KEY, epoch, SetParams.setParams().nx()))) {
                LOG.warn("Redis lost its data (the epoch key was gone): re-reading every entity through an incremental snapshot");
                catalog.cdcFed().forEach(e -> request(e, "Redis lost its data"));
            }
        } catch (RuntimeException e) {
            LOG.debug("epoch check failed (Redis unavailable?): {}", e.toString());
        }
    }

    /** Called by the parser when an entity's columns differ from the ones it saw before. */
    public void schemaChanged(EntityDefinition e) {
        timer.execute(() -> request(e, "its table's columns changed"));
    }

    private void request(EntityDefinition e, String why) {
        long now = System.nanoTime();
        Long last = lastRequest.get(e.name());
        if (last != null && now - last < minInterval.toNanos()) {
            if (deferred.add(e.name())) {
                timer.schedule(() -> {
                    deferred.remove(e.name());
                    request(e, why);
                }, last + minInterval.toNanos() - now, TimeUnit.NANOSECONDS);
            }
            return;
        }
        try (Connection c = postgres.connect()) {
            String id = Resync.request(c, signalTable, e);
            lastRequest.put(e.name(), now);
            rebuilds.increment();
            LOG.warn("re-reading {} because {} (signal {})", e.qualifiedTable(), why, id);
        } catch (Exception ex) {
            LOG.error("could not request a re-read of {} ({}): {}", e.qualifiedTable(), why, ex.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
