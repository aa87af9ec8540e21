package io.cachesync.app.verify;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.Endpoints;
import io.cachesync.core.consistency.Consistency;
import io.cachesync.core.consistency.KeyCheck;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisNodes;
import io.cachesync.core.views.ViewQueries;
import redis.clients.jedis.UnifiedJedis;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Compares rows of each entity in PostgreSQL (all of them, or a random sample) with their Redis entries — documents
 * encoded by the shared codec, so the comparison is exact — and scans Redis for cached rows the database no longer
 * has. Keys that differ are re-checked, re-reading both the row and the entry, every {@link #recheckInterval(Duration)}
 * until they match ({@code converged}: a change in flight) or the grace window is over; only a key that differed at
 * every re-check is reported stale or extra.
 *
 * <p>A view ({@code views.<name>}) is checked like an entity, by its root's ids: each root row's document is composed
 * from PostgreSQL by {@link ViewQueries#document} (one snapshot per document, the composer the view topology and the
 * read-through fill use), and a cached document whose root row is gone is extra. Its counts are reported under the
 * view's name.
 *
 * <p>Longer than our ~250-line guide: the two passes (rows, then cached keys the rows did not name), the re-checks and
 * the report share their per-entity state; split apart they would pass it around.
 */
public final class CacheVerifier {
    private static final int BATCH = 500;
    private static final int MAX_SAMPLES = 10;
    /** Stale and extra keys reported with their documents at most; the counts are always complete. */
    static final int MAX_OFFENDERS = 100;
    static final Duration MIN_RECHECK_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_RECHECK_INTERVAL = Duration.ofMillis(250);

    /** Waits for a while; tests pass one that moves a fake clock instead. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final EntityCatalog catalog;
    private final Supplier<Connection> db;
    private final UnifiedJedis redis;
    private final CacheStore store;
    private final Duration fixedRecheckInterval;
    private final InstantSource clock;
    private final Sleeper sleeper;

    /** The catalog keyed by the tables' primary keys, as the services key it at start; a mismatch is a {@link ConfigException}. */
    private static EntityCatalog keyedByTheirTables(EntityCatalog catalog, Supplier<Connection> db) {
        try (Connection c = db.get()) {
            return SchemaCheck.resolve(c, catalog, "verify");
        } catch (SQLException e) {
            throw new IllegalStateException("verify: cannot read the entities' primary keys: " + Endpoints.withoutCredentials(e.getMessage()), e);
        }
    }

    public CacheVerifier(EntityCatalog catalog, Supplier<Connection> db, UnifiedJedis redis) {
        this(catalog, db, redis, null, InstantSource.system(), CacheVerifier::park);
    }

    /** @param recheckInterval the pause between re-checks, or null for {@link #recheckInterval(Duration)} of the grace */
    CacheVerifier(EntityCatalog catalog, Supplier<Connection> db, UnifiedJedis redis, Duration recheckInterval, InstantSource clock,
                  Sleeper sleeper) {
        if (recheckInterval != null && (recheckInterval.isNegative() || recheckInterval.isZero())) {
            throw new IllegalArgumentException("verify: the re-check interval must be positive, was " + recheckInterval);
        }
        this.catalog = keyedByTheirTables(catalog, db);
        this.db = db;
        this.redis = redis;
        this.store = new CacheStore(redis);
        this.fixedRecheckInterval = recheckInterval;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** The pause between re-checks: a tenth of the grace window, between 10 ms and 250 ms. */
    static Duration recheckInterval(Duration grace) {
        Duration tenth = grace.dividedBy(10);
        return tenth.compareTo(MIN_RECHECK_INTERVAL) < 0 ? MIN_RECHECK_INTERVAL
                : tenth.compareTo(MAX_RECHECK_INTERVAL) > 0 ? MAX_RECHECK_INTERVAL : tenth;
    }

    /** Every row of every entity. */
    public VerifyResult verify(Duration grace) throws SQLException {
        return verify(grace, 0);
    }

    /**
     * @param grace  how long a difference may take to converge; zero reports the first look
     * @param sample rows per entity to check at random; 0 checks every row
     */
    public VerifyResult verify(Duration grace, int sample) throws SQLException {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("verify: the grace window must not be negative, was " + grace);
        }
        Map<EntityDefinition, Map<String, Suspect>> suspects = new LinkedHashMap<>();
        Map<EntityDefinition, Long> checked = new LinkedHashMap<>();
        Map<String, Long> uncacheable = new LinkedHashMap<>();
        for (EntityDefinition e : catalog.all()) {
            Map<String, Suspect> s = new LinkedHashMap<>();
            checked.put(e, firstPass(e, sample, s, uncacheable));
            suspects.put(e, s);
        }
        if (!grace.isZero() && suspects.values().stream().anyMatch(m -> !m.isEmpty())) {
            recheckDuringGrace(grace, suspects);
        }
        Map<String, VerifyResult.Counts> perEntity = new LinkedHashMap<>();
        List<String> samples = new ArrayList<>();
        List<VerifyResult.Offender> offenders = new ArrayList<>();
        for (EntityDefinition e : catalog.all()) {
            Map<String, Suspect> s = suspects.get(e);
            long n = checked.get(e);
            perEntity.put(e.name(), new VerifyResult.Counts(n, n - s.size(), count(s, KeyCheck.FRESH), count(s, KeyCheck.STALE),
                    count(s, KeyCheck.MISSING), count(s, KeyCheck.EXTRA)));
            for (Map.Entry<String, Suspect> x : s.entrySet()) {
                Suspect v = x.getValue();
                String key = store.keys().row(e.name(), x.getKey());
                if (v.check != KeyCheck.FRESH && samples.size() < MAX_SAMPLES) {
                    samples.add(v.check.name().toLowerCase(Locale.ROOT) + " " + key);
                }
                if ((v.check == KeyCheck.STALE || v.check == KeyCheck.EXTRA) && offenders.size() < MAX_OFFENDERS) {
                    offenders.add(new VerifyResult.Offender(e.name(), x.getKey(), key, v.check, v.rechecks, v.databaseDocument, v.cached));
                }
            }
        }
        return new VerifyResult(perEntity, samples, offenders, uncacheable);
    }

    private static long count(Map<String, Suspect> m, KeyCheck k) {
        return m.values().stream().filter(v -> v.check == k).count();
    }

    /** Checks the rows (and, for extras, the cached keys); fills {@code suspects}; returns the number of keys checked. */
    private long firstPass(EntityDefinition e, int sample, Map<String, Suspect> suspects, Map<String, Long> uncacheable)
            throws SQLException {
        if (e.source() == EntityDefinition.Source.VIEW) {
            return firstPassOfView(e, sample, suspects, uncacheable);
        }
        Set<String> ids = new HashSet<>();
        long checked = 0;
        Map<String, String> batch = new LinkedHashMap<>();
        String sql = RowQueries.selectAll(e) + (sample > 0 ? " ORDER BY random() LIMIT " + sample : "");
        try (Connection c = db.get()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(2000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Optional<String> key = e.key().ofRow(rs);
                        if (key.isEmpty()) {
                            uncacheable.merge(e.name(), 1L, Long::sum);
                            continue;
                        }
                        String id = key.get();
                        ids.add(id);
                        batch.put(id, ValueCodec.encode(ValueCodec.fromJdbc(e, rs)));
                        if (batch.size() >= BATCH) {
                            checked += compare(e, batch, suspects);
                            batch.clear();
                        }
                    }
                }
            }
            c.commit();
        }
        checked += compare(e, batch, suspects);
        checked += scanForExtras(e, sample, ids, suspects);
        return checked;
    }

    /**
     * A view's first pass: its root's ids (all, or a random sample), then each one's document composed from PostgreSQL and
     * compared with Redis a batch at a time; then, as for an entity, the cached documents whose id was not among them.
     */
    private long firstPassOfView(EntityDefinition e, int sample, Map<String, Suspect> suspects, Map<String, Long> uncacheable)
            throws SQLException {
        List<String> roots = new ArrayList<>();
        String sql = "SELECT " + e.key().columnList() + " FROM " + e.sqlTable()
                + (sample > 0 ? " ORDER BY random() LIMIT " + sample : "");
        long checked = 0;
        try (Connection c = db.get()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(2000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Optional<String> key = e.key().ofRow(rs);
                        if (key.isPresent()) {
                            roots.add(key.get());
                        } else {
                            uncacheable.merge(e.name(), 1L, Long::sum);
                        }
                    }
                }
            }
            c.commit();
            for (int from = 0; from < roots.size(); from += BATCH) {
                List<String> batch = roots.subList(from, Math.min(roots.size(), from + BATCH));
                Map<String, String> docs = documents(c, e, batch);
                Map<String, String> expected = new LinkedHashMap<>();
                // a root deleted since its id was read has no document: its entry must then be absent or a tombstone
                batch.forEach(id -> expected.put(id, docs.get(id)));
                checked += compare(e, expected, suspects);
            }
        }
        checked += scanForExtras(e, sample, new HashSet<>(roots), suspects);
        return checked;
    }

    /** The documents PostgreSQL holds now for those of {@code ids} that exist, by id: rows of an entity, documents of a view. */
    private Map<String, String> documents(Connection c, EntityDefinition e, List<String> ids) throws SQLException {
        if (e.source() != EntityDefinition.Source.VIEW) {
            return RowQueries.documents(c, e, ids);
        }
        return ViewQueries.documents(c, catalog, catalog.view(e), ids);
    }

    /** The document PostgreSQL holds now for {@code id}: a row of an entity, a document of a view; empty when there is none. */
    private Optional<String> document(Connection c, EntityDefinition e, String id) throws SQLException {
        return e.source() == EntityDefinition.Source.VIEW ? ViewQueries.document(c, catalog, catalog.view(e), id) : RowQueries.document(c, e, id);
    }

    private long compare(EntityDefinition e, Map<String, String> expected, Map<String, Suspect> suspects) {
        if (expected.isEmpty()) {
            return 0;
        }
        List<String> idList = new ArrayList<>(expected.keySet());
        List<CacheEntry> cached = store.readAll(idList.stream().map(id -> store.keys().row(e.name(), id)).toList());
        for (int i = 0; i < idList.size(); i++) {
            String doc = expected.get(idList.get(i));
            KeyCheck k = Consistency.classify(doc, cached.get(i));
            if (k != KeyCheck.FRESH) {
                suspects.put(idList.get(i), new Suspect(k, doc, cached.get(i)));
            }
        }
        return idList.size();
    }

    /** Cached rows whose id the first pass did not see: looked up one by one (all of them, or {@code sample} of them). */
    private long scanForExtras(EntityDefinition e, int sample, Set<String> seen, Map<String, Suspect> suspects) throws SQLException {
        long[] checked = {0};
        SQLException[] failed = {null};
        try (Connection c = db.get()) {
            RedisNodes.scanWhile(redis, CacheKeys.rowPattern(e.name()), 1000, page -> {
                try {
                    checked[0] += checkExtras(c, e, page, sample > 0 ? sample - checked[0] : Long.MAX_VALUE, seen, suspects);
                    return !(sample > 0 && checked[0] >= sample);
                } catch (SQLException ex) {
                    failed[0] = ex;
                    return false;
                }
            });
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return checked[0];
    }

    /** Checks the rows of one SCAN page the first pass did not see, at most {@code budget}; how many were checked. */
    private long checkExtras(Connection c, EntityDefinition e, List<String> page, long budget, Set<String> seen,
                             Map<String, Suspect> suspects) throws SQLException {
        long checked = 0;
        for (String key : page) {
            String id = store.keys().idOf(e.name(), key);
            if (id == null || !e.key().canonical(id).map(id::equals).orElse(false) || !store.keys().row(e.name(), id).equals(key)
                    || seen.contains(id) || checked >= budget) {
                continue;
            }
            CacheEntry entry = store.read(key);
            if (entry.state() != CacheEntry.State.PRESENT) {
                continue;
            }
            checked++;
            // only a row the database lacks can make a present entry extra; present rows were compared above
            // unless this is a sample, or the row was inserted after the first pass read the table
            String doc = document(c, e, id).orElse(null);
            KeyCheck k = Consistency.classify(doc, entry);
            if (k != KeyCheck.FRESH) {
                suspects.put(id, new Suspect(k, doc, entry));
            }
        }
        return checked;
    }

    /**
     * Re-checks the differing keys every interval until none differs or a re-check has started at or after the end of
     * the grace window (so the last re-check is never earlier than a single re-check after the whole window would be).
     */
    private void recheckDuringGrace(Duration grace, Map<EntityDefinition, Map<String, Suspect>> suspects) throws SQLException {
        Duration interval = fixedRecheckInterval != null ? fixedRecheckInterval : recheckInterval(grace);
        Instant deadline = clock.instant().plus(grace);
        try (Connection c = db.get()) {
            c.setAutoCommit(true); // every statement sees the latest commits
            Instant next = clock.instant().plus(interval);
            while (true) {
                waitUntil(next.isBefore(deadline) ? next : deadline);
                Instant started = clock.instant();
                long differing = 0;
                for (Map.Entry<EntityDefinition, Map<String, Suspect>> e : suspects.entrySet()) {
                    differing += recheck(c, e.getKey(), e.getValue());
                }
                if (differing == 0 || !started.isBefore(deadline)) {
                    return;
                }
                next = started.plus(interval);
            }
        }
    }

    private void waitUntil(Instant t) {
        Duration d = Duration.between(clock.instant(), t);
        if (d.isNegative() || d.isZero()) {
            return;
        }
        try {
            sleeper.sleep(d);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("verify: interrupted while re-checking differences during the grace window", ex);
        }
    }

    /** One re-check of the entity's keys that still differ; returns how many still differ. */
    private long recheck(Connection c, EntityDefinition e, Map<String, Suspect> suspects) throws SQLException {
        List<String> ids = suspects.entrySet().stream().filter(x -> x.getValue().check != KeyCheck.FRESH).map(Map.Entry::getKey).toList();
        long differing = 0;
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
            // PostgreSQL first: a change reaches Redis after its commit, so this order never reports a difference that
            // existed at no moment
            Map<String, String> docs = documents(c, e, batch);
            List<CacheEntry> cached = store.readAll(batch.stream().map(id -> store.keys().row(e.name(), id)).toList());
            for (int i = 0; i < batch.size(); i++) {
                String doc = docs.get(batch.get(i));
                Suspect s = suspects.get(batch.get(i));
                s.observe(Consistency.classify(doc, cached.get(i)), doc, cached.get(i));
                if (s.check != KeyCheck.FRESH) {
                    s.rechecks++;
                    differing++;
                }
            }
        }
        return differing;
    }

    private static void park(Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** A key that differed at the first look, as last seen; documents are kept only while it is stale or extra. */
    private static final class Suspect {
        KeyCheck check;
        String databaseDocument;
        CacheEntry cached;
        int rechecks;

        Suspect(KeyCheck check, String databaseDocument, CacheEntry cached) {
            observe(check, databaseDocument, cached);
        }

        void observe(KeyCheck k, String doc, CacheEntry entry) {
            check = k;
            boolean keep = k == KeyCheck.STALE || k == KeyCheck.EXTRA;
            databaseDocument = keep ? doc : null;
            cached = keep ? entry : null;
        }
    }
}
