package io.cachesync.ingest.source;

import io.cachesync.devstack.DevPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SlotContinuity} on a real PostgreSQL: a slot that continues the offsets, one that is gone, one recreated past them. */
class SlotContinuityTest {
    @TempDir
    static Path dir;
    static DevPostgres postgres;

    @BeforeAll
    static void start() {
        postgres = DevPostgres.start(dir.resolve("pg"));
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.stop();
        }
    }

    @Test
    void aSlotDroppedOrRecreatedBehindTheOffsetsIsAGap() throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            assertThat(SlotContinuity.broken(c, "s1", Map.of())).as("no offsets: a first start").isEmpty();

            st.execute("SELECT pg_create_logical_replication_slot('s1', 'pgoutput')");
            long confirmed = confirmed(st, "s1");
            assertThat(SlotContinuity.broken(c, "s1", offsets(confirmed + 1000))).as("the slot continues the offsets").isEmpty();
            assertThat(SlotContinuity.broken(c, "s1", offsets(confirmed))).isEmpty();

            assertThat(SlotContinuity.broken(c, "s1", offsets(confirmed - 1))).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("was recreated", "s1");
            st.execute("SELECT pg_drop_replication_slot('s1')");
            assertThat(SlotContinuity.broken(c, "s1", offsets(confirmed))).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("is gone", "s1");
        }
    }

    @Test
    void aSlotIsDroppedBeforeAFreshSnapshotOnlyWhenNothingIsStoredAndTheModeSnapshots() throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            assertThat(SlotContinuity.dropBeforeFreshSnapshot(c, "s2", Map.of(), "initial")).as("no slot: nothing to do").isEmpty();
            st.execute("SELECT pg_create_logical_replication_slot('s2', 'pgoutput')");
            long confirmed = confirmed(st, "s2");
            assertThat(SlotContinuity.dropBeforeFreshSnapshot(c, "s2", offsets(confirmed), "initial")).as("offsets stored: streaming goes on")
                    .isEmpty();
            assertThat(SlotContinuity.dropBeforeFreshSnapshot(c, "s2", Map.of(), "no_data")).as("no_data reads no table").isEmpty();
            assertThat(exists(st, "s2")).isTrue();

            assertThat(SlotContinuity.dropBeforeFreshSnapshot(c, "s2", Map.of(), "when_needed")).hasValue(confirmed);
            assertThat(exists(st, "s2")).as("dropped, for Debezium to create with an exported snapshot").isFalse();
        }
    }

    @Test
    void aSlotInUseIsNotDroppedAndTheStartIsRetried() throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_create_logical_replication_slot('s3', 'pgoutput')");
            st.execute("CREATE PUBLICATION p3");
            java.util.Properties props = new java.util.Properties();
            org.postgresql.PGProperty.USER.set(props, DevPostgres.USER);
            org.postgresql.PGProperty.PASSWORD.set(props, DevPostgres.PASSWORD);
            org.postgresql.PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
            org.postgresql.PGProperty.REPLICATION.set(props, "database");
            org.postgresql.PGProperty.PREFER_QUERY_MODE.set(props, "simple");
            try (Connection replication = java.sql.DriverManager.getConnection(postgres.jdbcUrl(), props);
                 org.postgresql.replication.PGReplicationStream stream = replication.unwrap(org.postgresql.PGConnection.class)
                         .getReplicationAPI().replicationStream().logical().withSlotName("s3")
                         .withSlotOption("proto_version", "1").withSlotOption("publication_names", "p3").start()) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> active(st, "s3"));
                assertThatThrownBy(() -> SlotContinuity.dropBeforeFreshSnapshot(c, "s3", Map.of(), "initial"))
                        .isInstanceOf(java.sql.SQLException.class).hasMessageContaining("in use");
                assertThat(exists(st, "s3")).isTrue();
            }
        }
    }

    @Test
    void theStoredPositionIsTheFurthestOfDebeziumsFields() {
        assertThat(SlotContinuity.storedPosition(Map.of("k", "{\"lsn_proc\":10,\"lsn_commit\":30,\"lsn\":20,\"txId\":5}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(30);
        assertThat(SlotContinuity.storedPosition(Map.of("k", "not json".getBytes(StandardCharsets.UTF_8)))).isZero();
    }

    private static Map<String, byte[]> offsets(long lsn) {
        return Map.of("[\"cachesync-ingest\",{\"server\":\"cachesync\"}]", ("{\"lsn\":" + lsn + ",\"txId\":7}").getBytes(StandardCharsets.UTF_8));
    }

    private static boolean active(Statement st, String slot) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static boolean exists(Statement st, String slot) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next();
        }
    }

    private static long confirmed(Statement st, String slot) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
