package io.cachesync.core.redis;

import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.keys.KeyLayout;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The cache protocol of DESIGN.md on Redis: every write goes through one of the Lua scripts, so that no
 * retry, replay or race can put an older value over a newer one. Both cache-sync and query-api use this class.
 *
 * <p>Longer than our ~250-line guide on purpose: it is the single gateway to the scripts (apply, lease, fill, release,
 * generation, source floor, purge), so every call of the protocol, with its key layout, is in one place to review. How
 * a pipeline of script calls is sent (NOSCRIPT reload, a cluster's moved slots) is {@link ScriptPipeline}'s.
 */
public final class CacheStore {
    private static final LuaScript APPLY = LuaScript.fromResource("apply");
    private static final LuaScript LEASE = LuaScript.fromResource("lease");
    private static final LuaScript FILL = LuaScript.fromResource("fill");
    private static final LuaScript RELEASE = LuaScript.fromResource("release");
    private static final LuaScript GENERATION = LuaScript.fromResource("generation");
    private static final LuaScript SOURCE = LuaScript.fromResource("source");
    private static final LuaScript PURGE = LuaScript.fromResource("purge");

    /** A fence lives a month after it was last taken (it is read by every apply of its partition, so it stays hot). */
    private static final long FENCE_TTL_MS = Duration.ofDays(30).toMillis();

    /** Generation counters live a week after their last bump; a lost one restarts above every value it had (generation.lua). */
    private static final long GENERATION_TTL_MS = Duration.ofDays(7).toMillis();

    private final UnifiedJedis redis;
    private final KeyLayout keys;
    private final LongAdder roundTrips = new LongAdder();
    private final ScriptPipeline pipeline;
    private final String invalidationChannel;

    /** A store on {@code redis} in database 0 (tests; services give their endpoint's channel). */
    public CacheStore(UnifiedJedis redis) {
        this(redis, CacheKeys.INVALIDATION_CHANNEL);
    }

    /**
     * A store on {@code redis}; the key layout follows from the client (a cluster client: buckets, {@link KeyLayout}), and
     * written rows are announced on {@code invalidationChannel} ({@link RedisEndpoint#invalidationChannel}).
     */
    public CacheStore(UnifiedJedis redis, String invalidationChannel) {
        this.redis = redis;
        this.keys = KeyLayout.of(redis);
        this.pipeline = new ScriptPipeline(redis, roundTrips);
        this.invalidationChannel = invalidationChannel;
    }

    /** Where this cache's L1 invalidations are published. */
    public String invalidationChannel() {
        return invalidationChannel;
    }

    public UnifiedJedis redis() {
        return redis;
    }

    /** Where this store's rows and guards live: every key of a row must come from here. */
    public KeyLayout keys() {
        return keys;
    }

    /** Loads every script; call at start-up so that a broken Redis fails fast. */
    public void loadScripts() {
        for (LuaScript s : List.of(APPLY, LEASE, FILL, RELEASE, GENERATION, SOURCE, PURGE)) {
            s.load(redis);
        }
    }

    /**
     * Versioned apply (rule 1).
     *
     * @param version  the change's version: 36 hex digits for a captured change or a view document, a decimal integer &gt; 0 (canonical, no leading zeros) for a command
     * @param document the row's document, or null for a delete (tombstone)
     * @return true when written, false when the stored version was equal or newer
     */
    public boolean apply(String key, String version, String document, Duration ttl) {
        return applyAll(List.of(new Write(key, version, document, ttl)), null).get(0).outcome() == Outcome.WRITTEN;
    }

    /**
     * One write of a batch: the row key, the version, the document (null for a delete), the TTL, for a change captured
     * from PostgreSQL the source epoch it was read under (null otherwise: such a write is skipped when the source floor
     * (its bucket's copy, {@link KeyLayout#sourceFloor}) holds a newer epoch), and whether it only invalidates: a change
     * newer than what is stored whose row is not cached (too large), so the key keeps only its version (readers miss, an
     * older change is skipped) and the next read fills it at that version.
     */
    public record Write(String key, String version, String document, Duration ttl, String sourceEpoch, boolean invalidate) {
        public Write(String key, String version, String document, Duration ttl) {
            this(key, version, document, ttl, null, false);
        }

        String op() {
            return invalidate ? "i" : document == null ? "d" : "u";
        }
    }

    /**
     * What a versioned apply did. {@code REFUSED}: Redis answered with an error that will recur on every retry — the key
     * holds another type than a row hash (WRONGTYPE; something outside cachesync wrote it) — so the change cannot be
     * applied and belongs in the dead-letter topic, while the rest of the batch goes on.
     */
    public enum Outcome { WRITTEN, SKIPPED, FENCED, REFUSED }

    /** One apply's outcome, and Redis' answer when it was refused. */
    public record Applied(Outcome outcome, String reason) {
        static Applied of(Outcome outcome) {
            return new Applied(outcome, null);
        }
    }

    /**
     * A writer's fence (DESIGN rule 7): its keys, one per bucket of the layout, and the token it took in each
     * ({@link #takeFence}). Writes carrying a token their bucket's key no longer holds are refused, so an instance that
     * lost a partition cannot write for it, even a batch in flight.
     */
    public record Fence(List<String> keys, List<String> tokens) {
        public Fence {
            keys = List.copyOf(keys);
            tokens = List.copyOf(tokens);
        }

        /** The fence's name for messages: its first key. */
        public String key() {
            return keys.get(0);
        }
    }

    /** Versioned applies of a whole batch in one round trip (a pipeline), in order; true where written. */
    public List<Boolean> applyAll(List<Write> writes) {
        return applyAll(writes, null).stream().map(a -> a.outcome() == Outcome.WRITTEN).toList();
    }

    /**
     * Versioned applies of a whole batch in one round trip (one {@code apply.lua} call per bucket and up to {@link
     * ApplyCalls#ROWS_PER_CALL} rows), in order, each checked against {@code fence} (or none). An
     * error that will recur for one key ({@link Outcome#REFUSED}) is that entry's outcome; any other error throws.
     */
    public List<Applied> applyAll(List<Write> writes, Fence fence) {
        List<ApplyCalls.Call> calls = ApplyCalls.of(writes, fence, keys);
        List<Object> raw = pipeline.run(APPLY, (p, sha, answers) -> calls.forEach(c -> answers.add(p.evalsha(sha, c.keys(), c.args()))));
        Applied[] out = new Applied[writes.size()];
        for (int i = 0; i < calls.size(); i++) {
            ApplyCalls.decode(calls.get(i), raw.get(i), out);
        }
        return List.of(out);
    }

    /**
     * Takes a task's fence for a new owner, every copy ({@link KeyLayout#fences}) in one round trip: in each a token above
     * every one handed out before, even after the key was lost ({@code generation.lua}), so writes carrying any earlier
     * token are refused from now on.
     */
    public Fence takeFence(String applicationId, String store, String taskId) {
        return takeFence(keys.fences(applicationId, store, taskId));
    }

    /** Takes the fence with these keys (one per bucket) again, for the same owner. */
    public Fence takeFence(List<String> fenceKeys) {
        String ttl = Long.toString(FENCE_TTL_MS);
        List<Object> raw = ScriptPipeline.rethrowErrors(pipeline.scripts(GENERATION, fenceKeys.size(), i -> List.of(fenceKeys.get(i)), i -> List.of("bump", ttl)));
        return new Fence(fenceKeys, raw.stream().map(r -> Long.toString(((Number) r).longValue())).toList());
    }

    /** True when a key of the fence is gone (evicted or deleted): its owner may take it again. */
    public boolean fenceLost(Fence fence) {
        roundTrips.increment();
        List<Response<Boolean>> answers = new ArrayList<>(fence.keys().size());
        try (AbstractPipeline p = RedisNodes.pipeline(redis)) {
            fence.keys().forEach(k -> answers.add(p.exists(k)));
            p.sync();
        }
        return answers.stream().anyMatch(a -> !a.get());
    }

    /** Rows named in one invalidation message at most (one PUBLISH instead of one per row). */
    public static final int ROWS_PER_INVALIDATION = 1000;

    /** A row whose in-process (L1) copies must be dropped. */
    public record RowRef(String entity, String id) {
    }

    /**
     * The side effects of a batch (DESIGN rules 4 and 6): bumps the generations of the list and search pages that may
     * hold the rows ({@code generation.lua}, O(1) each, no SCAN; up to {@link ApplyCalls#ROWS_PER_CALL} of them per
     * call, one call per hash slot on a cluster) and publishes the rows' invalidations for in-process L1
     * caches, up to {@link #ROWS_PER_INVALIDATION} rows per message, in one round trip. Callers pass every row of the
     * batch, written or skipped: both effects are idempotent, and a retry whose first attempt wrote the rows but lost
     * the reply must still send them. Every reply is read; any refusal (OOM, a wrong type) throws, so that the caller
     * retries the batch instead of counting it done.
     */
    public void afterWriteAll(List<RowRef> rows, Collection<String> generationKeys) {
        if (rows.isEmpty() && generationKeys.isEmpty()) {
            return;
        }
        String ttl = Long.toString(GENERATION_TTL_MS);
        List<String> messages = invalidationMessages(rows);
        boolean cluster = keys.clustered();
        // one script call bumps the counters of the batch (on a cluster, those of one hash slot), as many per call as
        // apply.lua takes rows, so that no call holds Redis much longer than an apply does
        List<List<String>> bumps = new ArrayList<>();
        for (List<String> sameSlot : byBucket(List.copyOf(generationKeys))) {
            for (int from = 0; from < sameSlot.size(); from += ApplyCalls.ROWS_PER_CALL) {
                bumps.add(sameSlot.subList(from, Math.min(sameSlot.size(), from + ApplyCalls.ROWS_PER_CALL)));
            }
        }
        ScriptPipeline.rethrowErrors(pipeline.run(GENERATION, (p, sha, answers) -> {
            for (List<String> sameSlot : bumps) {
                answers.add(p.evalsha(sha, sameSlot, List.of("bump", ttl)));
            }
            if (!cluster) {
                messages.forEach(m -> answers.add(p.publish(invalidationChannel, m)));
            }
        }));
        if (cluster) {
            // a cluster pipeline sends each call to the node of its key, and PUBLISH has none: sent on its own (a cluster
            // forwards it to every node), after the generations, as in the pipeline
            messages.forEach(m -> redis.publish(invalidationChannel, m));
        }
    }

    /** The rows' invalidation messages, up to {@link #ROWS_PER_INVALIDATION} rows each. */
    private static List<String> invalidationMessages(List<RowRef> rows) {
        List<String> out = new ArrayList<>();
        StringBuilder message = new StringBuilder();
        int inMessage = 0;
        for (RowRef r : rows) {
            if (inMessage > 0) {
                message.append(CacheKeys.INVALIDATION_SEPARATOR);
            }
            message.append(r.entity()).append(':').append(r.id());
            if (++inMessage == ROWS_PER_INVALIDATION) {
                out.add(message.toString());
                message.setLength(0);
                inMessage = 0;
            }
        }
        if (inMessage > 0) {
            out.add(message.toString());
        }
        return out;
    }

    /**
     * The generation of list or search pages to read and fill now ({@code generation.lua} 'read'): a missing counter
     * is created above every value it ever had, so a page of an older generation is never reached again.
     */
    public long generation(String generationKey) {
        return generation(generationKey, GENERATION_TTL_MS);
    }

    /** As {@link #generation(String)}, a counter it creates living {@code ttlMs} (query-api: one page window). */
    public long generation(String generationKey, long ttlMs) {
        roundTrips.increment();
        Object r = GENERATION.run(redis, List.of(generationKey), List.of("read", Long.toString(ttlMs)));
        return ((Number) r).longValue();
    }

    /** One read of a row key (HMGET), no script. */
    public CacheEntry read(String key) {
        roundTrips.increment();
        List<String> e = redis.hmget(key, "v", "d", "x");
        return entryOf(e.get(0), e.get(1), e.get(2));
    }

    /** Reads many row keys in one round trip (a pipeline of HMGETs), in the order given. */
    public List<CacheEntry> readAll(List<String> keys) {
        roundTrips.increment();
        List<Response<List<String>>> answers = new ArrayList<>(keys.size());
        try (AbstractPipeline p = RedisNodes.pipeline(redis)) {
            for (String k : keys) {
                answers.add(p.hmget(k, "v", "d", "x"));
            }
            p.sync();
        }
        List<CacheEntry> out = new ArrayList<>(keys.size());
        for (Response<List<String>> a : answers) {
            List<String> e = a.get();
            out.add(entryOf(e.get(0), e.get(1), e.get(2)));
        }
        return out;
    }

    /** Lease (rule 2): the entry if one appeared, BUSY if another reader holds the lease, or LEASED. */
    public LeaseOutcome lease(String key, String token, Duration ttl) {
        roundTrips.increment();
        return leaseOutcome((List<?>) LEASE.run(redis, List.of(key), List.of(token, Long.toString(Math.max(1, ttl.toMillis())))));
    }

    private static LeaseOutcome leaseOutcome(List<?> r) {
        String kind = (String) r.get(0);
        return switch (kind) {
            case "HIT" -> new LeaseOutcome(LeaseOutcome.Kind.ENTRY, CacheEntry.present((String) r.get(1), (String) r.get(2)));
            case "NEGATIVE" -> new LeaseOutcome(LeaseOutcome.Kind.ENTRY, CacheEntry.tombstone((String) r.get(1)));
            case "BUSY" -> LeaseOutcome.BUSY;
            case "LEASED" -> LeaseOutcome.LEASED;
            default -> throw new IllegalStateException("lease script answered " + r);
        };
    }

    /** A lease to take: the row key and the reader's token. */
    public record Lease(String key, String token) {
    }

    /** A fill under a lease: the row key, the lease's token, the document (null: no such row) and its time to live. */
    public record Fill(String key, String token, String document, Duration ttl) {
    }

    /** Leases many missed keys in one round trip (a pipeline of lease scripts); outcomes in the order given. */
    public List<LeaseOutcome> leaseAll(List<Lease> leases, Duration ttl) {
        String ttlMs = Long.toString(Math.max(1, ttl.toMillis()));
        List<Object> raw = ScriptPipeline.rethrowErrors(pipeline.scripts(LEASE, leases.size(), i -> List.of(leases.get(i).key()),
                i -> List.of(leases.get(i).token(), ttlMs)));
        List<LeaseOutcome> out = new ArrayList<>(raw.size());
        raw.forEach(r -> out.add(leaseOutcome((List<?>) r)));
        return out;
    }

    /** Fills many leased keys in one round trip; a null document is a negative-cache fill. True where the fill was kept. */
    public List<Boolean> fillAll(List<Fill> fills) {
        List<Object> raw = ScriptPipeline.rethrowErrors(pipeline.scripts(FILL, fills.size(), i -> List.of(fills.get(i).key()), i -> fillArgs(fills.get(i))));
        return raw.stream().map(r -> Long.valueOf(1L).equals(r)).toList();
    }

    private static List<String> fillArgs(Fill f) {
        return List.of(f.token(), f.document() == null ? "d" : "u", f.document() == null ? "" : f.document(),
                Long.toString(Math.max(1, f.ttl().toMillis())));
    }

    /**
     * An error that the same call meets again on every retry: the key holds another type than cachesync's (WRONGTYPE).
     * Redis answered, so it says nothing about Redis being available.
     */
    public static boolean isRecurring(JedisDataException e) {
        return e.getMessage() != null && e.getMessage().contains("WRONGTYPE");
    }

    /** Fill (rule 3): document null means "no such row" (negative cache). True when the fill was kept. */
    public boolean fill(String key, String token, String document, Duration ttl) {
        roundTrips.increment();
        return Long.valueOf(1L).equals(FILL.run(redis, List.of(key), fillArgs(new Fill(key, token, document, ttl))));
    }

    /** Gives back a lease this reader could not use. */
    public void release(String key, String token) {
        roundTrips.increment();
        RELEASE.run(redis, List.of(key), List.of(token));
    }

    /**
     * The source floor: the newest epoch, the epoch whose purge finished, and the epoch a change was last applied under
     * ({@code captured}, null when none since the floor rose).
     */
    public record SourceFloor(String epoch, String purged, String captured) {
        /** True when rows of an older epoch may still be in the cache. */
        public boolean purgeDue() {
            return epoch != null && !epoch.equals(purged);
        }

        /** True when a change of the floor's epoch was applied: its capture had begun (cdc-ingest's slot exists). */
        public boolean captureBegun() {
            return epoch != null && epoch.equals(captured);
        }
    }

    /**
     * Raises the source floor to {@code epoch} ({@code source.lua}): true when it was newer than the floor, so rows of
     * older epochs must now be purged; false when it was not, or when it is epoch 0 and there was no floor.
     */
    public boolean raiseSourceFloor(String epoch) {
        roundTrips.increment();
        boolean raised = Long.valueOf(1L).equals(SOURCE.run(redis, List.of(CacheKeys.SOURCE), List.of("raise", epoch)));
        if (keys.clustered()) {
            raiseFloorCopies();
        }
        return raised;
    }

    /**
     * Raises every bucket's copy of the floor ({@link KeyLayout#sourceFloor}) to the floor's epoch: always, not only when
     * the floor rose, so copies a crash left behind, or lost, catch up at the next announcement (before any purge).
     */
    private void raiseFloorCopies() {
        String epoch = sourceFloor().epoch();
        if (epoch == null) {
            return;
        }
        ScriptPipeline.rethrowErrors(pipeline.scripts(SOURCE, keys.buckets(), b -> List.of(keys.sourceFloor(b)), b -> List.of("raise", epoch)));
    }

    public SourceFloor sourceFloor() {
        roundTrips.increment();
        List<?> r = (List<?>) SOURCE.run(redis, List.of(CacheKeys.SOURCE), List.of("state"));
        return new SourceFloor(r.get(0) instanceof String e ? e : null, r.size() > 1 && r.get(1) instanceof String p ? p : null,
                r.size() > 2 && r.get(2) instanceof String c ? c : null);
    }

    /** Records that a change of {@code epoch} was applied (kept only while the floor holds that epoch). */
    public void sourceCaptured(String epoch) {
        roundTrips.increment();
        SOURCE.run(redis, List.of(CacheKeys.SOURCE), List.of("captured", epoch));
    }

    /** Records that the purge for {@code epoch} finished (kept only while the floor still holds that epoch). */
    public void sourcePurged(String epoch) {
        roundTrips.increment();
        SOURCE.run(redis, List.of(CacheKeys.SOURCE), List.of("purged", epoch));
    }

    /**
     * Deletes those of {@code rowKeys} whose version is not from {@code epoch} or newer ({@code purge.lua}; versions of
     * another width than {@code versionWidth}, and fills, count as older); returns the deleted keys.
     */
    public List<String> purgeOlderSource(List<String> rowKeys, String epoch, int versionWidth) {
        List<String> deleted = new ArrayList<>();
        for (List<String> sameSlot : byBucket(rowKeys)) {
            roundTrips.increment();
            List<?> r = (List<?>) PURGE.run(redis, sameSlot, List.of(epoch, Integer.toString(versionWidth)));
            r.forEach(k -> deleted.add((String) k));
        }
        return deleted;
    }

    /** Removes these keys (UNLINK), one bucket's keys per call on a cluster; returns how many existed. */
    public long unlink(List<String> rowKeys) {
        long n = 0;
        for (List<String> sameSlot : byBucket(rowKeys)) {
            roundTrips.increment();
            n += redis.unlink(sameSlot.toArray(String[]::new));
        }
        return n;
    }

    /** Keys grouped by hash slot, so that a call with one group stays on one node (one group on a single Redis). */
    private List<List<String>> byBucket(List<String> rowKeys) {
        if (!keys.clustered()) {
            return rowKeys.isEmpty() ? List.of() : List.of(rowKeys);
        }
        Map<Integer, List<String>> groups = new LinkedHashMap<>();
        rowKeys.forEach(k -> groups.computeIfAbsent(JedisClusterCRC16.getSlot(k), b -> new ArrayList<>()).add(k));
        return new ArrayList<>(groups.values());
    }

    /**
     * Every key matching {@code pattern}, handed to {@code page} one SCAN page (about a thousand keys) at a time, from
     * every master of a cluster; for maintenance, never a request path.
     */
    public void scan(String pattern, Consumer<List<String>> page) {
        RedisNodes.scan(redis, pattern, 1000, keysOfPage -> {
            roundTrips.increment();
            page.accept(keysOfPage);
        });
    }

    /**
     * Removes the row keys matching {@code pattern}, a SCAN page at a time; returns how many there were. cachesync's own
     * keys ({@code cs:_…}: the Redis epoch, the source floor, fences, page generations) are skipped whatever the pattern,
     * since losing them forces a full re-snapshot or lets an old page be served again.
     */
    public long deleteRows(String pattern) {
        long[] deleted = {0};
        scan(pattern, keys -> deleted[0] += unlink(keys.stream().filter(k -> !k.startsWith(CacheKeys.HELPER_PREFIX)).toList()));
        return deleted[0];
    }

    /**
     * Bumps every list and search generation of {@code entity} (SCAN of its generation keys): each of its pages is read
     * again, for when rows were removed wholesale (a purge, a truncate) and no list value names them.
     */
    public void dropPages(String entity) {
        Set<String> generations = new LinkedHashSet<>(List.of(CacheKeys.searchGeneration(entity)));
        scan(CacheKeys.generationPattern(entity), generations::addAll);
        afterWriteAll(List.of(), generations);
    }

    /** Network round trips this store made (a pipeline counts once); for tests and benchmarks. */
    public long roundTrips() {
        return roundTrips.sum();
    }

    private static CacheEntry entryOf(String v, String d, String x) {
        if (d != null) {
            return CacheEntry.present(v, d);
        }
        if (x != null) {
            return CacheEntry.tombstone(v);
        }
        return CacheEntry.ABSENT;
    }
}
