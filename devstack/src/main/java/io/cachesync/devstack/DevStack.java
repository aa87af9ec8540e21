package io.cachesync.devstack;

import io.cachesync.devstack.containers.ContainerStack;
import io.cachesync.devstack.containers.DockerEngine;

import java.nio.file.Path;

/**
 * The local stack for the demo and every integration test: PostgreSQL with logical WAL, a KRaft Kafka broker and a
 * Redis, each reachable on its own port and each stoppable and restartable on its own, plus a work directory for the
 * files of whoever uses the stack. Two providers implement it, chosen by {@link StackProvider}: {@link LocalStack}
 * (embedded servers, the default) and {@link ContainerStack} (Testcontainers, where a Docker engine answers).
 */
public interface DevStack extends AutoCloseable {

    /** Starts the stack of the configured provider ({@link StackProvider#configured()}) in a fresh work directory. */
    static DevStack start() {
        return start(StackProvider.configured());
    }

    /**
     * Starts the stack of {@code provider} (AUTO: Testcontainers when a Docker engine answers, embedded otherwise) in a
     * fresh work directory, removed on close.
     *
     * @throws DevStackException when Testcontainers is asked for and no Docker engine answers
     */
    static DevStack start(StackProvider provider) {
        StackProvider resolved = provider.resolve(DockerEngine::answers);
        Path workDir = WorkDirs.fresh();
        return resolved == StackProvider.TESTCONTAINERS ? ContainerStack.start(workDir, true) : LocalStack.start(workDir, true);
    }

    DevPostgres postgres();

    DevKafka kafka();

    DevRedis redis();

    /** A directory on this host for the files of the stack's users (service state, logs, configuration). */
    Path workDir();

    /** {@link StackProvider#EMBEDDED} or {@link StackProvider#TESTCONTAINERS}. */
    StackProvider provider();

    /** Stops every piece and removes the work directory (and the containers). */
    @Override
    void close();
}
