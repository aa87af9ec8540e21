package io.cachesync.ingest;

import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.topics.TopicProvisioner;
import io.cachesync.core.topics.Topics;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.ingest.engine.DebeziumProperties;
import io.cachesync.ingest.publish.KafkaChangePublisher;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final IngestConfig config;
    private final ExecutorService supervisor = Executors.newSingleThreadExecutor(r -> new Thread(r, "cachesync-ingest-supervisor"));
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "cachesync-ingest-engine"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile DebeziumEngine<ChangeEvent<String, String>> engine;
    private volatile KafkaChangePublisher publisher;
    private volatile boolean closing;
    private volatile boolean streaming;

    public IngestService(IngestConfig config) {
        this.config = config;
    }

    /** The CDC topics of the configured entities. */
    public static List<String> cdcTopics(IngestConfig c) {
        return c.catalog().all().stream().map(e -> Topics.cdc(e.schema(), e.table())).toList();
    }

    public IngestService start() {
        LOG.info("cdc-ingest starting: {}", config);
        TopicProvisioner.ensure(config.kafkaClientConfig(), cdcTopics(config), config.topicPartitions(), config.replicationFactor(),
                Map.of(), Duration.ofSeconds(60));
        TopicProvisioner.ensure(config.kafkaClientConfig(), List.of(Topics.INGEST_OFFSETS), 1, config.replicationFactor(),
                Map.of("cleanup.policy", "compact"), Duration.ofSeconds(60));
        supervisor.submit(this::superviseLoop);
        return this;
    }

    private void superviseLoop() {
        Duration backoff = Duration.ofMillis(500);
        while (!closing) {
            CountDownLatch done = new CountDownLatch(1);
            Throwable[] failure = new Throwable[1];
            boolean[] success = new boolean[1];
            KafkaChangePublisher pub = new KafkaChangePublisher(config.kafkaClientConfig());
            publisher = pub;
            DebeziumEngine<ChangeEvent<String, String>> e = DebeziumEngine.create(Json.class)
                    .using(DebeziumProperties.of(config))
                    .notifying(pub)
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void taskStarted() {
                            streaming = true;
                            LOG.info("cdc-ingest: Debezium task started (slot {})", config.slotName());
                        }

                        @Override
                        public void taskStopped() {
                            streaming = false;
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
            try {
                done.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                streaming = false;
                pub.close();
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
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            if (success[0] && failure[0] == null) {
                backoff = Duration.ofMillis(500);
            }
        }
    }

    /** True while the Debezium task runs (snapshotting or streaming). */
    public boolean isRunning() {
        return streaming;
    }

    public long published() {
        KafkaChangePublisher p = publisher;
        return p == null ? 0 : p.published();
    }

    public List<EntityDefinition> entities() {
        return config.catalog().all();
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
