package io.cachesync.app.verify;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.EntityKey;
import io.cachesync.core.catalog.KeyType;
import io.cachesync.core.consistency.KeyCheck;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.redis.CacheEntry;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@link CacheVerifier} against a real PostgreSQL and a real redis-server: a difference is stale (or extra) only when it
 * is seen at every re-check of the grace window. Every test works on its own table and entity.
 */
class CacheVerifierTest {
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final AtomicInteger TABLES = new AtomicInteger();

    @TempDir
    static Path dir;

    private static DevPostgres postgres;
    private static DevRedis redis;
    private static RedisClient client;
    private static CacheStore store;
    private static Connection db;

    private EntityDefinition entity;

    @BeforeAll
    static void startStack() throws SQLException {
        postgres = DevPostgres.start(dir.resolve("pg"));
        redis = DevRedis.start(dir.resolve("redis"));
        client = RedisConnections.client(URI.create(redis.url()), 4, Duration.ofSeconds(2));
        store = new CacheStore(client);
        store.loadScripts();
        db = postgres.connect();
    }

    @AfterAll
    static void stopStack() throws SQLException {
        if (db != null) {
            db.close();
        }
        if (client != null) {
            client.close();
        }
        if (redis != null) {
            redis.stop();
        }
        if (postgres != null) {
            postgres.stop();
        }
    }

    @BeforeEach
    void table() throws SQLException {
        String name = "verify_items_" + TABLES.incrementAndGet();
        entity = new EntityDefinition(name, "public", name, EntityKey.single("id", KeyType.BIGINT), TTL, 0, Duration.ofSeconds(60), Set.of());
        try (Statement st = db.createStatement()) {
            st.execute("CREATE TABLE " + name + " (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))");
        }
    }

    // ------------------------------------------------------------------ real time, a background writer

    @Test
    void differenceFixedDuringTheGraceWindowIsConvergedEvenWhenTheRowMovesAgainBeforeTheWindowEnds() throws Exception {
        insert(1, "fresh");
        cacheCurrentRow(1, 1);
        insert(2, "old");
        cacheCurrentRow(2, 1);
        update(2, "new");   // the cache catches up at 1.5 s
        insert(3, "old");
        cacheCurrentRow(3, 1);
        update(3, "new");   // the cache catches up at 1.5 s; the row changes again at 2.5 s, still in flight at the end
        insert(4, "old");
        cacheCurrentRow(4, 1);
        update(4, "new");   // the cache never catches up

        ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
        try {
            ScheduledFuture<Void> catchUp = background.schedule(() -> {
                cacheCurrentRow(2, 2);
                cacheCurrentRow(3, 2);
                return null;
            }, 1500, TimeUnit.MILLISECONDS);
            ScheduledFuture<Void> movesAgain = background.schedule(() -> {
                update(3, "newer");
                return null;
            }, 2500, TimeUnit.MILLISECONDS);

            VerifyResult r = new CacheVerifier(catalog(), this::connect, client).verify(Duration.ofSeconds(4));

            assertThat(catchUp.get(1, TimeUnit.SECONDS)).as("the catch-up ran during the grace window").isNull();
            assertThat(movesAgain.get(1, TimeUnit.SECONDS)).as("the second change ran during the grace window").isNull();
            assertThat(r.perEntity().get(entity.name())).as("checked, fresh, converged, stale, missing, extra")
                    .isEqualTo(new VerifyResult.Counts(4, 1, 2, 1, 0, 0));
            assertThat(r.samples()).containsExactly("stale " + KeyLayout.STANDALONE.row(entity.name(), "4"));
        } finally {
            background.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ fake time: re-checks every 250 ms of a 4 s window

    @Test
    void keyThatDiffersAtEveryRecheckIsStaleWithWhatBothSidesHold() throws Exception {
        insert(1, "old");
        cacheCurrentRow(1, 7);
        String cachedDocument = document(1);
        update(1, "new");
        FakeTime time = new FakeTime();

        VerifyResult r = verifier(time).verify(Duration.ofSeconds(4));

        assertThat(r.perEntity().get(entity.name())).isEqualTo(new VerifyResult.Counts(1, 0, 0, 1, 0, 0));
        assertThat(time.elapsed()).as("re-checked until the end of the window").isEqualTo(Duration.ofSeconds(4));
        assertThat(r.offenders()).containsExactly(new VerifyResult.Offender(entity.name(), "1", key(1), KeyCheck.STALE, 16,
                document(1), CacheEntry.present("7", cachedDocument)));
        assertThat(r.offenders().get(0).databaseDocument()).contains("\"name\":\"new\"");
        assertThat(r.offenders().get(0).cached().document()).contains("\"name\":\"old\"");
    }

    @Test
    void keyThatMatchesAtOneRecheckIsConvergedEvenThoughItDiffersAgainLater() throws Exception {
        insert(1, "old");
        cacheCurrentRow(1, 1);
        update(1, "new");
        FakeTime time = new FakeTime();
        time.at(Duration.ofMillis(1500), () -> cacheCurrentRow(1, 2));
        time.at(Duration.ofMillis(1600), () -> update(1, "newer"));

        VerifyResult r = verifier(time).verify(Duration.ofSeconds(4));

        assertThat(r.perEntity().get(entity.name())).isEqualTo(new VerifyResult.Counts(1, 0, 1, 0, 0, 0));
        assertThat(r.offenders()).isEmpty();
        assertThat(time.elapsed()).as("stops re-checking once nothing differs").isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void recheckRereadsTheDatabaseAsWellAsTheCache() throws Exception {
        insert(2, "old");
        cacheCurrentRow(2, 1);
        update(2, "new");          // the row goes back to what the cache holds at 1 s
        insert(9, "gone");
        cacheCurrentRow(9, 1);
        delete(9);                 // extra; the same row comes back at 1 s
        insert(10, "uncached");    // missing; filled at 0.5 s
        FakeTime time = new FakeTime();
        time.at(Duration.ofMillis(500), () -> cacheCurrentRow(10, 1));
        time.at(Duration.ofSeconds(1), () -> {
            update(2, "old");
            insert(9, "gone");
        });

        VerifyResult r = verifier(time).verify(Duration.ofSeconds(4));

        assertThat(r.perEntity().get(entity.name())).isEqualTo(new VerifyResult.Counts(3, 0, 3, 0, 0, 0));
        assertThat(time.elapsed()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void extraAndTombstoneForAnExistingRowThatPersistAreReportedWithBothSides() throws Exception {
        insert(7, "deleted");
        cacheCurrentRow(7, 3);
        String cachedDocument = document(7);
        delete(7);
        insert(8, "exists");
        assertThat(store.apply(key(8), "5", null, TTL)).isTrue();
        FakeTime time = new FakeTime();

        VerifyResult r = verifier(time).verify(Duration.ofSeconds(4));

        assertThat(r.perEntity().get(entity.name())).isEqualTo(new VerifyResult.Counts(2, 0, 0, 1, 0, 1));
        assertThat(r.offenders()).containsExactlyInAnyOrder(
                new VerifyResult.Offender(entity.name(), "7", key(7), KeyCheck.EXTRA, 16, null, CacheEntry.present("3", cachedDocument)),
                new VerifyResult.Offender(entity.name(), "8", key(8), KeyCheck.STALE, 16, document(8), CacheEntry.tombstone("5")));
        assertThat(r.clean(true)).isFalse();
    }

    @Test
    void zeroGraceReportsTheFirstLookWithoutWaiting() throws Exception {
        insert(1, "old");
        cacheCurrentRow(1, 1);
        update(1, "new");
        insert(2, "uncached");
        FakeTime time = new FakeTime();

        VerifyResult r = verifier(time).verify(Duration.ZERO);

        assertThat(r.perEntity().get(entity.name())).isEqualTo(new VerifyResult.Counts(2, 0, 0, 1, 1, 0));
        assertThat(time.elapsed()).isZero();
        assertThat(r.offenders()).extracting(VerifyResult.Offender::id, VerifyResult.Offender::rechecks).containsExactly(tuple("1", 0));
        assertThat(r.samples()).containsExactlyInAnyOrder("stale " + key(1), "missing " + key(2));
    }

    @Test
    void offendersAreBoundedWhileTheCountsAreComplete() throws Exception {
        int rows = CacheVerifier.MAX_OFFENDERS + 5;
        for (int id = 1; id <= rows; id++) {
            insert(id, "old");
            cacheCurrentRow(id, 1);
        }
        try (Statement st = db.createStatement()) {
            st.executeUpdate("UPDATE " + entity.table() + " SET name = 'new'");
        }

        VerifyResult r = verifier(new FakeTime()).verify(Duration.ofMillis(100));

        assertThat(r.total().stale()).isEqualTo(rows);
        assertThat(r.offenders()).hasSize(CacheVerifier.MAX_OFFENDERS).allSatisfy(o -> assertThat(o.rechecks()).isEqualTo(1));
        assertThat(r.samples()).hasSize(10);
    }

    @Test
    void aRowWhoseKeyCannotBeAddressedIsCountedApartAndTheRestIsChecked() throws Exception {
        String name = "verify_codes_" + TABLES.incrementAndGet();
        entity = new EntityDefinition(name, "public", name, EntityKey.single("code", KeyType.TEXT), TTL, 0, Duration.ofSeconds(60), Set.of());
        try (Statement st = db.createStatement()) {
            st.execute("CREATE TABLE " + name + " (code text PRIMARY KEY, name text)");
            st.execute("INSERT INTO " + name + " VALUES ('', 'empty'), ('" + "x".repeat(600) + "', 'long'), ('a', 'fine')");
        }
        assertThat(store.apply(KeyLayout.STANDALONE.row(name, "a"), "1", "{\"code\":\"a\",\"name\":\"fine\"}", TTL)).isTrue();

        VerifyResult r = verifier(new FakeTime()).verify(Duration.ZERO);

        assertThat(r.perEntity().get(name)).as("the one row it can address").isEqualTo(new VerifyResult.Counts(1, 1, 0, 0, 0, 0));
        assertThat(r.uncacheable()).containsExactly(Map.entry(name, 2L));
        assertThat(r.clean(false)).isTrue();
    }

        @Test
    void recheckIntervalIsATenthOfTheGraceBetween10And250Milliseconds() {
        assertThat(CacheVerifier.recheckInterval(Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(250));
        assertThat(CacheVerifier.recheckInterval(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(100));
        assertThat(CacheVerifier.recheckInterval(Duration.ofMillis(50))).isEqualTo(Duration.ofMillis(10));
    }

    // ------------------------------------------------------------------ helpers

    private CacheVerifier verifier(FakeTime time) {
        return new CacheVerifier(catalog(), this::connect, client, Duration.ofMillis(250), time, time);
    }


    private EntityCatalog catalog() {
        return new EntityCatalog(List.of(entity));
    }

    private Connection connect() {
        try {
            return postgres.connect();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void insert(long id, String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO " + entity.table() + " (id, name, price) VALUES (?, ?, 9.90)")) {
            ps.setLong(1, id);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }

    private void update(long id, String name) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("UPDATE " + entity.table() + " SET name = ? WHERE id = ?")) {
            ps.setString(1, name);
            ps.setLong(2, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private String document(long id) throws SQLException {
        return RowQueries.document(db, entity, Long.toString(id)).orElseThrow();
    }

    /** Writes the row as PostgreSQL holds it now into the cache, as cache-sync would, with {@code version}. */
    private void cacheCurrentRow(long id, long version) throws SQLException {
        assertThat(store.apply(key(id), Long.toString(version), document(id), TTL)).isTrue();
    }

    private void delete(long id) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM " + entity.table() + " WHERE id = ?")) {
            ps.setLong(1, id);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private String key(long id) {
        return KeyLayout.STANDALONE.row(entity.name(), Long.toString(id));
    }

    @FunctionalInterface
    private interface Action {
        void run() throws SQLException;
    }

    /** A clock that moves only when verify sleeps; actions due by then run before the re-check that follows. */
    private static final class FakeTime implements InstantSource, CacheVerifier.Sleeper {
        private final Instant start = Instant.parse("2026-01-01T00:00:00Z");
        private final TreeMap<Instant, List<Action>> actions = new TreeMap<>();
        private Instant now = start;

        void at(Duration offset, Action action) {
            actions.computeIfAbsent(start.plus(offset), t -> new ArrayList<>()).add(action);
        }

        Duration elapsed() {
            return Duration.between(start, now);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public void sleep(Duration d) {
            now = now.plus(d);
            for (Map.Entry<Instant, List<Action>> due = actions.firstEntry(); due != null && !due.getKey().isAfter(now);
                 due = actions.firstEntry()) {
                actions.pollFirstEntry();
                for (Action a : due.getValue()) {
                    try {
                        a.run();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }
}
