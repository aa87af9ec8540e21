package io.cachesync.devstack.containers;

import java.nio.file.Path;

/**
 * Run by the Maven profile {@code docker} (in Maven's JVM) before the first test of the build: fails with one line naming
 * the missing engine when no Docker engine answers, so that {@code ./mvnw verify -Pdocker} stops early and plainly
 * instead of in every suite. Its argument is the file that Testcontainers' own account of its attempts goes to.
 */
public final class DockerEngineCheck {
    private DockerEngineCheck() {
    }

    public static void main(String[] args) {
        Path attempts = Path.of(args[0]);
        if (!DockerEngine.answers()) {
            throw new NoDockerEngine(DockerEngine.missing().getMessage() + " [Testcontainers' attempts: " + attempts + "]");
        }
        System.out.println("devstack: a Docker engine answers; the suites run on the testcontainers provider");
    }

    /** The failure: its message is all there is to say, so it carries no stack trace for Maven to print. */
    private static final class NoDockerEngine extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoDockerEngine(String message) {
            super(message, null, false, false);
        }
    }
}
