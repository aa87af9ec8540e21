package io.cachesync.devstack;

import io.cachesync.devstack.containers.ContainerKafka;

import java.nio.file.Path;

/**
 * The devstack's single-node KRaft Kafka broker ({@link ServerSettings#kafka()}), stoppable and restartable with its
 * topics and offsets and on the same address: {@link LocalKafka} (embedded) or {@link ContainerKafka} (Testcontainers).
 */
public interface DevKafka extends AutoCloseable {

    /**
     * Starts a broker of the chosen provider ({@link StackProvider#chosen()}) on free ports; the embedded one keeps its
     * logs in {@code logDir}, a container ignores it.
     */
    static DevKafka start(Path logDir) {
        return StackProvider.chosen() == StackProvider.TESTCONTAINERS
                ? new ContainerKafka(FreePorts.next()).start()
                : new LocalKafka(logDir, FreePorts.next(), FreePorts.next()).start();
    }

    /** Starts the broker (again, after {@link #stop()}: same topics, same address); a running broker is left as it is. */
    DevKafka start();

    /** Stops the broker, keeping its topics and offsets; returns once it is down. */
    void stop();

    boolean isRunning();

    /** {@code host:port} of the broker's one client listener (the one it advertises). */
    String bootstrapServers();

    /** Stops the broker for good (a container is removed). */
    @Override
    void close();
}
