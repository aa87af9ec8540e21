package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The embedded local stack for the demo and every integration test: PostgreSQL with logical WAL, a KRaft Kafka
 * broker and a redis-server, each on a free loopback port and each stoppable and restartable on its own.
 * Everything lives under one work directory, removed by {@link #close()} unless {@code keep} was asked for.
 *
 * <p>No process is left behind: the PostgreSQL postmaster and the redis-server each have a {@link ParentDeathGuard}
 * that stops them when this JVM dies without closing the stack (even by {@code kill -9}); the broker runs in this JVM.
 * Should a guard have been killed with the JVM, {@link #start()} reaps what is left: see {@link AbandonedStacks}.
 */
public final class DevStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

    private final Path workDir;
    private final boolean deleteOnClose;
    private final DevPostgres postgres;
    private final DevKafka kafka;
    private final DevRedis redis;
    private volatile boolean closed;

    private DevStack(Path workDir, boolean deleteOnClose) {
        this.workDir = workDir;
        this.deleteOnClose = deleteOnClose;
        this.postgres = new DevPostgres(workDir.resolve("postgres"), FreePorts.next());
        this.kafka = new DevKafka(workDir.resolve("kafka"), FreePorts.next(), FreePorts.next());
        this.redis = new DevRedis(workDir.resolve("redis"), FreePorts.next());
    }

    /**
     * Starts all three pieces in a fresh temporary directory, after stopping the servers and removing the directories
     * of devstacks whose JVM was killed.
     */
    public static DevStack start() {
        try {
            int reaped = AbandonedStacks.reap(Path.of(System.getProperty("java.io.tmpdir")));
            if (reaped > 0) {
                LOG.info("devstack: cleaned up after {} devstack(s) whose JVM was killed", reaped);
            }
            Path workDir = Files.createTempDirectory(AbandonedStacks.PREFIX);
            AbandonedStacks.claim(workDir);
            return start(workDir, true);
        } catch (IOException e) {
            throw new DevStackException("devstack: cannot create a work directory: " + e.getMessage(), e);
        }
    }

    public static DevStack start(Path workDir, boolean deleteOnClose) {
        DevStack s = new DevStack(workDir, deleteOnClose);
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

    public DevPostgres postgres() {
        return postgres;
    }

    public DevKafka kafka() {
        return kafka;
    }

    public DevRedis redis() {
        return redis;
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (AutoCloseable c : new AutoCloseable[] {kafka, postgres, redis}) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("devstack: error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new DevStackException(e.getMessage(), e);
                }
            }
        }
        if (deleteOnClose) {
            deleteTree(workDir);
        }
        if (first != null) {
            throw first;
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warn("devstack: could not remove {}: {}", root, e.toString());
        }
    }
}
