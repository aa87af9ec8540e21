package io.cachesync.ingest.source;

import io.cachesync.core.config.Settings;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.ingest.config.IngestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A captured table renamed away and back: counted while missing, read again when it is back. */
class CapturedTablesWatchTest {
    @TempDir
    Path dir;

    @Test
    void aRenamedTableIsCountedWhileMissingAndReadAgainWhenBack() throws Exception {
        try (DevPostgres postgres = DevPostgres.start(dir.resolve("pg")); Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.\"Items\" (id bigint PRIMARY KEY, name text)");
            st.execute("CREATE TABLE public.cachesync_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
            IngestConfig config = IngestConfig.from(Settings.of(Map.of("entities", "items", "entities.items.table", "public.Items",
                    "entities.items.key-type", "bigint", "postgres.url", postgres.jdbcUrl())));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (CapturedTablesWatch watch = new CapturedTablesWatch(config, registry)) {
                watch.check(c);
                assertThat(watch.missing()).isEmpty();

                st.execute("ALTER TABLE public.\"Items\" RENAME TO items_old");
                watch.check(c);
                watch.check(c);
                assertThat(watch.missing()).containsExactly("public.Items");
                assertThat(registry.get(MetricNames.SOURCE_TABLES_MISSING).gauge().value()).isEqualTo(1);
                assertThat(signals(st)).as("nothing to read while it is missing").isZero();

                st.execute("ALTER TABLE public.items_old RENAME TO \"Items\"");
                watch.check(c);
                watch.check(c);
                assertThat(watch.missing()).isEmpty();
                assertThat(registry.get(MetricNames.SOURCE_TABLES_MISSING).gauge().value()).isZero();
                assertThat(signals(st)).as("read again once").isEqualTo(1);
            }
        }
    }

    private static int signals(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM public.cachesync_signal WHERE type = 'execute-snapshot'"
                + " AND data LIKE '%public.Items%'")) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }
}
