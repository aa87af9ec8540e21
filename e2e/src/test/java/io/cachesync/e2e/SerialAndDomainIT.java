package io.cachesync.e2e;

import io.cachesync.api.ApiService;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Columns declared {@code bigserial} / {@code serial} / {@code smallserial} or as a domain encode the same on both paths:
 * PgJDBC names them by their declaration, Debezium reads their base type. Before this was resolved, every row of an
 * ordinary {@code id bigserial PRIMARY KEY} table was stale to verify ({@code "id":2} from the event, {@code "id":"2"}
 * from a fill), and a client saw a number or a string depending on whether its read hit the cache.
 */
class SerialAndDomainIT {
    static final int SEEDED = 30;

    @Test
    void serialAndDomainColumnsAreTheSameFromTheEventTheFillAndVerify() throws Exception {
        try (Pipeline p = Pipeline.start(Map.of("entities", "products,users,orders", "entities.orders.table", "public.orders",
                        "entities.orders.key", "id"),
                "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);"
                        + "CREATE DOMAIN amount AS numeric(10,2);"
                        + "CREATE DOMAIN big_amount AS amount;"
                        + "CREATE DOMAIN short_text AS varchar(40);"
                        + "CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');"
                        + "CREATE TABLE public.orders (id bigserial PRIMARY KEY, line serial, rank smallserial, qty positive_int, price amount,"
                        + " total big_amount, note short_text, status order_status, tags integer[]);"
                        + "INSERT INTO public.orders (qty, price, total, note, status, tags) SELECT g, g * 1.25, g * 100.5, 'note ' || g, 'paid',"
                        + " ARRAY[g, g + 1] FROM generate_series(1, " + SEEDED + ") g",
                SEEDED)) {
            p.sql("INSERT INTO public.orders (qty, price, total, note, status, tags) SELECT g, g * 2.5, NULL, NULL, 'new', '{}' "
                    + "FROM generate_series(1, 10) g");
            p.sql("UPDATE public.orders SET status = 'shipped', qty = qty + 1 WHERE id <= 5");
            // The update is the last transaction, but keys 3 and 40 may sit in different partitions: wait for each.
            await().alias("the streamed rows applied").atMost(Duration.ofMinutes(1))
                    .until(() -> p.redis.hget("cs:orders:" + (SEEDED + 10), "d") != null);
            await().alias("the update of row 3 applied").atMost(Duration.ofMinutes(1))
                    .until(() -> String.valueOf(p.redis.hget("cs:orders:3", "d")).contains("\"status\":\"shipped\""));

            String fromEvent = p.redis.hget("cs:orders:3", "d");
            assertThat(fromEvent).as("written from the change event").startsWith("{\"id\":3,").contains("\"line\":3", "\"rank\":3", "\"qty\":4",
                    "\"price\":\"3.75\"", "\"total\":\"301.50\"", "\"note\":\"note 3\"", "\"status\":\"shipped\"", "\"tags\":[3,4]");
            ApiService noL1 = p.addApi(Map.of("api.l1-max-entries", "0"));
            HttpResponse<String> hit = Pipeline.get(noL1, "/v1/orders/3");
            assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
            assertThat(hit.body()).isEqualTo(fromEvent);
            p.redis.del("cs:orders:3");
            HttpResponse<String> miss = Pipeline.get(noL1, "/v1/orders/3");
            assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
            assertThat(miss.body()).as("filled from PostgreSQL: byte for byte what the event wrote").isEqualTo(fromEvent);

            assertThat(p.drainAndVerify("orders").checked()).isEqualTo(SEEDED + 10);
        }
    }
}
