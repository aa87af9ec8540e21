package io.cachesync.devstack.containers;

import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The pinned images (full tags; Kafka's is the clients' version) and their overrides, by system property and by environment. */
class StackImagesTest {

    @AfterEach
    void clearOverrides() {
        for (StackImages image : StackImages.values()) {
            System.clearProperty(image.property());
        }
    }

    @Test
    void imagesArePinnedToFullTags() {
        assertThat(StackImages.POSTGRES.pinned()).isEqualTo("postgres:17.11");
        assertThat(StackImages.KAFKA.pinned()).isEqualTo("apache/kafka:4.3.1");
        assertThat(StackImages.REDIS.pinned()).isEqualTo("redis:7.4.6");
        assertThat(StackImages.KAFKA.image().getVersionPart()).as("the broker runs the Kafka clients' version")
                .isEqualTo(AppInfoParser.getVersion());
        for (StackImages image : StackImages.values()) {
            assertThat(image.image(name -> null).asCanonicalNameString()).isEqualTo(DockerImageName.parse(image.pinned()).asCanonicalNameString());
        }
    }

    @Test
    void theSystemPropertyThenTheEnvironmentOverrideAnImage() {
        Map<String, String> env = Map.of("CACHESYNC_DEVSTACK_IMAGE_REDIS", "mirror.example/redis:7.4.7");
        assertThat(StackImages.REDIS.env()).isEqualTo("CACHESYNC_DEVSTACK_IMAGE_REDIS");
        assertThat(StackImages.REDIS.image(env::get).asCanonicalNameString()).isEqualTo("mirror.example/redis:7.4.7");

        System.setProperty("cachesync.devstack.image.redis", "redis:7.4.5");
        assertThat(StackImages.REDIS.property()).isEqualTo("cachesync.devstack.image.redis");
        assertThat(StackImages.REDIS.image(env::get).asCanonicalNameString()).isEqualTo("redis:7.4.5");
    }

    @Test
    void anOverrideFromAMirrorIsAcceptedByTheTestcontainersModules() {
        System.setProperty(StackImages.POSTGRES.property(), "mirror.example/library/postgres:17.11");
        System.setProperty(StackImages.KAFKA.property(), "mirror.example/apache/kafka:4.3.1");

        assertThat(new ContainerPostgres(15432).image().asCanonicalNameString()).isEqualTo("mirror.example/library/postgres:17.11");
        assertThat(new ContainerKafka(19092).image().asCanonicalNameString()).isEqualTo("mirror.example/apache/kafka:4.3.1");
        assertThat(StackImages.POSTGRES.image().isCompatibleWith(DockerImageName.parse(PostgreSQLContainer.IMAGE))).isTrue();
    }
}
