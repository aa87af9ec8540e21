package io.cachesync.ingest.source;

import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.FreePorts;
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

/** {@link SlotContinuity} on a real PostgreSQL: a slot that continues the offsets, one that is gone, one recreated past them. */
class SlotContinuityTest {
    @TempDir
    static Path dir;
    static DevPostgres postgres;

    @BeforeAll
    static void start() {
        postgres = new DevPostgres(dir.resolve("pg"), FreePorts.next()).start();
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
    void theStoredPositionIsTheFurthestOfDebeziumsFields() {
        assertThat(SlotContinuity.storedPosition(Map.of("k", "{\"lsn_proc\":10,\"lsn_commit\":30,\"lsn\":20,\"txId\":5}".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(30);
        assertThat(SlotContinuity.storedPosition(Map.of("k", "not json".getBytes(StandardCharsets.UTF_8)))).isZero();
    }

    private static Map<String, byte[]> offsets(long lsn) {
        return Map.of("[\"cachesync-ingest\",{\"server\":\"cachesync\"}]", ("{\"lsn\":" + lsn + ",\"txId\":7}").getBytes(StandardCharsets.UTF_8));
    }

    private static long confirmed(Statement st, String slot) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
