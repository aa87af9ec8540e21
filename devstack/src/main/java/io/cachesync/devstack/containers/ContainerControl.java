package io.cachesync.devstack.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import io.cachesync.devstack.DevStackException;
import org.testcontainers.containers.GenericContainer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * The Docker operations behind a container piece's restart and fault operations. The first {@link #start} creates
 * the container through Testcontainers (which pulls the image and waits for the server); after that the same
 * container is stopped, killed, paused and started again, so its data stays and, its host port being fixed
 * ({@link #bindFixedPort}), its clients find it at the same address. {@link #remove()} ends it for good (and Ryuk,
 * Testcontainers' reaper, removes it should this JVM die first).
 */
final class ContainerControl {
    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    private static final int STOP_TIMEOUT_SECONDS = 30;

    private final GenericContainer<?> container;
    private final String server;

    /** {@code server} names it in messages ("PostgreSQL", "Kafka", "Redis"). */
    ContainerControl(GenericContainer<?> container, String server) {
        this.container = container;
        this.server = server;
    }

    /**
     * Binds {@code containerPort} to the fixed {@code hostPort} (not a port Docker picks at each start): a restarted
     * container is found where it was.
     */
    static void bindFixedPort(GenericContainer<?> container, int hostPort, int containerPort) {
        container.setPortBindings(List.of(hostPort + ":" + containerPort));
    }

    /**
     * Creates and starts the container the first time; starts it again (unpaused) after {@link #stop()} or
     * {@link #kill()}, and returns once {@code ready} says the server answers.
     */
    synchronized void start(Callable<Boolean> ready) {
        if (container.getContainerId() == null) {
            if (!DockerEngine.answers()) {
                throw DockerEngine.missing();
            }
            try {
                container.start();
            } catch (RuntimeException e) {
                throw new DevStackException("devstack: the " + server + " container did not start: " + e.getMessage(), e);
            }
            return;
        }
        InspectContainerResponse.ContainerState state = state();
        if (Boolean.TRUE.equals(state.getPaused())) {
            docker().unpauseContainerCmd(id()).exec();
        } else if (!Boolean.TRUE.equals(state.getRunning())) {
            docker().startContainerCmd(id()).exec();
        }
        awaitReady(ready);
    }

    private void awaitReady(Callable<Boolean> ready) {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(ready.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        throw new DevStackException("devstack: the " + server + " container did not answer within " + READY_WITHIN + " of its restart"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /** docker stop (its stop signal, SIGKILL after 30 s), keeping the container, its data and its port. */
    synchronized void stop() {
        if (isRunning()) {
            unpause();
            docker().stopContainerCmd(id()).withTimeout(STOP_TIMEOUT_SECONDS).exec();
        }
    }

    /** docker kill: SIGKILL, as a crash. */
    synchronized void kill() {
        if (isRunning()) {
            docker().killContainerCmd(id()).exec();
        }
    }

    /** docker pause: the server stops answering (its processes are frozen) but its connections stay open. */
    synchronized void pause() {
        if (isRunning() && !Boolean.TRUE.equals(state().getPaused())) {
            docker().pauseContainerCmd(id()).exec();
        }
    }

    /** docker unpause. */
    synchronized void unpause() {
        if (isRunning() && Boolean.TRUE.equals(state().getPaused())) {
            docker().unpauseContainerCmd(id()).exec();
        }
    }

    /** True while the container runs (paused or not). */
    synchronized boolean isRunning() {
        return container.getContainerId() != null && Boolean.TRUE.equals(state().getRunning());
    }

    /** Kills and removes the container (with its anonymous volumes). */
    synchronized void remove() {
        container.stop();
    }

    private InspectContainerResponse.ContainerState state() {
        return docker().inspectContainerCmd(id()).exec().getState();
    }

    private DockerClient docker() {
        return container.getDockerClient();
    }

    private String id() {
        return container.getContainerId();
    }
}
