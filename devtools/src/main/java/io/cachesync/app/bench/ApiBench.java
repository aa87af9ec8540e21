package io.cachesync.app.bench;

import io.cachesync.api.ApiService;
import io.cachesync.api.cache.ReadStats;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.core.keys.CacheKeys;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.api.http.ApiProblem;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.Settings;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.sync.redis.InvalidationHeartbeat;
import io.javalin.config.RoutesConfig;
import redis.clients.jedis.UnifiedJedis;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The read API under a closed-loop load (wrk, a fixed number of connections): a Redis hit (L1 off), an L1 hit, a miss
 * read through to PostgreSQL, and two ceilings served by the same Javalin server: a constant document and the same row
 * read straight from PostgreSQL without any cache.
 */
final class ApiBench {
    /** Rows of public.products the API scenarios read (the first {@link #HOT} are cached; misses start above them). */
    static final int ROWS = 400_000;
    private static final int HOT = 50_000;
    private static final int L1_ROWS = 5_000;
    private static final int MISS_WARM_FROM = 100_000;
    private static final int MISS_FROM = 200_000;
    private static final int WARM_UP_SECONDS = 2;
    /** Warm-up runs of {@link #WARM_UP_SECONDS} are repeated until the JIT is quiet during one, at most this many. */
    private static final int MAX_WARM_UP_RUNS = 5;
    /** Where each further warm-up run of the miss scenario starts, so that it still meets rows never read. */
    private static final int MISS_WARM_STRIDE = 20_000;
    private static final String ROW_PATH = "/v1/products/";

    private final Settings settings;
    private final Wrk wrk;
    private final int seconds;
    private final PrintStream progress;
    private final CpuMeter cpu;

    ApiBench(Settings settings, Path workDir, int connections, int seconds, CpuMeter cpu, PrintStream progress) {
        this.settings = settings;
        this.cpu = cpu;
        this.wrk = new Wrk(workDir, Math.min(2, connections), connections);
        this.seconds = seconds;
        this.progress = progress;
    }

    void run(BenchReport report) throws Exception {
        ApiConfig plain = ApiConfig.from(settings.with(Map.of("api.l1-max-entries", "0", "api.warm-top", "0")));
        ApiConfig normal = ApiConfig.from(settings.with(Map.of("api.warm-top", "0")));
        EntityDefinition products = plain.catalog().byName("products").orElseThrow();
        try (PostgresRowSource db = new PostgresRowSource(plain.catalog(), plain.postgres(), plain.dbPoolSize(), plain.dbTimeout(), plain.statementTimeout())) {
            String constant = db.document(products, "1").orElseThrow(() -> new IllegalStateException("products row 1 is missing"));
            // no cache-sync runs here: its L1 heartbeat stands in, or the instance with L1 would bypass it (InvalidationSubscriber)
            try (UnifiedJedis beatClient = normal.redis().client(2, Duration.ofSeconds(2));
                 InvalidationHeartbeat heartbeat = InvalidationHeartbeat.start(beatClient, CacheKeys.INVALIDATION_CHANNEL);
                 ApiService noL1 = new ApiService(plain, Metrics.newRegistry(), ceilingRoutes(products, db, constant)).start();
                 ApiService withL1 = new ApiService(normal, Metrics.newRegistry()).start()) {
                progress.printf("  api: two query-api instances on %s (L1 off) and %s (L1 on); wrk, %d threads, %d connections, %d s per scenario%n",
                        noL1.baseUrl(), withL1.baseUrl(), wrk.threads(), wrk.connections(), seconds);
                warmUp("miss", run -> wrk.sequential(noL1.baseUrl(), ROW_PATH, MISS_WARM_FROM + run * MISS_WARM_STRIDE, WARM_UP_SECONDS));
                report.api("miss", measure("miss", noL1, () -> wrk.sequential(noL1.baseUrl(), ROW_PATH, MISS_FROM, seconds)));
                warm(noL1, products, HOT);
                warmUp("hit", run -> wrk.uniform(noL1.baseUrl(), ROW_PATH, 1, HOT, WARM_UP_SECONDS));
                report.api("hit", measure("hit", noL1, () -> wrk.uniform(noL1.baseUrl(), ROW_PATH, 1, HOT, seconds)));
                warm(withL1, products, L1_ROWS);
                warmUp("l1_hit", run -> wrk.uniform(withL1.baseUrl(), ROW_PATH, 1, L1_ROWS, WARM_UP_SECONDS));
                report.api("l1_hit", measure("l1_hit", withL1, () -> wrk.uniform(withL1.baseUrl(), ROW_PATH, 1, L1_ROWS, seconds)));
                warmUp("constant", run -> wrk.fixed(noL1.baseUrl(), "/bench/constant", WARM_UP_SECONDS));
                report.api("constant", measure("constant", null, () -> wrk.fixed(noL1.baseUrl(), "/bench/constant", seconds)));
                // cached vs database: the same ids, the API as deployed (L1 in front of Redis) against the row read straight from PostgreSQL
                warmUp("cached", run -> wrk.uniform(withL1.baseUrl(), ROW_PATH, 1, HOT, WARM_UP_SECONDS));
                BenchReport.Load cached = measure("cached", withL1, () -> wrk.uniform(withL1.baseUrl(), ROW_PATH, 1, HOT, seconds));
                warmUp("database", run -> wrk.uniform(noL1.baseUrl(), "/bench/db/products/", 1, HOT, WARM_UP_SECONDS));
                BenchReport.Load database = measure("database", null, () -> wrk.uniform(noL1.baseUrl(), "/bench/db/products/", 1, HOT, seconds));
                report.cachedVsDb(cached, database);
            }
        }
    }

    /** {@code /bench/constant}: one fixed product document; {@code /bench/db/products/{id}}: the row read from PostgreSQL, no cache. */
    private static Consumer<RoutesConfig> ceilingRoutes(EntityDefinition products, PostgresRowSource db, String constant) {
        return routes -> {
            routes.get("/bench/constant", ctx -> ctx.contentType("application/json").result(constant));
            routes.get("/bench/db/products/{id}", ctx -> {
                String raw = ctx.pathParam("id");
                String id = products.key().canonical(raw).orElseThrow(() -> ApiProblem.malformedId(products.name(), raw, products.key().describe()));
                ctx.contentType("application/json").result(db.document(products, id).orElseThrow(() -> ApiProblem.notFound(products.name(), id)));
            });
        };
    }

    private void warm(ApiService api, EntityDefinition products, int rows) throws Exception {
        List<String> ids = new ArrayList<>(100);
        for (int id = 1; id <= rows; id++) {
            ids.add(Integer.toString(id));
            if (ids.size() == 100 || id == rows) {
                api.cache().getMany(products, ids);
                ids.clear();
            }
        }
    }

    /** Repeats a warm-up run until the JIT is quiet during one ({@link CpuMeter#warmUntilJitQuiet}). */
    private void warmUp(String scenario, CpuMeter.WarmUpStep load) throws Exception {
        CpuMeter.Warmed w = cpu.warmUntilJitQuiet(MAX_WARM_UP_RUNS, load);
        progress.printf(Locale.ROOT, "  api: %s: warm-up %d s, JIT compiler %.0f %% of a core in its last %d s%n", scenario, w.steps() * WARM_UP_SECONDS,
                w.jitPercent(), WARM_UP_SECONDS);
    }

    interface LoadRun {
        BenchReport.Load run() throws Exception;
    }

    /** Runs the load and tells where the API answered from (its read counters before and after). */
    private BenchReport.Load measure(String scenario, ApiService api, LoadRun load) throws Exception {
        return measure(cpu, progress, "api: %-9s", scenario, api, load);
    }

    /**
     * Runs {@code load} and prints one line (prefixed by {@code label}, a format with the scenario's {@code %s}): req/s,
     * p50, p99, errors, where the API answered from (its read counters before and after; "no cache" without an API)
     * and the CPU it took. The api and view sections measure with it.
     */
    static BenchReport.Load measure(CpuMeter cpu, PrintStream progress, String label, String scenario, ApiService api, LoadRun load)
            throws Exception {
        long[] before = api == null ? null : counters(api.stats());
        CpuMeter.Sample cpuFrom = cpu.sample();
        BenchReport.Load l = load.run();
        String cpuUse = cpu.since(cpuFrom);
        String from = "no cache";
        if (api != null) {
            long[] after = counters(api.stats());
            long l1 = after[0] - before[0];
            long redis = after[1] - before[1];
            long db = after[2] - before[2];
            double total = Math.max(1, l1 + redis + db);
            from = String.format(Locale.ROOT, "L1 %.1f %%, Redis %.1f %%, PostgreSQL %.1f %%", 100 * l1 / total, 100 * redis / total, 100 * db / total);
        }
        BenchReport.Load out = new BenchReport.Load(l.rps(), l.p50Ms(), l.p99Ms(), l.requests(), l.errors(), from, cpuUse);
        progress.printf(Locale.ROOT, "  " + label + " %,9.0f req/s  p50 %.3f ms  p99 %.3f ms  errors %d  (%s); %s%n", scenario, out.rps(),
                out.p50Ms(), out.p99Ms(), out.errors(), from, cpuUse);
        return out;
    }

    private static long[] counters(ReadStats s) {
        return new long[] {s.l1Hits(), s.hits(), s.misses()};
    }
}
