package io.cachesync.e2e;

import io.cachesync.core.topics.TopicNames;
import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A table left at PostgreSQL's default {@code REPLICA IDENTITY DEFAULT} with a 100 KB text column: an UPDATE that does
 * not touch it does not write it to the WAL, and Debezium's event carries a placeholder in its place. The placeholder is
 * never cached nor served; the row is invalidated and filled whole from PostgreSQL.
 */
class ToastIT {
    static final int ROWS = 20;
    static final int BODY = 3200 * 32;

    @Test
    void updatesThatLeaveALargeColumnAloneNeverExposeThePlaceholder() throws Exception {
        try (Pipeline p = Pipeline.start(Map.of("entities", "products,users,articles", "entities.articles.table", "public.articles",
                        "entities.articles.key", "id"),
                "CREATE TABLE public.articles (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL);"
                        + "INSERT INTO public.articles SELECT g, 'title ' || g, "
                        + "(SELECT string_agg(md5(random()::text || g || s.i), '') FROM generate_series(1, 3200) AS s(i)) FROM generate_series(1, " + ROWS + ") g",
                ROWS)) {
            try (Connection c = p.stack.postgres().connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT relreplident FROM pg_class WHERE oid = 'public.articles'::regclass")) {
                rs.next();
                assertThat(rs.getString(1)).as("REPLICA IDENTITY DEFAULT").isEqualTo("d");
            }
            for (int id = 1; id <= ROWS; id++) {
                assertThat(body(p, id).length()).isEqualTo(BODY);
            }

            p.sql("UPDATE public.articles SET title = 'renamed ' || id");
            await().alias("the renamed articles served whole").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                for (int id = 1; id <= ROWS; id++) {
                    HttpResponse<String> r = p.get("/v1/articles/" + id);
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).doesNotContain(Topics.UNAVAILABLE_VALUE);
                    JsonNode doc = ValueCodec.mapper().readTree(r.body());
                    assertThat(doc.get("title").asText()).isEqualTo("renamed " + id);
                    assertThat(doc.get("body").asText()).hasSize(BODY);
                }
            });
            for (String key : p.redis.keys("cs:articles:*")) {
                assertThat(String.valueOf(p.redis.hget(key, "d"))).as(key).doesNotContain(Topics.UNAVAILABLE_VALUE);
            }
            assertThat(placeholderEvents(p)).as("the events really lacked the body (else this test shows nothing)").isEqualTo(ROWS);
            p.drainAndVerify("articles");
        }
    }

    private static String body(Pipeline p, int id) throws Exception {
        HttpResponse<String> r = p.get("/v1/articles/" + id);
        assertThat(r.statusCode()).isEqualTo(200);
        return ValueCodec.mapper().readTree(r.body()).get("body").asText();
    }

    /** Update events of the articles topic whose after image holds the placeholder. */
    private static long placeholderEvents(Pipeline p) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers(),
                "group.id", "articles-reader-" + System.nanoTime(), "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(TopicNames.DEFAULT.cdc("public", "articles")));
            List<String> updates = new ArrayList<>();
            await().alias("the " + ROWS + " update events").atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> {
                    String v = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
                    if (v.contains("\"op\":\"u\"")) {
                        updates.add(v);
                    }
                });
                return updates.size() >= ROWS;
            });
            return updates.stream().filter(v -> v.contains(Topics.UNAVAILABLE_VALUE)).count();
        }
    }
}
