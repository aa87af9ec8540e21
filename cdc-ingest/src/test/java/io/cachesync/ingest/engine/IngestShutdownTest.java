package io.cachesync.ingest.engine;

import io.cachesync.core.config.Settings;
import io.cachesync.devstack.DevKafka;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * cdc-ingest stops when it is told to, whatever it is doing: a SIGTERM that comes while the engine is still starting
 * (a rolling update right after a start, a crash loop) must not leave the engine running until the executors' 30 s
 * shutdown timeouts run out and interrupt it — Kubernetes would have sent SIGKILL by then. The bound below is a hang
 * detector far above a normal stop (about a second), not a speed target.
 */
class IngestShutdownTest {
    private static final Duration HANG = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static DevPostgres postgres;
    static DevKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        postgres = DevPostgres.start(dir.resolve("pg"));
        kafka = DevKafka.start(dir.resolve("kafka"));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)");
            st.execute("INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g");
        }
    }

    @AfterAll
    static void stop() {
        kafka.stop();
        postgres.stop();
    }

    private static IngestService ingest(String slot) {
        return new IngestService(IngestConfig.from(Settings.of(Map.of("postgres.url", postgres.jdbcUrl(), "postgres.user", DevPostgres.USER,
                "postgres.password", DevPostgres.PASSWORD, "postgres.sslmode", "disable", "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "ingest.slot-name", slot, "ingest.publication-name", slot, "ingest.http-port", "-1", "entities", "items"))));
    }

    private static boolean slotActive(String slot) throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static boolean engineThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && (t.getName().startsWith("cachesync-ingest-engine") || t.getName().startsWith("cachesync-ingest-supervisor")));
    }

    @Test
    void aCloseAtOnceAfterTheStartStopsTheEngineInsteadOfWaitingOutTheTimeouts() throws Exception {
        IngestService ingest = ingest("early").start();
        assertTimeoutPreemptively(HANG, ingest::close, "close() while the engine starts");
        assertThat(slotActive("early")).as("the slot is released").isFalse();
        assertThat(engineThreadAlive()).as("no engine or supervisor thread is left").isFalse();
    }

    @Test
    void aCloseWhileStreamingStopsTheEngine() throws Exception {
        IngestService ingest = ingest("streaming").start();
        await().atMost(Duration.ofSeconds(60)).until(ingest::isRunning);
        await().atMost(Duration.ofSeconds(30)).until(() -> slotActive("streaming"));
        assertTimeoutPreemptively(HANG, ingest::close, "close() while streaming");
        assertThat(slotActive("streaming")).isFalse();
        assertThat(engineThreadAlive()).isFalse();
    }
}
