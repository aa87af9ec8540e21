package io.cachesync.devstack.containers;

import io.cachesync.devstack.Closing;
import io.cachesync.devstack.DevKafka;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.DevRedis;
import io.cachesync.devstack.DevStack;
import io.cachesync.devstack.DevStackException;
import io.cachesync.devstack.FreePorts;
import io.cachesync.devstack.StackProvider;
import io.cachesync.devstack.WorkDirs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * The Testcontainers provider's stack: PostgreSQL, Kafka and Redis in Docker containers ({@link StackImages}), each on
 * a fixed host port and each stoppable and restartable on its own, as on the embedded stack. The work directory holds
 * only the files of the stack's users. {@link #close()} removes the containers; should this JVM die first,
 * Testcontainers' reaper (Ryuk) removes them.
 */
public final class ContainerStack implements DevStack {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerStack.class);

    private final Path workDir;
    private final boolean deleteOnClose;
    private final ContainerPostgres postgres = new ContainerPostgres(FreePorts.next());
    private final ContainerKafka kafka = new ContainerKafka(FreePorts.next());
    private final ContainerRedis redis = new ContainerRedis(FreePorts.next());
    private volatile boolean closed;

    private ContainerStack(Path workDir, boolean deleteOnClose) {
        this.workDir = workDir;
        this.deleteOnClose = deleteOnClose;
    }

    /**
     * Starts the three containers; {@code workDir} is removed on close when {@code deleteOnClose}.
     *
     * @throws DevStackException when no Docker engine answers, or a container does not start
     */
    public static ContainerStack start(Path workDir, boolean deleteOnClose) {
        ContainerStack s = new ContainerStack(workDir, deleteOnClose);
        try {
            long t0 = System.nanoTime();
            s.redis.start();
            s.postgres.start();
            s.kafka.start();
            LOG.info("devstack (testcontainers) up in {} ms; work directory {}", (System.nanoTime() - t0) / 1_000_000, workDir);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The error of an operation the container provider cannot offer (a host pid, a host directory). */
    static UnsupportedOperationException notOffered(String operation, String why) {
        return new UnsupportedOperationException(operation + " is not offered by the testcontainers provider (" + why
                + "); it needs the embedded devstack (" + StackProvider.PROPERTY + "=embedded)");
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
        return StackProvider.TESTCONTAINERS;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Closing.all("the containers", List.of(kafka, postgres, redis));
        } finally {
            if (deleteOnClose) {
                WorkDirs.delete(workDir);
            }
        }
    }
}
