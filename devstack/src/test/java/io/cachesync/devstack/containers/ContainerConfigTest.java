package io.cachesync.devstack.containers;

import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.ServerSettings;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The containers' configuration, read from the Testcontainers objects without starting them (no engine needed): images,
 * server arguments, environment, exposed ports and the fixed host ports that keep a restarted container's address.
 */
class ContainerConfigTest {

    @Test
    void postgresRunsWithLogicalWalAndTheSharedSettingsAsServerArguments() {
        ContainerPostgres postgres = new ContainerPostgres(15432);
        PostgreSQLContainer pg = postgres.container();

        assertThat(postgres.image().asCanonicalNameString()).isEqualTo("postgres:17.11");
        List<String> command = List.of(pg.getCommandParts());
        assertThat(command).startsWith("postgres")
                .containsSubsequence("-c", "wal_level=logical")
                .containsSubsequence("-c", "max_replication_slots=10")
                .containsSubsequence("-c", "max_wal_senders=10");
        ServerSettings.postgres().forEach((name, value) -> assertThat(command).containsSubsequence("-c", name + "=" + value));
        assertThat(pg.getExposedPorts()).containsExactly(5432);
        assertThat(pg.getPortBindings()).containsExactly("15432:5432/tcp");
        assertThat(List.of(pg.getUsername(), pg.getPassword(), pg.getDatabaseName()))
                .containsExactly(DevPostgres.USER, DevPostgres.PASSWORD, DevPostgres.DATABASE);
    }

    @Test
    void kafkaIsOneKraftNodeWithTheSharedBrokerSettings() {
        ContainerKafka broker = new ContainerKafka(19092);
        KafkaContainer kafka = broker.container();

        assertThat(broker.image().asCanonicalNameString()).isEqualTo("apache/kafka:4.3.1");
        Map<String, String> env = kafka.getEnvMap();
        assertThat(env).containsEntry("KAFKA_NODE_ID", "1")
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller")
                .containsEntry("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
                .containsEntry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9094")
                .containsEntry("KAFKA_NUM_PARTITIONS", "4")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .containsEntry("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "4")
                .containsEntry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_LOG_SEGMENT_BYTES", Integer.toString(64 * 1024 * 1024));
        assertThat(env.get("KAFKA_LISTENERS").split(","))
                .contains("PLAINTEXT://0.0.0.0:" + ContainerKafka.KAFKA_PORT, "CONTROLLER://0.0.0.0:9094");
        ServerSettings.kafka().forEach((name, value) -> assertThat(env).containsEntry(ContainerKafka.environmentName(name), value));
        // KafkaContainer advertises PLAINTEXT://<docker host>:<host port of 9092> when it starts: the fixed binding keeps it
        assertThat(env).doesNotContainKey("KAFKA_ADVERTISED_LISTENERS");
        assertThat(kafka.getExposedPorts()).contains(ContainerKafka.KAFKA_PORT);
        assertThat(kafka.getPortBindings()).containsExactly("19092:9092/tcp");
    }

    @Test
    void kafkaPropertyNamesBecomeTheImagesEnvironmentNames() {
        assertThat(ContainerKafka.environmentName("log.segment.bytes")).isEqualTo("KAFKA_LOG_SEGMENT_BYTES");
        assertThat(ContainerKafka.environmentName("a_b.c-d")).isEqualTo("KAFKA_A__B_C___D");
    }

    @Test
    void redisRunsWithoutPersistenceAndKeepsRowsOfUpTo1KiBCompact() {
        ContainerRedis server = new ContainerRedis(16379);
        GenericContainer<?> redis = server.container();

        assertThat(server.image().asCanonicalNameString()).isEqualTo("redis:7.4.6");
        assertThat(redis.getCommandParts()).containsExactly("redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--hash-max-ziplist-value", "1024");
        assertThat(redis.getExposedPorts()).containsExactly(ContainerRedis.REDIS_PORT);
        assertThat(redis.getPortBindings()).containsExactly("16379:6379/tcp");
    }

    @Test
    void hostPidsAndDirectoriesAreNotOfferedAndSaySo() {
        assertThatThrownBy(() -> new ContainerPostgres(15432).dataDir())
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("PostgreSQL's dataDir() is not offered by the testcontainers provider (the data directory is inside a container); "
                        + "it needs the embedded devstack (cachesync.devstack=embedded)");
        assertThatThrownBy(() -> new ContainerPostgres(15432).pid()).hasMessageContaining("testcontainers provider");
        assertThatThrownBy(() -> new ContainerRedis(16379).pid()).hasMessageContaining("testcontainers provider");
    }

    @Test
    void theMissingEngineMessageSaysWhereTestcontainersLooked() {
        assertThat(DockerEngine.missingMessage(null)).contains("DOCKER_HOST is not set and nothing answers on the default socket unix:///var/run/docker.sock");
        assertThat(DockerEngine.missingMessage("tcp://build-host:2375")).contains("nothing answers at DOCKER_HOST=tcp://build-host:2375");
    }
}
