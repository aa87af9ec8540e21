package io.cachesync.ingest;

import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.config.Jdbc;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.metrics.MetricNames;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.metrics.MetricsHttpServer;
import io.cachesync.core.topics.TopicProvisioner;
import io.cachesync.core.topics.Topics;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.ingest.engine.DebeziumProperties;
import io.cachesync.ingest.publish.KafkaChangePublisher;
import io.cachesync.ingest.source.DebeziumOffsets;
import io.cachesync.ingest.source.PublicationCoverage;
import io.cachesync.ingest.source.SlotContinuity;
import io.cachesync.ingest.source.SourceEpochs;
import io.cachesync.ingest.source.SourceIdentity;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * cdc-ingest: runs the Debezium embedded engine and restarts it (with capped exponential backoff) when it stops
 * with an error, until {@link #close()}. Offsets are in Kafka, so a restart — or a kill -9 of the whole process —
 * resumes from the last acknowledged event.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    /** Restarts are cheap (a JDBC connection, a small topic read): a slot freed a moment later is taken within seconds. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final IngestConfig config;
    private final ExecutorService supervisor = Executors.newSingleThreadExecutor(r -> new Thread(r, "cachesync-ingest-supervisor"));
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "cachesync-ingest-engine"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile DebeziumEngine<ChangeEvent<String, String>> engine;
    private volatile boolean closing;
    private volatile boolean streaming;
    /** When the engine last stopped running (or the service started); meaningful while {@link #streaming} is false. */
    private volatile long notRunningSince = System.nanoTime();
    private volatile Future<?> supervision;
    /** How long the engine may fail to run before liveness fails (the process is then restarted). */
    static final Duration CRASH_LOOP_AFTER = Duration.ofMinutes(5);
    private final MeterRegistry registry;
    private final AtomicLong publishedTotal = new AtomicLong();
    private final AtomicLong slotLagBytes = new AtomicLong(-1);
    private final ScheduledExecutorService slotWatcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cachesync-ingest-slot");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong sourceEpoch = new AtomicLong(-1);
    private final SourceEpochs sourceEpochs;
    private final DebeziumOffsets offsets;
    private final LongAdder slotGaps = new LongAdder();
    private final LongAdder tooLarge = new LongAdder();
    private MetricsHttpServer http;

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
        Gauge.builder(MetricNames.SLOT_LAG, slotLagBytes, AtomicLong::get)
                .baseUnit("bytes").tag("slot", config.slotName())
                .description("WAL the replication slot holds: current WAL position minus the slot's confirmed flush position")
                .register(registry);
        Gauge.builder(MetricNames.SOURCE_EPOCH, sourceEpoch, AtomicLong::get)
                .description("The source epoch cdc-ingest reads under (-1 before the first start); it rises when the database is "
                        + "restored, promoted or replaced").register(registry);
        FunctionCounter.builder(MetricNames.EVENTS_TOO_LARGE, tooLarge,
                        LongAdder::sum)
                .description("Change events larger than a Kafka record may be, published as too-large changes (key and position "
                        + "only): cache-sync invalidates those rows").register(registry);
        FunctionCounter.builder(MetricNames.SLOT_GAPS, slotGaps,
                        LongAdder::sum)
                .description("Times the replication slot was found dropped or recreated behind Debezium's offsets (changes lost "
                        + "in between): each starts a new source epoch and a full re-read").register(registry);
        this.offsets = new DebeziumOffsets(config.kafkaClientConfig(), DebeziumProperties.ENGINE_NAME);
        this.sourceEpochs = new SourceEpochs(config.kafkaClientConfig(), offsets, Clock.systemUTC());
    }

    /** The CDC topics of the configured entities. */
    public static List<String> cdcTopics(IngestConfig c) {
        return c.catalog().cdcFed().stream().map(e -> Topics.cdc(e.schema(), e.table())).toList();
    }

    public IngestService start() {
        LOG.info("cdc-ingest starting: {}", config);
        SchemaCheck.atStart("cdc-ingest", config.catalog(), config.jdbcUrl(), config.user(), config.password(), config.sslMode());
        TopicProvisioner.ensure(config.kafkaClientConfig(), cdcTopics(config), config.topicPartitions(), config.replicationFactor(),
                Topics.TOPIC_CONFIG, Duration.ofSeconds(60));
        TopicProvisioner.ensure(config.kafkaClientConfig(), List.of(Topics.INGEST_OFFSETS, Topics.SOURCE_EPOCHS), 1, config.replicationFactor(),
                Topics.COMPACTED_TOPIC_CONFIG, Duration.ofSeconds(60));
        createSignalTable();
        notRunningSince = System.nanoTime();
        supervision = supervisor.submit(this::superviseLoop);
        slotWatcher.scheduleWithFixedDelay(this::refreshSlotLag, 1, 10, TimeUnit.SECONDS);
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            http = MetricsHttpServer.start("0.0.0.0", config.httpPort(), prometheus, this::isLive, this::isRunning, "cdc-ingest");
        }
        return this;
    }

    private Connection connect() throws SQLException {
        return Jdbc.connect(config.jdbcUrl(), config.user(), config.password(), config.sslMode());
    }

    /**
     * The Debezium signal table (resync requests are rows in it); created when missing. A least-privileged ingest user
     * cannot create tables: there the administrator creates it, and it is only checked here.
     */
    private void createSignalTable() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + config.signalTable() + "') IS NOT NULL")) {
                if (rs.next() && rs.getBoolean(1)) {
                    return;
                }
            }
            st.execute("CREATE TABLE IF NOT EXISTS " + config.signalTable()
                    + " (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
        } catch (SQLException e) {
            LOG.warn("cdc-ingest: cannot create the signal table {} ({}); resync will not work until it exists",
                    config.signalTable(), e.getMessage());
        }
    }

    /** The slot's confirmed flush position as a number (0 when the slot does not exist yet). */
    private long confirmedFlushLsn() {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            LOG.debug("cannot read the slot position: {}", e.getMessage());
            return 0;
        }
    }

    private void refreshSlotLag() {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) "
                     + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, config.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                slotLagBytes.set(rs.next() ? rs.getLong(1) : -1);
            }
        } catch (SQLException e) {
            LOG.debug("slot lag query failed: {}", e.getMessage());
        }
    }

    /** The port of /metrics and /health, or -1 when off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /**
     * Runs the engine until {@link #close()}, restarting it after it stopped (exponential backoff capped at 5 s, reset
     * whenever the engine's task had started). Before every start the database's identity is resolved to its source epoch: a restore, a promotion or
     * a new cluster found here starts a new epoch (SourceEpochs). Whatever fails in one round is logged and retried.
     */
    private void superviseLoop() {
        try {
            supervise();
        } catch (Throwable t) {
            LOG.error("cdc-ingest: the engine supervisor died; /health/live now fails so that the process is restarted", t);
            throw t;
        }
        if (!closing) {
            // interrupted from outside (nothing here interrupts it before close()): as dead as by an exception
            LOG.error("cdc-ingest: the engine supervisor died (interrupted, not closed); /health/live now fails so that the process is restarted");
        }
    }

    private void supervise() {
        Duration backoff = FIRST_BACKOFF;
        while (!closing) {
            boolean started = false;
            try {
                SourceEpoch epoch = sourceEpochs.resolve(SourceIdentity.read(config.jdbcUrl(), config.user(), config.password(), config.sslMode()),
                        slotGap());
                sourceEpoch.set(epoch.epoch());
                recreateSlotForSnapshot();
                checkPublication();
                started = runEngine(epoch);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            } catch (SQLException | RuntimeException e) {
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
            backoff = started ? FIRST_BACKOFF : backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Why the slot no longer continues the stored offsets (a new source epoch is then started), or empty. */
    private Optional<String> slotGap() throws SQLException {
        try (Connection c = connect()) {
            Optional<String> gap = SlotContinuity.broken(c, config.slotName(), offsets.read());
            gap.ifPresent(why -> {
                slotGaps.increment();
                LOG.error("cdc-ingest: {}; every table is read again under a new source epoch", why);
            });
            return gap;
        }
    }

    /** With a publication an administrator owns: every captured table must be in it (a missing one is never streamed). */
    private void checkPublication() throws SQLException {
        if (!"disabled".equals(config.publicationAutocreate())) {
            return;
        }
        try (Connection c = connect()) {
            PublicationCoverage.require(c, config.publicationName(), config.capturedTables());
        }
    }

    /** Drops an existing slot before a start that re-reads every table, so that the snapshot is the slot's own. */
    private void recreateSlotForSnapshot() throws SQLException {
        try (Connection c = connect()) {
            SlotContinuity.dropBeforeFreshSnapshot(c, config.slotName(), offsets.read(), config.snapshotMode()).ifPresent(position ->
                    LOG.warn("cdc-ingest: dropped the replication slot {} (at position {}) before reading every table: Debezium creates it "
                            + "again and reads the tables in the snapshot it exports, so that no change committed meanwhile is missed",
                            config.slotName(), position));
        }
    }

    /** Runs one engine until it stops; true when its task had started (it ran, whatever stopped it). */
    private boolean runEngine(SourceEpoch epoch) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        boolean[] taskStarted = new boolean[1];
        KafkaChangePublisher pub = new KafkaChangePublisher(config.kafkaClientConfig(), new HashSet<>(cdcTopics(config)), publishedTotal,
                confirmedFlushLsn(), epoch, tooLarge);
        try {
            DebeziumEngine<ChangeEvent<String, String>> e = DebeziumEngine.create(Json.class)
                    .using(DebeziumProperties.of(config))
                    .notifying(pub)
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void taskStarted() {
                            taskStarted[0] = true;
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
                        if (!ok && !closing) {
                            LOG.warn("cdc-ingest: Debezium engine stopped: {}", message, error);
                        }
                        done.countDown();
                    })
                    .build();
            engine = e;
            engineThread.submit(e);
            done.await();
            return taskStarted[0];
        } finally {
            stoppedRunning();
            try {
                pub.close();
            } catch (RuntimeException ex) {
                // never in place of what ended the engine (a close interrupted by ThreadDeath or an interrupt would be)
                LOG.warn("cdc-ingest: closing the publisher failed: {}", ex.toString());
            }
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
        Future<?> f = supervision;
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
            } catch (IOException | RuntimeException ex) {
                // an engine already stopping or stopped says so by an IllegalStateException: the rest must still close
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
