package io.cachesync.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.app.demo.DemoSchema;
import io.cachesync.app.demo.StackSettings;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.topics.TopicNames;
import io.cachesync.devstack.DevStack;
import io.cachesync.devstack.StackProvider;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * {@code cachesync bench}: on one devstack, the e2e lag at fixed write rates, the sync throughput against the naive
 * sink and Redis's own ceiling, and the read API against its ceilings; on a second one, the view product_pages served
 * from the cache against the same document built by SQL, and the rate its documents are re-written at. Progress goes to {@code progress}; the table (or,
 * with --json, the JSON) to {@code out}.
 */
public final class BenchRunner {
    /** Exit code when --check is given and a target of issue 7 was missed. */
    public static final int TARGET_MISSED = 3;
    private static final String TEMPLATE_NAME = "cachesync bench template";

    private final BenchOptions options;
    private final PrintStream out;
    private final PrintStream progress;
    private final boolean json;

    public BenchRunner(BenchOptions options, boolean json, PrintStream out, PrintStream progress) {
        this.options = options;
        this.json = json;
        this.out = out;
        this.progress = progress;
    }

    /** Runs the bench; returns the report (the caller decides the exit code). */
    public BenchReport run() throws Exception {
        long start = System.nanoTime();
        BenchReport report = new BenchReport();
        if (options.runsEntitySections()) {
            entitySections(report, start);
        }
        if (options.runs("view")) {
            view(report, start);
        }
        progress.printf("[%s] done%n", elapsed(start));
        String table = report.table();
        if (json) {
            progress.print(table);
            out.println(ValueCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
        } else {
            out.print(table);
        }
        if (options.report() != null) {
            write(options.report(), ValueCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
            progress.println("report written to " + options.report());
        }
        return report;
    }

    /**
     * The view section on a devstack of its own, with the demo's configuration ({@link DemoSchema#WITH_VIEWS}): the other
     * sections' figures stay comparable with runs made before views (no view topology beside them), and the view
     * section meets neither their 400,000 extra products nor their CDC backlog.
     */
    private void view(BenchReport report, long start) throws Exception {
        progress.printf("[%s] view: a devstack of its own: PostgreSQL 17, Kafka 4.3 (KRaft) and Redis on free loopback ports ...%n", elapsed(start));
        try (DevStack stack = DevStack.start()) {
            Supplier<Connection> db = DemoSchema.connections(stack);
            DemoSchema.createAndSeed(db);
            try (Connection c = db.get(); Statement st = c.createStatement()) {
                st.execute("ANALYZE");
            }
            OptionalLong redisPid = stack.provider() == StackProvider.EMBEDDED ? OptionalLong.of(stack.redis().pid()) : OptionalLong.empty();
            Map<String, String> overrides = new HashMap<>(Map.of("sync.audit-fraction", "0"));
            overrides.putAll(options.overrides());
            Settings settings = StackSettings.of(stack, DemoSchema.WITH_VIEWS, overrides);
            progress.printf("[%s] view: product_pages over %,d products (%,d rows in five tables); cdc-ingest and cache-sync with its view topology%n",
                    elapsed(start), DemoSchema.PRODUCTS, DemoSchema.TOTAL_ROWS);
            new ViewBench(settings, db, stack.kafka().bootstrapServers(), Files.createDirectories(stack.workDir().resolve("bench")),
                    options.connections(), options.apiSeconds(), new CpuMeter(redisPid), progress).run(report);
        }
    }

    /** lag, sync, api and capacity: on one devstack, with products and users ({@link DemoSchema#ENTITIES}). */
    private void entitySections(BenchReport report, long start) throws Exception {
        progress.println("cachesync bench: starting PostgreSQL 17, Kafka 4.3 (KRaft) and Redis on free loopback ports ...");
        try (DevStack stack = DevStack.start()) {
            Supplier<Connection> db = DemoSchema.connections(stack);
            DemoSchema.createAndSeed(db);
            boolean hostProcesses = stack.provider() == StackProvider.EMBEDDED;
            OptionalLong redisPid = hostProcesses ? OptionalLong.of(stack.redis().pid()) : OptionalLong.empty();
            CpuMeter cpu = new CpuMeter(redisPid);
            Map<String, String> overrides = new HashMap<>(Map.of("sync.audit-fraction", "0"));
            overrides.putAll(options.overrides());
            Settings settings = StackSettings.of(stack, overrides);
            byte[] template = null;
            if (options.runs("lag") || options.runs("sync")) {
                template = lagAndTemplate(stack, db, settings, cpu, report, start);
            }
            if (options.runs("sync")) {
                progress.printf("[%s] sync: %,d events over %,d rows, batched (cache-sync) vs naive (one SET per record) vs redis-benchmark%n",
                        elapsed(start), options.events(), options.syncRows());
                Map<String, String> syncOverrides = new HashMap<>(options.overrides());
                syncOverrides.putAll(withBenchEntity());
                Map<String, String> syncSettings = StackSettings.map(stack, syncOverrides);
                report.sync(new SyncThroughputBench(stack, cpu, progress).run(template, options.events(), options.syncRows(), options.naiveSeconds(), syncSettings));
            }
            if (options.runs("api")) {
                progress.printf("[%s] api: seeding %,d product rows%n", elapsed(start), ApiBench.ROWS);
                try (Connection c = db.get(); Statement st = c.createStatement()) {
                    st.execute("INSERT INTO public.products (id, name, category, price) SELECT g, 'product ' || g, 'category-' || (g % 25), "
                            + "round((1 + random() * 999)::numeric, 2) FROM generate_series(1, " + ApiBench.ROWS + ") g ON CONFLICT DO NOTHING");
                    st.execute("ANALYZE public.products");
                }
                SyncThroughputBench.flushRedis(stack);
                new ApiBench(settings, Files.createDirectories(stack.workDir().resolve("bench")), options.connections(), options.apiSeconds(), cpu, progress)
                        .run(report);
            }
            if (options.runs("capacity")) {
                progress.printf("[%s] capacity: the commit rate cdc-ingest and cache-sync keep up with, %d s per rate%n", elapsed(start),
                        options.capacitySeconds());
                OptionalLong postgresPid = hostProcesses ? OptionalLong.of(stack.postgres().pid()) : OptionalLong.empty();
                capacity(new CapacityBench(db, new ComponentCpu(postgresPid, redisPid), options.capacitySeconds(), progress), settings, report);
            }
        }
    }

    /** The lag section, and the captured event the sync section's template is made of, on one cdc-ingest (its snapshot taken once). */
    private byte[] lagAndTemplate(DevStack stack, Supplier<Connection> db, Settings settings, CpuMeter cpu, BenchReport report, long start)
            throws Exception {
        byte[] template = null;
        try (IngestService ingest = new IngestService(IngestConfig.from(settings)).start()) {
            if (options.runs("lag")) {
                progress.printf("[%s] lag: cdc-ingest and cache-sync on the devstack, %d s per rate%n", elapsed(start), options.lagSeconds());
                try (SyncService sync = new SyncService(SyncConfig.from(settings)).start()) {
                    awaitSnapshot(sync);
                    for (int rate : options.lagRates()) {
                        report.lag(new LagBench(db, sync, DemoSchema.PRODUCTS, cpu, progress).run(rate, options.lagSeconds()));
                    }
                }
            }
            if (options.runs("sync")) {
                template = captureTemplate(stack, db, ingest);
            }
        }
        return template;
    }

    /** The ceilings first (nothing of cachesync running), then each shape's ladder on one pipeline. */
    private void capacity(CapacityBench capacity, Settings settings, BenchReport report) throws Exception {
        Map<CapacityBench.Shape, Double> ceilings = new EnumMap<>(CapacityBench.Shape.class);
        for (CapacityBench.Shape shape : CapacityBench.Shape.values()) {
            ceilings.put(shape, capacity.ceiling(shape));
        }
        try (IngestService ingest = new IngestService(IngestConfig.from(settings)).start();
             SyncService sync = new SyncService(SyncConfig.from(settings)).start()) {
            awaitQuiet(sync);
            for (CapacityBench.Shape shape : CapacityBench.Shape.values()) {
                report.capacity(capacity.run(shape, sync, ceilings.get(shape)));
            }
        }
    }

    /** Waits until cache-sync applied what was there before (the snapshot, the ceilings' changes): nothing consumed for 3 s. */
    private void awaitQuiet(SyncService sync) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(3) || sync.stats().processed() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cache-sync did not catch up with the changes before the capacity ladder within 10 minutes ("
                        + sync.stats().processed() + " applied)");
            }
            long now = sync.stats().processed();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        progress.printf("  capacity: pipeline caught up (%,d changes applied before the ladder)%n", sync.stats().processed());
    }

    /** Whether the load generator of the api section is installed. */
    public static boolean wrkInstalled() {
        return Wrk.installed();
    }

    private static Map<String, String> withBenchEntity() {
        Map<String, String> m = new HashMap<>(SyncThroughputBench.entitySettings());
        m.put("sync.audit-fraction", "0");
        return m;
    }

    private void awaitSnapshot(SyncService sync) {
        long target = DemoSchema.ENTITY_ROWS;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (sync.stats().processed() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the initial snapshot applied only " + sync.stats().processed() + " of " + target + " rows in 3 minutes");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        progress.printf("  lag: initial snapshot applied (%,d rows)%n", sync.stats().processed());
    }

    /** Updates one product row and returns the Debezium event cdc-ingest published for it (the sync figures' template). */
    private byte[] captureTemplate(DevStack stack, Supplier<Connection> db, IngestService ingest) throws SQLException, IOException {
        // an update made before the initial snapshot finished would be read by the snapshot (op=r), not streamed
        long snapshotDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (ingest.published() < DemoSchema.ENTITY_ROWS) {
            if (System.nanoTime() > snapshotDeadline) {
                throw new IllegalStateException("cdc-ingest published only " + ingest.published() + " snapshot events in 3 minutes");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        try (Connection c = db.get(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE public.products SET name = '" + TEMPLATE_NAME + "', updated_at = now() WHERE id = 1");
        }
        String topic = TopicNames.DEFAULT.cdc("public", "products");
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode payload = ValueCodec.mapper().readTree(r.value()).path("payload");
                    if ("u".equals(payload.path("op").asText()) && TEMPLATE_NAME.equals(payload.path("after").path("name").asText())) {
                        progress.printf("  sync: template: the update event cdc-ingest published for products id 1 (%,d bytes)%n", r.value().length);
                        return r.value();
                    }
                }
            }
        }
        throw new IllegalStateException("cdc-ingest did not publish the template update within 60 s");
    }

    private static String elapsed(long start) {
        long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        return String.format("%d:%02d", s / 60, s % 60);
    }

    private static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text + System.lineSeparator());
    }
}
