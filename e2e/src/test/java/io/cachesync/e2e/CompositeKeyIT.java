package io.cachesync.e2e;

import io.cachesync.core.topics.TopicNames;
import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.api.ApiService;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Composite primary keys end to end, with text parts holding {@code ,} {@code /} {@code :} {@code ;} {@code %} and spaces:
 * keys read from the table's primary key (no {@code key} or {@code key-type} configured for {@code memberships}), the
 * canonical id in Redis keys, single and batch reads, fills, list pages, commands, admin delete and verify.
 */
class CompositeKeyIT {
    static final String TOKEN = "admin-token-composite-0123456789";
    static final List<String> ORGS = List.of("acme, inc", "a/b", "x:y", "sp ace", "plain", "per%cent", "semi;colon");
    static final List<String> MEMBERS = List.of("u,1", "u/2", "u:3", "u 4", "alice");
    static final int LINES = 3 * 4 * 3;
    static Pipeline p;
    static ApiService noL1;

    @BeforeAll
    static void start() throws Exception {
        StringBuilder seed = new StringBuilder("CREATE TABLE public.memberships (org text, member text, role text, since int, PRIMARY KEY (org, member));"
                + "CREATE TABLE public.order_lines (tenant varchar(20), order_id bigint, line smallint, sku text, qty int,"
                + " PRIMARY KEY (tenant, order_id, line));"
                + "CREATE TABLE public.tags (owner text, name text, color text, PRIMARY KEY (owner, name));");
        for (String org : ORGS) {
            for (String member : MEMBERS) {
                seed.append("INSERT INTO public.memberships VALUES (").append(literal(org)).append(", ").append(literal(member))
                        .append(", 'member', 2020);");
            }
        }
        seed.append("INSERT INTO public.order_lines SELECT t, o, l, 'sku-' || o || '-' || l, l FROM unnest(ARRAY['t,1', 't/2', 't 3']) t,"
                + " generate_series(1, 4) o, generate_series(1, 3) l;");
        p = Pipeline.start(Map.of("entities", "products,users,memberships,order_lines,tags",
                        "entities.order_lines.key", "tenant,order_id,line", "entities.order_lines.lists", "tenant",
                        "entities.tags.source", "commands", "entities.tags.key", "owner,name", "entities.tags.key-type", "text,text",
                        "api.admin-token", TOKEN),
                seed.toString(), (long) ORGS.size() * MEMBERS.size() + LINES);
        noL1 = p.addApi(Map.of("api.l1-max-entries", "0"));
    }

    @AfterAll
    static void stop() {
        if (p != null) {
            p.close();
        }
    }

    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** A canonical id as a URL path segment or query value: URL-encoded like any value. */
    static String url(String canonicalId) {
        return URLEncoder.encode(canonicalId, StandardCharsets.UTF_8);
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return ValueCodec.mapper().readTree(r.body());
    }

    @Test
    void changesToRowsWithCompositeKeysReachRedisUnderTheCanonicalIdAndTheApiServesThem() throws Exception {
        p.sql("UPDATE public.memberships SET role = 'admin' WHERE org = 'acme, inc'");
        p.sql("DELETE FROM public.memberships WHERE org = 'a/b' AND member = 'u/2'");
        p.sql("UPDATE public.memberships SET member = 'moved, here' WHERE org = 'x:y' AND member = 'u:3'");
        p.sql("INSERT INTO public.memberships VALUES ('new, org', 'x/y z', 'owner', 2026)");
        // Four transactions on four keys that may sit in four partitions: wait for each effect, not only the last.
        await().alias("the changes applied").atMost(Duration.ofMinutes(1))
                .until(() -> p.redis.hget("cs:memberships:new%2C%20org,x%2Fy%20z", "d") != null
                        && String.valueOf(p.redis.hget("cs:memberships:acme%2C%20inc,u%2C1", "d")).contains("\"role\":\"admin\"")
                        && p.redis.hget("cs:memberships:a%2Fb,u%2F2", "d") == null
                        && p.redis.hget("cs:memberships:x%3Ay,u%3A3", "d") == null
                        && p.redis.hget("cs:memberships:x%3Ay,moved%2C%20here", "d") != null);

        String acme = p.redis.hget("cs:memberships:acme%2C%20inc,u%2C1", "d");
        assertThat(acme).as("the Redis key holds the canonical id").isEqualTo(
                "{\"member\":\"u,1\",\"org\":\"acme, inc\",\"role\":\"admin\",\"since\":2020}");
        HttpResponse<String> one = Pipeline.get(noL1, "/v1/memberships/" + url("acme%2C%20inc,u%2C1"));
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(one.body()).isEqualTo(acme);
        assertThat(Pipeline.get(noL1, "/v1/memberships/" + url("acme%2c%20inc,u%2c1")).body())
                .as("any percent-encoding of a part names the same row").isEqualTo(acme);
        assertThat(Pipeline.get(noL1, "/v1/memberships/plain,alice").statusCode()).as("plain parts are written as they are").isEqualTo(200);

        assertThat(Pipeline.get(noL1, "/v1/memberships/" + url("a%2Fb,u%2F2")).statusCode()).as("deleted").isEqualTo(404);
        assertThat(Pipeline.get(noL1, "/v1/memberships/" + url("x%3Ay,u%3A3")).statusCode()).as("its key moved away").isEqualTo(404);
        assertThat(json(Pipeline.get(noL1, "/v1/memberships/" + url("x%3Ay,moved%2C%20here"))).path("member").asText()).isEqualTo("moved, here");

        HttpResponse<String> malformed = Pipeline.get(noL1, "/v1/memberships/only-one-part");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(malformed.body()).contains("2 parts separated by ','", "org: ", "member: ");

        assertThat(p.drainAndVerify("memberships").checked()).isEqualTo(ORGS.size() * MEMBERS.size());
    }

    @Test
    void batchReadsSeparateCompositeIdsBySemicolonsAndReportTheMissingCanonically() throws Exception {
        String ids = "semi%3Bcolon,u%204;per%25cent,alice;nobody,u%2C1;semi%3bcolon,u%204";
        HttpResponse<String> r = Pipeline.get(noL1, "/v1/memberships?ids=" + url(ids));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        List<String> orgs = new ArrayList<>();
        body.path("items").forEach(i -> orgs.add(i.path("org").asText() + "|" + i.path("member").asText()));
        assertThat(orgs).as("in request order, each once").containsExactly("semi;colon|u 4", "per%cent|alice");
        assertThat(body.path("missing").get(0).asText()).isEqualTo("nobody,u%2C1");
        assertThat(body.path("missing")).hasSize(1);
    }

    @Test
    void aFillFromPostgresWritesTheSameDocumentUnderTheSameKeyAndAdminDeletesIt() throws Exception {
        String key = "cs:memberships:sp%20ace,u%204";
        String fromEvent = p.redis.hget(key, "d");
        assertThat(fromEvent).isNotNull();
        HttpResponse<String> deleted = admin("DELETE", "/admin/cache/memberships/" + url("sp%20ace,u%204"));
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(deleted.body()).isEqualTo("{\"deleted\":1}");
        assertThat(p.redis.exists(key)).isFalse();

        HttpResponse<String> miss = Pipeline.get(noL1, "/v1/memberships/" + url("sp%20ace,u%204"));
        assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(miss.body()).as("filled from PostgreSQL: byte for byte what the event wrote").isEqualTo(fromEvent);
        assertThat(p.redis.hget(key, "d")).isEqualTo(fromEvent);
    }

    @Test
    void threeColumnKeysReadListAndVerify() throws Exception {
        p.sql("UPDATE public.order_lines SET qty = qty + 10 WHERE tenant = 't,1' AND order_id = 2");
        p.sql("DELETE FROM public.order_lines WHERE tenant = 't/2' AND order_id = 4 AND line = 3");
        await().alias("the update applied").atMost(Duration.ofMinutes(1))
                .until(() -> String.valueOf(p.redis.hget("cs:order_lines:t%2C1,2,3", "d")).contains("\"qty\":13"));

        HttpResponse<String> one = Pipeline.get(noL1, "/v1/order_lines/" + url("t%2C1,2,3"));
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).isEqualTo("{\"line\":3,\"order_id\":2,\"qty\":13,\"sku\":\"sku-2-3\",\"tenant\":\"t,1\"}");
        assertThat(Pipeline.get(noL1, "/v1/order_lines/" + url("t%2F2,4,3")).statusCode()).isEqualTo(404);
        assertThat(Pipeline.get(noL1, "/v1/order_lines/" + url("t%2C1,2,x")).statusCode()).as("a part not of its type").isEqualTo(400);

        JsonNode page = json(Pipeline.get(noL1, "/v1/order_lines?tenant=" + url("t 3") + "&per_page=100"));
        assertThat(page.path("items")).hasSize(12);
        assertThat(page.path("items").get(0).path("order_id").asLong()).as("ordered by the key").isEqualTo(1);

        assertThat(p.drainAndVerify("order_lines").checked()).isEqualTo(LINES - 1);
    }

    @Test
    void commandsNameACompositeRowByItsCanonicalIdOrByItsParts() throws Exception {
        p.sql("INSERT INTO public.tags VALUES ('o, 1', 'n/1', 'red'), ('o, 1', 'n:2', 'blue')");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", p.stack.kafka().bootstrapServers(),
                "key.serializer", StringSerializer.class.getName(), "value.serializer", StringSerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(TopicNames.DEFAULT.commands(), "tags:o%2C%201,n%2F1",
                    "{\"entity\":\"tags\",\"id\":[\"o, 1\",\"n/1\"],\"op\":\"upsert\",\"version\":1,"
                            + "\"data\":{\"owner\":\"o, 1\",\"name\":\"n/1\",\"color\":\"red\"}}")).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(TopicNames.DEFAULT.commands(), "tags:o%2C%201,n%3A2",
                    "{\"entity\":\"tags\",\"id\":\"o%2C%201,n%3A2\",\"op\":\"upsert\",\"version\":1,"
                            + "\"data\":{\"owner\":\"o, 1\",\"name\":\"n:2\",\"color\":\"blue\"}}")).get(30, TimeUnit.SECONDS);
        }
        await().alias("both commands applied").atMost(Duration.ofMinutes(1))
                .until(() -> p.redis.exists("cs:tags:o%2C%201,n%2F1") && p.redis.exists("cs:tags:o%2C%201,n%3A2"));
        assertThat(json(Pipeline.get(noL1, "/v1/tags/" + url("o%2C%201,n%2F1"))).path("color").asText()).isEqualTo("red");
        assertThat(json(Pipeline.get(noL1, "/v1/tags/" + url("o%2C%201,n%3A2"))).path("color").asText()).isEqualTo("blue");
    }

    static HttpResponse<String> admin(String method, String path) throws Exception {
        return Pipeline.HTTP.send(HttpRequest.newBuilder(URI.create(p.api.adminUrl() + path)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }
}
