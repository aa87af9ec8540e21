package io.cachesync.app.verify;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.core.redis.CacheEntry;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
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
 * Compares every row of each entity in PostgreSQL with its Redis entry (documents encoded by the shared codec, so
 * the comparison is exact), then scans Redis for cached rows the database no longer has. Keys that differ are
 * re-checked after a grace window, so that an event still in flight is not counted as stale.
 */
public final class CacheVerifier {
    private static final int BATCH = 500;
    private static final int MAX_SAMPLES = 10;

    private final EntityCatalog catalog;
    private final Supplier<Connection> db;
    private final UnifiedJedis redis;

    public CacheVerifier(EntityCatalog catalog, Supplier<Connection> db, UnifiedJedis redis) {
        this.catalog = catalog;
        this.db = db;
        this.redis = redis;
    }

    public VerifyResult verify(Duration grace) throws SQLException {
        Map<String, VerifyResult.Counts> perEntity = new LinkedHashMap<>();
        List<String> samples = new ArrayList<>();
        for (EntityDefinition e : catalog.all()) {
            perEntity.put(e.name(), verifyEntity(e, grace, samples));
        }
        return new VerifyResult(perEntity, samples);
    }

    private VerifyResult.Counts verifyEntity(EntityDefinition e, Duration grace, List<String> samples) throws SQLException {
        Map<String, KeyCheck> suspects = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        long checked = 0;
        Map<String, String> batch = new LinkedHashMap<>();
        try (Connection c = db.get()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM \"" + e.schema() + "\".\"" + e.table() + "\"")) {
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
        // cached rows the database does not have
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(CacheKeys.rowPattern(e.name())).count(1000);
        do {
            ScanResult<String> page = redis.scan(cursor, params);
            for (String key : page.getResult()) {
                String id = CacheKeys.idOf(e.name(), key);
                if (id != null && !ids.contains(id) && id.indexOf(':') < 0 && readEntry(key).state() == CacheEntry.State.PRESENT) {
                    suspects.put(id, KeyCheck.EXTRA);
                    checked++;
                }
            }
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));

        if (!suspects.isEmpty() && !grace.isZero()) {
            LockSupport.parkNanos(grace.toNanos());
            recheck(e, suspects);
        }
        long stale = suspects.values().stream().filter(k -> k == KeyCheck.STALE).count();
        long missing = suspects.values().stream().filter(k -> k == KeyCheck.MISSING).count();
        long extra = suspects.values().stream().filter(k -> k == KeyCheck.EXTRA).count();
        suspects.entrySet().stream().filter(s -> s.getValue() != KeyCheck.FRESH).limit(Math.max(0, MAX_SAMPLES - samples.size()))
                .forEach(s -> samples.add(s.getValue().name().toLowerCase() + " " + CacheKeys.row(e.name(), s.getKey())));
        return new VerifyResult.Counts(checked, checked - stale - missing - extra, stale, missing, extra);
    }

    private long compare(EntityDefinition e, Map<String, String> expected, Map<String, KeyCheck> suspects) {
        if (expected.isEmpty()) {
            return 0;
        }
        Map<String, Response<List<String>>> answers = new LinkedHashMap<>();
        try (AbstractPipeline p = redis.pipelined()) {
            expected.keySet().forEach(id -> answers.put(id, p.hmget(CacheKeys.row(e.name(), id), "v", "d", "x")));
            p.sync();
        }
        expected.forEach((id, doc) -> {
            List<String> r = answers.get(id).get();
            KeyCheck k = classify(doc, r.get(1), r.get(2));
            if (k != KeyCheck.FRESH) {
                suspects.put(id, k);
            }
        });
        return expected.size();
    }

    private void recheck(EntityDefinition e, Map<String, KeyCheck> suspects) throws SQLException {
        try (Connection c = db.get();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM \"" + e.schema() + "\".\"" + e.table() + "\" WHERE \""
                     + e.keyColumn() + "\" = ?")) {
            for (Map.Entry<String, KeyCheck> s : suspects.entrySet()) {
                ps.setObject(1, e.keyType().jdbcValue(s.getKey()));
                String doc = null;
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        doc = ValueCodec.encode(ValueCodec.fromJdbc(e, rs));
                    }
                }
                CacheEntry cached = readEntry(CacheKeys.row(e.name(), s.getKey()));
                if (doc == null) {
                    s.setValue(cached.state() == CacheEntry.State.PRESENT ? KeyCheck.EXTRA : KeyCheck.FRESH);
                } else {
                    s.setValue(classify(doc, cached.document(), cached.state() == CacheEntry.State.TOMBSTONE ? "1" : null));
                }
            }
        }
    }

    private CacheEntry readEntry(String key) {
        List<String> r = redis.hmget(key, "v", "d", "x");
        if (r.get(1) != null) {
            return CacheEntry.present(r.get(0), r.get(1));
        }
        return r.get(2) != null ? CacheEntry.tombstone(r.get(0)) : CacheEntry.ABSENT;
    }

    private static KeyCheck classify(String expectedDoc, String cachedDoc, String tombstone) {
        if (cachedDoc != null) {
            return cachedDoc.equals(expectedDoc) ? KeyCheck.FRESH : KeyCheck.STALE;
        }
        return tombstone != null ? KeyCheck.STALE : KeyCheck.MISSING;
    }
}
