package io.cachesync.ingest;

import io.cachesync.core.topics.TopicProvisioner;
import io.cachesync.core.topics.Topics;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.ingest.engine.DebeziumProperties;
import io.cachesync.ingest.publish.KafkaChangePublisher;
import io.cachesync.ingest.source.DebeziumOffsets;
import io.cachesync.ingest.source.SourceEpochs;
import io.cachesync.ingest.source.SourceIdentity;
import io.cachesync.ingest.source.SlotContinuity;
import io.cachesync.core.consistency.SourceEpoch;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * cdc-ingest: runs the Debezium embedded engine and restarts it (with capped exponential backoff) when it stops
 * with an error, until {@link #close()}. Offsets are in Kafka, so a restart — or a kill -9 of the whole process —
 * resumes from the last acknowledged event.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final IngestConfig config;
    private final ExecutorService supervisor = Executors.newSingleThreadExecutor(r -> new Thread(r, "cachesync-ingest-supervisor"));
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "cachesync-ingest-engine"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile DebeziumEngine<ChangeEvent<String, String>> engine;
    private volatile boolean closing;
    private volatile boolean streaming;
    /** When the engine last stopped running (or the service started); meaningful while {@link #streaming} is false. */
    private volatile long notRunningSince = System.nanoTime();
    private volatile java.util.concurrent.Future<?> supervision;
    /** How long the engine may fail to run before liveness fails (the process is then restarted). */
    static final Duration CRASH_LOOP_AFTER = Duration.ofMinutes(5);
    private final io.micrometer.core.instrument.MeterRegistry registry;
    private final java.util.concurrent.atomic.AtomicLong publishedTotal = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong slotLagBytes = new java.util.concurrent.atomic.AtomicLong(-1);
    private final java.util.concurrent.ScheduledExecutorService slotWatcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cachesync-ingest-slot");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.atomic.AtomicLong sourceEpoch = new java.util.concurrent.atomic.AtomicLong(-1);
    private final SourceEpochs sourceEpochs;
    private final DebeziumOffsets offsets;
    private final java.util.concurrent.atomic.LongAdder slotGaps = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder tooLarge = new java.util.concurrent.atomic.LongAdder();
    private io.cachesync.core.metrics.MetricsHttpServer http;

    /** cdc-ingest with its own Prometheus registry, exported on {@code ingest.http-port}. */
    public IngestService(IngestConfig config) {
        this(config, io.cachesync.core.metrics.Metrics.newRegistry());
    }

    /** cdc-ingest reporting to {@code registry} (the demo shares one registry between the three services). */
    public IngestService(IngestConfig config, io.micrometer.core.instrument.MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        io.micrometer.core.instrument.FunctionCounter.builder(io.cachesync.core.metrics.MetricNames.EVENTS_CAPTURED, this, IngestService::published)
                .description("Change events published to Kafka and acknowledged").register(registry);
        io.micrometer.core.instrument.Gauge.builder(io.cachesync.core.metrics.MetricNames.SLOT_LAG, slotLagBytes, java.util.concurrent.atomic.AtomicLong::get)
                .baseUnit("bytes").tag("slot", config.slotName())
                .description("WAL the replication slot holds: current WAL position minus the slot's confirmed flush position")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder(io.cachesync.core.metrics.MetricNames.SOURCE_EPOCH, sourceEpoch, java.util.concurrent.atomic.AtomicLong::get)
                .description("The source epoch cdc-ingest reads under (-1 before the first start); it rises when the database is "
                        + "restored, promoted or replaced").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(io.cachesync.core.metrics.MetricNames.EVENTS_TOO_LARGE, tooLarge,
                        java.util.concurrent.atomic.LongAdder::sum)
                .description("Change events larger than a Kafka record may be, published as too-large changes (key and position "
                        + "only): cache-sync invalidates those rows").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(io.cachesync.core.metrics.MetricNames.SLOT_GAPS, slotGaps,
                        java.util.concurrent.atomic.LongAdder::sum)
                .description("Times the replication slot was found dropped or recreated behind Debezium's offsets (changes lost "
                        + "in between): each starts a new source epoch and a full re-read").register(registry);
        this.offsets = new DebeziumOffsets(config.kafkaClientConfig(), DebeziumProperties.ENGINE_NAME);
        this.sourceEpochs = new SourceEpochs(config.kafkaClientConfig(), offsets, java.time.Clock.systemUTC());
    }

    /** The CDC topics of the configured entities. */
    public static List<String> cdcTopics(IngestConfig c) {
        return c.catalog().cdcFed().stream().map(e -> Topics.cdc(e.schema(), e.table())).toList();
    }

    public IngestService start() {
        LOG.info("cdc-ingest starting: {}", config);
        TopicProvisioner.ensure(config.kafkaClientConfig(), cdcTopics(config), config.topicPartitions(), config.replicationFactor(),
                Topics.TOPIC_CONFIG, Duration.ofSeconds(60));
        TopicProvisioner.ensure(config.kafkaClientConfig(), List.of(Topics.INGEST_OFFSETS, Topics.SOURCE_EPOCHS), 1, config.replicationFactor(),
                Topics.COMPACTED_TOPIC_CONFIG, Duration.ofSeconds(60));
        createSignalTable();
        notRunningSince = System.nanoTime();
        supervision = supervisor.submit(this::superviseLoop);
        slotWatcher.scheduleWithFixedDelay(this::refreshSlotLag, 1, 10, TimeUnit.SECONDS);
        if (registry instanceof io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus) {
            http = io.cachesync.core.metrics.MetricsHttpServer.start("0.0.0.0", config.httpPort(), prometheus, this::isLive, this::isRunning, "cdc-ingest");
        }
        return this;
    }

    private java.sql.Connection connect() throws java.sql.SQLException {
        return io.cachesync.core.config.Jdbc.connect(config.jdbcUrl(), config.user(), config.password(), config.sslMode());
    }

    /** The Debezium signal table (resync requests are rows in it); created when missing. */
    private void createSignalTable() {
        try (java.sql.Connection c = connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + config.signalTable()
                    + " (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
        } catch (java.sql.SQLException e) {
            LOG.warn("cdc-ingest: cannot create the signal table {} ({}); resync will not work until it exists",
                    config.signalTable(), e.getMessage());
        }
    }

    /** The slot's confirmed flush position as a number (0 when the slot does not exist yet). */
    private long confirmedFlushLsn() {
        try (java.sql.Connection c = connect();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (java.sql.SQLException e) {
            LOG.debug("cannot read the slot position: {}", e.getMessage());
            return 0;
        }
    }

    private void refreshSlotLag() {
        try (java.sql.Connection c = connect();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) "
                     + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                slotLagBytes.set(rs.next() ? rs.getLong(1) : -1);
            }
        } catch (java.sql.SQLException e) {
            LOG.debug("slot lag query failed: {}", e.getMessage());
        }
    }

    /** The port of /metrics and /health, or -1 when off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /**
     * Runs the engine until {@link #close()}, restarting it after it stopped (capped exponential backoff, reset after a
     * clean run). Before every start the database's identity is resolved to its source epoch: a restore, a promotion or
     * a new cluster found here starts a new epoch (SourceEpochs). Whatever fails in one round is logged and retried.
     */
    private void superviseLoop() {
        try {
            supervise();
        } catch (Throwable t) {
            LOG.error("cdc-ingest: the engine supervisor died; /health/live now fails so that the process is restarted", t);
            throw t;
        }
    }

    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        while (!closing) {
            boolean clean = false;
            try {
                SourceEpoch epoch = sourceEpochs.resolve(SourceIdentity.read(config.jdbcUrl(), config.user(), config.password(), config.sslMode()),
                        slotGap());
                sourceEpoch.set(epoch.epoch());
                clean = runEngine(epoch);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.sql.SQLException | RuntimeException e) {
                if (!closing) {
                    LOG.warn("cdc-ingest: cannot start the engine: {}", e.toString());
                }
            }
            if (closing) {
                break;
            }
            LOG.warn("cdc-ingest: restarting the engine in {} ms", backoff.toMillis());
            try {
                if (stopped.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = clean ? FIRST_BACKOFF : backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Why the slot no longer continues the stored offsets (a new source epoch is then started), or empty. */
    private java.util.Optional<String> slotGap() throws java.sql.SQLException {
        try (java.sql.Connection c = connect()) {
            java.util.Optional<String> gap = SlotContinuity.broken(c, config.slotName(), offsets.read());
            gap.ifPresent(why -> {
                slotGaps.increment();
                LOG.error("cdc-ingest: {}; every table is read again under a new source epoch", why);
            });
            return gap;
        }
    }

    /** Runs one engine until it stops; true when it stopped without an error. */
    private boolean runEngine(SourceEpoch epoch) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        boolean[] success = new boolean[1];
        KafkaChangePublisher pub = new KafkaChangePublisher(config.kafkaClientConfig(), new java.util.HashSet<>(cdcTopics(config)), publishedTotal,
                confirmedFlushLsn(), epoch, tooLarge);
        try {
            DebeziumEngine<ChangeEvent<String, String>> e = DebeziumEngine.create(Json.class)
                    .using(DebeziumProperties.of(config))
                    .notifying(pub)
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void taskStarted() {
                            streaming = true;
                            notRunningSince = 0;
                            LOG.info("cdc-ingest: Debezium task started (slot {}, source epoch {})", config.slotName(), epoch.epoch());
                        }

                        @Override
                        public void taskStopped() {
                            stoppedRunning();
                        }
                    })
                    .using((ok, message, error) -> {
                        success[0] = ok;
                        failure[0] = error;
                        if (!ok && !closing) {
                            LOG.warn("cdc-ingest: Debezium engine stopped: {}", message, error);
                        }
                        done.countDown();
                    })
                    .build();
            engine = e;
            engineThread.submit(e);
            done.await();
            return success[0] && failure[0] == null;
        } finally {
            stoppedRunning();
            pub.close();
        }
    }

    private void stoppedRunning() {
        if (streaming || notRunningSince == 0) {
            notRunningSince = System.nanoTime();
        }
        streaming = false;
    }

    /**
     * Live while the supervisor runs and the engine ran within {@link #CRASH_LOOP_AFTER}: a supervisor that died, or an
     * engine that fails every start for that long (crash-looping), fails {@code /health/live} so the process is restarted.
     */
    public boolean isLive() {
        java.util.concurrent.Future<?> f = supervision;
        if (closing || f == null) {
            return !closing;
        }
        return !f.isDone() && (streaming || System.nanoTime() - notRunningSince < CRASH_LOOP_AFTER.toNanos());
    }

    /** True while the Debezium task runs (snapshotting or streaming). */
    public boolean isRunning() {
        return streaming;
    }

    /** Change events published and acknowledged since start (across engine restarts). */
    public long published() {
        return publishedTotal.get();
    }

    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        stopped.countDown();
        DebeziumEngine<ChangeEvent<String, String>> e = engine;
        if (e != null) {
            try {
                e.close();
            } catch (IOException ex) {
                LOG.warn("cdc-ingest: error while closing the engine: {}", ex.toString());
            }
        }
        shutdown(supervisor);
        shutdown(engineThread);
        slotWatcher.shutdownNow();
        if (http != null) {
            http.close();
        }
        LOG.info("cdc-ingest stopped");
    }

    private static void shutdown(ExecutorService ex) {
        ex.shutdown();
        try {
            if (!ex.awaitTermination(30, TimeUnit.SECONDS)) {
                ex.shutdownNow();
            }
        } catch (InterruptedException ie) {
            ex.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
