package io.cachesync.sync.recovery;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.util.Threads;
import io.cachesync.sync.envelope.CommitOrderVersion;
import io.cachesync.sync.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the cache to one identity of the source database (DESIGN rule 1; docs/consistency.md §1.2). When cdc-ingest
 * announces a new source epoch — the database was restored to a point in time, promoted, or replaced by a new cluster —
 * the floor in Redis ({@link CacheKeys#SOURCE}) is raised, so that changes of older epochs still in flight are skipped,
 * and every row a CDC entity holds from an older epoch is purged: the new database may no longer have it, or hold
 * another value at a lower WAL position. Reads of purged rows fall through to PostgreSQL; cdc-ingest re-reads the
 * tables (it starts from fresh offsets, so its snapshot mode applies).
 *
 * <p>The purge runs on this class's own thread, right after a raise and then every {@code every} while one is due
 * ({@code cs:_source} records when it finished), so a purge cut short by a crash or a Redis outage is finished by any
 * instance. A floor Redis lost is set again to the newest epoch this instance was told of; without a floor, any epoch
 * but 0 counts as due a purge, since rows of older epochs may have been written meanwhile. Each row is deleted by
 * {@code purge.lua} only when its version is older than the floor, so a change of the new source written meanwhile
 * stays.
 *
 * <p>A purge is finished only by a pass that started after a change of the new epoch was applied ({@link #captured}):
 * until cdc-ingest's new slot exists, a row deleted in the database leaves no event, so a read filled before then (the
 * purge deletes fills too, and the leases of reads in flight, whose fills are then dropped) could keep it for good.
 */
public final class SourceFloor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceFloor.class);
    private static final Duration RAISE_RETRY_FOR = Duration.ofSeconds(30);

    private final EntityCatalog catalog;
    private final CacheStore store;
    private final Counter purged;
    /** The newest epoch announced to this instance (-1: none yet); the floor is set to it again if Redis lost it. */
    private final AtomicInteger known = new AtomicInteger(-1);
    /** The epoch of the last change this instance reported applied (see {@link #captured}). */
    private volatile String lastCaptured;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-source-floor"));

    public SourceFloor(EntityCatalog catalog, CacheStore store, MeterRegistry registry) {
        this.catalog = catalog;
        this.store = store;
        this.purged = Counter.builder(MetricNames.SOURCE_PURGED_ROWS)
                .description("Rows deleted from Redis because they came from an older identity of the source database").register(registry);
    }

    /** Finishes a due purge now and checks again every {@code every}. */
    public SourceFloor start(Duration every) {
        timer.scheduleWithFixedDelay(this::purgeIfDue, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * An epoch cdc-ingest announced: raises the floor (retrying while Redis is unavailable, then throwing so that the
     * record is read again) and starts the purge when it rose.
     */
    public void announced(SourceEpoch epoch) {
        known.accumulateAndGet(epoch.epoch(), Math::max);
        long deadline = System.nanoTime() + RAISE_RETRY_FOR.toNanos();
        while (true) {
            try {
                if (store.raiseSourceFloor(epoch.hex())) {
                    LOG.warn("the source database has a new identity (system identifier {}, timeline {}): source epoch {}; "
                            + "purging what older epochs left in Redis", epoch.systemIdentifier(), epoch.timeline(), epoch.epoch());
                    timer.execute(this::purgeIfDue);
                } else {
                    LOG.info("source epoch {} (system identifier {}, timeline {}) known", epoch.epoch(), epoch.systemIdentifier(), epoch.timeline());
                }
                return;
            } catch (JedisException e) {
                if (System.nanoTime() > deadline) {
                    throw new RedisUnavailableException("cannot raise the source floor to epoch " + epoch.epoch() + ": " + e.getMessage(), e);
                }
                LOG.warn("cannot raise the source floor to epoch {} ({}); retrying", epoch.epoch(), e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RedisUnavailableException("interrupted while raising the source floor", e);
                }
            }
        }
    }

    /** Purges rows of older epochs when the floor says a purge is due; returns how many rows it deleted. */
    long purgeIfDue() {
        try {
            CacheStore.SourceFloor floor = store.sourceFloor();
            if (floor.epoch() == null && known.get() >= 0 && store.raiseSourceFloor(SourceEpoch.hex(known.get()))) {
                LOG.warn("the source floor was gone (Redis lost its data): set again to epoch {}", known.get());
                floor = store.sourceFloor();
            }
            if (!floor.purgeDue()) {
                return 0;
            }
            long deleted = 0;
            for (EntityDefinition e : catalog.cdcFed()) {
                deleted += purge(e, floor.epoch());
            }
            if (floor.captureBegun()) {
                store.sourcePurged(floor.epoch());
                LOG.warn("purge for source epoch {} done: {} rows of older epochs and reads filled before its capture began deleted",
                        floor.epoch(), deleted);
            } else {
                // reads filled from now until the new epoch's capture begins may hold rows a change deletes before it
                // (no event will ever say so): one more pass, started after the first change of that epoch, removes them
                LOG.warn("purge for source epoch {}: {} rows of older epochs deleted; once more after its first change", floor.epoch(), deleted);
            }
            return deleted;
        } catch (RuntimeException e) {
            LOG.warn("purge of rows from an older source epoch failed ({}); trying again later", e.toString());
            return 0;
        }
    }

    /**
     * A change of {@code epochHex} was applied (called per batch, so cheap when nothing is new): the first one of the
     * floor's epoch is recorded and starts the purge pass that settles it.
     */
    public void captured(String epochHex) {
        if (epochHex == null || epochHex.equals(lastCaptured)) {
            return;
        }
        lastCaptured = epochHex;
        timer.execute(() -> {
            try {
                store.sourceCaptured(epochHex);
            } catch (RuntimeException e) {
                lastCaptured = null; // told again by the next batch
                LOG.warn("cannot record that source epoch {} is captured ({}); trying again", epochHex, e.toString());
                return;
            }
            purgeIfDue();
        });
    }

    private long purge(EntityDefinition entity, String epoch) {
        long[] deleted = {0};
        store.scan(CacheKeys.rowPattern(entity.name()), keys -> deleted[0] += purgeBatch(entity, keys, epoch));
        store.dropPages(entity.name());   // every list and search page of the entity may hold purged rows
        return deleted[0];
    }

    private long purgeBatch(EntityDefinition entity, List<String> keys, String epoch) {
        List<String> deleted = store.purgeOlderSource(keys, epoch, CommitOrderVersion.WIDTH);
        if (!deleted.isEmpty()) {
            List<CacheStore.RowRef> rows = deleted.stream().map(k -> new CacheStore.RowRef(entity.name(), store.keys().idOf(entity.name(), k))).toList();
            store.afterWriteAll(rows, List.of());
            purged.increment(deleted.size());
        }
        return deleted.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
