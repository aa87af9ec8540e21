package io.cachesync.ingest.engine;

import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.util.Backoff;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.ingest.publish.KafkaChangePublisher;
import io.cachesync.ingest.publish.SensitiveColumnGuard;
import io.cachesync.ingest.source.SourceSetup;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the Debezium embedded engine and restarts it (capped exponential backoff) whenever it stops, until
 * {@link #close()}: before every start {@link SourceSetup#beforeEngineStart()} resolves the source epoch, then one engine
 * runs with a {@link KafkaChangePublisher} until it stops. Offsets are in Kafka, so a restart — or a kill -9 of the whole
 * process — resumes from the last acknowledged event. Whatever fails in one round is logged and retried.
 */
public final class EngineSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineSupervisor.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    /** Restarts are cheap (a JDBC connection, a small topic read): a slot freed a moment later is taken within seconds. */
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** How often a close that Debezium did not take (the engine was still starting) is asked again. */
    private static final Duration CLOSE_RETRY = Duration.ofMillis(200);
    /** How long the engine may fail to run before liveness fails (the process is then restarted). */
    public static final Duration CRASH_LOOP_AFTER = Duration.ofMinutes(5);

    private final IngestConfig config;
    private final SourceSetup setup;
    private final List<String> topics;
    private final AtomicLong published;
    private final LongAdder tooLarge;
    private final SensitiveColumnGuard guard;
    private final AtomicLong sourceEpoch;
    private final ExecutorService supervisor = Executors.newSingleThreadExecutor(r -> new Thread(r, "cachesync-ingest-supervisor"));
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "cachesync-ingest-engine"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile DebeziumEngine<ChangeEvent<String, String>> engine;
    private volatile boolean closing;
    private volatile boolean streaming;
    /** When the engine last stopped running (or the supervisor started); meaningful while {@link #streaming} is false. */
    private volatile long notRunningSince = System.nanoTime();
    private volatile Future<?> supervision;

    /**
     * @param topics      the CDC topics the publisher may write
     * @param published   change events published and acknowledged, across engine restarts
     * @param tooLarge    changes published as too-large changes
     * @param guard       withholds the values of a table that lost a sensitive column
     * @param sourceEpoch set to the epoch of each engine start
     */
    public EngineSupervisor(IngestConfig config, SourceSetup setup, List<String> topics, AtomicLong published, LongAdder tooLarge,
                            AtomicLong sourceEpoch, SensitiveColumnGuard guard) {
        this.config = config;
        this.setup = setup;
        this.topics = List.copyOf(topics);
        this.published = published;
        this.tooLarge = tooLarge;
        this.sourceEpoch = sourceEpoch;
        this.guard = guard;
    }

    public EngineSupervisor start() {
        notRunningSince = System.nanoTime();
        supervision = supervisor.submit(this::superviseLoop);
        return this;
    }

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
        Backoff backoff = new Backoff(FIRST_BACKOFF, MAX_BACKOFF);
        while (!closing) {
            boolean started = false;
            try {
                SourceEpoch epoch = setup.beforeEngineStart();
                sourceEpoch.set(epoch.epoch());
                if (closing) {
                    break; // closed while the source was prepared: no engine is started at all
                }
                List<String> generated = setup.generatedColumns();
                started = runEngine(epoch, generated);
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
            Duration delay = backoff.next();
            LOG.warn("cdc-ingest: restarting the engine in {} ms", delay.toMillis());
            try {
                if (stopped.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            }
            if (started) {
                backoff.reset();
            }
        }
    }

    /** Runs one engine until it stops; true when its task had started (it ran, whatever stopped it). */
    private boolean runEngine(SourceEpoch epoch, List<String> generated) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        boolean[] taskStarted = new boolean[1];
        KafkaChangePublisher pub = new KafkaChangePublisher(config.kafkaClientConfig(), new HashSet<>(topics), published,
                setup.confirmedFlushLsn(), epoch, tooLarge, config.compactEnvelope() ? config.topics().schemas() : null,
                guard);
        try {
            DebeziumEngine<ChangeEvent<String, String>> e = DebeziumEngine.create(Json.class)
                    .using(DebeziumProperties.of(config, generated))
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
            // close() may come while the engine is still starting, when Debezium refuses to stop it: ask again until it stops
            while (!done.await(CLOSE_RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
                if (closing) {
                    closeEngine(e);
                }
            }
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

    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        stopped.countDown();
        DebeziumEngine<ChangeEvent<String, String>> e = engine;
        if (e != null) {
            closeEngine(e);
        }
        shutdown(supervisor);
        shutdown(engineThread);
    }

    private static void closeEngine(DebeziumEngine<ChangeEvent<String, String>> e) {
        try {
            e.close();
        } catch (IOException | RuntimeException ex) {
            // an engine still starting, already stopping or stopped says so by an IllegalStateException: the supervisor
            // asks again while it runs, and the rest must still close
            LOG.debug("cdc-ingest: the engine did not take the close request now: {}", ex.toString());
        }
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
