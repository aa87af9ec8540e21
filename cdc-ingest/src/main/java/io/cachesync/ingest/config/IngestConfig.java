package io.cachesync.ingest.config;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Endpoints;
import io.cachesync.core.config.KafkaClientSettings;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.SharedKeys;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The typed, validated configuration of cdc-ingest. */
public record IngestConfig(
        String jdbcUrl,
        String host,
        int port,
        String database,
        String user,
        String password,
        String sslMode,
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
        int httpPort,
        String signalTable,
        EntityCatalog catalog) {

    public static final ConfigKey POSTGRES_URL = io.cachesync.core.config.SharedKeys.POSTGRES_URL;
    public static final ConfigKey POSTGRES_USER = io.cachesync.core.config.SharedKeys.POSTGRES_USER;
    public static final ConfigKey POSTGRES_PASSWORD = io.cachesync.core.config.SharedKeys.POSTGRES_PASSWORD;
    public static final ConfigKey POSTGRES_SSLMODE = io.cachesync.core.config.SharedKeys.POSTGRES_SSLMODE;
    public static final ConfigKey SLOT = ConfigKey.of("ingest.slot-name",
            "Name of the logical replication slot (one per database; one active cdc-ingest per slot)", "cachesync");
    public static final ConfigKey PUBLICATION = ConfigKey.of("ingest.publication-name",
            "Name of the pgoutput publication, created for the configured tables when missing", "cachesync");
    public static final ConfigKey PUBLICATION_AUTOCREATE = ConfigKey.of("ingest.publication-autocreate",
            "filtered: Debezium creates the publication for the configured tables and keeps its table list in step (needs"
                    + " ownership of the tables); disabled: an administrator created it (least privilege: the ingest user needs"
                    + " only REPLICATION and SELECT)", "filtered");
    public static final ConfigKey SNAPSHOT_MODE = ConfigKey.of("ingest.snapshot-mode",
            "Debezium snapshot.mode: initial (snapshot then stream), no_data (stream only), when_needed", "initial");
    public static final ConfigKey HEARTBEAT = ConfigKey.of("ingest.heartbeat-interval",
            "How often Debezium emits a heartbeat so the slot advances while the tables are idle", "10s");
    public static final ConfigKey OFFSET_FLUSH = ConfigKey.of("ingest.offset-flush-interval",
            "How often acknowledged offsets are written to Kafka (a crash replays at most this much; replays are harmless)", "1s");
    public static final ConfigKey PARTITIONS = SharedKeys.CDC_TOPIC_PARTITIONS;
    public static final ConfigKey REPLICATION = SharedKeys.REPLICATION_FACTOR;
    public static final ConfigKey MAX_BATCH = ConfigKey.of("ingest.max-batch-size",
            "Largest batch of change events Debezium hands over at once", "2048");

    public static final ConfigKey HTTP_PORT = ConfigKey.of("ingest.http-port",
            "Port of cdc-ingest's /metrics, /health/live and /health/ready (0 picks a free port, -1 turns it off)", "9402");
    public static final ConfigKey SIGNAL_TABLE = io.cachesync.core.config.SharedKeys.SIGNAL_TABLE;

    public static final List<ConfigKey> KEYS = List.of(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_SSLMODE, SLOT,
            PUBLICATION, PUBLICATION_AUTOCREATE, SNAPSHOT_MODE, HEARTBEAT, OFFSET_FLUSH, PARTITIONS, REPLICATION, MAX_BATCH, HTTP_PORT, SIGNAL_TABLE, EntityCatalog.ENTITIES,
            KafkaClientSettings.BOOTSTRAP, KafkaClientSettings.SECURITY_PROTOCOL, KafkaClientSettings.SASL_MECHANISM, KafkaClientSettings.SASL_JAAS,
            KafkaClientSettings.TRUSTSTORE, KafkaClientSettings.TRUSTSTORE_PASSWORD, KafkaClientSettings.KEYSTORE, KafkaClientSettings.KEYSTORE_PASSWORD);

    public static IngestConfig from(Settings s) {
        List<String> problems = new ArrayList<>();
        String jdbc = Endpoints.jdbcUrl(POSTGRES_URL, s, problems);
        String host = "127.0.0.1";
        int port = 5432;
        String db = "postgres";
        if (jdbc != null && jdbc.startsWith("jdbc:postgresql://")) {
            try {
                URI u = URI.create(jdbc.substring("jdbc:".length()));
                host = u.getHost();
                port = u.getPort() > 0 ? u.getPort() : 5432;
                db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
                if (host == null) {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                problems.add(POSTGRES_URL.name() + " has no host:port/db: '" + jdbc + "'");
            }
        }
        KafkaClientSettings kafka = KafkaClientSettings.from(s, problems);
        String sslMode = io.cachesync.core.config.SharedKeys.sslMode(s, problems);
        String slot = s.get(SLOT);
        if (!slot.matches("[a-z0-9_]{1,63}")) {
            problems.add(SLOT.name() + " must be lower-case letters, digits and _ (PostgreSQL slot names): '" + slot + "'");
        }
        String mode = s.get(SNAPSHOT_MODE);
        if (!List.of("initial", "no_data", "when_needed", "always", "initial_only").contains(mode)) {
            problems.add(SNAPSHOT_MODE.name() + " is not one of initial, no_data, when_needed, always, initial_only: '" + mode + "'");
        }
        String autocreate = s.get(PUBLICATION_AUTOCREATE);
        if (!List.of("filtered", "disabled").contains(autocreate)) {
            problems.add(PUBLICATION_AUTOCREATE.name() + " is not one of filtered, disabled: '" + autocreate + "'");
        }
        Duration hb = s.parse(HEARTBEAT, Settings::positiveDuration, Duration.ofSeconds(10), problems, "a positive duration such as 10s");
        Duration flush = s.parse(OFFSET_FLUSH, Settings::positiveDuration, Duration.ofSeconds(1), problems, "a positive duration such as 1s");
        int partitions = SharedKeys.cdcTopicPartitions(s, problems);
        short rf = SharedKeys.replicationFactor(s, problems);
        int batch = s.parse(MAX_BATCH, Integer::parseInt, 2048, problems, "a whole number");
        int httpPort = s.parse(HTTP_PORT, Integer::parseInt, 9402, problems, "a TCP port number, 0 or -1");
        if (httpPort < -1 || httpPort > 65535) {
            problems.add(HTTP_PORT.name() + " must be -1 (off), 0 (any free port) or a port up to 65535, was " + httpPort);
        }
        String signal = s.get(SIGNAL_TABLE);
        if (!SharedKeys.isQualifiedTable(signal)) {
            problems.add(SIGNAL_TABLE.name() + " is not schema.table of plain lower-case identifiers: '" + signal + "'");
        }
        EntityCatalog catalog = EntityCatalog.from(s, problems);
        if (!problems.isEmpty()) {
            throw ConfigException.of("cdc-ingest", problems);
        }
        return new IngestConfig(jdbc, host, port, db, s.get(POSTGRES_USER), s.get(POSTGRES_PASSWORD), sslMode, kafka, slot,
                s.get(PUBLICATION), autocreate, mode, hb, flush, partitions, rf, batch, httpPort, signal, catalog);
    }

    /** The tables Debezium captures ({@code schema.table}): those of the CDC-fed entities, and the signal table. */
    public List<String> capturedTables() {
        List<String> tables = new ArrayList<>(catalog.cdcFed().stream().map(EntityDefinition::qualifiedTable).toList());
        tables.add(signalTable);
        return tables;
    }

    public Map<String, Object> kafkaClientConfig() {
        return kafka.clientConfig();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String toString() {
        return "IngestConfig[" + Settings.show(POSTGRES_URL, jdbcUrl) + ", " + Settings.show(POSTGRES_USER, user) + ", "
                + Settings.show(POSTGRES_PASSWORD, password) + ", " + kafka + ", "
                + Settings.show(SLOT, slotName) + ", " + Settings.show(SNAPSHOT_MODE, snapshotMode) + ", tables="
                + catalog.all().stream().map(e -> e.qualifiedTable()).toList() + "]";
    }
}
