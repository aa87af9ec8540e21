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

    /** Starts all three pieces in a fresh temporary directory. */
    public static DevStack start() {
        try {
            return start(Files.createTempDirectory("cachesync-devstack-"), true);
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
