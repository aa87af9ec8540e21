package io.cachesync.ingest.config;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.KafkaClientSettings;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.SharedKeys;
import io.cachesync.core.config.TypedKey;
import io.cachesync.core.topics.TopicNames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The typed, validated configuration of cdc-ingest. */
public record IngestConfig(
        PostgresEndpoint postgres,
        KafkaClientSettings kafka,
        String slotName,
        String publicationName,
        String publicationAutocreate,
        String snapshotMode,
        Duration heartbeatInterval,
        Duration offsetFlushInterval,
        int topicPartitions,
        short replicationFactor,
        int maxBatchSize,
        Duration pollInterval,
        String envelope,
        int httpPort,
        String signalTable,
        TopicNames topics,
        EntityCatalog catalog) {

    public static final ConfigKey POSTGRES_URL = SharedKeys.POSTGRES_URL;
    public static final ConfigKey POSTGRES_USER = SharedKeys.POSTGRES_USER;
    public static final ConfigKey POSTGRES_PASSWORD = SharedKeys.POSTGRES_PASSWORD;
    public static final TypedKey<String> POSTGRES_SSLMODE = SharedKeys.POSTGRES_SSLMODE;
    public static final TypedKey<String> SLOT = TypedKey.text("ingest.slot-name",
            "Name of the logical replication slot (one per database; one active cdc-ingest per slot)", "cachesync")
            .check(v -> v.matches("[a-z0-9_]{1,63}"), "be lower-case letters, digits and _ (PostgreSQL slot names)");
    public static final TypedKey<String> PUBLICATION = TypedKey.text("ingest.publication-name",
            "Name of the pgoutput publication, created for the configured tables when missing", "cachesync");
    public static final TypedKey<String> PUBLICATION_AUTOCREATE = TypedKey.oneOf("ingest.publication-autocreate",
            "filtered: Debezium creates the publication for the configured tables and keeps its table list in step (needs"
                    + " ownership of the tables); disabled: an administrator created it (least privilege: the ingest user needs"
                    + " only REPLICATION and SELECT)", "filtered", "filtered", "disabled");
    public static final TypedKey<String> SNAPSHOT_MODE = TypedKey.oneOf("ingest.snapshot-mode",
            "Debezium snapshot.mode: initial (snapshot then stream), no_data (stream only), when_needed", "initial",
            "initial", "no_data", "when_needed", "always", "initial_only");
    public static final TypedKey<Duration> HEARTBEAT = TypedKey.positiveDuration("ingest.heartbeat-interval",
            "How often Debezium emits a heartbeat so the slot advances while the tables are idle", Duration.ofSeconds(10));
    public static final TypedKey<Duration> OFFSET_FLUSH = TypedKey.positiveDuration("ingest.offset-flush-interval",
            "How often acknowledged offsets are written to Kafka (a crash replays at most this much; replays are harmless)", Duration.ofSeconds(1));
    public static final TypedKey<Integer> PARTITIONS = SharedKeys.CDC_TOPIC_PARTITIONS;
    public static final TypedKey<Integer> REPLICATION = SharedKeys.REPLICATION_FACTOR;
    public static final TypedKey<Integer> MAX_BATCH = TypedKey.integer("ingest.max-batch-size",
            "Largest batch of change events Debezium hands over at once", 2048).atLeast(1);
    public static final TypedKey<Duration> POLL_INTERVAL = TypedKey.positiveDuration("ingest.poll-interval",
            "How long Debezium pauses when the replication stream has nothing new, and again when its queue is empty: up to"
                    + " twice this is added to a change's lag; shorter costs CPU while idle: Debezium's queue spins through the last"
                    + " millisecond of every wait, about 1/(this + 1ms) of a core (5ms: 17 %, 1ms: 50 %)",
            Duration.ofMillis(5)).check(d -> d.toMillis() >= 1 && d.toMillis() <= 1000, "be between 1ms and 1s");
    public static final TypedKey<String> ENVELOPE = TypedKey.oneOf("ingest.envelope",
            "Form of the change events in Kafka. compact: Debezium's payload and the id of its Connect schema, each schema"
                    + " written once to cachesync.schemas (about a fifth of the bytes; what cache-sync reads fastest); debezium:"
                    + " Debezium's JSON envelope with the schema in every event, for other consumers of the topics",
            "compact", "compact", "debezium");

    public static final TypedKey<Integer> HTTP_PORT = TypedKey.port("ingest.http-port",
            "Port of cdc-ingest's /metrics, /health/live and /health/ready (0 picks a free port, -1 turns it off)", 9402, true);
    public static final TypedKey<String> SIGNAL_TABLE = SharedKeys.SIGNAL_TABLE;
    public static final TypedKey<String> TOPIC_PREFIX = SharedKeys.TOPIC_PREFIX;

    public static final List<ConfigKey> KEYS = List.of(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_SSLMODE, SLOT,
            PUBLICATION, PUBLICATION_AUTOCREATE, SNAPSHOT_MODE, HEARTBEAT, OFFSET_FLUSH, PARTITIONS, REPLICATION, MAX_BATCH, POLL_INTERVAL, ENVELOPE, HTTP_PORT, SIGNAL_TABLE, TOPIC_PREFIX, EntityCatalog.ENTITIES, io.cachesync.core.catalog.ViewDefinitions.VIEWS,
            KafkaClientSettings.BOOTSTRAP, KafkaClientSettings.SECURITY_PROTOCOL, KafkaClientSettings.SASL_MECHANISM, KafkaClientSettings.SASL_JAAS,
            KafkaClientSettings.TRUSTSTORE, KafkaClientSettings.TRUSTSTORE_PASSWORD, KafkaClientSettings.KEYSTORE, KafkaClientSettings.KEYSTORE_PASSWORD);

    public static IngestConfig from(Settings s) {
        List<String> problems = new ArrayList<>();
        PostgresEndpoint postgres = PostgresEndpoint.from(s, problems);
        KafkaClientSettings kafka = KafkaClientSettings.from(s, problems);
        String slot = SLOT.read(s, problems);
        String publication = PUBLICATION.read(s, problems);
        String autocreate = PUBLICATION_AUTOCREATE.read(s, problems);
        String mode = SNAPSHOT_MODE.read(s, problems);
        Duration hb = HEARTBEAT.read(s, problems);
        Duration flush = OFFSET_FLUSH.read(s, problems);
        int partitions = PARTITIONS.read(s, problems);
        short rf = REPLICATION.read(s, problems).shortValue();
        int batch = MAX_BATCH.read(s, problems);
        Duration poll = POLL_INTERVAL.read(s, problems);
        String envelope = ENVELOPE.read(s, problems);
        int httpPort = HTTP_PORT.read(s, problems);
        String signal = SIGNAL_TABLE.read(s, problems);
        String prefix = TOPIC_PREFIX.read(s, problems);
        EntityCatalog catalog = EntityCatalog.from(s, problems);
        if (!problems.isEmpty()) {
            throw ConfigException.of("cdc-ingest", problems);
        }
        return new IngestConfig(postgres, kafka, slot,
                publication, autocreate, mode, hb, flush, partitions, rf, batch, poll, envelope, httpPort, signal,
                new TopicNames(prefix), catalog);
    }

    /** The tables Debezium captures ({@code schema.table}): those of the CDC-fed entities, and the signal table. */
    public List<String> capturedTables() {
        List<String> tables = new ArrayList<>(catalog.cdcFed().stream().map(EntityDefinition::qualifiedTable).toList());
        tables.add(signalTable);
        return tables;
    }

    /** Whether change events are published in the compact form ({@code ingest.envelope=compact}). */
    public boolean compactEnvelope() {
        return "compact".equals(envelope);
    }

    public Map<String, Object> kafkaClientConfig() {
        return kafka.clientConfig();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String toString() {
        return "IngestConfig[" + postgres + ", " + kafka + ", "
                + Settings.show(SLOT, slotName) + ", " + Settings.show(TOPIC_PREFIX, topics.prefix()) + ", " + Settings.show(SNAPSHOT_MODE, snapshotMode) + ", "
                + Settings.show(ENVELOPE, envelope) + ", " + Settings.show(POLL_INTERVAL, pollInterval) + ", tables="
                + catalog.cdcFed().stream().map(e -> e.qualifiedTable()).toList() + "]";
    }
}
