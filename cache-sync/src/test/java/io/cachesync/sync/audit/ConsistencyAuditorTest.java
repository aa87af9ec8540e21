package io.cachesync.sync.audit;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.keys.KeyLayout;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.redis.RedisConnections;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import io.cachesync.sync.audit.ConsistencyAuditor.Result;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.CommitOrderVersion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live auditor against a real PostgreSQL and redis-server: each kind of difference is classified as the metric
 * says, a difference is judged only after the grace window, and the auditor connects with the configured TLS mode.
 */
class ConsistencyAuditorTest {
    private static final Duration TTL = Duration.ofMinutes(10);

    @TempDir
    static Path dir;
    static DevPostgres postgres;
    static DevRedis redisServer;
    static RedisClient redis;
    static CacheStore store;

    final EntityDefinition items = EntityCatalog.from(Settings.of(Map.of("entities", "items", "entities.items.key", "id",
            "entities.items.key-type", "bigint")), new ArrayList<>()).byName("items").orElseThrow();

    @BeforeAll
    static void start() throws Exception {
        postgres = DevPostgres.start(dir.resolve("pg"));
        redisServer = DevRedis.start(dir.resolve("redis"));
        redis = RedisConnections.client(URI.create(redisServer.url()), 4, Duration.ofSeconds(2));
        store = new CacheStore(redis);
        store.loadScripts();
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)");
            st.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20) g");
        }
    }

    @AfterAll
    static void stop() {
        redis.close();
        redisServer.stop();
        postgres.stop();
    }

    private static PostgresEndpoint endpoint(String sslMode) {
        return new PostgresEndpoint(postgres.jdbcUrl(), DevPostgres.USER, DevPostgres.PASSWORD, sslMode);
    }

    private ConsistencyAuditor auditor(String sslMode) {
        return new ConsistencyAuditor(endpoint(sslMode), store, new SimpleMeterRegistry(), 1.0, Duration.ZERO, Duration.ofMillis(200));
    }

    private void cache(String id, String document) {
        cache(id, "1", document);
    }

    private void cache(String id, String version, String document) {
        assertThat(store.apply(KeyLayout.STANDALONE.row(items.name(), id), version, document, TTL)).as("written").isTrue();
    }

    private String rowDocument(String id) throws Exception {
        try (Connection c = postgres.connect()) {
            return RowQueries.document(c, items, id).orElseThrow();
        }
    }

    private CacheMutation applied(String id) {
        return new CacheMutation(items, id, CacheMutation.Op.UPSERT, "1", "{}", 0, false, Map.of());
    }

    @Test
    void eachKindOfDifferenceIsCountedAsWhatItIs() throws Exception {
        cache("1", rowDocument("1"));
        cache("2", rowDocument("2").replace("item 2", "item two"));
        cache("99", "{\"id\":99,\"name\":\"gone\"}");
        // "3" is not cached: evicted, which is not an inconsistency
        try (ConsistencyAuditor auditor = auditor("disable")) {
            for (String id : new String[] {"1", "2", "3", "99"}) {
                auditor.applied(applied(id));
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(auditor.total(Result.CONSISTENT)).isEqualTo(1);
                assertThat(auditor.total(Result.STALE)).isEqualTo(1);
                assertThat(auditor.total(Result.EXTRA)).isEqualTo(1);
                assertThat(auditor.total(Result.MISSING)).isEqualTo(1);
            });
            assertThat(auditor.total(Result.ERROR)).isZero();
            assertThat(auditor.inconsistent()).isEqualTo(2);
            assertThat(auditor.judged()).isEqualTo(3);
        }
    }

    @Test
    void aDifferenceThatIsGoneWithinTheGraceWindowCountsAsConverged() throws Exception {
        cache("5", rowDocument("5").replace("item 5", "before the change"));
        try (ConsistencyAuditor auditor = new ConsistencyAuditor(endpoint("disable"), store, new SimpleMeterRegistry(), 1.0,
                Duration.ZERO, Duration.ofSeconds(5))) {
            auditor.applied(applied("5"));
            await().atMost(Duration.ofSeconds(5)).until(() -> auditor.rechecking() == 1); // the first look saw the difference
            assertThat(auditor.total(Result.STALE)).isZero();
            cache("5", "2", rowDocument("5")); // the change in flight lands
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(auditor.total(Result.CONVERGED)).isEqualTo(1));
            assertThat(auditor.inconsistent()).isZero();
        }
    }

    @Test
    void theAuditorConnectsWithTheConfiguredTlsMode() throws Exception {
        cache("7", rowDocument("7"));
        // this PostgreSQL has no TLS: with sslmode=require every check must fail; a client ignoring sslmode would pass
        try (ConsistencyAuditor auditor = auditor("require")) {
            auditor.applied(applied("7"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(auditor.total(Result.ERROR)).isEqualTo(1));
            assertThat(auditor.total(Result.CONSISTENT)).isZero();
        }
        try (ConsistencyAuditor auditor = auditor("prefer")) {
            auditor.applied(applied("7"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(auditor.total(Result.CONSISTENT)).isEqualTo(1));
        }
    }

    private static long walInsertPosition() throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void update(String id, String name) throws Exception {
        try (Connection c = postgres.connect(); java.sql.PreparedStatement ps = c.prepareStatement("UPDATE items SET name = ? WHERE id = ?")) {
            ps.setString(1, name);
            ps.setLong(2, Long.parseLong(id));
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aRowUpdatedFasterThanThePipelineIsNotStaleWhileTheCacheHoldsChangesCommittedAfterTheFirstLook() throws Exception {
        String old = CommitOrderVersion.of(1, 1);
        // row 8 is updated all the time: the cache always holds a change a few milliseconds behind PostgreSQL
        cache("8", old, rowDocument("8").replace("item 8", "behind"));
        // row 9 is updated too, but its entry never moves: that is stale
        cache("9", old, rowDocument("9").replace("item 9", "stuck"));
        try (ConsistencyAuditor auditor = new ConsistencyAuditor(endpoint("disable"), store, new SimpleMeterRegistry(), 1.0,
                Duration.ZERO, Duration.ofSeconds(3))) {
            auditor.applied(new CacheMutation(items, "8", CacheMutation.Op.UPSERT, old, "{}", 0, false, Map.of()));
            auditor.applied(new CacheMutation(items, "9", CacheMutation.Op.UPSERT, old, "{}", 0, false, Map.of()));
            await().atMost(Duration.ofSeconds(3)).until(() -> auditor.rechecking() == 2); // both differed at the first look
            update("8", "in between");
            update("9", "in between");
            long committed = walInsertPosition();
            // the pipeline applies row 8's change committed after the first look, while PostgreSQL moves on again
            cache("8", CommitOrderVersion.of(committed, committed + 1), rowDocument("8"));
            update("8", "newest, still in flight");
            update("9", "newest, still in flight");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(auditor.total(Result.CONVERGED)).isEqualTo(1);
                assertThat(auditor.total(Result.STALE)).isEqualTo(1);
            });
        }
    }
}
