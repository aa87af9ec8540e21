package io.cachesync.app.verify;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.consistency.Consistency;
import io.cachesync.core.consistency.KeyCheck;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Compares rows of each entity in PostgreSQL (all of them, or a random sample) with their Redis entries — documents
 * encoded by the shared codec, so the comparison is exact — and scans Redis for cached rows the database no longer
 * has. Keys that differ are re-checked after a grace window, which separates a change still in flight
 * ({@code converged}) from a stale entry.
 */
public final class CacheVerifier {
    private static final int BATCH = 500;
    private static final int MAX_SAMPLES = 10;

    private final EntityCatalog catalog;
    private final Supplier<Connection> db;
    private final UnifiedJedis redis;
    private final CacheStore store;

    public CacheVerifier(EntityCatalog catalog, Supplier<Connection> db, UnifiedJedis redis) {
        this.catalog = catalog;
        this.db = db;
        this.redis = redis;
        this.store = new CacheStore(redis);
    }

    /** Every row of every entity. */
    public VerifyResult verify(Duration grace) throws SQLException {
        return verify(grace, 0);
    }

    /** @param sample rows per entity to check at random; 0 checks every row */
    public VerifyResult verify(Duration grace, int sample) throws SQLException {
        Map<String, VerifyResult.Counts> perEntity = new LinkedHashMap<>();
        List<String> samples = new ArrayList<>();
        Map<EntityDefinition, Map<String, KeyCheck>> suspects = new LinkedHashMap<>();
        Map<EntityDefinition, Long> checked = new LinkedHashMap<>();
        for (EntityDefinition e : catalog.all()) {
            Map<String, KeyCheck> s = new LinkedHashMap<>();
            checked.put(e, firstPass(e, sample, s));
            suspects.put(e, s);
        }
        boolean anySuspect = suspects.values().stream().anyMatch(m -> !m.isEmpty());
        if (anySuspect && !grace.isZero()) {
            LockSupport.parkNanos(grace.toNanos());
        }
        for (EntityDefinition e : catalog.all()) {
            Map<String, KeyCheck> s = suspects.get(e);
            long firstSuspects = s.size();
            if (anySuspect && !grace.isZero()) {
                recheck(e, s);
            }
            long stale = count(s, KeyCheck.STALE);
            long missing = count(s, KeyCheck.MISSING);
            long extra = count(s, KeyCheck.EXTRA);
            long converged = count(s, KeyCheck.FRESH);
            long n = checked.get(e);
            perEntity.put(e.name(), new VerifyResult.Counts(n, n - firstSuspects, converged, stale, missing, extra));
            s.entrySet().stream().filter(x -> x.getValue() != KeyCheck.FRESH).limit(Math.max(0, MAX_SAMPLES - samples.size()))
                    .forEach(x -> samples.add(x.getValue().name().toLowerCase() + " " + CacheKeys.row(e.name(), x.getKey())));
        }
        return new VerifyResult(perEntity, samples);
    }

    private static long count(Map<String, KeyCheck> m, KeyCheck k) {
        return m.values().stream().filter(v -> v == k).count();
    }

    /** Checks the rows (and, for extras, the cached keys); fills {@code suspects}; returns the number of keys checked. */
    private long firstPass(EntityDefinition e, int sample, Map<String, KeyCheck> suspects) throws SQLException {
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
                        String id = e.keyType().canonical(rs.getString(e.keyColumn())).orElseThrow();
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

    private long compare(EntityDefinition e, Map<String, String> expected, Map<String, KeyCheck> suspects) {
        if (expected.isEmpty()) {
            return 0;
        }
        List<String> idList = new ArrayList<>(expected.keySet());
        List<CacheEntry> cached = store.readAll(idList.stream().map(id -> CacheKeys.row(e.name(), id)).toList());
        for (int i = 0; i < idList.size(); i++) {
            KeyCheck k = Consistency.classify(expected.get(idList.get(i)), cached.get(i));
            if (k != KeyCheck.FRESH) {
                suspects.put(idList.get(i), k);
            }
        }
        return idList.size();
    }

    /** Cached rows whose id the first pass did not see: looked up one by one (all of them, or {@code sample} of them). */
    private long scanForExtras(EntityDefinition e, int sample, Set<String> seen, Map<String, KeyCheck> suspects) throws SQLException {
        long checked = 0;
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(CacheKeys.rowPattern(e.name())).count(1000);
        try (Connection c = db.get()) {
            do {
                ScanResult<String> page = redis.scan(cursor, params);
                for (String key : page.getResult()) {
                    String id = CacheKeys.idOf(e.name(), key);
                    if (id == null || id.indexOf(':') >= 0 || !e.keyType().canonical(id).map(id::equals).orElse(false) || seen.contains(id)
                            || (sample > 0 && checked >= sample)) {
                        continue;
                    }
                    CacheEntry entry = store.read(key);
                    if (entry.state() != CacheEntry.State.PRESENT) {
                        continue;
                    }
                    checked++;
                    // only a row the database lacks can make a present entry extra; present rows were compared above
                    // unless this is a sample, or the row was inserted after the first pass read the table
                    KeyCheck k = Consistency.classify(RowQueries.document(c, e, id).orElse(null), entry);
                    if (k != KeyCheck.FRESH) {
                        suspects.put(id, k);
                    }
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor) && !(sample > 0 && checked >= sample));
        }
        return checked;
    }

    private void recheck(EntityDefinition e, Map<String, KeyCheck> suspects) throws SQLException {
        try (Connection c = db.get()) {
            for (Map.Entry<String, KeyCheck> s : suspects.entrySet()) {
                String doc = RowQueries.document(c, e, s.getKey()).orElse(null);
                s.setValue(Consistency.classify(doc, store.read(CacheKeys.row(e.name(), s.getKey()))));
            }
        }
    }
}
