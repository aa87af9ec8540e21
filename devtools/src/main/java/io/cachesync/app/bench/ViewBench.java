package io.cachesync.app.bench;

import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.api.db.PostgresRowSource;
import io.cachesync.api.http.ApiProblem;
import io.cachesync.app.demo.DemoSchema;
import io.cachesync.app.demo.PipelineDrain;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.config.Settings;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.views.ViewQueries;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import io.javalin.config.RoutesConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The view section: the demo's view {@code product_pages} (a product, its brand, its stock per warehouse, a summary of
 * its reviews) on a devstack of its own, with cdc-ingest and cache-sync (entity and view topologies) running.
 * <ul>
 *   <li><b>reads</b>: wrk at the same connections against {@code GET /v1/product_pages/{id}} as deployed (L1, then
 *   Redis), with the L1 off (Redis only), and against {@code /bench/sql/product_pages/{id}} on the same server, which
 *   builds the same document from PostgreSQL on every request with {@link ViewQueries#document} (the SQL the
 *   read-through and {@code verify} use: one REPEATABLE READ transaction, 1 + references + children statements) on a
 *   pool of {@code api.db-pool-size} connections; uniform ids over every product; the constant route as the bound.</li>
 *   <li><b>maintenance</b>: view documents written per second from the commit of a change to a part until the last
 *   document it touches is written: every brand renamed in one statement (a reference: each brand is named by about
 *   a hundred products), and every review's rating changed in one statement (children: re-aggregated per product).</li>
 * </ul>
 */
final class ViewBench {
    static final String VIEW = "product_pages";
    private static final String VIEW_PATH = "/v1/" + VIEW + "/";
    private static final String SQL_PATH = "/bench/sql/" + VIEW + "/";
    private static final int WARM_UP_SECONDS = 2;
    private static final int MAX_WARM_UP_RUNS = 5;
    /** Measured rounds of each maintenance kind, after one warm-up round; the median is reported. */
    private static final int ROUNDS = 3;
    /** A round is over when no view document was written for this long. */
    private static final Duration QUIET = Duration.ofSeconds(2);

    private final Settings settings;
    private final Supplier<Connection> db;
    private final String bootstrap;
    private final Wrk wrk;
    /** One connection: the latency of a request that waits for no other (no queue in front of the cores). */
    private final Wrk single;
    private final int seconds;
    private final CpuMeter cpu;
    private final PrintStream progress;
    private final MeterRegistry registry = Metrics.newRegistry();

    ViewBench(Settings settings, Supplier<Connection> db, String bootstrap, Path workDir, int connections, int seconds, CpuMeter cpu,
              PrintStream progress) {
        this.settings = settings;
        this.db = db;
        this.bootstrap = bootstrap;
        this.wrk = new Wrk(workDir, Math.min(2, connections), connections);
        this.single = new Wrk(workDir, 1, 1);
        this.seconds = seconds;
        this.cpu = cpu;
        this.progress = progress;
    }

    void run(BenchReport report) throws Exception {
        SyncConfig syncConfig = SyncConfig.from(settings);
        try (IngestService ingest = new IngestService(IngestConfig.from(settings)).start();
             SyncService sync = new SyncService(syncConfig, registry).start()) {
            awaitSnapshot(syncConfig, ingest);
            reads(report);
            report.viewMaintenance(maintenance("brand renames",
                    "UPDATE public.brands SET name = 'brand ' || id || ' round %d'",
                    "SELECT count(*) FROM public.products WHERE brand_id IS NOT NULL"),
                    maintenance("review updates",
                            "UPDATE public.reviews SET rating = 1 + (rating + %d) %% 5",
                            "SELECT count(*) FROM public.reviews r JOIN public.products p ON p.id = r.product_id"));
        }
    }

    /** Every seeded row applied, then the view topology caught up with its inputs. */
    private void awaitSnapshot(SyncConfig config, IngestService ingest) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (rowsApplied() < DemoSchema.TOTAL_ROWS) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the initial snapshot applied only " + rowsApplied() + " of " + DemoSchema.TOTAL_ROWS + " rows in 5 minutes");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        PipelineDrain drain = PipelineDrain.of(bootstrap, config, ingest::published);
        if (!drain.await(Duration.ofSeconds(1), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
            throw new IllegalStateException("the view topology did not catch up with the initial snapshot within 5 minutes");
        }
        progress.printf("  view: initial snapshot applied (%,d rows; %s written %,d times)%n", rowsApplied(), VIEW, documents());
    }

    private void reads(BenchReport report) throws Exception {
        ApiConfig plain = ApiConfig.from(settings.with(Map.of("api.l1-max-entries", "0", "api.warm-top", "0")));
        ApiConfig normal = ApiConfig.from(settings.with(Map.of("api.warm-top", "0")));
        EntityCatalog catalog;
        try (Connection c = db.get()) {
            catalog = SchemaCheck.resolve(c, plain.catalog(), "bench");
        }
        EntityDefinition view = catalog.byName(VIEW).filter(e -> e.source() == EntityDefinition.Source.VIEW)
                .orElseThrow(() -> new IllegalStateException("the view " + VIEW + " is not configured"));
        try (PostgresRowSource database = new PostgresRowSource(catalog, plain.postgres(), plain.dbPoolSize(), plain.dbTimeout(), plain.statementTimeout());
             ApiService noL1 = new ApiService(plain, Metrics.newRegistry(), sqlRoutes(catalog, view, database, constant(view, database))).start();
             ApiService withL1 = new ApiService(normal, Metrics.newRegistry()).start()) {
            requireViewRoute(noL1.baseUrl());
            progress.printf("  view: query-api on %s (L1 off, and the SQL route) and %s (as deployed); wrk, %d threads, %d connections, %d s per scenario%n",
                    noL1.baseUrl(), withL1.baseUrl(), wrk.threads(), wrk.connections(), seconds);
            // every route twice first: the scenarios share most of their code (Jetty, Javalin, the codec), and the first one
            // measured would otherwise carry the JIT's compilation of it while the later ones do not
            for (int pass = 0; pass < 2; pass++) {
                wrk.uniform(noL1.baseUrl(), VIEW_PATH, 1, DemoSchema.PRODUCTS, WARM_UP_SECONDS);
                wrk.uniform(withL1.baseUrl(), VIEW_PATH, 1, DemoSchema.PRODUCTS, WARM_UP_SECONDS);
                wrk.uniform(noL1.baseUrl(), SQL_PATH, 1, DemoSchema.PRODUCTS, WARM_UP_SECONDS);
                wrk.fixed(noL1.baseUrl(), "/bench/constant", WARM_UP_SECONDS);
            }
            warmUp("redis", () -> wrk.uniform(noL1.baseUrl(), VIEW_PATH, 1, DemoSchema.PRODUCTS, WARM_UP_SECONDS));
            BenchReport.Load redis = measure("redis", noL1, () -> wrk.uniform(noL1.baseUrl(), VIEW_PATH, 1, DemoSchema.PRODUCTS, seconds));
            warmUp("cached", () -> wrk.uniform(withL1.baseUrl(), VIEW_PATH, 1, DemoSchema.PRODUCTS, WARM_UP_SECONDS));
            BenchReport.Load cached = measure("cached", withL1, () -> wrk.uniform(withL1.baseUrl(), VIEW_PATH, 1, DemoSchema.PRODUCTS, seconds));
            warmUp("sql", () -> wrk.uniform(noL1.baseUrl(), SQL_PATH, 1, DemoSchema.PRODUCTS, WARM_UP_SECONDS));
            BenchReport.Load sql = measure("sql", null, () -> wrk.uniform(noL1.baseUrl(), SQL_PATH, 1, DemoSchema.PRODUCTS, seconds));
            warmUp("constant", () -> wrk.fixed(noL1.baseUrl(), "/bench/constant", WARM_UP_SECONDS));
            BenchReport.Load constant = measure("constant", null, () -> wrk.fixed(noL1.baseUrl(), "/bench/constant", seconds));
            report.viewReads(cached, redis, sql, constant);
            BenchReport.Load cachedAlone = measure("cached, 1 connection", withL1,
                    () -> single.uniform(withL1.baseUrl(), VIEW_PATH, 1, DemoSchema.PRODUCTS, seconds));
            BenchReport.Load sqlAlone = measure("sql, 1 connection", null, () -> single.uniform(noL1.baseUrl(), SQL_PATH, 1, DemoSchema.PRODUCTS, seconds));
            report.viewReadsAlone(cachedAlone, sqlAlone);
        }
    }

    /** The document of product 1 as SQL builds it: what the constant route serves. */
    private static String constant(EntityDefinition view, PostgresRowSource sql) throws Exception {
        return sql.document(view, "1").orElseThrow(() -> new IllegalStateException("products row 1 is missing"));
    }

    /**
     * {@code /bench/sql/product_pages/{id}}: the document built from PostgreSQL on every request, by the row source the
     * read-through uses (its pool, its {@link ViewQueries}); {@code /bench/constant}: one fixed document.
     */
    private static Consumer<RoutesConfig> sqlRoutes(EntityCatalog catalog, EntityDefinition view, PostgresRowSource sql, String constant) {
        EntityDefinition root = catalog.byName(catalog.view(view).root()).orElseThrow();
        return routes -> {
            routes.get("/bench/constant", ctx -> ctx.contentType("application/json").result(constant));
            routes.get(SQL_PATH + "{id}", ctx -> {
                String raw = ctx.pathParam("id");
                String id = root.key().canonical(raw).orElseThrow(() -> ApiProblem.malformedId(view.name(), raw, root.key().describe()));
                ctx.contentType("application/json").result(sql.document(view, id).orElseThrow(() -> ApiProblem.notFound(view.name(), id)));
            });
        };
    }

    /** Fails with a clear message when this query-api does not serve the view. */
    private static void requireViewRoute(String baseUrl) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + VIEW_PATH + "1")).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("query-api does not serve " + VIEW_PATH + "1 (status " + r.statusCode() + "): " + r.body());
        }
    }

    private void warmUp(String scenario, ApiBench.LoadRun load) throws Exception {
        CpuMeter.Warmed w = cpu.warmUntilJitQuiet(MAX_WARM_UP_RUNS, run -> load.run());
        progress.printf(Locale.ROOT, "  view: %s: warm-up %d s, JIT compiler %.0f %% of a core in its last %d s%n", scenario,
                w.steps() * WARM_UP_SECONDS, w.jitPercent(), WARM_UP_SECONDS);
    }

    private BenchReport.Load measure(String scenario, ApiService api, ApiBench.LoadRun load) throws Exception {
        return ApiBench.measure(cpu, progress, "view: %-20s", scenario, api, load);
    }

    /**
     * One warm-up round and {@link #ROUNDS} measured ones of {@code update} (a statement with a {@code %d} for the round,
     * committed alone): view documents written from just before the commit until the last one the change caused (no
     * document written for {@link #QUIET} after it), per second; the median round.
     */
    private BenchReport.Maintenance maintenance(String kind, String update, String affectedQuery) throws Exception {
        long affected;
        try (Connection c = db.get(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(affectedQuery)) {
            rs.next();
            affected = rs.getLong(1);
        }
        List<BenchReport.Maintenance> rounds = new ArrayList<>();
        for (int round = 0; round <= ROUNDS; round++) {
            CpuMeter.Sample cpuFrom = cpu.sample();
            long before = documents();
            long start = System.nanoTime();
            try (Connection c = db.get(); Statement st = c.createStatement()) {
                st.executeUpdate(update.formatted(round + 1));
            }
            long last = start;
            long seen = before;
            long deadline = start + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() - last < QUIET.toNanos() || seen - before < affected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(kind + ": only " + (seen - before) + " of " + affected + " view documents written in 5 minutes");
                }
                long now = documents();
                if (now != seen) {
                    seen = now;
                    last = System.nanoTime();
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            double secondsTaken = (last - start) / 1e9;
            BenchReport.Maintenance m = new BenchReport.Maintenance(kind, affected, seen - before, secondsTaken,
                    (seen - before) / Math.max(1e-3, secondsTaken), cpu.between(cpuFrom, cpu.sample()));
            progress.printf(Locale.ROOT, "  view: %s, %s: %,d documents (%,d affected) in %.2f s = %,.0f documents/s; %s%n", kind,
                    round == 0 ? "warm-up" : "round " + round, m.documents(), affected, m.seconds(), m.documentsPerSecond(), m.cpu());
            if (round > 0) {
                rounds.add(m);
            }
        }
        rounds.sort((a, b) -> Double.compare(a.documentsPerSecond(), b.documentsPerSecond()));
        return rounds.get(rounds.size() / 2);
    }

    /** View documents written (or skipped as older, or superseded in their batch) so far. */
    private long documents() {
        return counted(VIEW);
    }

    /** Rows of the tables applied (or skipped as older, or superseded) so far: every entity but the view. */
    private long rowsApplied() {
        long total = 0;
        for (String name : MetricNames.EVENTS_PROCESSED) {
            for (FunctionCounter c : registry.find(name).functionCounters()) {
                if (!VIEW.equals(c.getId().getTag("entity"))) {
                    total += Math.round(c.count());
                }
            }
        }
        return total;
    }

    private long counted(String entity) {
        long total = 0;
        for (String name : MetricNames.EVENTS_PROCESSED) {
            FunctionCounter c = registry.find(name).tag("entity", entity).functionCounter();
            total += c == null ? 0 : Math.round(c.count());
        }
        return total;
    }
}
