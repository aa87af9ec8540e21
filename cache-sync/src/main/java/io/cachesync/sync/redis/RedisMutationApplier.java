package io.cachesync.sync.redis;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.Ttl;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.util.Backoff;
import io.cachesync.sync.envelope.CacheMutation;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Applies batches of mutations with the versioned-apply script. A Redis failure is retried with capped exponential
 * backoff for up to {@code retryFor}; after that the failure is rethrown so that the stream thread is replaced and
 * re-reads from its last committed offset. Nothing is ever skipped.
 */
public final class RedisMutationApplier {
    private static final Logger LOG = LoggerFactory.getLogger(RedisMutationApplier.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final CacheStore store;
    private final SyncStats stats;
    private final Clock clock;
    private final Duration retryFor;
    private final RefusedWrites refused;
    private final Consumer<String> captured;
    /** Counted down by {@link #stopRetrying()}: a write that fails then is not retried, and a backoff under way ends. */
    private final CountDownLatch stopping = new CountDownLatch(1);

    /** An applier without a dead-letter topic: a write Redis refuses for good fails the batch ({@link RefusedWrites#FAIL}). */
    public RedisMutationApplier(CacheStore store, SyncStats stats, Clock clock, Duration retryFor) {
        this(store, stats, clock, retryFor, RefusedWrites.FAIL);
    }

    /** @param refused where a change goes whose write Redis refuses for good (a key of another type) */
    public RedisMutationApplier(CacheStore store, SyncStats stats, Clock clock, Duration retryFor, RefusedWrites refused) {
        this(store, stats, clock, retryFor, refused, epoch -> { });
    }

    /** @param captured told, after every batch, the source epoch of its last captured change (hex) */
    public RedisMutationApplier(CacheStore store, SyncStats stats, Clock clock, Duration retryFor, RefusedWrites refused,
                                Consumer<String> captured) {
        this.store = store;
        this.stats = stats;
        this.clock = clock;
        this.retryFor = retryFor;
        this.refused = refused;
        this.captured = captured;
    }

    /**
     * From now on a write Redis fails is not retried (one retrying ends at once): cache-sync is stopping, and a write its
     * stream threads wait for would hold the shutdown for {@code retryFor}. Nothing is lost: the failed batch's offsets
     * were not committed, so its records are read again by the next owner.
     */
    public void stopRetrying() {
        stopping.countDown();
    }

    /** Takes the fence of a task just assigned to this instance (see {@link TaskFence}). */
    public TaskFence takeFence(String applicationId, String storeName, String taskId) {
        return TaskFence.take(store, applicationId, storeName, taskId);
    }

    /** The generations to bump after a write: each list value the row left or joined, and the entity's search pages. */
    static List<String> generationKeys(CacheMutation m) {
        List<String> keys = new ArrayList<>();
        m.listValues().forEach((field, values) -> values.forEach(v -> keys.add(CacheKeys.listGeneration(m.entity().name(), field, v))));
        if (!m.entity().query().searchFields().isEmpty()) {
            keys.add(CacheKeys.searchGeneration(m.entity().name()));
        }
        return keys;
    }

    /**
     * A truncate of {@code entity}'s table at {@code version}: every cached row of the entity (found by SCAN, on every
     * master of a cluster) gets a delete at that version — {@code apply.lua} skips the rows written by later changes —
     * and every list and search page of the entity is dropped. Returns how many keys it looked at.
     */
    public long truncate(EntityDefinition entity, String version, TaskFence fence) {
        long started = System.nanoTime();
        long[] seen = {0};
        store.scan(CacheKeys.rowPattern(entity.name()), keys -> {
            List<CacheMutation> deletes = new ArrayList<>(keys.size());
            for (String key : keys) {
                String id = store.keys().idOf(entity.name(), key);
                if (id != null) {
                    deletes.add(new CacheMutation(entity, id, CacheMutation.Op.DELETE, version, null, 0, false));
                }
            }
            applyAll(deletes, fence);
            seen[0] += deletes.size();
        });
        store.dropPages(entity.name());
        LOG.info("a TRUNCATE of {}: {} cached rows of {} looked at, those older than it deleted, in {} ms", entity.qualifiedTable(),
                seen[0], entity.name(), (System.nanoTime() - started) / 1_000_000);
        return seen[0];
    }

    /**
     * Applies a batch in order with two round trips (the versioned applies in one pipeline — one per row, its newest
     * change, see {@link NewestPerRow} — then the generation bumps and L1 invalidations of every change of the batch,
     * written, skipped or superseded), retrying the whole batch on a Redis failure —
     * every apply is idempotent, so a retried batch never puts an older value over a newer one, and the side effects are
     * sent again even when the first attempt's applies ran but their reply was lost (the retry then skips them all).
     */
    public void applyAll(List<CacheMutation> batch) {
        applyAll(batch, null);
    }

    /**
     * As {@link #applyAll(List)}, every apply checked against the task's fence (null: none). A batch the fence
     * refuses is not retried: the partition belongs to another instance now, so this one stops with
     * {@link TaskMigratedException} (Kafka Streams then rejoins the group), having written
     * nothing after the refusal. Only a fence key that is gone (evicted, deleted) is taken again, by whichever owner
     * writes next.
     */
    public void applyAll(List<CacheMutation> batch, TaskFence fence) {
        if (batch.isEmpty()) {
            return;
        }
        List<CacheStore.Write> all = new ArrayList<>(batch.size());
        for (CacheMutation m : batch) {
            // a tombstone and an invalidation's version (apply.lua 'i') live the tombstone TTL: long enough to skip a late
            // older change, and a reader's lease taken on an invalidation lasts no longer
            boolean upsert = m.op() == CacheMutation.Op.UPSERT;
            all.add(new CacheStore.Write(store.keys().row(m.entity().name(), m.id()), m.version(), m.document(),
                    upsert ? Ttl.jittered(m.entity().ttl(), m.entity().ttlJitter()) : m.entity().tombstoneTtl(), m.sourceEpoch(),
                    m.op() == CacheMutation.Op.INVALIDATE));
        }
        // a row changed several times in the batch: Redis applies only its newest change, which is what applying them
        // all in order would leave
        NewestPerRow newest = NewestPerRow.of(all);
        List<CacheStore.Write> writes = newest.applied().stream().map(all::get).toList();
        // the side effects of every mutation, written, skipped or superseded (a retry after a lost reply skips them all),
        // each row and counter once
        Set<CacheStore.RowRef> distinctRows = new LinkedHashSet<>();
        Set<String> generations = new LinkedHashSet<>();
        for (CacheMutation m : batch) {
            distinctRows.add(new CacheStore.RowRef(m.entity().name(), m.id()));
            generations.addAll(generationKeys(m));
        }
        List<CacheStore.RowRef> rows = List.copyOf(distinctRows);
        long deadline = System.nanoTime() + retryFor.toNanos();
        Backoff backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF);
        while (true) {
            try {
                List<CacheStore.Applied> applied = store.applyAll(writes, fence == null ? null : fence.token());
                if (applied.stream().anyMatch(a -> a.outcome() == CacheStore.Outcome.FENCED)) {
                    if (fence.lost(store)) {
                        LOG.warn("the fence {} was gone (evicted or deleted); taking it again", fence.key());
                        fence.retake(store);
                        continue;
                    }
                    stats.fenced();
                    throw new TaskMigratedException("another cache-sync instance took "
                            + fence.key() + ": this one lost the partition and does not write for it any more (a batch of "
                            + batch.size() + " refused)");
                }
                // a refused row refuses every change of it in the batch, as applying them one by one would
                for (int i = 0; i < batch.size(); i++) {
                    CacheStore.Applied a = applied.get(newest.applyOf(i));
                    if (a.outcome() == CacheStore.Outcome.REFUSED) {
                        refused.refused(batch.get(i), a.reason());
                    }
                }
                store.afterWriteAll(rows, generations);
                count(batch, newest, applied);
                for (int i = all.size() - 1; i >= 0; i--) {
                    if (all.get(i).sourceEpoch() != null) {
                        captured.accept(all.get(i).sourceEpoch());
                        break;
                    }
                }
                return;
            } catch (JedisException e) {
                stats.redisRetry();
                if (stopping.getCount() == 0) {
                    throw new RedisUnavailableException("Redis write of a batch of " + batch.size() + " failed while cache-sync stops; "
                            + "its records are read again from the last committed offset: " + e.getMessage(), e);
                }
                if (System.nanoTime() > deadline) {
                    throw new RedisUnavailableException("Redis write of a batch of " + batch.size() + " failed for " + retryFor
                            + "; giving the partitions back to re-read from the last committed offset: " + e.getMessage(), e);
                }
                Duration delay = backoff.next();
                LOG.warn("Redis write of a batch of {} failed ({}); retrying in {} ms", batch.size(), e.getMessage(), delay.toMillis());
                try {
                    stopping.await(delay.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RedisUnavailableException("interrupted while retrying a Redis write", ie);
                }
            }
        }
    }

    /**
     * Counts each change and records its lag. A change superseded by its row's newest change in the batch counts as
     * superseded when that one was written, and as stale when it was skipped (then every older change of the row was
     * not newer than the stored version either).
     */
    private void count(List<CacheMutation> batch, NewestPerRow newest, List<CacheStore.Applied> applied) {
        long now = clock.millis();
        int written = 0;
        for (int i = 0; i < batch.size(); i++) {
            CacheMutation m = batch.get(i);
            switch (applied.get(newest.applyOf(i)).outcome()) {
                case WRITTEN -> {
                    if (newest.isApplied(i)) {
                        stats.applied(m.entity().name(), m.op() == CacheMutation.Op.DELETE);
                        written++;
                    } else {
                        stats.superseded(m.entity().name());
                    }
                }
                case SKIPPED -> stats.skippedStale(m.entity().name());
                default -> { } // REFUSED: counted as dead-lettered
            }
            if (!m.snapshot() && m.sourceTimestampMs() > 0) {
                stats.lag(now - m.sourceTimestampMs());
            }
        }
        LOG.debug("applied a batch of {} ({} written, {} superseded by a newer change of their row)", batch.size(), written, newest.superseded());
    }
}
