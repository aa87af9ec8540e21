package io.cachesync.api;

import io.cachesync.api.cache.PageCacheLimits;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.keys.CacheKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The abusive load of issue 14's "bounded work per request": for {@link #LOAD} (loopback only; it stops by itself),
 * clients ask for deep pages, many distinct searches and list values, random (mostly nonexistent) ids and searches the
 * statement timeout must cancel, while two others read a warm hot set. Sampled throughout: the connections PostgreSQL
 * has open for the API, the page keys (and bytes) and list generation counters in Redis, the popularity set. The
 * bounds must hold at every sample and the hot set must still be served from the cache.
 */
class AbusiveLoadIT {
    private static final Logger LOG = LoggerFactory.getLogger(AbusiveLoadIT.class);
    static final Duration LOAD = Duration.ofSeconds(20);
    static final int ROWS = 20_000;
    static final int CATEGORIES = 10;
    static final int HOT = 50;
    static final int DB_POOL = 4;
    static final PageCacheLimits PAGES = new PageCacheLimits(50, 16_384);
    /** A little more than the hot set, so that the real rows the random-id clients find overflow it and are trimmed. */
    static final int POPULARITY_MAX = HOT + 10;

    static BoundedWorkStack stack;
    static ApiService api;

    @BeforeAll
    static void start() throws Exception {
        stack = BoundedWorkStack.start("query-api-abusive-load-it", ROWS, CATEGORIES);
        api = stack.api("api.db-pool-size", Integer.toString(DB_POOL), "api.db-timeout", "1s", "api.statement-timeout", "1s",
                "api.max-cached-pages", Integer.toString(PAGES.maxPages()), "api.max-cached-page-bytes", Integer.toString(PAGES.maxPageBytes()),
                "api.popularity-max", Integer.toString(POPULARITY_MAX));
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** Answers by kind of client and status (or {@code timeout}, {@code io-error}), plus the X-Cache of hot-set 200s. */
    static final class Tally {
        final Map<String, Map<String, LongAdder>> byClient = new ConcurrentHashMap<>();
        final LongAdder hotHits = new LongAdder();
        final LongAdder hotRequests = new LongAdder();
        final LongAdder queryTimeouts = new LongAdder();
        final LongAdder pageTooDeep = new LongAdder();
        final LongAdder hotReadsOfOne = new LongAdder();
        final java.util.Set<String> foundRandomRows = ConcurrentHashMap.newKeySet();

        void count(String client, String status) {
            byClient.computeIfAbsent(client, c -> new ConcurrentHashMap<>()).computeIfAbsent(status, s -> new LongAdder()).increment();
        }

        Map<String, Long> byStatus() {
            Map<String, Long> out = new TreeMap<>();
            byClient.values().forEach(m -> m.forEach((s, n) -> out.merge(s.substring(0, Math.min(3, s.length())), n.sum(), Long::sum)));
            return out;
        }

        String describe() {
            return byClient.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + " " + new TreeMap<>(e.getValue().entrySet()
                    .stream().collect(Collectors.toMap(Map.Entry::getKey, x -> x.getValue().sum())))).collect(Collectors.joining("; "));
        }
    }

    /** The largest values the sampler saw. */
    static final class Peaks {
        final AtomicLong connections = new AtomicLong();
        final AtomicLong activeQueries = new AtomicLong();
        final AtomicLong listPages = new AtomicLong();
        final AtomicLong searchPages = new AtomicLong();
        final AtomicLong pageBytes = new AtomicLong();
        final AtomicLong largestPage = new AtomicLong();
        final AtomicLong listGenerations = new AtomicLong();
        final AtomicLong popularity = new AtomicLong();
        final AtomicLong searchCounter = new AtomicLong();
        final AtomicLong listCounter = new AtomicLong();
        final LongAdder samples = new LongAdder();
        final LongAdder keySamples = new LongAdder();
        final List<String> failures = new ArrayList<>();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String randomText(ThreadLocalRandom r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    @Test
    void abusiveRequestsStayBoundedAndTheHotSetIsStillServedFromTheCache() throws Exception {
        for (int id = 1; id <= HOT; id++) {
            assertThat(BoundedWorkStack.get(api, "/v1/products/" + id).statusCode()).isEqualTo(200);
        }
        assertThat(BoundedWorkStack.get(api, "/v1/products/1").headers().firstValue("X-Cache")).hasValue("HIT");

        Tally tally = new Tally();
        Peaks peaks = new Peaks();
        long deadline = System.nanoTime() + LOAD.toNanos();
        Map<String, Supplier<String>> clients = new TreeMap<>();
        // deep pages: most past api.max-page-depth (400 before any query), some at the deepest allowed rows (OFFSET 9,900)
        clients.put("deep-pages", () -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int page = r.nextInt(5) == 0 ? 91 + r.nextInt(10) : 101 + r.nextInt(1_000_000);
            return "/v1/products?category=c" + r.nextInt(CATEGORIES) + "&page=" + page + "&per_page=100";
        });
        // distinct searches: random text (matches nothing, scans the table) or a product number (a small page)
        clients.put("distinct-searches", () -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            String text = r.nextBoolean() ? randomText(r, 8) : "product " + r.nextInt(1, ROWS);
            return "/v1/products/search?q=" + q(text) + "&page=" + r.nextInt(1, 4) + "&per_page=" + (10 + r.nextInt(91));
        });
        // list values nobody has: each a new page and, without the bound, a new generation counter
        clients.put("made-up-list-values", () -> "/v1/products?category=" + randomText(ThreadLocalRandom.current(), 12));
        // random ids: four in five do not exist (404, a negative-cache entry), one in five is a real row nobody reads often
        clients.put("random-ids", () -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            return "/v1/products/" + (r.nextInt(5) == 0 ? r.nextInt(HOT + 1, ROWS + 1) : r.nextLong(1_000_000L, 1_000_000_000_000L));
        });
        // searches over the slow view: 20,000 rows at 5 ms each, cancelled by the 1 s statement timeout
        clients.put("slow-searches", () -> "/v1/slow/search?q=" + randomText(ThreadLocalRandom.current(), 8));
        Map<String, Integer> threads = Map.of("deep-pages", 3, "distinct-searches", 4, "made-up-list-values", 1, "random-ids", 3,
                "slow-searches", 1);

        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        ExecutorService load = Executors.newFixedThreadPool(threads.values().stream().mapToInt(Integer::intValue).sum() + 2);
        try (Connection pg = stack.postgres.connect()) {
            AtomicLong ticks = new AtomicLong();
            sampler.scheduleWithFixedDelay(() -> sample(pg, peaks, ticks.getAndIncrement() % 8 == 0), 0, 250, TimeUnit.MILLISECONDS);
            List<Future<?>> running = new ArrayList<>();
            for (var c : clients.entrySet()) {
                for (int i = 0; i < threads.get(c.getKey()); i++) {
                    running.add(load.submit(() -> abuse(c.getKey(), c.getValue(), deadline, tally)));
                }
            }
            for (int i = 0; i < 2; i++) {
                int first = i;
                running.add(load.submit(() -> readHotSet(first, deadline, tally)));
            }
            for (Future<?> f : running) {
                f.get(LOAD.toSeconds() + 60, TimeUnit.SECONDS);
            }
            sampler.shutdown();
            assertThat(sampler.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            sample(pg, peaks, true);
        } finally {
            sampler.shutdownNow();
            load.shutdownNow();
        }

        // every hot read of row 1 that answered 200 is counted in the set once the last flush ran
        long hotOneReads = tally.hotReadsOfOne.sum();
        String popular = CacheKeys.popularity("products");
        await().alias("the popularity counts flushed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Double score = stack.redis.zscore(popular, "1");
                    return score != null && score >= hotOneReads;
                });
        List<String> members = stack.redis.zrange(popular, 0, -1);
        List<String> top = stack.redis.zrevrange(popular, 0, HOT - 1L);
        List<String> pageKeys = new ArrayList<>(stack.keys("cs:_list:*"));
        pageKeys.addAll(stack.keys("cs:_search:*"));
        long memory = pageKeys.stream().mapToLong(k -> {
            Long m = stack.redis.memoryUsage(k);
            return m == null ? 0 : m;
        }).sum();

        Map<String, Long> byStatus = tally.byStatus();
        long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
        double hitShare = tally.hotRequests.sum() == 0 ? 0 : (double) tally.hotHits.sum() / tally.hotRequests.sum();
        LOG.info("abusive load, {} s: {} requests by status {}; by client: {}", LOAD.toSeconds(), total, byStatus, tally.describe());
        LOG.info("abusive load: {} distinct real rows among the random ids; {} query timeouts, {} page-too-deep; hot set {} of {}"
                        + " reads 200 HIT ({} %)", tally.foundRandomRows.size(), tally.queryTimeouts.sum(), tally.pageTooDeep.sum(),
                tally.hotHits.sum(), tally.hotRequests.sum(), String.format("%.1f", 100 * hitShare));
        LOG.info("abusive load peaks over {} samples ({} with keys): API connections {} (running a query {}) of api.db-pool-size {}",
                peaks.samples.sum(), peaks.keySamples.sum(), peaks.connections.get(), peaks.activeQueries.get(), DB_POOL);
        LOG.info("abusive load peaks: list pages {}, search pages {} (bound {} each), page bytes {} (bound {}, largest page {}), list"
                        + " generation counters {}, page counters list {} search {} (cap {}), popularity ZCARD {} (api.popularity-max {})",
                peaks.listPages.get(), peaks.searchPages.get(), 2 * PAGES.maxPages(), peaks.pageBytes.get(),
                4L * PAGES.maxPages() * PAGES.maxPageBytes(), peaks.largestPage.get(), peaks.listGenerations.get(), peaks.listCounter.get(),
                peaks.searchCounter.get(), PAGES.maxPages(), peaks.popularity.get(), POPULARITY_MAX);
        LOG.info("abusive load, at the end: {} page keys taking {} bytes (MEMORY USAGE); {} row keys (mostly negative entries of random ids)",
                pageKeys.size(), memory, stack.keys("cs:products:*").size());

        synchronized (peaks.failures) {
            assertThat(peaks.failures).as("sampling errors").isEmpty();
        }
        assertThat(byStatus.keySet()).as("answers").isSubsetOf("200", "400", "404", "503");
        assertThat(byStatus.getOrDefault("200", 0L)).isPositive();
        assertThat(tally.pageTooDeep.sum()).isPositive();
        assertThat(tally.queryTimeouts.sum()).as("slow searches cancelled by the statement timeout").isPositive();

        assertThat(peaks.samples.sum()).isGreaterThan(20);
        assertThat(peaks.connections.get()).as("connections PostgreSQL had open for the API").isBetween(1L, (long) DB_POOL);

        assertThat(peaks.searchCounter.get()).as("the search window filled: pages beyond it went uncached").isGreaterThan(PAGES.maxPages());
        assertThat(peaks.listCounter.get()).as("the list window filled").isGreaterThan(PAGES.maxPages());
        assertThat(peaks.listPages.get()).isLessThanOrEqualTo(2L * PAGES.maxPages());
        assertThat(peaks.searchPages.get()).isLessThanOrEqualTo(2L * PAGES.maxPages());
        assertThat(peaks.largestPage.get()).isLessThanOrEqualTo(PAGES.maxPageBytes());
        assertThat(peaks.pageBytes.get()).isLessThanOrEqualTo(4L * PAGES.maxPages() * PAGES.maxPageBytes());
        assertThat(peaks.listGenerations.get()).as("list generation counters (made-up values create one only with a stored page)")
                .isLessThanOrEqualTo(2L * PAGES.maxPages() + CATEGORIES);

        assertThat(peaks.popularity.get()).isBetween(1L, (long) POPULARITY_MAX);
        assertThat(tally.foundRandomRows.size()).as("real rows found by the random-id clients, enough to overflow the set")
                .isGreaterThan(POPULARITY_MAX - HOT);
        assertThat(members).as("trimmed to api.popularity-max").hasSize(POPULARITY_MAX);
        assertThat(members).as("only rows that exist are counted").allSatisfy(id -> assertThat(Long.parseLong(id)).isBetween(1L, (long) ROWS));
        assertThat(new HashSet<>(top)).as("the hot set leads the popularity set (what api.warm-top reads)")
                .isEqualTo(IntStream.rangeClosed(1, HOT).mapToObj(Integer::toString).collect(Collectors.toSet()));

        assertThat(tally.hotRequests.sum()).isGreaterThan(100);
        assertThat(hitShare).as("hot-set reads answered 200 from Redis").isGreaterThanOrEqualTo(0.9);
    }

    private static void abuse(String client, Supplier<String> next, long deadline, Tally tally) {
        while (System.nanoTime() < deadline) {
            String path = next.get();
            try {
                HttpResponse<String> r = BoundedWorkStack.get(api, path);
                tally.count(client, r.statusCode() == 503 ? "503 " + problemType(r.body()) : Integer.toString(r.statusCode()));
                if (r.statusCode() >= 400 && r.body().contains("/problems/query-timeout")) {
                    tally.queryTimeouts.increment();
                }
                if (client.equals("random-ids") && r.statusCode() == 200) {
                    tally.foundRandomRows.add(path.substring(path.lastIndexOf('/') + 1));
                }
                if (r.statusCode() == 400 && r.body().contains("/problems/page-too-deep")) {
                    tally.pageTooDeep.increment();
                }
            } catch (HttpTimeoutException e) {
                tally.count(client, "timeout");
            } catch (Exception e) {
                tally.count(client, "io-error");
            }
        }
    }

    /** The slug of a problem's type ({@code query-timeout}, {@code unavailable}, ...). */
    private static String problemType(String body) {
        try {
            String type = ValueCodec.mapper().readTree(body).path("type").asText();
            return type.substring(type.lastIndexOf('/') + 1);
        } catch (Exception e) {
            return "not-a-problem";
        }
    }

    private static void readHotSet(int first, long deadline, Tally tally) {
        long n = first;
        while (System.nanoTime() < deadline) {
            long id = n++ % HOT + 1;
            tally.hotRequests.increment();
            try {
                HttpResponse<String> r = BoundedWorkStack.get(api, "/v1/products/" + id);
                tally.count("hot-set", Integer.toString(r.statusCode()));
                if (r.statusCode() == 200 && r.headers().firstValue("X-Cache").orElse("").startsWith("HIT")) {
                    tally.hotHits.increment();
                }
                if (r.statusCode() == 200 && id == 1) {
                    tally.hotReadsOfOne.increment();
                }
            } catch (HttpTimeoutException e) {
                tally.count("hot-set", "timeout");
            } catch (Exception e) {
                tally.count("hot-set", "io-error");
            }
        }
    }

    /** One sample of the bounds; {@code keys} also SCANs the page keys and list generation counters (test support, not a request path). */
    private static void sample(Connection pg, Peaks peaks, boolean keys) {
        try {
            BoundedWorkStack.Connections c = stack.apiConnections(pg);
            peaks.connections.accumulateAndGet(c.open(), Math::max);
            peaks.activeQueries.accumulateAndGet(c.active(), Math::max);
            peaks.popularity.accumulateAndGet(stack.redis.zcard(CacheKeys.popularity("products")), Math::max);
            peaks.searchCounter.accumulateAndGet(counter(CacheKeys.PAGES_SEARCH), Math::max);
            peaks.listCounter.accumulateAndGet(counter(CacheKeys.PAGES_LIST), Math::max);
            if (keys) {
                List<String> lists = stack.keys("cs:_list:products:*");
                List<String> searches = stack.keys("cs:_search:products:*");
                peaks.listPages.accumulateAndGet(lists.size(), Math::max);
                peaks.searchPages.accumulateAndGet(searches.size(), Math::max);
                peaks.pageBytes.accumulateAndGet(stack.valueBytes(lists) + stack.valueBytes(searches), Math::max);
                for (List<String> ks : List.of(lists, searches)) {
                    for (String k : ks) {
                        peaks.largestPage.accumulateAndGet(stack.redis.strlen(k), Math::max);
                    }
                }
                peaks.listGenerations.accumulateAndGet(stack.keys("cs:_gen:products:category=*").size(), Math::max);
                peaks.keySamples.increment();
            }
            peaks.samples.increment();
        } catch (Exception e) {
            synchronized (peaks.failures) {
                peaks.failures.add(e.toString());
            }
        }
    }

    private static long counter(String kind) {
        String v = stack.redis.get(CacheKeys.pageCount("products", kind));
        return v == null ? 0 : Long.parseLong(v);
    }
}
