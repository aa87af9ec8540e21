package io.cachesync.ingest;

import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.metrics.MetricsHttpServer;
import io.cachesync.core.topics.TopicProvisioner;
import io.cachesync.core.topics.Topics;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.ingest.engine.DebeziumProperties;
import io.cachesync.ingest.engine.EngineSupervisor;
import io.cachesync.ingest.publish.SensitiveColumnGuard;
import io.cachesync.ingest.source.CapturedTablesWatch;
import io.cachesync.ingest.source.DebeziumOffsets;
import io.cachesync.ingest.source.SlotMonitor;
import io.cachesync.ingest.source.SourceEpochs;
import io.cachesync.ingest.source.SourceSetup;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * cdc-ingest: checks the configured entities against the database, creates the topics and the signal table, and runs
 * the {@link EngineSupervisor} (which keeps the Debezium engine running) and the {@link SlotMonitor}, with their metrics
 * and health on {@code ingest.http-port}.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

    private final IngestConfig config;
    private final MeterRegistry registry;
    private final AtomicLong publishedTotal = new AtomicLong();
    private final AtomicLong sourceEpoch = new AtomicLong(-1);
    private final LongAdder slotGaps = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();
    private final LongAdder withheld = new LongAdder();
    private final SourceSetup setup;
    private final EngineSupervisor supervisor;
    private final SlotMonitor slotMonitor;
    private final CapturedTablesWatch tablesWatch;
    private MetricsHttpServer http;
    private volatile boolean closed;

    /** cdc-ingest with its own Prometheus registry, exported on {@code ingest.http-port}. */
    public IngestService(IngestConfig config) {
        this(config, Metrics.newRegistry());
    }

    /** cdc-ingest reporting to {@code registry} (the demo shares one registry between the three services). */
    public IngestService(IngestConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        FunctionCounter.builder(MetricNames.EVENTS_CAPTURED, this, IngestService::published)
                .description("Change events published to Kafka and acknowledged").register(registry);
        Gauge.builder(MetricNames.SOURCE_EPOCH, sourceEpoch, AtomicLong::get)
                .description("The source epoch cdc-ingest reads under (-1 before the first start); it rises when the database is "
                        + "restored, promoted or replaced").register(registry);
        FunctionCounter.builder(MetricNames.EVENTS_TOO_LARGE, tooLarge, LongAdder::sum)
                .description("Change events larger than a Kafka record may be, published as too-large changes (key and position "
                        + "only): cache-sync invalidates those rows").register(registry);
        FunctionCounter.builder(MetricNames.SLOT_GAPS, slotGaps, LongAdder::sum)
                .description("Times the replication slot was found dropped or recreated behind Debezium's offsets (changes lost "
                        + "in between): each starts a new source epoch and a full re-read").register(registry);
        DebeziumOffsets offsets = new DebeziumOffsets(config.kafkaClientConfig(), config.topics().ingestOffsets(), DebeziumProperties.ENGINE_NAME);
        this.setup = new SourceSetup(config, offsets, new SourceEpochs(config.kafkaClientConfig(), config.topics().sourceEpochs(), offsets, Clock.systemUTC()), slotGaps);
        FunctionCounter.builder(MetricNames.EVENTS_WITHHELD, withheld, LongAdder::sum)
                .description("Changes published with their key only because their table no longer has a column its entity marks "
                        + "sensitive (renamed or dropped): cache-sync invalidates those rows; fix entities.<name>.sensitive").register(registry);
        SensitiveColumnGuard guard = SensitiveColumnGuard.of(config.catalog(), e -> config.topics().cdc(e.schema(), e.table()), e -> {
            try (Connection c = config.postgres().connect()) {
                return SchemaCheck.missingSensitive(c, e);
            }
        }, withheld);
        this.supervisor = new EngineSupervisor(config, setup, cdcTopics(config), publishedTotal, tooLarge, sourceEpoch, guard);
        this.slotMonitor = new SlotMonitor(config, registry);
        this.tablesWatch = new CapturedTablesWatch(config, registry);
    }

    /** The CDC topics of the configured entities. */
    public static List<String> cdcTopics(IngestConfig c) {
        return c.catalog().cdcFed().stream().map(e -> c.topics().cdc(e.schema(), e.table())).toList();
    }

    public IngestService start() {
        LOG.info("cdc-ingest starting: {}", config);
        SchemaCheck.atStart("cdc-ingest", config.catalog(), config.postgres());
        TopicProvisioner.ensure(config.kafkaClientConfig(), cdcTopics(config), config.topicPartitions(), config.replicationFactor(),
                Topics.TOPIC_CONFIG, Duration.ofSeconds(60));
        TopicProvisioner.ensure(config.kafkaClientConfig(), List.of(config.topics().ingestOffsets(),
                config.topics().sourceEpochs(), config.topics().schemas()), 1, config.replicationFactor(),
                Topics.COMPACTED_TOPIC_CONFIG, Duration.ofSeconds(60));
        setup.createSignalTable();
        supervisor.start();
        slotMonitor.start();
        tablesWatch.start();
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            http = MetricsHttpServer.start("0.0.0.0", config.httpPort(), prometheus, this::isLive, this::isRunning, "cdc-ingest");
        }
        return this;
    }

    /** The port of /metrics and /health, or -1 when off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** See {@link EngineSupervisor#isLive()}. */
    public boolean isLive() {
        return supervisor.isLive();
    }

    /** True while the Debezium task runs (snapshotting or streaming). */
    public boolean isRunning() {
        return supervisor.isRunning();
    }

    /** Change events published and acknowledged since start (across engine restarts). */
    public long published() {
        return publishedTotal.get();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        supervisor.close();
        slotMonitor.close();
        tablesWatch.close();
        if (http != null) {
            http.close();
        }
        LOG.info("cdc-ingest stopped");
    }
}
