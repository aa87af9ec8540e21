package io.cachesync.devstack.containers;

import io.cachesync.devstack.DevKafka;
import io.cachesync.devstack.ServerSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The container provider's Kafka: Testcontainers' {@link KafkaContainer} (a single KRaft node, broker and controller)
 * on the {@link StackImages#KAFKA} image, with the {@link ServerSettings#kafka()} as {@code KAFKA_*} environment and its
 * client listener on a fixed host port. {@link KafkaContainer} advertises {@code PLAINTEXT://<docker host>:<host
 * port>} from a start script it writes into the container, which a restart of the same container runs again: after
 * {@link #stop()} and {@link #start()} the broker has its topics and offsets and the same advertised address.
 */
public final class ContainerKafka implements DevKafka {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerKafka.class);
    /** The client listener inside the container (KafkaContainer's PLAINTEXT). */
    static final int KAFKA_PORT = 9092;

    private final int port;
    private final DockerImageName image = StackImages.KAFKA.image();
    private final KafkaContainer container;
    private final ContainerControl control;

    public ContainerKafka(int port) {
        this.port = port;
        this.container = new KafkaContainer(image).withEnv(brokerEnvironment());
        ContainerControl.bindFixedPort(container, port, KAFKA_PORT);
        this.control = new ContainerControl(container, "Kafka");
    }

    /** The shared broker settings as the environment of the {@code apache/kafka} image ({@code KAFKA_} + the name). */
    static Map<String, String> brokerEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        ServerSettings.kafka().forEach((name, value) -> env.put(environmentName(name), value));
        return env;
    }

    /** {@code log.segment.bytes} → {@code KAFKA_LOG_SEGMENT_BYTES} (the image's rule: '.' → '_', '_' → '__', '-' → '___'). */
    static String environmentName(String property) {
        return "KAFKA_" + property.replace("_", "__").replace(".", "_").replace("-", "___").toUpperCase(Locale.ROOT);
    }

    /** The image it runs. */
    DockerImageName image() {
        return image;
    }

    /** The container, for the tests of its configuration. */
    KafkaContainer container() {
        return container;
    }

    @Override
    public ContainerKafka start() {
        control.start(this::answers);
        LOG.info("Kafka ({}, KRaft) up at {}", image.asCanonicalNameString(), bootstrapServers());
        return this;
    }

    /** True once the broker describes its cluster (an admin client retries until then, for at most 10 s). */
    private boolean answers() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            return !admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty();
        }
    }

    @Override
    public void stop() {
        control.stop();
    }

    @Override
    public boolean isRunning() {
        return control.isRunning();
    }

    @Override
    public String bootstrapServers() {
        return container.getHost() + ":" + port;
    }

    @Override
    public void close() {
        control.remove();
    }
}
