package io.cachesync.e2e;

import io.cachesync.app.demo.StackSettings;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.RedisEndpoint;
import io.cachesync.devstack.DevStack;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An entity added to the configuration of a running deployment. Before, cdc-ingest restarted with Debezium's offsets
 * and read no table again: the new table's changes streamed, but every row it already had was cached only when first
 * read (verify reported them missing). Now a table the publication did not list yet is read by an incremental snapshot.
 */
class AddedEntityIT {
    static final int ITEMS = 20;
    static final int TAGS = 30;

    @Test
    void aTableAddedToEntitiesIsReadWhenCdcIngestRestarts() throws Exception {
        try (DevStack stack = DevStack.start()) {
            try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE public.items (id bigint PRIMARY KEY, name text);"
                        + "INSERT INTO public.items SELECT g, 'item ' || g FROM generate_series(1, " + ITEMS + ") g;"
                        + "CREATE TABLE public.tags (id bigint PRIMARY KEY, label text);"
                        + "INSERT INTO public.tags SELECT g, 'tag ' || g FROM generate_series(1, " + TAGS + ") g");
            }
            Settings before = StackSettings.of(stack, Map.of("entities", "items"), Map.of());
            Settings after = StackSettings.of(stack, Map.of("entities", "items,tags"), Map.of());
            try (UnifiedJedis redis = RedisEndpoint.from(before, new ArrayList<>()).client(2, Duration.ofSeconds(2))) {
                try (IngestService ingest = new IngestService(IngestConfig.from(before)).start();
                     SyncService sync = new SyncService(SyncConfig.from(before)).start()) {
                    await().alias("the first start's snapshot").atMost(Duration.ofMinutes(2)).until(() -> sync.stats().processed() >= ITEMS);
                }
                assertThat(redis.exists("cs:tags:1")).isFalse();

                try (IngestService ingest = new IngestService(IngestConfig.from(after)).start();
                     SyncService sync = new SyncService(SyncConfig.from(after)).start()) {
                    await().alias("every row of the added table cached without a read").atMost(Duration.ofMinutes(2)).until(() -> {
                        for (int id = 1; id <= TAGS; id++) {
                            if (!String.valueOf(redis.hget("cs:tags:" + id, "d")).contains("\"tag " + id + "\"")) {
                                return false;
                            }
                        }
                        return true;
                    });
                    try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
                        st.execute("UPDATE public.tags SET label = 'changed' WHERE id = 3");
                        st.execute("UPDATE public.items SET name = 'changed' WHERE id = 3");
                    }
                    await().alias("both tables' changes applied").atMost(Duration.ofMinutes(1))
                            .until(() -> String.valueOf(redis.hget("cs:tags:3", "d")).contains("changed")
                                    && String.valueOf(redis.hget("cs:items:3", "d")).contains("changed"));
                    assertThat(redis.hget("cs:items:4", "d")).contains("item 4");
                }
                try (IngestService ingest = new IngestService(IngestConfig.from(after)).start()) {
                    // a start without an added table asks for no re-read
                    await().alias("the engine streaming again").atMost(Duration.ofMinutes(1)).until(ingest::isRunning);
                    try (Connection c = stack.postgres().connect(); Statement st = c.createStatement();
                         java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM public.cachesync_signal WHERE type = 'execute-snapshot'")) {
                        assertThat(rs.next() ? rs.getInt(1) : -1).as("one request, for the added table").isEqualTo(1);
                    }
                }
            }
        }
    }
}
