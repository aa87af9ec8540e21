package io.cachesync.api.cache;

import io.cachesync.api.db.DatabaseException;
import io.cachesync.api.db.RowSource;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.keys.Ttl;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.LeaseOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The read path of DESIGN.md: L1, then Redis; on a miss, in-process single-flight, then a Redis lease, a database
 * read and a fill that only lands if no CDC write came in between. A reader that finds another reader's lease polls
 * briefly for that fill and otherwise reads the database without filling. Batch reads do the same for many keys
 * with one Redis round trip per step and one database query for all misses.
 *
 * <p>Longer than our ~250-line guide on purpose: the single-row and the batch path follow the same protocol steps and are
 * kept side by side so that a change to one is made to the other.
 */
public final class ReadThroughCache {
    private static final Logger LOG = LoggerFactory.getLogger(ReadThroughCache.class);
    private static final int LEASE_POLLS = 5;

    private final CacheStore store;
    private final RowSource source;
    private final Duration leaseTtl;
    private final Duration leaseWait;
    private final L1Cache l1;
    private final ReadStats stats;
    private final RedisCircuit circuit;
    private final ConcurrentHashMap<String, CompletableFuture<ReadResult>> inFlight = new ConcurrentHashMap<>();

    public ReadThroughCache(CacheStore store, RowSource source, Duration leaseTtl, Duration leaseWait) {
        this(store, source, leaseTtl, leaseWait, L1Cache.disabled());
    }

    public ReadThroughCache(CacheStore store, RowSource source, Duration leaseTtl, Duration leaseWait, L1Cache l1) {
        this(store, source, leaseTtl, leaseWait, l1, new ReadStats(), RedisCircuit.unguarded());
    }

    public ReadThroughCache(CacheStore store, RowSource source, Duration leaseTtl, Duration leaseWait, L1Cache l1, ReadStats stats,
                            RedisCircuit circuit) {
        this.stats = stats;
        this.circuit = circuit;
        this.store = store;
        this.source = source;
        this.leaseTtl = leaseTtl;
        this.leaseWait = leaseWait;
        this.l1 = l1;
    }

    public ReadStats stats() {
        return stats;
    }

    public CacheStore store() {
        return store;
    }

    public L1Cache l1() {
        return l1;
    }

    public RedisCircuit circuit() {
        return circuit;
    }

    /** Reads one row by its canonical id; from PostgreSQL (bounded by the bulkhead) while Redis is unavailable. */
    public ReadResult get(EntityDefinition entity, String canonicalId) throws DatabaseException {
        return circuit.call(() -> getCached(entity, canonicalId), () -> {
            stats.dbRead();
            ReadResult r = new ReadResult(ReadResult.Source.MISS, source.document(entity, canonicalId).orElse(null), null);
            stats.record(entity.name(), r.source());
            return r;
        });
    }

    private ReadResult getCached(EntityDefinition entity, String canonicalId) throws DatabaseException {
        String key = store.keys().row(entity.name(), canonicalId);
        String l1Key = L1Cache.keyOf(entity.name(), canonicalId);
        CacheEntry local = l1.get(l1Key);
        if (local != null) {
            ReadResult r = fromEntry(local, ReadResult.Source.HIT_L1);
            stats.record(entity.name(), r.source());
            return r;
        }
        long ticket = l1.ticket();
        CacheEntry remote = store.read(key);
        ReadResult cached = fromEntry(remote, null);
        if (cached != null) {
            l1.put(l1Key, remote, ticket);
            stats.record(entity.name(), cached.source());
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
        stats.record(entity.name(), r.source());
        return r;
    }

    /**
     * Reads many rows: L1, then one Redis round trip for all of them; the misses are leased in one round trip, read
     * from the database in one query, and filled in one round trip. Results are in request order.
     */
    public Map<String, ReadResult> getMany(EntityDefinition entity, List<String> canonicalIds) throws DatabaseException {
        return circuit.call(() -> getManyCached(entity, canonicalIds), () -> {
            stats.dbRead();
            Map<String, String> rows = source.loadMany(entity, canonicalIds);
            Map<String, ReadResult> out = new LinkedHashMap<>();
            canonicalIds.forEach(id -> out.put(id, new ReadResult(ReadResult.Source.MISS, rows.get(id), null)));
            out.values().forEach(r -> stats.record(entity.name(), r.source()));
            return out;
        });
    }

    private Map<String, ReadResult> getManyCached(EntityDefinition entity, List<String> canonicalIds) throws DatabaseException {
        Map<String, ReadResult> out = new LinkedHashMap<>();
        canonicalIds.forEach(id -> out.put(id, null));
        List<String> remoteIds = new ArrayList<>();
        for (String id : out.keySet()) {
            CacheEntry local = l1.get(L1Cache.keyOf(entity.name(), id));
            if (local != null) {
                out.put(id, fromEntry(local, ReadResult.Source.HIT_L1));
            } else {
                remoteIds.add(id);
            }
        }
        if (!remoteIds.isEmpty()) {
            long ticket = l1.ticket();
            List<String> keys = remoteIds.stream().map(id -> store.keys().row(entity.name(), id)).toList();
            List<CacheEntry> entries = store.readAll(keys);
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < remoteIds.size(); i++) {
                ReadResult r = fromEntry(entries.get(i), null);
                if (r == null) {
                    missed.add(remoteIds.get(i));
                } else {
                    l1.put(L1Cache.keyOf(entity.name(), remoteIds.get(i)), entries.get(i), ticket);
                    out.put(remoteIds.get(i), r);
                }
            }
            if (!missed.isEmpty()) {
                out.putAll(loadManyUnderLease(entity, missed));
            }
        }
        out.values().forEach(r -> stats.record(entity.name(), r.source()));
        return out;
    }

    private Map<String, ReadResult> loadManyUnderLease(EntityDefinition entity, List<String> ids) throws DatabaseException {
        List<CacheStore.Lease> asked = ids.stream().map(id -> new CacheStore.Lease(store.keys().row(entity.name(), id), UUID.randomUUID().toString()))
                .toList();
        List<LeaseOutcome> leases = store.leaseAll(asked, leaseTtl);
        Map<String, ReadResult> out = new LinkedHashMap<>();
        List<Integer> toRead = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (leases.get(i).kind() == LeaseOutcome.Kind.ENTRY) {
                out.put(ids.get(i), fromEntry(leases.get(i).entry(), null));
            } else {
                toRead.add(i);
            }
        }
        if (toRead.isEmpty()) {
            return out;
        }
        Map<String, String> rows;
        try {
            stats.dbRead();
            rows = source.loadMany(entity, toRead.stream().map(ids::get).toList());
        } catch (DatabaseException | RuntimeException e) {
            toRead.stream().filter(i -> leases.get(i).kind() == LeaseOutcome.Kind.LEASED)
                    .forEach(i -> store.release(asked.get(i).key(), asked.get(i).token()));
            throw e;
        }
        List<CacheStore.Fill> fills = new ArrayList<>();
        for (int i : toRead) {
            String doc = rows.get(ids.get(i));
            out.put(ids.get(i), new ReadResult(ReadResult.Source.MISS, doc, null));
            if (leases.get(i).kind() == LeaseOutcome.Kind.LEASED) {
                fills.add(new CacheStore.Fill(asked.get(i).key(), asked.get(i).token(), doc,
                        doc == null ? entity.tombstoneTtl() : Ttl.jittered(entity.ttl(), entity.ttlJitter())));
            }
        }
        if (!fills.isEmpty()) {
            store.fillAll(fills).forEach(stats::fill);
        }
        return out;
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
        long ticket = l1.ticket();
        LeaseOutcome lease = store.lease(key, token, leaseTtl);
        switch (lease.kind()) {
            case ENTRY:
                l1.put(L1Cache.keyOf(entity.name(), id), lease.entry(), ticket);
                return fromEntry(lease.entry(), null);
            case LEASED:
                return readAndFill(entity, id, key, token);
            case BUSY:
            default:
                return waitForFill(entity, id, key);
        }
    }

    private ReadResult readAndFill(EntityDefinition entity, String id, String key, String token) throws DatabaseException {
        String doc;
        try {
            stats.dbRead();
            doc = source.document(entity, id).orElse(null);
        } catch (DatabaseException | RuntimeException e) {
            store.release(key, token);
            throw e;
        }
        Duration ttl = doc == null ? entity.tombstoneTtl() : Ttl.jittered(entity.ttl(), entity.ttlJitter());
        boolean kept = store.fill(key, token, doc, ttl);
        stats.fill(kept);
        LOG.debug("miss {} read through, fill {}", key, kept ? "kept" : "dropped (a CDC write came first)");
        return new ReadResult(ReadResult.Source.MISS, doc, null);
    }

    private ReadResult waitForFill(EntityDefinition entity, String id, String key) throws DatabaseException {
        stats.leaseWait();
        long pause = Math.max(1, leaseWait.toNanos() / LEASE_POLLS);
        for (int i = 0; i < LEASE_POLLS; i++) {
            LockSupport.parkNanos(pause);
            ReadResult r = fromEntry(store.read(key), null);
            if (r != null) {
                return r;
            }
        }
        stats.dbRead();
        return new ReadResult(ReadResult.Source.MISS, source.document(entity, id).orElse(null), null);
    }

    /** The result an entry gives, as {@code hitSource} (HIT when null); null when the entry is absent. */
    private static ReadResult fromEntry(CacheEntry e, ReadResult.Source hitSource) {
        return switch (e.state()) {
            case PRESENT -> new ReadResult(hitSource == null ? ReadResult.Source.HIT : hitSource, e.document(), e.version());
            case TOMBSTONE -> new ReadResult(ReadResult.Source.NEGATIVE, null, e.version());
            case ABSENT -> null;
        };
    }
}
