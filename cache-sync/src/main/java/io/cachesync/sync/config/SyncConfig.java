package io.cachesync.sync.config;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Endpoints;
import io.cachesync.core.config.KafkaClientSettings;
import io.cachesync.core.config.Settings;
import io.cachesync.core.redis.RedisConnections;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The typed, validated configuration of cache-sync. */
public record SyncConfig(
        KafkaClientSettings kafka,
        URI redisUrl,
        String applicationId,
        int threads,
        Duration commitInterval,
        Path stateDir,
        Duration redisTimeout,
        Duration redisRetryFor,
        int topicPartitions,
        int cdcTopicPartitions,
        short replicationFactor,
        String jdbcUrl,
        String dbUser,
        String dbPassword,
        double auditFraction,
        Duration auditDelay,
        Duration auditGrace,
        int httpPort,
        String sslMode,
        String signalTable,
        int maxValueBytes,
        io.cachesync.sync.topology.Batching batching,
        EntityCatalog catalog) {

    public static final ConfigKey REDIS_URL = io.cachesync.core.config.SharedKeys.REDIS_URL;
    public static final ConfigKey APPLICATION_ID = ConfigKey.of("sync.application-id",
            "Kafka Streams application.id: the consumer group and the prefix of internal topics", "cachesync-sync");
    public static final ConfigKey THREADS = ConfigKey.of("sync.threads", "Kafka Streams threads in this instance", "1");
    public static final ConfigKey COMMIT_INTERVAL = ConfigKey.of("sync.commit-interval",
            "How often consumed offsets are committed; every Redis write of a record is acknowledged before its offset is", "1s");
    public static final ConfigKey STATE_DIR = ConfigKey.of("sync.state-dir", "Kafka Streams state directory",
            System.getProperty("java.io.tmpdir") + "/cachesync-sync");
    public static final ConfigKey REDIS_TIMEOUT = ConfigKey.of("sync.redis-timeout", "Connect and socket timeout of Redis calls", "2s");
    public static final ConfigKey REDIS_RETRY_FOR = ConfigKey.of("sync.redis-retry-for",
            "How long a Redis write is retried (capped exponential backoff) before the stream thread is replaced and "
                    + "re-reads from the last committed offset; progress stops, nothing is skipped", "2m");
    public static final ConfigKey PARTITIONS = ConfigKey.of("sync.topic-partitions",
            "Partitions of the topics only cache-sync creates: the dead-letter topic and cachesync.commands", "4");
    public static final ConfigKey CDC_PARTITIONS = io.cachesync.core.config.SharedKeys.CDC_TOPIC_PARTITIONS;
    public static final ConfigKey REPLICATION = io.cachesync.core.config.SharedKeys.REPLICATION_FACTOR;

    public static final ConfigKey POSTGRES_URL = io.cachesync.core.config.SharedKeys.POSTGRES_URL;
    public static final ConfigKey POSTGRES_USER = io.cachesync.core.config.SharedKeys.POSTGRES_USER;
    public static final ConfigKey POSTGRES_PASSWORD = io.cachesync.core.config.SharedKeys.POSTGRES_PASSWORD;
    public static final ConfigKey AUDIT_FRACTION = ConfigKey.of("sync.audit-fraction",
            "Fraction of applied keys the live auditor re-reads from PostgreSQL and Redis (0 turns it off)", "0.01");
    public static final ConfigKey AUDIT_DELAY = ConfigKey.of("sync.audit-delay", "How long after the apply the auditor compares", "5s");
    public static final ConfigKey AUDIT_GRACE = ConfigKey.of("sync.audit-grace",
            "How long the auditor waits before re-checking a difference (in flight → converged, else stale)", "5s");

    public static final ConfigKey HTTP_PORT = ConfigKey.of("sync.http-port",
            "Port of cache-sync's /metrics, /health/live and /health/ready (0 picks a free port, -1 turns it off)", "9401");

    public static final ConfigKey POSTGRES_SSLMODE = io.cachesync.core.config.SharedKeys.POSTGRES_SSLMODE;
    public static final ConfigKey MAX_VALUE_BYTES = ConfigKey.of("sync.max-value-bytes",
            "Largest record cache-sync applies; a larger one goes to the dead-letter topic", "1048576");

    public static final ConfigKey BATCH_SIZE = ConfigKey.of("sync.batch-size",
            "Mutations a task writes to Redis in one pipeline at most (1: one write at a time)", "500");
    public static final ConfigKey BATCH_LINGER = ConfigKey.of("sync.batch-linger",
            "Longest time a mutation waits in a task's batch before it is written (a batch is also written before every commit)", "5ms");

    public static final List<ConfigKey> KEYS = List.of(REDIS_URL, APPLICATION_ID, THREADS, COMMIT_INTERVAL, STATE_DIR,
            REDIS_TIMEOUT, REDIS_RETRY_FOR, PARTITIONS, CDC_PARTITIONS, REPLICATION, EntityCatalog.ENTITIES,
            POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD, AUDIT_FRACTION, AUDIT_DELAY, AUDIT_GRACE, HTTP_PORT, POSTGRES_SSLMODE, MAX_VALUE_BYTES, BATCH_SIZE, BATCH_LINGER,
            io.cachesync.core.config.SharedKeys.SIGNAL_TABLE,
            KafkaClientSettings.BOOTSTRAP, KafkaClientSettings.SECURITY_PROTOCOL, KafkaClientSettings.SASL_MECHANISM, KafkaClientSettings.SASL_JAAS,
            KafkaClientSettings.TRUSTSTORE, KafkaClientSettings.TRUSTSTORE_PASSWORD, KafkaClientSettings.KEYSTORE, KafkaClientSettings.KEYSTORE_PASSWORD);

    public static SyncConfig from(Settings s) {
        List<String> problems = new ArrayList<>();
        KafkaClientSettings kafka = KafkaClientSettings.from(s, problems);
        URI redis = Endpoints.redisUrl(REDIS_URL, s, problems);
        String appId = s.get(APPLICATION_ID);
        if (!appId.matches("[A-Za-z0-9._-]{1,200}")) {
            problems.add(APPLICATION_ID.name() + " may only hold letters, digits, '.', '_' and '-': '" + appId + "'");
        }
        int threads = s.parse(THREADS, Integer::parseInt, 1, problems, "a whole number of threads");
        if (threads < 1 || threads > 64) {
            problems.add(THREADS.name() + " must be between 1 and 64");
        }
        Duration commit = s.parse(COMMIT_INTERVAL, Settings::positiveDuration, Duration.ofSeconds(1), problems, "a positive duration such as 1s");
        Duration timeout = s.parse(REDIS_TIMEOUT, Settings::positiveDuration, Duration.ofSeconds(2), problems, "a positive duration such as 2s");
        Duration retry = s.parse(REDIS_RETRY_FOR, Settings::positiveDuration, Duration.ofMinutes(2), problems, "a positive duration such as 2m");
        int partitions = s.parse(PARTITIONS, Integer::parseInt, 4, problems, "a whole number of partitions");
        if (partitions < 1) {
            problems.add(PARTITIONS.name() + " must be at least 1");
        }
        int cdcPartitions = io.cachesync.core.config.SharedKeys.cdcTopicPartitions(s, problems);
        short rf = io.cachesync.core.config.SharedKeys.replicationFactor(s, problems);
        double fraction = s.parse(AUDIT_FRACTION, v -> {
            double d = Double.parseDouble(v);
            if (d < 0 || d > 1 || Double.isNaN(d)) {
                throw new IllegalArgumentException();
            }
            return d;
        }, 0.01, problems, "a fraction in [0, 1] such as 0.01");
        Duration auditDelay = s.parse(AUDIT_DELAY, Settings::duration, Duration.ofSeconds(5), problems, "a duration such as 5s");
        Duration auditGrace = s.parse(AUDIT_GRACE, Settings::duration, Duration.ofSeconds(5), problems, "a duration such as 5s");
        // always: the rebuilder, the source floor's schema check and the key reading need the database, audit or not
        String jdbc = Endpoints.jdbcUrl(POSTGRES_URL, s, problems);
        int httpPort = s.parse(HTTP_PORT, Integer::parseInt, 9401, problems, "a TCP port number, 0 or -1");
        if (httpPort < -1 || httpPort > 65535) {
            problems.add(HTTP_PORT.name() + " must be -1 (off), 0 (any free port) or a port up to 65535, was " + httpPort);
        }
        String sslMode = io.cachesync.core.config.SharedKeys.sslMode(s, problems);
        String signal = s.get(io.cachesync.core.config.SharedKeys.SIGNAL_TABLE);
        if (!io.cachesync.core.config.SharedKeys.isQualifiedTable(signal)) {
            problems.add(io.cachesync.core.config.SharedKeys.SIGNAL_TABLE.name() + " is not schema.table of plain lower-case identifiers: '" + signal + "'");
        }
        int maxValue = s.parse(MAX_VALUE_BYTES, Integer::parseInt, 1_048_576, problems, "a number of bytes");
        if (maxValue < 1024) {
            problems.add(MAX_VALUE_BYTES.name() + " must be at least 1024");
        }
        int batchSize = s.parse(BATCH_SIZE, Integer::parseInt, 500, problems, "a whole number");
        if (batchSize < 1 || batchSize > 100_000) {
            problems.add(BATCH_SIZE.name() + " must be between 1 and 100000, was " + batchSize);
        }
        Duration linger = s.parse(BATCH_LINGER, Settings::positiveDuration, Duration.ofMillis(5), problems, "a positive duration such as 5ms");
        EntityCatalog catalog = EntityCatalog.from(s, problems);
        if (!problems.isEmpty()) {
            throw ConfigException.of("cache-sync", problems);
        }
        return new SyncConfig(kafka, redis, appId, threads, commit, Path.of(s.get(STATE_DIR)), timeout, retry, partitions, cdcPartitions, rf,
                jdbc, s.get(POSTGRES_USER), s.get(POSTGRES_PASSWORD), fraction, auditDelay, auditGrace, httpPort, sslMode, signal, maxValue,
                new io.cachesync.sync.topology.Batching(batchSize, linger), catalog);
    }

    public Map<String, Object> kafkaClientConfig() {
        return kafka.clientConfig();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String toString() {
        return "SyncConfig[" + kafka + ", redis.url=" + RedisConnections.masked(redisUrl)
                + ", " + Settings.show(APPLICATION_ID, applicationId) + ", " + Settings.show(THREADS, threads) + ", " + Settings.show(AUDIT_FRACTION, auditFraction)
                + ", " + Settings.show(POSTGRES_URL, jdbcUrl) + ", " + Settings.show(POSTGRES_PASSWORD, dbPassword)
                + ", entities=" + catalog.all().stream().map(e -> e.name()).toList() + "]";
    }
}
