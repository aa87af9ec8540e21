package io.cachesync.sync;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.SchemaCheck;
import io.cachesync.core.metrics.Metrics;
import io.cachesync.core.metrics.MetricsHttpServer;
import io.cachesync.core.redis.CacheStore;
import io.cachesync.core.topics.TopicProvisioner;
import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.topics.Topics;
import io.cachesync.core.util.Threads;
import io.cachesync.sync.audit.ConsistencyAuditor;
import io.cachesync.sync.config.SyncConfig;
import io.cachesync.sync.recovery.CacheRebuilder;
import io.cachesync.sync.recovery.SourceFloor;
import io.cachesync.sync.redis.DeadLetterWriter;
import io.cachesync.sync.redis.InvalidationHeartbeat;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.SyncStats;
import io.cachesync.sync.envelope.SchemaTopic;
import io.cachesync.sync.topology.DeadLetterProductionHandler;
import io.cachesync.sync.topology.SyncTopology;
import io.cachesync.sync.topology.ViewTopology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** cache-sync: the Kafka Streams application that keeps Redis in step with the CDC topics. */
public final class SyncService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncService.class);

    private final SyncConfig config;
    private final SyncStats stats;
    private volatile ConsumerLagGauges consumerLag;
    private volatile ConsumerLagGauges viewLag;
    private final ScheduledExecutorService lagRefresher = Executors.newSingleThreadScheduledExecutor(Threads.daemon("cachesync-sync-lag"));
    private MetricsHttpServer http;
    private final MeterRegistry registry;
    private UnifiedJedis redis;
    private InvalidationHeartbeat heartbeat;
    private DeadLetterWriter deadLetters;
    private SchemaTopic schemas;
    private ConsistencyAuditor auditor;
    private CacheRebuilder rebuilder;
    private SourceFloor sourceFloor;
    private KafkaStreams streams;
    /** The view topology's application ({@link ViewTopology}), or null when no view is configured. */
    private KafkaStreams views;
    private volatile boolean closed;
    private RedisMutationApplier applier;
    /** The longest {@link #close()} waits for the stream threads: within the 40 s compose and the 60 s Kubernetes allow. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    /** cache-sync with its own Prometheus registry, exported on {@code sync.http-port}. */
    public SyncService(SyncConfig config) {
        this(config, Metrics.newRegistry());
    }

    /** cache-sync reporting to {@code registry} (the demo shares one registry between the three services). */
    public SyncService(SyncConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.stats = new SyncStats(registry);
    }

    public SyncService start() {
        LOG.info("cache-sync starting: {}", config);
        EntityCatalog catalog = SchemaCheck.atStart("cache-sync", config.catalog(), config.postgres());
        redis = config.redis().client(4 * config.threads() + 2, config.redisTimeout());
        CacheStore store = new CacheStore(redis, config.redis().invalidationChannel());
        store.loadScripts();
        heartbeat = InvalidationHeartbeat.start(redis, store.invalidationChannel());
        TopicNames topics = config.topics();
        TopicProvisioner.ensure(config.kafkaClientConfig(), SyncTopology.cdcTopics(topics, catalog), config.cdcTopicPartitions(),
                config.replicationFactor(), Topics.TOPIC_CONFIG, Duration.ofSeconds(60));
        TopicProvisioner.ensure(config.kafkaClientConfig(), List.of(topics.dlq(), topics.commands()), config.topicPartitions(),
                config.replicationFactor(), Topics.TOPIC_CONFIG, Duration.ofSeconds(60));
        TopicProvisioner.ensure(config.kafkaClientConfig(), List.of(topics.sourceEpochs(), topics.schemas()), 1, config.replicationFactor(),
                Topics.COMPACTED_TOPIC_CONFIG, Duration.ofSeconds(60));
        schemas = new SchemaTopic(config.kafkaClientConfig(), topics.schemas(), "cachesync-sync-schemas");
        deadLetters = new DeadLetterWriter(config.kafkaClientConfig(), topics.dlq(), stats);
        sourceFloor = new SourceFloor(catalog, store, registry).start(Duration.ofSeconds(10));
        applier = new RedisMutationApplier(store, stats, Clock.systemUTC(), config.redisRetryFor(), deadLetters,
                sourceFloor::captured);
        auditor = new ConsistencyAuditor(config.postgres(), store, registry,
                config.auditFraction(), config.auditDelay(), config.auditGrace());
        rebuilder = new CacheRebuilder(catalog, store, config.postgres(), config.signalTable(), Duration.ofSeconds(30), registry).start(Duration.ofSeconds(2));
        streams = new KafkaStreams(SyncTopology.build(topics, catalog, applier, stats, auditor::applied, config.maxValueBytes(),
                rebuilder::schemaChanged, config.batching(), sourceFloor::announced, schemas), streamsProperties(config));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("cache-sync stream thread failed; replacing it (it resumes from the last committed offset)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("cache-sync streams {} -> {}", before, now));
        streams.start();
        if (!catalog.views().isEmpty()) {
            views = new KafkaStreams(ViewTopology.build(topics, catalog, applier, stats, config.batching(), config.maxValueBytes(), schemas),
                    ViewTopology.properties(streamsProperties(config)));
            views.setUncaughtExceptionHandler(e -> {
                LOG.error("cache-sync view thread failed; replacing it (it resumes from the last committed offset)", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            views.setStateListener((now, before) -> LOG.info("cache-sync views {} -> {}", before, now));
            views.start();
        }
        Set<String> sources = new HashSet<>(SyncTopology.cdcTopics(topics, catalog));
        sources.add(topics.commands());
        consumerLag = new ConsumerLagGauges(sources, registry);
        lagRefresher.scheduleWithFixedDelay(() -> consumerLag.refresh(streams), 1, 5, TimeUnit.SECONDS);
        if (views != null) {
            viewLag = ConsumerLagGauges.views(ViewTopology.partTopics(topics, catalog), config.applicationId() + ViewTopology.APPLICATION_SUFFIX, registry);
            lagRefresher.scheduleWithFixedDelay(() -> viewLag.refresh(views), 1, 5, TimeUnit.SECONDS);
        }
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            http = MetricsHttpServer.start("0.0.0.0", config.httpPort(), prometheus, this::isLive, this::isReady, "cache-sync");
        }
        return this;
    }

    /**
     * Live unless Kafka Streams stopped for good (ERROR, or shutting down without {@link #close()}): a failed stream
     * thread is replaced and does not count, but a client that gave up must be restarted.
     */
    public boolean isLive() {
        return live(streams) && live(views);
    }

    private boolean live(KafkaStreams s) {
        if (s == null) {
            return true;
        }
        KafkaStreams.State state = s.state();
        boolean stopped = state == KafkaStreams.State.NOT_RUNNING || state == KafkaStreams.State.PENDING_SHUTDOWN;
        return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR && (closed || !stopped);
    }

    /** Ready when the stream threads run and Redis answers. */
    public boolean isReady() {
        if (!isRunning() || redis == null) {
            return false;
        }
        try {
            return "PONG".equals(redis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The port of /metrics and /health, or -1 when off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    static Properties streamsProperties(SyncConfig c) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, c.applicationId());
        p.putAll(c.kafkaClientConfig());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, c.threads());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, c.commitInterval().toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, c.stateDir().toString());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // the batch linger is a wall-clock punctuation: the thread must not block in poll() much longer than that
        p.put(StreamsConfig.POLL_MS_CONFIG, Math.max(1, Math.min(100, c.batching().linger().toMillis())));
        p.put("processing.exception.handler.global.enabled", true);
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class);
        p.put(DeadLetterProductionHandler.DLQ_TOPIC_CONFIG, c.topics().dlq());
        // each entity's topic is ordered on its own and no record waits for another topic's: never idle a task to
        // line up timestamps across its partitions (the default 0 also formats log text for every record it checks)
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) c.replicationFactor());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG),
                (int) Math.max(300_000, c.redisRetryFor().toMillis() * 2 + 60_000));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 1000);
        // a crashed instance's partitions move to a live one after this long (Kafka's default is 45 s)
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 3_000);
        p.put(StreamsConfig.producerPrefix("max.request.size"), Topics.MAX_RECORD_BYTES);
        return p;
    }

    /** Records of the CDC and commands partitions this instance owns that it has not consumed yet (refreshed every 5 s). */
    public long consumerLag() {
        ConsumerLagGauges gauges = consumerLag;
        return gauges == null ? 0 : gauges.total();
    }

    /** Records of the partitions this instance's view topology owns that it has not consumed yet (0 without views). */
    public long viewConsumerLag() {
        ConsumerLagGauges gauges = viewLag;
        return gauges == null ? 0 : gauges.total();
    }

    public SyncStats stats() {
        return stats;
    }

    /** The live auditor (its counts also go to the meter registry). */
    public ConsistencyAuditor auditor() {
        return auditor;
    }

    /** RUNNING or REBALANCING. */
    public boolean isRunning() {
        KafkaStreams s = streams;
        KafkaStreams v = views;
        return s != null && s.state().isRunningOrRebalancing() && (v == null || v.state().isRunningOrRebalancing());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        lagRefresher.shutdownNow();
        if (http != null) {
            http.close();
        }
        if (applier != null) {
            applier.stopRetrying();
        }
        // both applications stop at once, within one bound (a stream thread may wait on Redis or Kafka meanwhile)
        if (views != null) {
            views.close(Duration.ZERO);
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        if (streams != null) {
            streams.close(CLOSE_TIMEOUT);
        }
        if (views != null) {
            views.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        if (auditor != null) {
            auditor.close();
        }
        if (rebuilder != null) {
            rebuilder.close();
        }
        if (sourceFloor != null) {
            sourceFloor.close();
        }
        if (heartbeat != null) {
            heartbeat.close();
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
        if (schemas != null) {
            schemas.close();
        }
        if (redis != null) {
            redis.close();
        }
        LOG.info("cache-sync stopped");
    }
}
