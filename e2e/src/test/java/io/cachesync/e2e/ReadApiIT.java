package io.cachesync.e2e;

import io.cachesync.api.ApiService;
import io.cachesync.devstack.DevStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import redis.clients.jedis.UnifiedJedis;

import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The read API on the whole pipeline: lists, search, batch, L1 invalidated by push, HTTP caching, warming. */
class ReadApiIT {
    static final Duration PIPELINE = Duration.ofSeconds(30);
    static Pipeline p;
    static DevStack stack;
    static ApiService api1;
    static ApiService api2;
    static ApiService noL1;
    static UnifiedJedis redis;

    /** The suite's pipeline, on a Redis Cluster for a subclass marked {@link OnRedisCluster}. */
    @BeforeAll
    static void start(TestInfo suite) throws Exception {
        Pipeline.RedisKind kind = Pipeline.RedisKind.of(suite.getTestClass().orElseThrow());
        // an L1 TTL of a minute: only cache-sync's push can explain an L1 that follows a write within seconds
        p = Pipeline.start(kind, Map.of("api.l1-ttl", "60s", "sync.audit-fraction", "0"),
                "INSERT INTO products SELECT g, 'product ' || g, 'cat-' || (g % 4), 10.00, now() FROM generate_series(1, 400) g", 400);
        stack = p.stack;
        redis = p.redis;
        api1 = p.api;
        api2 = p.addApi(Map.of());
        noL1 = p.addApi(Map.of("api.l1-max-entries", "0"));
        await().alias("L1 subscriptions live").atMost(Duration.ofSeconds(10)).until(() -> api1.l1Live() && api2.l1Live());
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    static void sql(String statement) throws SQLException {
        p.sql(statement);
    }

    static HttpResponse<String> get(ApiService api, String path, String... headers) throws Exception {
        return Pipeline.get(api, path, headers);
    }

    @Test
    void categoryMoveLeavesTheOldListAndJoinsTheNewOne() throws Exception {
        HttpResponse<String> first = get(api1, "/v1/products?category=cat-1&per_page=100");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(first.body()).contains("\"id\":5,").doesNotContain("\"id\":4,");
        assertThat(get(api1, "/v1/products?category=cat-1&per_page=100").headers().firstValue("X-Cache")).hasValue("HIT");
        get(api1, "/v1/products?category=cat-2&per_page=100");

        sql("UPDATE products SET category = 'cat-2' WHERE id = 5");
        await().alias("row 5 left cat-1 and joined cat-2").atMost(PIPELINE).untilAsserted(() -> {
            assertThat(get(api1, "/v1/products?category=cat-1&per_page=100").body()).doesNotContain("\"id\":5,");
            assertThat(get(api1, "/v1/products?category=cat-2&per_page=100").body()).contains("\"id\":5,");
        });
        assertThat(redis.get("cs:_gen:products:category=cat-1")).isNotNull();
        assertThat(redis.get("cs:_gen:products:category=cat-2")).isNotNull();
    }

    @Test
    void listPagesAreBoundedAndPaged() throws Exception {
        HttpResponse<String> p1 = get(api1, "/v1/products?category=cat-3&per_page=10&page=1");
        assertThat(p1.body()).contains("\"page\":1,\"per_page\":10,\"has_more\":true").contains("\"id\":3,");
        HttpResponse<String> p2 = get(api1, "/v1/products?category=cat-3&per_page=10&page=2");
        assertThat(p2.body()).contains("\"id\":43,").doesNotContain("\"id\":3,");
        assertThat(get(api1, "/v1/products?category=cat-3&per_page=101").statusCode()).isEqualTo(400);
        assertThat(get(api1, "/v1/products?name=x").statusCode()).isEqualTo(400);
        assertThat(get(api1, "/v1/users?category=x").statusCode()).isEqualTo(400);
    }

    @Test
    void oneWriteInvalidatesTheL1OfTwoApiInstances() throws Exception {
        for (ApiService api : new ApiService[] {api1, api2}) {
            for (int id : new int[] {17, 18}) {
                get(api, "/v1/products/" + id);
                HttpResponse<String> again = get(api, "/v1/products/" + id);
                assertThat(again.headers().firstValue("X-Cache")).hasValue("HIT-L1");
                assertThat(again.body()).contains("product " + id + "\"");
            }
        }
        // one transaction of two rows: their invalidations may travel in one message
        sql("UPDATE products SET name = 'renamed ' || id WHERE id IN (17, 18)");
        await().alias("both L1s dropped rows 17 and 18").atMost(PIPELINE).untilAsserted(() -> {
            for (ApiService api : new ApiService[] {api1, api2}) {
                assertThat(get(api, "/v1/products/17").body()).contains("renamed 17");
                assertThat(get(api, "/v1/products/18").body()).contains("renamed 18");
            }
        });
    }

    @Test
    void unchangedEtagAnswers304AndAChangeANewEtag() throws Exception {
        HttpResponse<String> r = get(api1, "/v1/products/23");
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("max-age=5");
        HttpResponse<String> cached = get(api1, "/v1/products/23", "If-None-Match", etag);
        assertThat(cached.statusCode()).isEqualTo(304);
        assertThat(cached.body()).isEmpty();
        sql("UPDATE products SET price = 99.99 WHERE id = 23");
        await().alias("new representation").atMost(PIPELINE).until(() -> get(api1, "/v1/products/23", "If-None-Match", etag).statusCode() == 200);
        assertThat(get(api1, "/v1/products/23").headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
    }

    @Test
    void negativeCacheAnswersWithoutADatabaseQuery() throws Exception {
        assertThat(get(noL1, "/v1/products/77777").statusCode()).isEqualTo(404);
        long dbReads = noL1.stats().dbReads();
        HttpResponse<String> again = get(noL1, "/v1/products/77777");
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.headers().firstValue("X-Cache")).hasValue("NEGATIVE");
        assertThat(noL1.stats().dbReads()).isEqualTo(dbReads);
    }

    @Test
    void batchOfHundredCachedIdsCostsOneRedisRoundTrip() throws Exception {
        String ids = IntStream.rangeClosed(101, 200).mapToObj(Integer::toString).collect(Collectors.joining(","));
        HttpResponse<String> first = get(noL1, "/v1/products?ids=" + ids);
        assertThat(first.statusCode()).isEqualTo(200);
        long before = noL1.cache().store().roundTrips();
        HttpResponse<String> second = get(noL1, "/v1/products?ids=" + ids);
        assertThat(noL1.cache().store().roundTrips() - before).isEqualTo(1);
        assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(second.body()).startsWith("{\"items\":[{").endsWith("\"missing\":[]}");
        assertThat(second.body().indexOf("\"id\":101,")).isLessThan(second.body().indexOf("\"id\":200,"));

        HttpResponse<String> mixed = get(noL1, "/v1/products?ids=9,3,999999,9");
        assertThat(mixed.body()).matches("\\{\"items\":\\[\\{.*\"id\":9,.*\\},\\{.*\"id\":3,.*\\}\\],\"missing\":\\[\"999999\"\\]\\}");
        assertThat(get(noL1, "/v1/products?ids=" + IntStream.rangeClosed(1, 101).mapToObj(Integer::toString)
                .collect(Collectors.joining(","))).statusCode()).isEqualTo(400);
        assertThat(get(noL1, "/v1/products?ids=1,x").statusCode()).isEqualTo(400);
    }

    @Test
    void searchFollowsChangesOfTheEntity() throws Exception {
        HttpResponse<String> none = get(api1, "/v1/products/search?q=zebra");
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(none.body()).startsWith("{\"items\":[]");
        assertThat(get(api1, "/v1/products/search?q=zebra").headers().firstValue("X-Cache")).hasValue("HIT");
        sql("UPDATE products SET name = 'striped zebra lamp' WHERE id = 31");
        await().alias("search sees the new name").atMost(PIPELINE).until(() -> get(api1, "/v1/products/search?q=ZEBRA").body().contains("\"id\":31,"));
        assertThat(get(api1, "/v1/products/search?q=" + "x".repeat(201)).statusCode()).isEqualTo(400);
        assertThat(get(api1, "/v1/users/search?q=a").statusCode()).isEqualTo(404);
        assertThat(get(api1, "/v1/products/search?q=100%25").statusCode()).isEqualTo(200);
    }

    @Test
    void mostReadRowsAreWarmedBackAfterTheyWereEvicted() throws Exception {
        for (int i = 0; i < 20; i++) {
            get(noL1, "/v1/products/301");
            get(noL1, "/v1/products/302");
        }
        await().alias("popularity flushed").atMost(Duration.ofSeconds(10))
                .until(() -> redis.zscore("cs:_popular:products", "302") != null && redis.zscore("cs:_popular:products", "302") >= 20);
        assertThat(redis.zrevrange("cs:_popular:products", 0, 9)).contains("301", "302");
        redis.del(p.row("products", "301"));
        redis.del(p.row("products", "302"));
        noL1.warmMostRead(10);
        assertThat(redis.hget(p.row("products", "301"), "d")).contains("product 301");
        assertThat(redis.hget(p.row("products", "302"), "d")).contains("product 302");
    }

    @Test
    void warmCommandLoadsRowsFromTheDatabaseThroughLeaseAndFill() throws Exception {
        java.nio.file.Path cfg = stack.workDir().resolve("warm.yaml");
        java.nio.file.Files.writeString(cfg, """
                entities:
                  products:
                    table: public.products
                postgres:
                  url: %s
                  user: postgres
                  password: postgres
                redis:
                  url: %s
                  mode: %s
                  nodes: %s
                """.formatted(stack.postgres().jdbcUrl(), p.config.get("redis.url"), p.config.getOrDefault("redis.mode", "standalone"),
                p.config.getOrDefault("redis.nodes", "")));
        for (int id = 351; id <= 400; id++) {
            redis.del(p.row("products", String.valueOf(id)));
        }
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cl = io.cachesync.app.CachesyncCli.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        int code = cl.execute("warm", "products", "--config", cfg.toString(), "--limit", "400");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("400 rows read").contains("50 filled into Redis");
        for (int id = 351; id <= 400; id++) {
            assertThat(redis.hget(p.row("products", String.valueOf(id)), "o")).as("row %d", id).isEqualTo("fill");
        }
        assertThat(io.cachesync.app.CachesyncCli.commandLine().execute("warm", "orders", "--config", cfg.toString())).isEqualTo(2);
    }
}
