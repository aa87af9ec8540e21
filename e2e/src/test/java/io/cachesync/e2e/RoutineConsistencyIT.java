package io.cachesync.e2e;

import io.cachesync.core.keys.KeyLayout;
import io.cachesync.sync.envelope.CommitOrderVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13 on the devstack, as a user meets it on routine operations: transactions open across the initial snapshot
 * and across a resync ({@code POST /admin/resync/products}) commit after the snapshot read their rows, and the cache
 * must end with what they committed; a text-keyed entity whose ids look like helper keys keeps flowing.
 */
class RoutineConsistencyIT {
    static final String TOKEN = "admin-token-0123456789abcdef";
    static final Duration PIPELINE = Duration.ofSeconds(60);
    static final List<String> TAG_IDS = List.of("popular", "gen:_all", "list:x", "a:b:c", "search:g1:abc", "_epoch", "plain");
    static Pipeline p;
    /** The transaction opened while the initial snapshot ran, committed by the test. */
    static Connection openDuringSnapshot;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> overrides = new HashMap<>(Map.of("api.admin-token", TOKEN,
                "entities", "products,users,tags",
                "entities.tags.table", "public.tags", "entities.tags.key", "code", "entities.tags.key-type", "text",
                "entities.tags.search.fields", "label"));
        StringBuilder tags = new StringBuilder("CREATE TABLE tags (code text PRIMARY KEY, label text NOT NULL);");
        for (String id : TAG_IDS) {
            tags.append("INSERT INTO tags VALUES ('").append(id).append("', 'label of ").append(id).append("');");
        }
        p = Pipeline.start(overrides, "INSERT INTO products SELECT g, 'product ' || g, 'c' || (g % 5), 10.50, now() FROM generate_series(1, 3000) g;"
                + "INSERT INTO users SELECT g, 'user ' || g, 'u' || g || '@example.com', 'hash-' || g, now() FROM generate_series(1, 20) g;" + tags,
                3000 + 20 + TAG_IDS.size(), RoutineConsistencyIT::openTransactionOnceTheSlotExists);
    }

    /** Opens a transaction right after the slot's consistent point, while Debezium reads the initial snapshot. */
    static void openTransactionOnceTheSlotExists(io.cachesync.devstack.DevStack stack) throws Exception {
        await().alias("replication slot created").atMost(PIPELINE).pollInterval(Duration.ofMillis(20)).until(() -> {
            try (Connection c = stack.postgres().connect(); Statement st = c.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
                return rs.next() && rs.getInt(1) > 0;
            }
        });
        openDuringSnapshot = stack.postgres().connect();
        openDuringSnapshot.setAutoCommit(false);
        try (Statement st = openDuringSnapshot.createStatement()) {
            st.execute("UPDATE products SET name = 'committed after the initial snapshot' WHERE id IN (2995, 2996)");
            st.execute("DELETE FROM products WHERE id IN (2997, 2998)");
        }
    }

    @AfterAll
    static void stop() throws SQLException {
        if (openDuringSnapshot != null) {
            openDuringSnapshot.close();
        }
        if (p != null) {
            p.close();
        }
    }

    @Test
    void aTransactionOpenDuringTheInitialSnapshotEndsInTheCache() throws Exception {
        // the snapshot did not see the open transaction: Redis holds the old rows
        assertThat(p.redis.hget(KeyLayout.STANDALONE.row("products", "2997"), "d")).contains("product 2997");
        openDuringSnapshot.commit();
        await().alias("updates of the open transaction served").atMost(PIPELINE).untilAsserted(() -> {
            assertThat(p.get("/v1/products/2995").body()).contains("committed after the initial snapshot");
            assertThat(p.get("/v1/products/2996").body()).contains("committed after the initial snapshot");
        });
        await().alias("deletes of the open transaction served as 404").atMost(PIPELINE).untilAsserted(() -> {
            assertThat(p.get("/v1/products/2997").statusCode()).isEqualTo(404);
            assertThat(p.get("/v1/products/2998").statusCode()).isEqualTo(404);
        });
    }

    @Test
    void aTransactionOpenAcrossAResyncWinsOverTheSnapshotsReads() throws Exception {
        List<String> ids = List.of("20", "21", "22", "23");
        Map<String, String> before = new HashMap<>();
        ids.forEach(id -> before.put(id, p.redis.hget(KeyLayout.STANDALONE.row("products", id), "v")));
        try (Connection open = p.stack.postgres().connect()) {
            open.setAutoCommit(false);
            try (Statement st = open.createStatement()) {
                st.execute("UPDATE products SET name = 'committed after the resync read it' WHERE id IN (20, 21)");
                st.execute("DELETE FROM products WHERE id IN (22, 23)");
            }
            HttpResponse<String> resync = Pipeline.HTTP.send(HttpRequest.newBuilder(URI.create(p.api.adminUrl() + "/admin/resync/products"))
                    .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resync.statusCode()).isEqualTo(202);
            // the snapshot's reads of the four rows (versions ending in 16 zeros: below the next commit) reach Redis
            await().alias("the resync read the rows the open transaction holds").atMost(PIPELINE).untilAsserted(() -> {
                for (String id : ids) {
                    String v = p.redis.hget(KeyLayout.STANDALONE.row("products", id), "v");
                    assertThat(v).as(id).hasSize(CommitOrderVersion.WIDTH).endsWith("0".repeat(16)).isGreaterThan(before.get(id));
                    assertThat(p.redis.hget(KeyLayout.STANDALONE.row("products", id), "d")).contains("product " + id);
                }
            });
            open.commit();
        }
        await().alias("the committed updates served").atMost(PIPELINE).untilAsserted(() -> {
            assertThat(p.get("/v1/products/20").body()).contains("committed after the resync read it");
            assertThat(p.get("/v1/products/21").body()).contains("committed after the resync read it");
        });
        await().alias("the committed deletes served as 404").atMost(PIPELINE).untilAsserted(() -> {
            assertThat(p.get("/v1/products/22").statusCode()).isEqualTo(404);
            assertThat(p.get("/v1/products/23").statusCode()).isEqualTo(404);
        });
        // and after the drain, the whole cache equals the database
        p.drainAndVerify("products");
    }

    @Test
    void textIdsThatLookLikeHelperKeysKeepFlowingAndNeverOpenTheCircuit() throws Exception {
        // helper keys of the entity exist: a search fills a page and its generation, reads count popularity
        assertThat(p.get("/v1/tags/search?q=label").statusCode()).isEqualTo(200);
        for (String id : TAG_IDS) {
            p.sql("UPDATE tags SET label = 'changed " + id + "' WHERE code = '" + id + "'");
        }
        await().alias("every tag update applied").atMost(PIPELINE).untilAsserted(() -> {
            for (String id : TAG_IDS) {
                assertThat(p.redis.hget(KeyLayout.STANDALONE.row("tags", id), "d")).as(id).contains("changed " + id);
            }
        });
        for (int i = 0; i < 30; i++) {
            for (String id : TAG_IDS) {
                HttpResponse<String> r = p.get("/v1/tags/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"));
                assertThat(r.statusCode()).as(id).isEqualTo(200);
                assertThat(r.body()).as(id).contains("changed " + id);
                assertThat(r.headers().firstValue("X-Cache").orElse("")).as(id).startsWith("HIT");
            }
        }
        p.sql("DELETE FROM tags WHERE code = 'gen:_all'");
        await().alias("a deleted helper-looking id answers 404").atMost(PIPELINE)
                .until(() -> p.get("/v1/tags/" + URLEncoder.encode("gen:_all", StandardCharsets.UTF_8)).statusCode() == 404);
        assertThat(p.get("/v1/tags/search?q=changed").body()).doesNotContain("gen:_all").contains("changed popular");
    }

    @Test
    void aRowKeyWrittenAsAnotherTypeDeadLettersItsChangeAndTheRestFlows() throws Exception {
        p.redis.set(KeyLayout.STANDALONE.row("tags", "foreign"), "written by another program");
        p.sql("INSERT INTO tags VALUES ('foreign', 'label of foreign')");
        p.sql("UPDATE tags SET label = 'after the foreign one' WHERE code = 'plain'");
        await().alias("later changes still applied").atMost(PIPELINE)
                .until(() -> String.valueOf(p.redis.hget(KeyLayout.STANDALONE.row("tags", "plain"), "d")).contains("after the foreign one"));
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers(), "group.id", "dlq-reader-" + System.nanoTime(),
                        "auto.offset.reset", "earliest"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            c.subscribe(List.of(io.cachesync.core.topics.TopicNames.DEFAULT.dlq()));
            List<String> reasons = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<String> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
            await().alias("the refused change in " + io.cachesync.core.topics.TopicNames.DEFAULT.dlq()).atMost(PIPELINE).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    reasons.add(new String(r.headers().lastHeader(io.cachesync.core.topics.Topics.DLQ_REASON_HEADER).value(), StandardCharsets.UTF_8));
                    var topic = r.headers().lastHeader(io.cachesync.core.topics.Topics.DLQ_SOURCE_TOPIC_HEADER);
                    sources.add(topic == null ? "" : new String(topic.value(), StandardCharsets.UTF_8));
                });
                return reasons.stream().anyMatch(x -> x.contains("tags:foreign") && x.contains("WRONGTYPE"));
            });
            assertThat(sources).contains("cachesync.public.tags");
        }
        assertThat(p.redis.get(KeyLayout.STANDALONE.row("tags", "foreign"))).as("the other program's key is left alone").isEqualTo("written by another program");
        // reads of that row go to PostgreSQL; a data error is not an outage, so the circuit stays closed
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = p.get("/v1/tags/foreign");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("label of foreign");
        }
        assertThat(p.get("/v1/tags/plain").headers().firstValue("X-Cache").orElse("")).as("other rows still hit Redis").startsWith("HIT");
    }
}
