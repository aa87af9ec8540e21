package io.cachesync.e2e;

import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.topics.CompactEnvelope;
import io.cachesync.core.topics.SmallTopics;
import io.cachesync.core.topics.Topics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ingest.envelope=debezium}: cdc-ingest publishes Debezium's envelope with the schema in every event (for other
 * consumers of the topics), writes no schema, and cache-sync applies those events as it applies compact ones.
 */
class DebeziumEnvelopeIT {
    static final Duration PIPELINE = Duration.ofSeconds(30);
    static Pipeline p;

    @BeforeAll
    static void start() throws Exception {
        p = Pipeline.start(Map.of("ingest.envelope", "debezium"),
                "INSERT INTO products SELECT g, 'product ' || g, 'c' || (g % 5), 10.50, now() FROM generate_series(1, 50) g", 50);
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    @Test
    void eventsCarryTheirSchemaAndReachRedisAsCompactOnesDo() throws Exception {
        p.sql("INSERT INTO products VALUES (501, 'enveloped', 'c1', 1.25, now())");
        await().alias("insert in Redis").atMost(PIPELINE).until(() -> String.valueOf(p.redis.hget(p.row("products", "501"), "d")).contains("enveloped"));
        p.sql("UPDATE products SET name = 'enveloped again', category = 'c2' WHERE id = 501");
        await().alias("update through the API").atMost(PIPELINE).until(() -> p.get("/v1/products/501").body().contains("enveloped again"));
        assertThat(p.get("/v1/products?category=c2").body()).as("the list the update moved it to").contains("\"id\":501");
        p.sql("DELETE FROM products WHERE id = 7");
        await().alias("delete becomes 404").atMost(PIPELINE).until(() -> p.get("/v1/products/7").statusCode() == 404);

        Map<String, Object> client = Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers());
        List<String> events = new ArrayList<>();
        SmallTopics.readToEnd(client, TopicNames.DEFAULT.cdc("public", "products"), "envelope-reader", r -> events.add(new String(r.value(), StandardCharsets.UTF_8)));
        assertThat(events).hasSizeGreaterThan(50).allSatisfy(v -> {
            assertThat(v).startsWith("{\"schema\":{");
            assertThat(CompactEnvelope.isCompact(v.getBytes(StandardCharsets.UTF_8))).isFalse();
        });
        List<String> schemas = new ArrayList<>();
        SmallTopics.readToEnd(client, TopicNames.DEFAULT.schemas(), "schemas-reader", r -> schemas.add(new String(r.key(), StandardCharsets.UTF_8)));
        assertThat(schemas).as("no schema written in this form").isEmpty();
        p.drainAndVerify("products");
    }
}
