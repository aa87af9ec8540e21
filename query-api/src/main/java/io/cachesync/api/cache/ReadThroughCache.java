package io.cachesync.api.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.db.DatabaseException;
import io.cachesync.api.db.RowSource;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.Ttl;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.LeaseOutcome;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The read path of DESIGN.md: Redis first; on a miss, in-process single-flight, then a Redis lease, a database read
 * and a fill that only lands if no CDC write came in between. A reader that finds another reader's lease polls
 * briefly for that fill and otherwise reads the database without filling.
 */
public final class ReadThroughCache {
    private static final int LEASE_POLLS = 5;

    private final CacheStore store;
    private final RowSource source;
    private final Duration leaseTtl;
    private final Duration leaseWait;
    private final ReadStats stats = new ReadStats();
    private final ConcurrentHashMap<String, CompletableFuture<ReadResult>> inFlight = new ConcurrentHashMap<>();

    public ReadThroughCache(CacheStore store, RowSource source, Duration leaseTtl, Duration leaseWait) {
        this.store = store;
        this.source = source;
        this.leaseTtl = leaseTtl;
        this.leaseWait = leaseWait;
    }

    public ReadStats stats() {
        return stats;
    }

    /** Reads one row by its canonical id. */
    public ReadResult get(EntityDefinition entity, String canonicalId) throws DatabaseException {
        String key = CacheKeys.row(entity.name(), canonicalId);
        ReadResult cached = fromEntry(store.read(key));
        if (cached != null) {
            stats.record(cached.source());
            return cached;
        }
        CompletableFuture<ReadResult> mine = new CompletableFuture<>();
        CompletableFuture<ReadResult> running = inFlight.putIfAbsent(key, mine);
        ReadResult r;
        if (running != null) {
            r = join(running);
        } else {
            try {
                r = loadUnderLease(entity, canonicalId, key);
                mine.complete(r);
            } catch (DatabaseException | RuntimeException e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(key, mine);
            }
        }
        stats.record(r.source());
        return r;
    }

    private static ReadResult join(CompletableFuture<ReadResult> f) throws DatabaseException {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof DatabaseException d) {
                throw d;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private ReadResult loadUnderLease(EntityDefinition entity, String id, String key) throws DatabaseException {
        String token = UUID.randomUUID().toString();
        LeaseOutcome lease = store.lease(key, token, leaseTtl);
        switch (lease.kind()) {
            case ENTRY:
                return fromEntry(lease.entry());
            case LEASED:
                return readAndFill(entity, id, key, token);
            case BUSY:
            default:
                return waitForFill(entity, id, key);
        }
    }

    private ReadResult readAndFill(EntityDefinition entity, String id, String key, String token) throws DatabaseException {
        Optional<ObjectNode> row;
        try {
            stats.dbRead();
            row = source.load(entity, id);
        } catch (DatabaseException | RuntimeException e) {
            store.release(key, token);
            throw e;
        }
        String doc = row.map(ValueCodec::encode).orElse(null);
        Duration ttl = doc == null ? entity.tombstoneTtl() : Ttl.jittered(entity.ttl(), entity.ttlJitter());
        stats.fill(store.fill(key, token, doc, ttl));
        return new ReadResult(ReadResult.Source.MISS, doc, null);
    }

    private ReadResult waitForFill(EntityDefinition entity, String id, String key) throws DatabaseException {
        stats.leaseWait();
        long pause = Math.max(1, leaseWait.toNanos() / LEASE_POLLS);
        for (int i = 0; i < LEASE_POLLS; i++) {
            LockSupport.parkNanos(pause);
            ReadResult r = fromEntry(store.read(key));
            if (r != null) {
                return r;
            }
        }
        stats.dbRead();
        Optional<ObjectNode> row = source.load(entity, id);
        return new ReadResult(ReadResult.Source.MISS, row.map(ValueCodec::encode).orElse(null), null);
    }

    private static ReadResult fromEntry(CacheEntry e) {
        return switch (e.state()) {
            case PRESENT -> new ReadResult(ReadResult.Source.HIT, e.document(), e.version());
            case TOMBSTONE -> new ReadResult(ReadResult.Source.NEGATIVE, null, e.version());
            case ABSENT -> null;
        };
    }
}
