package io.cachesync.e2e;

import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.topics.SmallTopics;
import io.cachesync.core.topics.TopicNames;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A column marked sensitive renamed while cachesync runs ({@code ALTER TABLE … RENAME COLUMN ssn TO tax_id}). Debezium
 * leaves the column out by its name, so before, its values flowed under the new name into Kafka, Redis and the API.
 * Now cdc-ingest publishes the table's changes with their keys only while the configured column is missing (cache-sync
 * invalidates those rows), and every read of the table refuses its rows: {@code 503 entity-unavailable}.
 */
class SensitiveColumnDriftIT {
    static final int ROWS = 10;

    @Test
    void aRenamedSensitiveColumnNeverReachesKafkaRedisOrAClient() throws Exception {
        try (Pipeline p = Pipeline.start(Map.of("entities", "accounts", "entities.accounts.sensitive", "ssn"),
                "CREATE TABLE public.accounts (id bigint PRIMARY KEY, name text, ssn text);"
                        + "INSERT INTO public.accounts SELECT g, 'account ' || g, 'ssn-' || g FROM generate_series(1, " + ROWS + ") g",
                ROWS)) {
            assertThat(p.get("/v1/accounts/1").body()).contains("account 1").doesNotContain("ssn");

            p.sql("ALTER TABLE public.accounts RENAME COLUMN ssn TO tax_id");
            p.sql("UPDATE public.accounts SET name = 'renamed', tax_id = 'leak-1' WHERE id = 1");
            await().alias("the change of a table without its sensitive column invalidates the row").atMost(Duration.ofMinutes(1))
                    .until(() -> p.redis.hget(p.row("accounts", "1"), "d") == null);
            p.redis.del(p.row("accounts", "2"));

            for (String id : List.of("1", "2")) {
                HttpResponse<String> miss = p.get("/v1/accounts/" + id, "Cache-Control", "no-cache");
                assertThat(miss.statusCode()).as(miss.body()).isEqualTo(503);
                assertThat(miss.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
                assertThat(miss.body()).contains("entity-unavailable", "accounts cannot be read")
                        .doesNotContain("leak-", "ssn-", "tax_id", "ssn");
            }

            List<String> events = new ArrayList<>();
            SmallTopics.readToEnd(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers()), TopicNames.DEFAULT.cdc("public", "accounts"),
                    "drift-reader", r -> events.add(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8)));
            assertThat(events).as("the update's event").anySatisfy(e -> assertThat(e).contains("no longer has"));
            assertThat(events).noneMatch(e -> e.contains("leak-") || e.contains("ssn-"));
            assertThat(p.registry.get(MetricNames.EVENTS_WITHHELD).functionCounter().count()).isPositive();
            for (String key : p.rowKeys("accounts")) {
                assertThat(String.valueOf(p.redis.hget(key, "d"))).as(key).doesNotContain("leak-", "ssn-", "tax_id");
            }
        }
    }
}
