package io.cachesync.devstack.containers;

import org.testcontainers.utility.DockerImageName;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The one place the container stack's images are pinned: PostgreSQL 17 (the embedded provider's major version),
 * {@code apache/kafka} at the version of the Kafka clients, and Redis 7.4. Each can be overridden by the system
 * property {@code cachesync.devstack.image.<name>} or the environment variable
 * {@code CACHESYNC_DEVSTACK_IMAGE_<NAME>} (for a mirror, or another patch release), e.g.
 * {@code -Dcachesync.devstack.image.postgres=registry.example/postgres:17.11}.
 */
public enum StackImages {
    POSTGRES("postgres:17.11"),
    KAFKA("apache/kafka:4.3.1"),
    REDIS("redis:7.4.6");

    private static final String PROPERTY_PREFIX = "cachesync.devstack.image.";
    private static final String ENV_PREFIX = "CACHESYNC_DEVSTACK_IMAGE_";

    private final String pinned;

    StackImages(String pinned) {
        this.pinned = pinned;
    }

    /** The image pinned here, {@code name:tag}. */
    public String pinned() {
        return pinned;
    }

    /** The system property that overrides this image. */
    public String property() {
        return PROPERTY_PREFIX + name().toLowerCase(Locale.ROOT);
    }

    /** The environment variable that overrides this image (the system property wins). */
    public String env() {
        return ENV_PREFIX + name();
    }

    /**
     * The image to run: the override when one is set (declared a substitute for the pinned image, so the Testcontainers
     * modules accept a mirror's name), else the pinned one.
     */
    public DockerImageName image() {
        return image(System::getenv);
    }

    DockerImageName image(UnaryOperator<String> environment) {
        String chosen = System.getProperty(property());
        if (chosen == null || chosen.isBlank()) {
            chosen = environment.apply(env());
        }
        DockerImageName pinnedImage = DockerImageName.parse(pinned);
        if (chosen == null || chosen.isBlank()) {
            return pinnedImage;
        }
        return DockerImageName.parse(chosen.trim()).asCompatibleSubstituteFor(pinnedImage.getUnversionedPart());
    }
}
