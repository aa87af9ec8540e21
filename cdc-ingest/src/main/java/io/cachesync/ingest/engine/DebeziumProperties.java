package io.cachesync.ingest.engine;

import io.cachesync.core.topics.Topics;
import io.cachesync.ingest.config.IngestConfig;

import java.util.Collection;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The Debezium PostgreSQL connector and engine properties cdc-ingest runs with. */
public final class DebeziumProperties {
    /** The engine's name: the first element of every key of its offsets. */
    public static final String ENGINE_NAME = "cachesync-ingest";

    private DebeziumProperties() {
    }

    /**
     * @param generated the captured tables' generated columns ({@code schema.table.column}): Debezium's snapshots read them
     *                  while logical replication never carries them, so they are left out of every event (an entity's
     *                  events keep one set of columns, and no document holds a value later changes could not update)
     */
    public static Properties of(IngestConfig c, Collection<String> generated) {
        Properties p = new Properties();
        p.setProperty("name", ENGINE_NAME);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", c.topics().prefix());
        p.setProperty("database.hostname", c.postgres().host());
        p.setProperty("database.port", Integer.toString(c.postgres().port()));
        p.setProperty("database.user", c.postgres().user());
        p.setProperty("database.password", c.postgres().password());
        p.setProperty("database.dbname", c.postgres().database());
        p.setProperty("database.sslmode", c.postgres().sslMode());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", c.slotName());
        p.setProperty("publication.name", c.publicationName());
        p.setProperty("publication.autocreate.mode", c.publicationAutocreate());
        // a partitioned table's changes are published as the table's, not as those of the partition each row is in
        // (which no include list names); SourceSetup sets it on a publication created without it
        p.setProperty("publish.via.partition.root", "true");
        p.setProperty("table.include.list", c.capturedTables().stream().map(t -> t.replace(".", "\\.")).collect(Collectors.joining(",")));
        // sensitive columns never leave the database: not in Kafka, not in the dead-letter topic, not in any log
        String excluded = Stream.concat(c.catalog().cdcFed().stream()
                        .flatMap(e -> e.sensitive().stream().sorted().map(col -> e.qualifiedTable() + "." + col)), generated.stream())
                .map(Pattern::quote).collect(Collectors.joining(","));
        if (!excluded.isEmpty()) {
            p.setProperty("column.exclude.list", excluded);
        }
        // resync: a row in the signal table starts an incremental snapshot of the named tables, without downtime
        p.setProperty("signal.enabled.channels", "source");
        p.setProperty("signal.data.collection", c.signalTable());
        p.setProperty("incremental.snapshot.chunk.size", "1024");
        p.setProperty("snapshot.mode", c.snapshotMode());
        // an untouched TOASTed column (REPLICA IDENTITY DEFAULT) arrives as this; cache-sync invalidates such rows
        p.setProperty("unavailable.value.placeholder", Topics.UNAVAILABLE_VALUE);
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("binary.handling.mode", "base64");
        // ISO 8601 with each field as PostgreSQL keeps it; the default (microseconds, a month as 30.4375 days) is lossy
        p.setProperty("interval.handling.mode", "string");
        // numeric's NaN / ±Infinity arrive as strings like a text column's: the column's type tells them apart (only
        // numeric columns carry it: the parameter is repeated in every event's schema)
        p.setProperty("datatype.propagate.source.type", "(?i).*numeric");
        p.setProperty("tombstones.on.delete", "false");
        // a TRUNCATE is published (Debezium skips it by default): cache-sync deletes the table's rows older than it
        p.setProperty("skipped.operations", "none");
        p.setProperty("heartbeat.interval.ms", Long.toString(c.heartbeatInterval().toMillis()));
        p.setProperty("max.batch.size", Integer.toString(c.maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(c.maxBatchSize() * 4));
        // how long Debezium pauses when the replication stream has nothing new, and again when its queue is empty: each
        // pause is added to a change's lag, and each wake-up costs CPU while idle (docs/performance.md, "Capacity")
        p.setProperty("poll.interval.ms", Long.toString(c.pollInterval().toMillis()));
        // offsets live in Kafka (Kafka Connect's offset topic format), never in memory or only in a local file
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        p.setProperty("offset.storage.topic", c.topics().ingestOffsets());
        p.setProperty("offset.storage.partitions", "1");
        p.setProperty("offset.storage.replication.factor", Short.toString(c.replicationFactor()));
        p.setProperty("offset.flush.interval.ms", Long.toString(c.offsetFlushInterval().toMillis()));
        p.setProperty("offset.flush.timeout.ms", "10000");
        // the offset store's Kafka clients take the worker-level connection and security settings
        c.kafkaClientConfig().forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        // compact keys. cache-sync needs each column's Connect schema: with ingest.envelope=compact the publisher sends
        // it once per schema (cachesync.schemas) and Debezium converts the payload only; with =debezium every value
        // carries it
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", Boolean.toString(!c.compactEnvelope()));
        // no retries inside the engine: a lost connection stops it, and IngestService starts a new one (with backoff)
        // after resolving the database's identity again — a server that comes back restored or promoted is a new
        // source epoch, never a continuation of the old positions
        p.setProperty("errors.max.retries", "0");
        return p;
    }
}
