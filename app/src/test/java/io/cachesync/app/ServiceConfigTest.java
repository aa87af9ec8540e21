package io.cachesync.app;

import io.cachesync.api.config.ApiConfig;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.Settings;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.config.SyncConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each service's typed config: defaults that work, every bad key named, secrets never printed. */
class ServiceConfigTest {
    static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("entities", "users");
        m.put("entities.users.sensitive", "password_hash");
        m.put("postgres.url", "jdbc:postgresql://db.example:5433/shop");
        m.put("postgres.password", "pg-secret-pw");
        m.put("redis.url", "redis://:redis-secret-pw@cache.example:6380/2");
        m.put("kafka.bootstrap.servers", "k1:9092,k2:9092");
        m.put("kafka.security.protocol", "SASL_SSL");
        m.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        m.put("kafka.sasl.jaas-config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"kafka-secret-pw\";");
        return m;
    }

    @Test
    void validSettingsBuildEveryServiceConfigWithSecretsMasked() {
        Settings s = Settings.of(valid());
        IngestConfig ingest = IngestConfig.from(s);
        SyncConfig sync = SyncConfig.from(s);
        ApiConfig api = ApiConfig.from(s);
        assertThat(ingest.postgres().host()).isEqualTo("db.example");
        assertThat(ingest.postgres().port()).isEqualTo(5433);
        assertThat(ingest.postgres().database()).isEqualTo("shop");
        assertThat(ingest.kafkaClientConfig()).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config");
        assertThat(sync.kafkaClientConfig()).containsEntry("bootstrap.servers", "k1:9092,k2:9092");
        assertThat(api.port()).isEqualTo(8080);
        for (Object c : new Object[] {ingest, sync, api}) {
            assertThat(c.toString()).doesNotContain("pg-secret-pw").doesNotContain("redis-secret-pw").doesNotContain("kafka-secret-pw");
        }
        assertThat(api.toString()).contains("postgres.password=<masked>");
        assertThat(ingest.toString()).as("the start-up line names the event form and the poll interval")
                .contains("ingest.envelope=compact").contains("ingest.poll-interval=PT0.005S");
    }

    @Test
    void bothWritersOfTheCdcTopicsReadOnePartitionCount() {
        Map<String, String> m = valid();
        m.put("ingest.topic-partitions", "6");
        m.put("sync.topic-partitions", "2");
        Settings s = Settings.of(m);
        assertThat(IngestConfig.from(s).topicPartitions()).isEqualTo(6);
        SyncConfig sync = SyncConfig.from(s);
        assertThat(sync.cdcTopicPartitions()).as("whichever service creates a CDC topic first creates it alike").isEqualTo(6);
        assertThat(sync.topicPartitions()).as("the dead-letter and commands topics").isEqualTo(2);
        m.put("ingest.topic-partitions", "0");
        assertThatThrownBy(() -> SyncConfig.from(Settings.of(m))).hasMessageContaining("ingest.topic-partitions must be at least 1");
    }

    @Test
    void theTopicPrefixNamesEveryTopicAndTheDefaultConsumerGroupOfBothServices() {
        Map<String, String> m = valid();
        SyncConfig byDefault = SyncConfig.from(Settings.of(m));
        assertThat(byDefault.topics().dlq()).isEqualTo("cachesync.dlq");
        assertThat(byDefault.applicationId()).isEqualTo("cachesync-sync");
        m.put("kafka.topic-prefix", "team-b");
        Settings s = Settings.of(m);
        IngestConfig ingest = IngestConfig.from(s);
        SyncConfig sync = SyncConfig.from(s);
        assertThat(ingest.topics()).isEqualTo(sync.topics());
        assertThat(ingest.topics().cdc("public", "users")).isEqualTo("team-b.public.users");
        assertThat(List.of(sync.topics().commands(), sync.topics().dlq(), sync.topics().sourceEpochs(), sync.topics().schemas(),
                ingest.topics().ingestOffsets())).containsExactly("team-b.commands", "team-b.dlq", "team-b.source-epochs",
                "team-b.schemas", "team-b.ingest.offsets");
        assertThat(io.cachesync.ingest.engine.DebeziumProperties.of(ingest, List.of()))
                .containsEntry("topic.prefix", "team-b").containsEntry("offset.storage.topic", "team-b.ingest.offsets");
        assertThat(sync.applicationId()).as("the consumer group follows the prefix").isEqualTo("team-b-sync");
        m.put("sync.application-id", "my-group");
        assertThat(SyncConfig.from(Settings.of(m)).applicationId()).as("unless set").isEqualTo("my-group");
        m.put("kafka.topic-prefix", "team.b");
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(m))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.topic-prefix must be 1 to 100 letters, digits, '_' or '-' (no '.')");
        assertThatThrownBy(() -> SyncConfig.from(Settings.of(m))).hasMessageContaining("kafka.topic-prefix");
    }

    @Test
    void cacheSyncValidatesThePostgresUrlEvenWithTheAuditorOff() {
        Map<String, String> m = valid();
        m.put("sync.audit-fraction", "0");
        m.put("postgres.url", "postgres://db.example/shop");
        assertThatThrownBy(() -> SyncConfig.from(Settings.of(m))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("postgres.url");
    }

    @Test
    void everyProblemIsReportedWithTheKeyThatCausesIt() {
        Map<String, String> m = valid();
        m.put("redis.url", "http://user:s3cret-pass@nope");
        m.put("kafka.bootstrap.servers", "no-port");
        m.put("sync.threads", "many");
        m.put("sync.commit-interval", "-1s");
        m.put("entities.users.ttl", "forever");
        assertThatThrownBy(() -> SyncConfig.from(Settings.of(m)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("cache-sync: invalid configuration")
                .hasMessageContaining("redis.url is not a redis:// or rediss:// URL")
                .hasMessageContaining("'http://***@nope'")
                .satisfies(e -> assertThat(e.getMessage()).as("the password is never echoed").doesNotContain("s3cret-pass"))
                .hasMessageContaining("kafka.bootstrap.servers is not a comma-separated list of host:port")
                .hasMessageContaining("sync.threads is not a whole number")
                .hasMessageContaining("sync.commit-interval must be positive, was '-1s'")
                .hasMessageContaining("entities.users.ttl");
    }

    @Test
    void ingestRejectsABadSlotNameSnapshotModeAndSslMode() {
        Map<String, String> m = valid();
        m.put("ingest.slot-name", "Bad-Slot");
        m.put("ingest.snapshot-mode", "sometimes");
        m.put("postgres.sslmode", "maybe");
        m.put("postgres.url", "postgres://x");
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(m)))
                .hasMessageContaining("ingest.slot-name")
                .hasMessageContaining("ingest.snapshot-mode")
                .hasMessageContaining("postgres.sslmode")
                .hasMessageContaining("postgres.url is not a jdbc:postgresql://");
    }

    @Test
    void saslWithoutJaasConfigIsRejected() {
        Map<String, String> m = valid();
        m.remove("kafka.sasl.jaas-config");
        assertThatThrownBy(() -> SyncConfig.from(Settings.of(m))).hasMessageContaining("kafka.sasl.jaas-config is required");
    }

    @Test
    void apiRejectsAPortOutOfRange() {
        Map<String, String> m = valid();
        m.put("api.port", "70000");
        assertThatThrownBy(() -> ApiConfig.from(Settings.of(m))).hasMessageContaining("api.port must be 0 (any free port) or a port up to 65535, was '70000'");
    }

    @Test
    void apiKeepsAdminAndMetricsOffThePortOfTheReads() {
        Map<String, String> m = valid();
        assertThat(ApiConfig.from(Settings.of(m)).adminPort()).isEqualTo(8081);
        m.put("api.port", "9000");
        m.put("api.admin-port", "9000");
        assertThatThrownBy(() -> ApiConfig.from(Settings.of(m))).hasMessageContaining("api.admin-port must differ from api.port");
        m.put("api.admin-port", "-2");
        assertThatThrownBy(() -> ApiConfig.from(Settings.of(m))).hasMessageContaining("api.admin-port must be -1 (off), 0 (any free port) or a port up to 65535, was '-2'");
        m.put("api.admin-port", "-1");
        assertThat(ApiConfig.from(Settings.of(m)).adminPort()).isEqualTo(-1);
    }

    @Test
    void aConnectionStringInAMessageShowsNoCredentials() {
        assertThat(io.cachesync.core.config.Endpoints.withoutCredentials("jdbc:postgresql://db:5432/shop?user=app&PASSWORD=x1&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/shop?user=app&PASSWORD=***&ssl=true");
        assertThat(io.cachesync.core.config.Endpoints.withoutCredentials("rediss://:pa@ss@cache:6380/0")).isEqualTo("rediss://***@cache:6380/0");
        assertThat(io.cachesync.core.config.Endpoints.withoutCredentials("redis://cache:6379")).isEqualTo("redis://cache:6379");
    }
}
