package io.cachesync.devstack.containers;

import io.cachesync.devstack.DevStackException;
import io.cachesync.devstack.FreePorts;
import io.cachesync.devstack.StackOfThree;
import io.cachesync.devstack.StackProvider;

import java.nio.file.Path;

/**
 * The Testcontainers provider's stack: PostgreSQL, Kafka and Redis in Docker containers ({@link StackImages}), each on
 * a fixed host port and each stoppable and restartable on its own, as on the embedded stack. The work directory holds
 * only the files of the stack's users. {@link #close()} removes the containers; should this JVM die first,
 * Testcontainers' reaper (Ryuk) removes them.
 */
public final class ContainerStack extends StackOfThree {
    private ContainerStack(Path workDir, boolean deleteOnClose) {
        super(workDir, deleteOnClose, StackProvider.TESTCONTAINERS, new ContainerPostgres(FreePorts.next()),
                new ContainerKafka(FreePorts.next()), new ContainerRedis(FreePorts.next()));
    }

    /**
     * Starts the three containers; {@code workDir} is removed on close when {@code deleteOnClose}.
     *
     * @throws DevStackException when no Docker engine answers, or a container does not start
     */
    public static ContainerStack start(Path workDir, boolean deleteOnClose) {
        ContainerStack s = new ContainerStack(workDir, deleteOnClose);
        s.startAll();
        return s;
    }

    /** The error of an operation the container provider cannot offer (a host pid, a host directory). */
    static UnsupportedOperationException notOffered(String operation, String why) {
        return new UnsupportedOperationException(operation + " is not offered by the testcontainers provider (" + why
                + "); it needs the embedded devstack (" + StackProvider.PROPERTY + "=embedded)");
    }
}
