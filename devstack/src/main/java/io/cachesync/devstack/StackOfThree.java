package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * What every provider's stack does the same way with its three pieces: starts them (Redis, PostgreSQL, then Kafka),
 * closes what started when one fails, hands them out, and stops them all on close, removing the work directory when
 * asked. The providers only say how each piece is made.
 */
public abstract class StackOfThree implements DevStack {
    private static final Logger LOG = LoggerFactory.getLogger(StackOfThree.class);

    private final Path workDir;
    private final boolean deleteOnClose;
    private final StackProvider provider;
    private final DevPostgres postgres;
    private final DevKafka kafka;
    private final DevRedis redis;
    private volatile boolean closed;

    protected StackOfThree(Path workDir, boolean deleteOnClose, StackProvider provider, DevPostgres postgres, DevKafka kafka,
                           DevRedis redis) {
        this.workDir = workDir;
        this.deleteOnClose = deleteOnClose;
        this.provider = provider;
        this.postgres = postgres;
        this.kafka = kafka;
        this.redis = redis;
    }

    /** Starts the three pieces; when one fails, stops those that started (and removes the work directory) and rethrows. */
    protected final void startAll() {
        try {
            long t0 = System.nanoTime();
            redis.start();
            postgres.start();
            kafka.start();
            LOG.info("devstack ({}) up in {} ms under {}", provider.label(), (System.nanoTime() - t0) / 1_000_000, workDir);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public DevPostgres postgres() {
        return postgres;
    }

    @Override
    public DevKafka kafka() {
        return kafka;
    }

    @Override
    public DevRedis redis() {
        return redis;
    }

    @Override
    public Path workDir() {
        return workDir;
    }

    @Override
    public StackProvider provider() {
        return provider;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Closing.all("the " + provider.label() + " stack", List.of(kafka, postgres, redis));
        } finally {
            if (deleteOnClose) {
                WorkDirs.delete(workDir);
            }
        }
    }
}
