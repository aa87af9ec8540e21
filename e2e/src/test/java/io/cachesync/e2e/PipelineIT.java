package io.cachesync.e2e;

import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.topics.CompactEnvelope;
import io.cachesync.core.topics.SmallTopics;
import io.cachesync.core.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import redis.clients.jedis.UnifiedJedis;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole pipeline on the devstack: PostgreSQL → Debezium → Kafka → Kafka Streams → Redis → query API. */
class PipelineIT {
    static final Duration PIPELINE = Duration.ofSeconds(30);
    static Pipeline p;
    static UnifiedJedis redis;

    /** The suite's pipeline, on a Redis Cluster for a subclass marked {@link OnRedisCluster}. */
    @BeforeAll
    static void start(TestInfo suite) throws Exception {
        Pipeline.RedisKind kind = Pipeline.RedisKind.of(suite.getTestClass().orElseThrow());
        p = Pipeline.start(kind, Map.of(), "INSERT INTO products SELECT g, 'product ' || g, 'c' || (g % 5), 10.50, now() FROM generate_series(1, 200) g;"
                + "INSERT INTO users SELECT g, 'user ' || g, 'u' || g || '@example.com', 'hash-secret-' || g, now() FROM generate_series(1, 20) g", 220);
        redis = p.redis;
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    static void sql(String statement) throws SQLException {
        p.sql(statement);
    }

    static HttpResponse<String> get(String path) throws Exception {
        return p.get(path);
    }

    @Test
    void insertUpdateAndDeleteReachRedisAndTheApi() throws Exception {
        sql("INSERT INTO products VALUES (5001, 'fresh insert', 'c1', 1.25, now())");
        await().alias("insert in Redis").atMost(PIPELINE).until(() -> String.valueOf(redis.hget(p.row("products", "5001"), "d")).contains("fresh insert"));
        assertThat(redis.hget(p.row("products", "5001"), "v")).as("a commit-ordered version: source epoch 0, then 32 hex digits")
                .matches("0000[0-9a-f]{32}").isGreaterThan("0".repeat(36));
        assertThat(redis.hget(p.row("products", "5001"), "o")).isEqualTo("cdc");
        HttpResponse<String> hit = get("/v1/products/5001");
        assertThat(hit.statusCode()).isEqualTo(200);
        assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(hit.body()).contains("\"price\":\"1.25\"");

        sql("UPDATE products SET name = 'updated name', price = 2.50 WHERE id = 5001");
        await().alias("update through the API").atMost(PIPELINE).until(() -> get("/v1/products/5001").body().contains("updated name"));
        assertThat(get("/v1/products/5001").body()).contains("\"price\":\"2.50\"");

        sql("DELETE FROM products WHERE id = 5001");
        await().alias("delete becomes 404").atMost(PIPELINE).until(() -> get("/v1/products/5001").statusCode() == 404);
        HttpResponse<String> gone = get("/v1/products/5001");
        assertThat(gone.headers().firstValue("X-Cache")).hasValue("NEGATIVE");
        assertThat(redis.hget(p.row("products", "5001"), "x")).isEqualTo("1");
    }

    @Test
    void sensitiveColumnNeverReachesRedisNorTheApi() throws Exception {
        sql("UPDATE users SET password_hash = 'new-secret-hash', email = 'changed@example.com' WHERE id = 3");
        await().alias("user update applied").atMost(PIPELINE).until(() -> String.valueOf(redis.hget(p.row("users", "3"), "d")).contains("changed@example.com"));
        for (String key : p.rowKeys("users")) {
            assertThat(String.valueOf(redis.hget(key, "d"))).doesNotContain("password_hash").doesNotContain("secret");
        }
        HttpResponse<String> r = get("/v1/users/3");
        assertThat(r.body()).contains("changed@example.com").doesNotContain("password_hash").doesNotContain("secret");

        // nor Kafka: cdc-ingest excludes it at the source (column.exclude.list), so no topic, DLQ or log can carry it
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers(),
                "group.id", "users-reader-" + System.nanoTime(), "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(TopicNames.DEFAULT.cdc("public", "users")));
            List<String> events = new ArrayList<>();
            await().alias("the update of user 3 in the CDC topic").atMost(PIPELINE).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(x -> events.add(x.value() == null ? "" : new String(x.value(), StandardCharsets.UTF_8)));
                return events.stream().anyMatch(e -> e.contains("changed@example.com"));
            });
            assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e).doesNotContain("password_hash").doesNotContain("secret-hash")
                    .doesNotContain("new-secret-hash").doesNotContain("argon2id"));
        }
    }

    @Test
    void cacheSyncRestartResumesWithNothingLost() throws Exception {
        p.restartSync(() -> {
            try {
                for (int i = 0; i < 50; i++) {
                    sql("UPDATE products SET name = 'while-down-" + i + "' WHERE id = " + (100 + i));
                }
                sql("INSERT INTO products VALUES (6001, 'inserted while down', 'c2', 3.00, now())");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        await().alias("every change made while cache-sync was down").atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            for (int i = 0; i < 50; i++) {
                assertThat(redis.hget(p.row("products", String.valueOf(100 + i)), "d")).contains("while-down-" + i);
            }
            assertThat(redis.hget(p.row("products", "6001"), "d")).contains("inserted while down");
        });
    }

    @Test
    void malformedCdcRecordIsDeadLetteredAndLaterRecordsStillApply() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            // same key as the row updated next, so both land in one partition, poison first
            producer.send(new ProducerRecord<>(TopicNames.DEFAULT.cdc("public", "products"), "{\"id\":150}".getBytes(StandardCharsets.UTF_8),
                    "this is not a change event".getBytes(StandardCharsets.UTF_8))).get();
        }
        sql("UPDATE products SET name = 'after the poison' WHERE id = 150");
        await().alias("later record applied").atMost(PIPELINE).until(() -> String.valueOf(redis.hget(p.row("products", "150"), "d")).contains("after the poison"));

        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers(),
                "group.id", "dlq-reader-" + System.nanoTime(), "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(TopicNames.DEFAULT.dlq()));
            List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
            await().alias("poison record in " + TopicNames.DEFAULT.dlq()).atMost(PIPELINE).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(dead::add);
                return dead.stream().anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).equals("this is not a change event"));
            });
            ConsumerRecord<byte[], byte[]> r = dead.stream()
                    .filter(x -> new String(x.value(), StandardCharsets.UTF_8).equals("this is not a change event")).findFirst().orElseThrow();
            assertThat(new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8)).startsWith("value is not JSON");
            assertThat(new String(r.headers().lastHeader(Topics.DLQ_SOURCE_TOPIC_HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo("cachesync.public.products");
        }
    }

    @Test
    void changeEventsAreCompactAndEachSchemaIsInTheSchemasTopicOnce() throws Exception {
        sql("UPDATE products SET name = 'compact form' WHERE id = 160");
        await().alias("update in Redis").atMost(PIPELINE).until(() -> String.valueOf(redis.hget(p.row("products", "160"), "d")).contains("compact form"));
        Map<String, Object> client = Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers());
        List<byte[]> events = new ArrayList<>();
        SmallTopics.readToEnd(client, TopicNames.DEFAULT.cdc("public", "products"), "compact-reader", r -> {
            if (r.headers().lastHeader(Topics.SOURCE_EPOCH_HEADER) != null) {
                events.add(r.value()); // cdc-ingest's (the other tests add records of their own)
            }
        });
        Map<String, String> schemas = new HashMap<>();
        SmallTopics.readToEnd(client, TopicNames.DEFAULT.schemas(), "schemas-reader", r -> {
            String id = new String(r.key(), StandardCharsets.UTF_8);
            assertThat(CompactEnvelope.schemaId(r.value())).as("a schema's key is its id").isEqualTo(id);
            schemas.put(id, new String(r.value(), StandardCharsets.UTF_8));
        });
        byte[] update = events.stream().filter(v -> new String(v, StandardCharsets.UTF_8).contains("compact form")).findFirst().orElseThrow();
        String id = CompactEnvelope.idOf(update);
        assertThat(id).as("the update names its schema").isNotNull();
        assertThat(schemas).containsKey(id);
        assertThat(schemas.get(id)).contains("\"name\":\"cachesync.public.products.Envelope\"").contains("\"field\":\"price\"");
        assertThat(update.length).as("a fraction of the schema's bytes").isLessThan(schemas.get(id).length());
        assertThat(events).as("every event of the table is compact, the snapshot's included").hasSizeGreaterThan(200).allSatisfy(v -> assertThat(CompactEnvelope.idOf(v)).isEqualTo(id));
    }

    @Test
    void aCompactEventNamingAnUnknownSchemaIsDeadLetteredWithTheReason() throws Exception {
        String unknown = "f".repeat(CompactEnvelope.ID_LENGTH);
        byte[] poison = CompactEnvelope.of(unknown, "{\"op\":\"u\",\"after\":{\"id\":170}}").getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TopicNames.DEFAULT.cdc("public", "products"), "{\"id\":170}".getBytes(StandardCharsets.UTF_8), poison)).get();
        }
        sql("UPDATE products SET name = 'after the unknown schema' WHERE id = 170");
        await().alias("later record applied").atMost(PIPELINE)
                .until(() -> String.valueOf(redis.hget(p.row("products", "170"), "d")).contains("after the unknown schema"));
        List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        await().alias("the record in " + TopicNames.DEFAULT.dlq()).atMost(PIPELINE).until(() -> {
            dead.clear();
            SmallTopics.readToEnd(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers()), TopicNames.DEFAULT.dlq(), "dlq-reader", dead::add);
            return dead.stream().anyMatch(r -> Arrays.equals(r.value(), poison));
        });
        ConsumerRecord<byte[], byte[]> r = dead.stream().filter(x -> Arrays.equals(x.value(), poison)).findFirst().orElseThrow();
        assertThat(new String(r.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("schema " + unknown + " is not in cachesync.schemas (read to its end)");
    }
}
