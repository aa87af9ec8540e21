package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * The embedded provider's stack: PostgreSQL with logical WAL, a KRaft Kafka broker and a redis-server, each on a free
 * loopback port and each stoppable and restartable on its own. Everything lives under one work directory, removed by
 * {@link #close()} unless {@code keep} was asked for.
 *
 * <p>No process is left behind: the PostgreSQL postmaster and the redis-server each have a {@link ParentDeathGuard}
 * that stops them when this JVM dies without closing the stack (even by {@code kill -9}); the broker runs in this JVM.
 * Should a guard have been killed with the JVM, {@link DevStack#start()} reaps what is left: see {@link AbandonedStacks}.
 */
public final class LocalStack implements DevStack {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    private final Path workDir;
    private final boolean deleteOnClose;
    private final LocalPostgres postgres;
    private final LocalKafka kafka;
    private final LocalRedis redis;
    private volatile boolean closed;

    private LocalStack(Path workDir, boolean deleteOnClose) {
        this.workDir = workDir;
        this.deleteOnClose = deleteOnClose;
        this.postgres = new LocalPostgres(workDir.resolve("postgres"), FreePorts.next());
        this.kafka = new LocalKafka(workDir.resolve("kafka"), FreePorts.next(), FreePorts.next());
        this.redis = new LocalRedis(workDir.resolve("redis"), FreePorts.next());
    }

    /** Starts all three pieces under {@code workDir}; it is removed on close when {@code deleteOnClose}. */
    public static LocalStack start(Path workDir, boolean deleteOnClose) {
        LocalStack s = new LocalStack(workDir, deleteOnClose);
        try {
            long t0 = System.nanoTime();
            s.redis.start();
            s.postgres.start();
            s.kafka.start();
            LOG.info("devstack up in {} ms under {}", (System.nanoTime() - t0) / 1_000_000, workDir);
            return s;
        } catch (RuntimeException e) {
            s.close();
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
        return StackProvider.EMBEDDED;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Closing.all("the stack", List.of(kafka, postgres, redis));
        } finally {
            if (deleteOnClose) {
                WorkDirs.delete(workDir);
            }
        }
    }
}
