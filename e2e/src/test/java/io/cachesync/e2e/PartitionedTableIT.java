package io.cachesync.e2e;

import io.cachesync.api.ApiService;
import io.cachesync.core.metrics.MetricNames;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A partitioned table with a generated column, as OLTP schemas have them. Before: PostgreSQL published each change as
 * that of the partition the row is in, which no include list named, so after the snapshot not one change reached the
 * cache (rows stayed as first read until their TTL); and the generated column was in the snapshot's documents but in no
 * change event (logical replication does not carry it), so every row written by a change was stale to verify and each
 * change of columns set off a re-read of the whole table. Now the publication publishes via the partitioned table, and
 * generated columns are left out of every document — events, fills and verify alike.
 */
class PartitionedTableIT {
    static final int SEEDED = 20;

    @Test
    void changesOfAPartitionedTableReachTheCacheAndGeneratedColumnsAreNeverCached() throws Exception {
        try (Pipeline p = Pipeline.start(Map.of("entities", "orders", "entities.orders.table", "public.orders",
                        "entities.orders.search.fields", "label"),
                "CREATE TABLE public.orders (region text, id bigint, customer text, amount numeric(10,2),"
                        + " label text GENERATED ALWAYS AS (upper(customer)) STORED, PRIMARY KEY (region, id)) PARTITION BY LIST (region);"
                        + "CREATE TABLE public.orders_eu PARTITION OF public.orders FOR VALUES IN ('eu');"
                        + "CREATE TABLE public.orders_us PARTITION OF public.orders FOR VALUES IN ('us');"
                        + "INSERT INTO public.orders (region, id, customer, amount) SELECT CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g,"
                        + " 'customer ' || g, g * 1.5 FROM generate_series(1, " + SEEDED + ") g;"
                        // as an earlier cdc-ingest had Debezium create it: the partitions' changes published as theirs
                        + "CREATE TABLE public.cachesync_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048));"
                        + "CREATE PUBLICATION cachesync FOR TABLE public.orders, public.cachesync_signal",
                SEEDED)) {
            try (Connection c = p.stack.postgres().connect(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT pubviaroot FROM pg_publication WHERE pubname = 'cachesync'")) {
                    assertThat(rs.next() && rs.getBoolean(1)).as("changed to publish via the partitioned table").isTrue();
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM public.cachesync_signal WHERE type = 'execute-snapshot'"
                        + " AND data LIKE '%public.orders%'")) {
                    assertThat(rs.next() ? rs.getInt(1) : 0).as("the table asked to be read again").isEqualTo(1);
                }
            }
            String snapshotted = p.redis.hget("cs:orders:eu,4", "d");
            assertThat(snapshotted).contains("\"customer\":\"customer 4\"").doesNotContain("label");

            p.sql("UPDATE public.orders SET customer = 'renamed', amount = 99.50 WHERE region = 'eu' AND id = 4");
            p.sql("UPDATE public.orders SET region = 'eu' WHERE region = 'us' AND id = 5");   // moves to the other partition
            p.sql("INSERT INTO public.orders (region, id, customer, amount) VALUES ('us', 100, 'new', 1)");
            await().alias("the update of a row of a partition applied").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget("cs:orders:eu,4", "d")).contains("\"customer\":\"renamed\""));
            await().alias("the row that moved partitions: gone under its old key").atMost(Duration.ofMinutes(1))
                    .until(() -> p.redis.hget("cs:orders:us,5", "d") == null && "1".equals(p.redis.hget("cs:orders:us,5", "x")));
            await().alias("... and there under its new one, as is the insert").atMost(Duration.ofMinutes(1))
                    .until(() -> p.redis.hget("cs:orders:eu,5", "d") != null && p.redis.hget("cs:orders:us,100", "d") != null);

            String fromEvent = p.redis.hget("cs:orders:eu,4", "d");
            assertThat(fromEvent).as("written from the change event").contains("\"amount\":\"99.50\"").doesNotContain("label");
            ApiService noL1 = p.addApi(Map.of("api.l1-max-entries", "0"));
            assertThat(Pipeline.get(noL1, "/v1/orders/eu,4").body()).isEqualTo(fromEvent);
            p.redis.del("cs:orders:eu,4");
            HttpResponse<String> miss = Pipeline.get(noL1, "/v1/orders/eu,4");
            assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
            assertThat(miss.body()).as("filled from PostgreSQL: byte for byte what the event wrote").isEqualTo(fromEvent);
            assertThat(Pipeline.get(noL1, "/v1/orders/search?q=RENAMED").body()).as("a generated column may be searched")
                    .contains("\"id\":4").doesNotContain("label");

            assertThat(p.drainAndVerify("orders").checked()).isEqualTo(SEEDED + 1);
            assertThat(p.registry.find(MetricNames.CACHE_REBUILDS).counter()).as("no re-read for a change of columns")
                    .satisfiesAnyOf(c -> assertThat(c).isNull(), c -> assertThat(c.count()).isZero());
        }
    }
}
