package io.cachesync.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.api.cache.Popularity;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.keys.CacheKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bounded work per request (issue 14, item 4), each bound on its own, through the real service on a real redis-server
 * and PostgreSQL: the statement timeout, the page depth, the cap on cached pages and the popularity set.
 */
class BoundedWorkIT {
    static BoundedWorkStack stack;
    ApiService api;

    @BeforeAll
    static void start() throws Exception {
        stack = BoundedWorkStack.start("query-api-bounded-work-it", 10_000, 3);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void emptyCache() {
        stack.redis.flushAll();
    }

    @AfterEach
    void stopApi() {
        if (api != null) {
            api.close();
        }
    }

    static HttpResponse<String> get(ApiService api, String pathAndQuery) throws Exception {
        return BoundedWorkStack.get(api, pathAndQuery);
    }

    static JsonNode problem(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        return ValueCodec.mapper().readTree(r.body());
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void slowQueryIsCancelledByTheStatementTimeoutWhileCachedRowsStillAnswer() throws Exception {
        // two connections, each search scans 10,000 rows at 5 ms (50 s) unless cancelled; waiting for a connection is not what fails
        api = stack.api("api.statement-timeout", "300ms", "api.db-pool-size", "2", "api.db-timeout", "20s");
        assertThat(get(api, "/v1/products/1").headers().firstValue("X-Cache")).hasValue("MISS");
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<HttpResponse<String>>> searches = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String path = "/v1/slow/search?q=" + q("no such name " + i);
                searches.add(clients.submit(() -> get(api, path)));
            }
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> hit = get(api, "/v1/products/1");
                assertThat(hit.statusCode()).isEqualTo(200);
                assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
            }
            for (Future<HttpResponse<String>> f : searches) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                JsonNode p = problem(r);
                assertThat(p.get("type").asText()).isEqualTo("https://cachesync.io/problems/query-timeout");
                assertThat(p.get("title").asText()).isEqualTo("Query took too long");
                assertThat(p.get("detail").asText()).contains("longer than 300 ms (api.statement-timeout)").contains("was cancelled");
            }
        } finally {
            clients.shutdownNow();
        }
        try (Connection c = stack.postgres.connect()) {
            BoundedWorkStack.Connections held = stack.apiConnections(c);
            assertThat(held.open()).as("connections of the API's pool").isBetween(1, 2);
            assertThat(held.active()).as("queries still running after their answers (cancelled, not abandoned)").isZero();
        }
        HttpResponse<String> miss = get(api, "/v1/products/2");
        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(get(api, "/v1/slow/7").statusCode()).as("a query of the slow view that ends within the timeout").isEqualTo(200);
    }

    @Test
    void deepPagesAreRefusedBeforeTheDatabaseIsAsked() throws Exception {
        api = stack.api("api.max-page-depth", "1000");
        long dbReads = api.stats().dbReads();
        for (String path : List.of("/v1/products?category=c1&page=11&per_page=100", "/v1/products/search?q=product&page=51",
                "/v1/products/search?q=product&page=2000000000&per_page=100", "/v1/products?category=c2&page=1001&per_page=1")) {
            HttpResponse<String> r = get(api, path);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            JsonNode p = problem(r);
            assertThat(p.get("type").asText()).isEqualTo("https://cachesync.io/problems/page-too-deep");
            assertThat(p.get("detail").asText()).as(path).contains("deeper than the 1000 rows").contains("narrow the filter or the search");
        }
        assertThat(get(api, "/v1/products/search?q=product&page=51").body()).contains("the last page of 20 rows is 50");
        assertThat(api.stats().dbReads()).as("no database read for a refused page").isEqualTo(dbReads);

        HttpResponse<String> deepest = get(api, "/v1/products?category=c1&page=10&per_page=100");
        assertThat(deepest.statusCode()).isEqualTo(200);
        assertThat(ValueCodec.mapper().readTree(deepest.body()).get("items")).hasSize(100);
        assertThat(get(api, "/v1/products/search?q=product&page=50").statusCode()).isEqualTo(200);
        assertThat(get(api, "/v1/products?category=c1&page=0").statusCode()).isEqualTo(400);
    }

    @Test
    void pagesBeyondTheCapAreServedButNotStored() throws Exception {
        api = stack.api("api.max-cached-pages", "5");
        List<String> searches = IntStream.range(0, 12).mapToObj(i -> "/v1/products/search?q=" + q("product " + (i + 1))).toList();
        for (String s : searches) {
            HttpResponse<String> r = get(api, s);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Cache")).hasValue("MISS");
        }
        String searchCounter = CacheKeys.pageCount("products", CacheKeys.PAGES_SEARCH);
        assertThat(stack.redis.get(searchCounter)).isEqualTo("12");
        assertThat(stack.redis.pttl(searchCounter)).as("the window: the search TTL (30 s) plus 1 s").isBetween(1L, 31_000L);
        assertThat(stack.keys("cs:_search:products:*")).hasSize(5);
        for (int i = 0; i < searches.size(); i++) {
            HttpResponse<String> again = get(api, searches.get(i));
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.headers().firstValue("X-Cache")).as(searches.get(i)).hasValue(i < 5 ? "HIT" : "MISS");
        }

        for (int c = 0; c < 3; c++) {
            for (int page = 1; page <= 3; page++) {
                assertThat(get(api, "/v1/products?category=c" + c + "&page=" + page).statusCode()).isEqualTo(200);
            }
        }
        assertThat(stack.redis.get(CacheKeys.pageCount("products", CacheKeys.PAGES_LIST))).isEqualTo("9");
        assertThat(stack.keys("cs:_list:products:*")).hasSize(5);
        long listWindow = (long) (Duration.ofMinutes(5).toMillis() * 1.1) + 1_000;
        assertThat(stack.redis.pttl(CacheKeys.pageCount("products", CacheKeys.PAGES_LIST))).isBetween(1L, listWindow);
        // with the window full, list values a client makes up are answered and leave no generation counter behind
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> made = get(api, "/v1/products?category=" + q("made up " + i));
            assertThat(made.statusCode()).isEqualTo(200);
            assertThat(made.body()).startsWith("{\"items\":[]");
        }
        assertThat(stack.keys("cs:_gen:products:category=made up*")).isEmpty();
        assertThat(stack.keys("cs:_gen:products:category=c*")).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void pagesOverTheByteLimitAreServedButNotStored() throws Exception {
        api = stack.api("api.max-cached-page-bytes", "2000");
        String small = "/v1/products/search?q=product&per_page=5";
        String large = "/v1/products/search?q=product&per_page=100";
        assertThat(get(api, small).headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(get(api, small).headers().firstValue("X-Cache")).hasValue("HIT");
        HttpResponse<String> big = get(api, large);
        assertThat(big.statusCode()).isEqualTo(200);
        assertThat(big.body().length()).isGreaterThan(2000);
        assertThat(get(api, large).headers().firstValue("X-Cache")).hasValue("MISS");
        List<String> pages = stack.keys("cs:_search:products:*");
        assertThat(pages).hasSize(1);
        assertThat(stack.valueBytes(pages)).isLessThanOrEqualTo(2000);
    }

    @Test
    void popularityCountsOnlyRowsThatExistAndKeepsTheMostRead() throws Exception {
        api = stack.api("api.popularity-max", "5");
        String key = CacheKeys.popularity("products");
        // ids that do not exist, read more often than any row (were they counted, they would lead the set), and row 3 in
        // batches next to them; then the others, the most read first, so that a flush between two reads of a row that
        // belongs in the set never trims it
        for (int n = 0; n < 30; n++) {
            assertThat(get(api, "/v1/products/" + (1_000_000 + n % 3)).statusCode()).isEqualTo(404);
            assertThat(get(api, "/v1/products?ids=2000000,2000001,3").statusCode()).isEqualTo(200);
        }
        for (int id = 10; id >= 6; id--) {
            for (int n = 0; n < id; n++) {
                assertThat(get(api, "/v1/products/" + id).statusCode()).isEqualTo(200);
            }
        }
        for (int id = 11; id <= 30; id++) {
            assertThat(get(api, "/v1/products/" + id).statusCode()).isEqualTo(200);
        }
        List<String> expected = List.of("3", "10", "9", "8", "7");
        await().alias("the reads flushed and the set trimmed to api.popularity-max").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(() -> stack.redis.zrevrange(key, 0, -1).equals(expected));
        assertThat(stack.redis.zscore(key, "3")).isEqualTo(30.0);
        assertThat(stack.redis.zscore(key, "10")).isEqualTo(10.0);
        for (String missing : List.of("1000000", "1000001", "1000002", "2000000", "2000001")) {
            assertThat(stack.redis.zscore(key, missing)).as("id %s does not exist", missing).isNull();
        }
        assertThat(stack.redis.pttl(key)).as("the set expires unless reads keep coming").isBetween(1L, Popularity.TTL.toMillis());

        // warming reads the most-read rows back into an emptied cache
        for (int id = 1; id <= 30; id++) {
            stack.redis.del("cs:products:" + id);
        }
        api.warmMostRead(3);
        Set<String> warmed = new HashSet<>();
        for (int id = 1; id <= 30; id++) {
            if (stack.redis.hget("cs:products:" + id, "d") != null) {
                warmed.add(Integer.toString(id));
            }
        }
        assertThat(warmed).containsExactlyInAnyOrder("3", "10", "9");
    }

    @Test
    void rowsReadInOneBatchCountOnceEachAndOnlyWhenFound() throws Exception {
        api = stack.api("api.popularity-max", "100");
        String key = CacheKeys.popularity("products");
        String ids = IntStream.rangeClosed(1, 20).mapToObj(i -> Integer.toString(i % 2 == 0 ? i : 5_000_000 + i)).collect(Collectors.joining(","));
        assertThat(get(api, "/v1/products?ids=" + ids).statusCode()).isEqualTo(200);
        await().alias("the batch's reads flushed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.redis.zcard(key) == 10);
        assertThat(stack.redis.zrange(key, 0, -1)).allSatisfy(id -> assertThat(Integer.parseInt(id) % 2).isZero());
    }
}
