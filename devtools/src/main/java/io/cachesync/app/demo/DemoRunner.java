package io.cachesync.app.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.api.ApiService;
import io.cachesync.app.verify.CacheVerifier;
import io.cachesync.app.verify.VerifyResult;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.metrics.LagRecorder;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.redis.RedisEndpoint;
import io.cachesync.devstack.DevRedisCluster;
import io.cachesync.devstack.DevStack;
import io.cachesync.devstack.StackProvider;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.audit.ConsistencyAuditor;
import io.cachesync.sync.config.SyncConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import redis.clients.jedis.UnifiedJedis;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code cachesync demo}: the whole pipeline on a devstack (embedded, or in containers: {@code --stack}), a write and
 * read workload, a status line every 5 s and, with a duration, a drained-pipeline comparison of every row with its
 * cache entry. A rate of 0 runs no writer (or no reader) thread: a quiet pipeline for changes made by hand; the figures
 * of what did not happen are then reported as absent, not as zeros.
 *
 * <p>Longer than our ~250-line guide: it is the demo's script, start to report, read top to bottom. A development tool
 * (devtools), not part of the services.
 */
public final class DemoRunner {
    private static final Duration STATUS_EVERY = Duration.ofSeconds(5);
    private static final int READERS = 4;

    private final DemoOptions options;
    private final PrintStream out;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);

    public DemoRunner(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Returns the process exit code: 0 when the final comparison found no stale or missing key. */
    public int run() throws Exception {
        Thread hook = new Thread(() -> {
            stopRequested.set(true);
            try {
                finished.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cachesync-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runStack();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
    }

    private int runStack() throws Exception {
        StackProvider provider = options.provider();
        out.println("cachesync demo: starting PostgreSQL 17, Kafka 4.3 (KRaft) and Redis on free ports (devstack: " + provider.label() + ") ...");
        try (DevStack stack = DevStack.start(provider);
             DevRedisCluster cluster = options.cluster() ? startCluster(stack) : null) {
            Supplier<Connection> db = DemoSchema.connections(stack);
            DemoSchema.createAndSeed(db);
            out.printf("seeded %,d products, %,d users, %,d brands, %,d stock rows and %,d reviews (the view product_pages: "
                    + "a product with its brand, stock and review summary)%n", DemoSchema.PRODUCTS, DemoSchema.USERS, DemoSchema.BRANDS,
                    DemoSchema.STOCK, DemoSchema.REVIEWS);
            // the live auditor re-reads a quarter of the applied keys two seconds after their apply
            Map<String, String> demo = new HashMap<>(Map.of("sync.audit-fraction", "0.25", "sync.audit-delay", "2s", "sync.audit-grace", "3s",
                    "api.admin-token", UUID.randomUUID().toString()));
            if (cluster != null) {
                demo.putAll(Map.of("redis.mode", "cluster", "redis.url", cluster.url(), "redis.nodes", String.join(",", cluster.seedNodes())));
            }
            Map<String, String> all = StackSettings.map(stack, DemoSchema.WITH_VIEWS, demo);
            Settings settings = Settings.of(all);
            PrometheusMeterRegistry registry = Metrics.newRegistry();
            try (IngestService ingest = new IngestService(IngestConfig.from(settings), registry).start();
                 SyncInstances sync = SyncInstances.start(options.syncInstances(), all, stack.workDir(), registry);
                 ApiInstances apis = ApiInstances.start(options.apiInstances(), settings, registry)) {
                printEndpoints(stack, sync, apis, settings);
                if (!awaitSnapshot(stack, ingest, sync, settings)) {
                    return 1;
                }
                return runWorkload(stack, db, ingest, sync, apis, settings);
            }
        }
    }

    private DevRedisCluster startCluster(DevStack stack) {
        out.println("starting a Redis Cluster: three masters with a replica each, on free loopback ports ...");
        return DevRedisCluster.start(stack.workDir().resolve("redis-cluster"));
    }

    private void printEndpoints(DevStack stack, SyncInstances sync, ApiInstances apis, Settings settings) throws IOException {
        String token = settings.raw("api.admin-token").orElse("");
        RedisEndpoint redis = RedisEndpoint.from(settings, new ArrayList<>());
        ApiService api = apis.first();
        out.println("components:");
        out.println("  postgres  " + stack.postgres().url());
        out.println("  kafka     " + stack.kafka().bootstrapServers());
        if (redis.mode() == RedisEndpoint.Mode.CLUSTER) {
            out.println("  redis     " + redis.seeds().stream().map(n -> "redis://" + n).collect(Collectors.joining(","))
                    + "   (a Redis Cluster: redis-cli -c; row keys are cs:<entity>:{<bucket>}:<id>)");
        } else {
            out.println("  redis     " + stack.redis().url());
        }
        for (ApiService a : apis.all()) {
            out.println("  api       " + a.baseUrl() + "   (try: curl -i " + a.baseUrl() + "/v1/products/1)");
            out.println("            the view: curl -i " + a.baseUrl() + "/v1/product_pages/1   (product, brand, stock, reviews summary)");
        }
        out.println("  metrics   " + api.adminUrl() + "/metrics   (cdc-ingest, the first cache-sync and the first query-api; the admin port)");
        for (int i = 1; i < sync.all().size(); i++) {
            out.println("  metrics   http://127.0.0.1:" + sync.all().get(i).httpPort() + "/metrics   (cache-sync instance " + (i + 1) + ")");
        }
        for (int i = 1; i < apis.all().size(); i++) {
            out.println("  metrics   " + apis.all().get(i).adminUrl() + "/metrics   (query-api instance " + (i + 1) + ")");
        }
        out.println("  admin     curl -H 'Authorization: Bearer " + token + "' " + api.adminUrl() + "/admin/cache/stats");
        if (options.portsFile() != null) {
            ObjectNode ports = ValueCodec.mapper().createObjectNode();
            ports.put("postgres", stack.postgres().url());
            ports.put("kafka", stack.kafka().bootstrapServers());
            ports.put("redis", redis.mode() == RedisEndpoint.Mode.CLUSTER ? redis.url().toString() : stack.redis().url());
            ports.put("redis_mode", redis.mode().name().toLowerCase(Locale.ROOT));
            ports.put("redis_nodes", String.join(",", redis.nodes()));
            ports.put("api", api.baseUrl());
            ports.put("admin", api.adminUrl());
            var every = ports.putArray("apis");
            apis.all().forEach(a -> every.add(a.baseUrl()));
            ports.put("admin_token", token);
            writeJson(options.portsFile(), ports);
            out.println("  (written to " + options.portsFile() + ")");
        }
    }

    /**
     * Waits until every seeded row is in Redis ({@link DemoSchema#TOTAL_ROWS}, counted without the view documents), then
     * until the view topology has consumed its inputs too (its documents are re-written as each part arrives, so their
     * count says nothing about completeness).
     */
    private boolean awaitSnapshot(DevStack stack, IngestService ingest, SyncInstances sync, Settings settings) throws Exception {
        SyncConfig config = SyncConfig.from(settings);
        List<String> views = config.catalog().views().stream().map(v -> v.name()).toList();
        LongSupplier rows = () -> sync.processed() - views.stream().mapToLong(sync::processed).sum();
        LongSupplier documents = () -> views.stream().mapToLong(sync::processed).sum();
        long target = DemoSchema.TOTAL_ROWS;
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        long lastPrint = 0;
        while (rows.getAsLong() < target) {
            if (stopRequested.get() || System.nanoTime() > deadline) {
                out.printf("initial snapshot: only %,d of %,d rows applied%s%n", rows.getAsLong(), target,
                        stopRequested.get() ? " (stopped)" : " after 3 minutes; giving up");
                return false;
            }
            if (System.nanoTime() - lastPrint > STATUS_EVERY.toNanos()) {
                out.printf("initial snapshot: %,d of %,d rows in Redis, %,d view documents written%n", rows.getAsLong(), target,
                        documents.getAsLong());
                lastPrint = System.nanoTime();
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        if (!views.isEmpty()) {
            out.printf("initial snapshot: %,d rows in Redis; waiting for the view topology to catch up (%,d view documents written so far) ...%n",
                    rows.getAsLong(), documents.getAsLong());
            PipelineDrain drain = PipelineDrain.of(stack.kafka().bootstrapServers(), config, ingest::published);
            if (!drain.await(Duration.ofSeconds(1), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                out.println("initial snapshot: the view topology did not catch up within 3 minutes; giving up");
                return false;
            }
        }
        out.printf("initial snapshot applied: %,d rows in Redis%s%n", rows.getAsLong(),
                views.isEmpty() ? "" : String.format(Locale.ROOT, ", view documents %s written %,d times", String.join(", ", views), documents.getAsLong()));
        return true;
    }

    private int runWorkload(DevStack stack, Supplier<Connection> db, IngestService ingest, SyncInstances sync, ApiInstances apis,
                            Settings settings) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        WriteWorkload writer = new WriteWorkload(db, options.writeRate(), running);
        ReadWorkload.Counters reads = new ReadWorkload.Counters();
        List<Thread> threads = new ArrayList<>();
        if (options.writes()) {
            threads.add(new Thread(writer, "demo-writer"));
        }
        for (int i = 0; options.reads() && i < READERS; i++) {
            threads.add(new Thread(new ReadWorkload(apis.baseUrl(i), options.readRate() / READERS, running, writer::maxProductId, reads, i),
                    "demo-reader-" + i));
        }
        out.printf("workload: %s, %s%s%n",
                options.writes() ? String.format(Locale.ROOT, "%.0f writes/s", options.writeRate()) : "no writes",
                options.reads() ? String.format(Locale.ROOT, "%.0f reads/s", options.readRate()) : "no reads",
                options.duration() > 0 ? " for " + options.duration() + " s" : " until Ctrl-C");
        if (!options.writes() || !options.reads()) {
            out.println("quiet pipeline: change rows with psql and read them with curl or redis-cli (the URLs above)");
        }
        threads.forEach(Thread::start);
        long start = System.nanoTime();
        long endAt = options.duration() > 0 ? start + TimeUnit.SECONDS.toNanos(options.duration()) : Long.MAX_VALUE;
        long nextStatus = start + STATUS_EVERY.toNanos();
        while (!stopRequested.get() && System.nanoTime() < endAt) {
            LockSupport.parkNanos(Math.min(Duration.ofMillis(200).toNanos(), Math.max(1, nextStatus - System.nanoTime())));
            if (System.nanoTime() >= nextStatus) {
                printStatus(start, writer, sync, reads);
                nextStatus += STATUS_EVERY.toNanos();
            }
        }
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
        if (options.duration() <= 0 || stopRequested.get()) {
            out.println("stopping ...");
            return 0;
        }
        out.printf("writes stopped after %,d; waiting for the pipeline to drain ...%n", writer.writes());
        PipelineDrain drain = PipelineDrain.of(stack.kafka().bootstrapServers(), SyncConfig.from(settings), ingest::published);
        boolean drained = drain.await(Duration.ofSeconds(3), Duration.ofMinutes(2));
        out.println(drained ? "pipeline drained; comparing every row of PostgreSQL with Redis ..." : "pipeline did NOT drain within 2 minutes; comparing anyway ...");
        VerifyResult verify;
        try (UnifiedJedis redis = RedisEndpoint.from(settings, new ArrayList<>()).client(2, Duration.ofSeconds(5))) {
            verify = new CacheVerifier(SyncConfig.from(settings).catalog(), db, redis).verify(Duration.ofSeconds(5));
        }
        awaitAudits(sync);
        return summarize(writer, sync, reads, verify, drained);
    }

    private static void awaitAudits(SyncInstances sync) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (sync.auditsPending() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    private void printStatus(long start, WriteWorkload writer, SyncInstances sync, ReadWorkload.Counters reads) {
        LagRecorder.Snapshot lag = sync.lagInterval();
        String lagFigures = lag.count() == 0 ? String.format(Locale.ROOT, "%-32s", "e2e lag: no changes")
                : String.format(Locale.ROOT, "e2e lag p50 %4d ms p99 %5d ms", lag.p50(), lag.p99());
        out.printf(Locale.ROOT, "[%4ds] writes %,8d | events applied %,8d | %s | reads %,8d | hit rate %s%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), writer.writes(), sync.processed(),
                lagFigures, reads.reads.sum(), hitRate(reads, "%5.1f %%"));
    }

    /** The hit rate as a percentage in {@code format}, or "-" before the first read. */
    private static String hitRate(ReadWorkload.Counters reads, String format) {
        return reads.reads.sum() == 0 ? "-" : String.format(Locale.ROOT, format, 100 * reads.hitRate());
    }

    private int summarize(WriteWorkload writer, SyncInstances sync, ReadWorkload.Counters reads, VerifyResult verify, boolean drained)
            throws IOException {
        LagRecorder.Snapshot lag = sync.lagTotal();
        VerifyResult.Counts t = verify.total();
        ObjectNode report = ValueCodec.mapper().createObjectNode();
        report.put("duration_s", options.duration());
        report.put("writes", writer.writes());
        report.put("write_failures", writer.failures());
        report.put("applied", sync.processed());
        report.put("stale_skipped", sync.stale());
        report.put("dead_lettered", sync.deadLettered());
        report.put("reads", reads.reads.sum());
        report.put("read_errors", reads.errors.sum());
        report.put("l1_hits", reads.l1Hits.sum());
        if (reads.reads.sum() == 0) {
            report.putNull("hit_rate");
        } else {
            report.put("hit_rate", Math.round(reads.hitRate() * 10_000) / 10_000.0);
        }
        ObjectNode l = report.putObject("e2e_lag_ms");
        if (lag.count() > 0) { // no percentiles of nothing: without changes only the count (0) is there
            l.put("p50", lag.p50());
            l.put("p99", lag.p99());
            l.put("max", lag.max());
        }
        l.put("count", lag.count());
        report.put("drained", drained);
        report.put("keys_checked", t.checked());
        report.put("fresh_keys", t.fresh());
        report.put("converged_keys", t.converged());
        report.put("stale_keys", t.stale());
        report.put("missing_keys", t.missing());
        report.put("extra_keys", t.extra());
        report.put("sensitive_leaks", reads.leaks.sum());
        report.put("sync_instances", options.syncInstances());
        report.put("api_instances", options.apiInstances());
        report.put("consistency_nines", sync.nines());
        ObjectNode checks = report.putObject("consistency_checks");
        for (ConsistencyAuditor.Result res : ConsistencyAuditor.Result.values()) {
            checks.put(res.name().toLowerCase(Locale.ROOT), sync.audited(res));
        }
        ObjectNode per = report.putObject("entities");
        verify.perEntity().forEach((name, c) -> per.putObject(name).put("checked", c.checked()).put("fresh", c.fresh()).put("converged", c.converged())
                .put("stale", c.stale()).put("missing", c.missing()).put("extra", c.extra()));
        var samples = report.putArray("samples");
        verify.samples().forEach(samples::add);

        out.println("summary:");
        out.printf(Locale.ROOT, "  writes %,d  events applied %,d  reads %,d  hit rate %s%n", writer.writes(),
                sync.processed(), reads.reads.sum(), hitRate(reads, "%.1f %%"));
        if (lag.count() == 0) {
            out.println("  e2e lag (commit -> applied in Redis): no changes after the snapshot, nothing to measure");
        } else {
            out.printf("  e2e lag (commit -> applied in Redis): p50 %d ms, p99 %d ms, max %d ms over %,d changes%n",
                    lag.p50(), lag.p99(), lag.max(), lag.count());
        }
        out.printf("  keys checked %,d: fresh %,d, converged %,d, stale %,d, missing %,d, extra %,d; sensitive leaks %d%n",
                t.checked(), t.fresh(), t.converged(), t.stale(), t.missing(), t.extra(), reads.leaks.sum());
        if (sync.auditsJudged() == 0) {
            out.println("  live auditor: no sampled checks (nothing applied to audit)");
        } else {
            out.printf(Locale.ROOT, "  live auditor: %,d sampled checks, %,d consistent, %,d converged, %,d stale or extra: %.2f nines%n",
                    sync.auditsJudged(), sync.audited(ConsistencyAuditor.Result.CONSISTENT), sync.audited(ConsistencyAuditor.Result.CONVERGED),
                    sync.auditsInconsistent(), sync.nines());
        }
        verify.samples().forEach(s -> out.println("    " + s));
        if (options.reportFile() != null) {
            writeJson(options.reportFile(), report);
            out.println("  report written to " + options.reportFile());
        }
        boolean ok = verify.clean(false) && reads.leaks.sum() == 0;
        out.println(ok ? "OK: the cache equals the database" : "FAILED: the cache differs from the database");
        return ok ? 0 : 1;
    }

    private static void writeJson(Path file, ObjectNode node) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.writeString(file, ValueCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node) + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
