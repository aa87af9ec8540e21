package io.cachesync.sync.config;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.KafkaClientSettings;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.SharedKeys;
import io.cachesync.core.config.TypedKey;
import io.cachesync.core.redis.RedisEndpoint;
import io.cachesync.core.topics.TopicNames;
import io.cachesync.sync.topology.Batching;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The typed, validated configuration of cache-sync. */
public record SyncConfig(
        KafkaClientSettings kafka,
        RedisEndpoint redis,
        String applicationId,
        int threads,
        Duration commitInterval,
        Path stateDir,
        Duration redisTimeout,
        Duration redisRetryFor,
        int topicPartitions,
        int cdcTopicPartitions,
        short replicationFactor,
        PostgresEndpoint postgres,
        double auditFraction,
        Duration auditDelay,
        Duration auditGrace,
        int httpPort,
        String signalTable,
        int maxValueBytes,
        Batching batching,
        TopicNames topics,
        EntityCatalog catalog) {

    public static final TypedKey<String> APPLICATION_ID = TypedKey.text("sync.application-id",
            "Kafka Streams application.id: the consumer group and the prefix of internal topics (empty: "
                    + "<kafka.topic-prefix>-sync, so cachesync-sync by default)", "")
            .check(v -> v.matches("[A-Za-z0-9._-]{0,200}"), "hold only letters, digits, '.', '_' and '-'");
    public static final TypedKey<Integer> THREADS = TypedKey.integer("sync.threads", "Kafka Streams threads in this instance", 1).between(1, 64);
    public static final TypedKey<Duration> COMMIT_INTERVAL = TypedKey.positiveDuration("sync.commit-interval",
            "How often consumed offsets are committed; every Redis write of a record is acknowledged before its offset is", Duration.ofSeconds(1));
    public static final TypedKey<String> STATE_DIR = TypedKey.text("sync.state-dir",
            "Kafka Streams state directory (empty: <java.io.tmpdir>/cachesync-sync)", "");
    public static final TypedKey<Duration> REDIS_TIMEOUT = TypedKey.positiveDuration("sync.redis-timeout", "Connect and socket timeout of Redis calls",
            Duration.ofSeconds(2));
    public static final TypedKey<Duration> REDIS_RETRY_FOR = TypedKey.positiveDuration("sync.redis-retry-for",
            "How long a Redis write is retried (capped exponential backoff) before the stream thread is replaced and "
                    + "re-reads from the last committed offset; progress stops, nothing is skipped", Duration.ofMinutes(2));
    public static final TypedKey<Integer> PARTITIONS = TypedKey.integer("sync.topic-partitions",
            "Partitions of the topics only cache-sync creates: the dead-letter topic and cachesync.commands", 4).atLeast(1);
    public static final TypedKey<Integer> CDC_PARTITIONS = SharedKeys.CDC_TOPIC_PARTITIONS;
    public static final TypedKey<Integer> REPLICATION = SharedKeys.REPLICATION_FACTOR;
    public static final TypedKey<String> TOPIC_PREFIX = SharedKeys.TOPIC_PREFIX;

    public static final ConfigKey POSTGRES_URL = SharedKeys.POSTGRES_URL;
    public static final ConfigKey POSTGRES_USER = SharedKeys.POSTGRES_USER;
    public static final ConfigKey POSTGRES_PASSWORD = SharedKeys.POSTGRES_PASSWORD;
    public static final TypedKey<Double> AUDIT_FRACTION = TypedKey.fraction("sync.audit-fraction",
            "Fraction of applied keys the live auditor re-reads from PostgreSQL and Redis (0 turns it off)", 0.01, true);
    public static final TypedKey<Duration> AUDIT_DELAY = TypedKey.duration("sync.audit-delay", "How long after the apply the auditor compares",
            Duration.ofSeconds(5));
    public static final TypedKey<Duration> AUDIT_GRACE = TypedKey.duration("sync.audit-grace",
            "How long the auditor waits before re-checking a difference (in flight → converged, else stale)", Duration.ofSeconds(5));

    public static final TypedKey<Integer> HTTP_PORT = TypedKey.port("sync.http-port",
            "Port of cache-sync's /metrics, /health/live and /health/ready (0 picks a free port, -1 turns it off)", 9401, true);

    public static final TypedKey<String> POSTGRES_SSLMODE = SharedKeys.POSTGRES_SSLMODE;
    public static final TypedKey<Integer> MAX_VALUE_BYTES = TypedKey.integer("sync.max-value-bytes",
            "Largest record cache-sync caches: a larger CDC change invalidates its row (the next read fills it from PostgreSQL), a "
                    + "larger command goes to the dead-letter topic", 1_048_576).atLeast(1024);

    public static final TypedKey<Integer> BATCH_SIZE = TypedKey.integer("sync.batch-size",
            "Mutations a task writes to Redis in one pipeline at most (1: one write at a time)", 500).between(1, 100_000);
    public static final TypedKey<Duration> BATCH_LINGER = TypedKey.positiveDuration("sync.batch-linger",
            "Longest time a mutation waits in a task's batch before it is written (a batch is also written before every commit)",
            Duration.ofMillis(5));

    public static final List<ConfigKey> KEYS = ConfigKey.concat(RedisEndpoint.KEYS, List.of(APPLICATION_ID, THREADS, COMMIT_INTERVAL, STATE_DIR,
            REDIS_TIMEOUT, REDIS_RETRY_FOR, PARTITIONS, CDC_PARTITIONS, REPLICATION, TOPIC_PREFIX, EntityCatalog.ENTITIES, io.cachesync.core.catalog.ViewDefinitions.VIEWS,
            POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD, AUDIT_FRACTION, AUDIT_DELAY, AUDIT_GRACE, HTTP_PORT, POSTGRES_SSLMODE, MAX_VALUE_BYTES, BATCH_SIZE, BATCH_LINGER,
            SharedKeys.SIGNAL_TABLE,
            KafkaClientSettings.BOOTSTRAP, KafkaClientSettings.SECURITY_PROTOCOL, KafkaClientSettings.SASL_MECHANISM, KafkaClientSettings.SASL_JAAS,
            KafkaClientSettings.TRUSTSTORE, KafkaClientSettings.TRUSTSTORE_PASSWORD, KafkaClientSettings.KEYSTORE, KafkaClientSettings.KEYSTORE_PASSWORD));

    public static SyncConfig from(Settings s) {
        List<String> problems = new ArrayList<>();
        KafkaClientSettings kafka = KafkaClientSettings.from(s, problems);
        RedisEndpoint redis = RedisEndpoint.from(s, problems);
        // postgres.url always: the rebuilder, the source floor's schema check and the key reading need the database, audit or not
        PostgresEndpoint postgres = PostgresEndpoint.from(s, problems);
        EntityCatalog catalog = EntityCatalog.from(s, problems);
        String prefix = TOPIC_PREFIX.read(s, problems);
        TopicNames topics = new TopicNames(prefix.matches(TopicNames.PREFIX_PATTERN) ? prefix : TopicNames.DEFAULT_PREFIX);
        String applicationId = APPLICATION_ID.read(s, problems);
        if (applicationId.isEmpty()) {
            applicationId = topics.prefix() + "-sync";
        }
        SyncConfig config = new SyncConfig(kafka, redis, applicationId, THREADS.read(s, problems),
                COMMIT_INTERVAL.read(s, problems), stateDir(STATE_DIR.read(s, problems)), REDIS_TIMEOUT.read(s, problems),
                REDIS_RETRY_FOR.read(s, problems), PARTITIONS.read(s, problems), CDC_PARTITIONS.read(s, problems),
                REPLICATION.read(s, problems).shortValue(), postgres, AUDIT_FRACTION.read(s, problems),
                AUDIT_DELAY.read(s, problems), AUDIT_GRACE.read(s, problems), HTTP_PORT.read(s, problems),
                SharedKeys.SIGNAL_TABLE.read(s, problems), MAX_VALUE_BYTES.read(s, problems),
                new Batching(BATCH_SIZE.read(s, problems), BATCH_LINGER.read(s, problems)), topics, catalog);
        if (!problems.isEmpty()) {
            throw ConfigException.of("cache-sync", problems);
        }
        return config;
    }

    private static Path stateDir(String configured) {
        return configured.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "cachesync-sync") : Path.of(configured);
    }

    public Map<String, Object> kafkaClientConfig() {
        return kafka.clientConfig();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public String toString() {
        return "SyncConfig[" + kafka + ", " + redis
                + ", " + Settings.show(TOPIC_PREFIX, topics.prefix()) + ", " + Settings.show(APPLICATION_ID, applicationId) + ", " + Settings.show(THREADS, threads) + ", " + Settings.show(AUDIT_FRACTION, auditFraction)
                + ", " + postgres
                + ", entities=" + catalog.all().stream().map(e -> e.name()).toList() + "]";
    }
}
