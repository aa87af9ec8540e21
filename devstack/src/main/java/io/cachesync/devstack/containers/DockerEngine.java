package io.cachesync.devstack.containers;

import io.cachesync.devstack.DevStackException;
import io.cachesync.devstack.StackProvider;
import org.testcontainers.DockerClientFactory;

/** Whether a Docker engine answers Testcontainers, and the one-line error when the container stack needs one and none does. */
public final class DockerEngine {
    /** Where Testcontainers looks when {@code DOCKER_HOST} is not set (besides Docker Desktop's and rootless sockets). */
    static final String DEFAULT_SOCKET = "unix:///var/run/docker.sock";

    private DockerEngine() {
    }

    /** True when Testcontainers finds a Docker engine that answers (it looks once per JVM). */
    public static boolean answers() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** The error for the container stack asked for with no engine: where Testcontainers looked, and how to do without. */
    public static DevStackException missing() {
        return new DevStackException(missingMessage(System.getenv("DOCKER_HOST")));
    }

    static String missingMessage(String dockerHost) {
        String looked = dockerHost == null || dockerHost.isBlank()
                ? "DOCKER_HOST is not set and nothing answers on the default socket " + DEFAULT_SOCKET
                : "nothing answers at DOCKER_HOST=" + dockerHost;
        return "devstack: the testcontainers provider needs a Docker engine and none answers (" + looked + "); "
                + "to run on the embedded stack instead, leave out -Pdocker or set " + StackProvider.PROPERTY + "=embedded "
                + "(" + StackProvider.ENV + "=embedded, or cachesync demo --stack embedded)";
    }
}
