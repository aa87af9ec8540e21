package io.cachesync.devstack.containers;

import io.cachesync.devstack.DevRedis;
import io.cachesync.devstack.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.util.ArrayList;
import java.util.List;

/**
 * The container provider's Redis: the {@link StackImages#REDIS} image running {@code redis-server} with the
 * {@link ServerSettings#redis()} (no persistence) on a fixed host port. {@link #kill()} is {@code docker kill},
 * {@link #freeze()}/{@link #thaw()} are {@code docker pause}/{@code unpause}, and {@link #start()} after a stop or a
 * kill starts the same container: empty, at the same address. Its process is inside the container, so {@link #pid()}
 * is not offered.
 */
public final class ContainerRedis implements DevRedis {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerRedis.class);
    static final int REDIS_PORT = 6379;

    private final int port;
    private final DockerImageName image = StackImages.REDIS.image();
    private final GenericContainer<?> container;
    private final ContainerControl control;

    public ContainerRedis(int port) {
        this.port = port;
        this.container = new GenericContainer<>(image)
                .withExposedPorts(REDIS_PORT)
                .withCommand(command().toArray(String[]::new))
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1));
        ContainerControl.bindFixedPort(container, port, REDIS_PORT);
        this.control = new ContainerControl(container, "Redis");
    }

    /** {@code redis-server} with the shared arguments. */
    static List<String> command() {
        List<String> command = new ArrayList<>(List.of("redis-server"));
        command.addAll(ServerSettings.redis());
        return command;
    }

    /** The image it runs. */
    DockerImageName image() {
        return image;
    }

    /** The container, for the tests of its configuration. */
    GenericContainer<?> container() {
        return container;
    }

    @Override
    public ContainerRedis start() {
        control.start(this::ping);
        LOG.info("Redis ({}) up at {}", image.asCanonicalNameString(), url());
        return this;
    }

    @Override
    public void stop() {
        control.stop();
    }

    @Override
    public void kill() {
        control.kill();
    }

    @Override
    public void freeze() {
        control.pause();
    }

    @Override
    public void thaw() {
        control.unpause();
    }

    @Override
    public boolean isRunning() {
        return control.isRunning();
    }

    /** Not offered: redis-server runs in a container. */
    @Override
    public long pid() {
        throw ContainerStack.notOffered("Redis's pid()", "redis-server runs inside a container");
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        control.remove();
    }
}
