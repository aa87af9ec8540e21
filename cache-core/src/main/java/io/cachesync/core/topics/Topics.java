package io.cachesync.core.topics;

import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What every topic cachesync creates carries: headers, record limits, settings. The topics' names: {@link TopicNames}. */
public final class Topics {
    /** Header of every CDC record cdc-ingest publishes: the source epoch it was read under, in decimal. */
    public static final String SOURCE_EPOCH_HEADER = "cachesync.source-epoch";

    /**
     * The largest record cachesync publishes, and the {@code max.message.bytes} of every topic it creates (set on the
     * topic, so a broker left at Kafka's default of 1 MiB accepts it). A change event that would be larger is published
     * as a {@link #TOO_LARGE_FIELD too-large change} instead.
     */
    public static final int MAX_RECORD_BYTES = 8 * 1024 * 1024;
    /** Topic settings every topic cachesync creates carries. */
    public static final Map<String, String> TOPIC_CONFIG = Map.of("max.message.bytes", Integer.toString(MAX_RECORD_BYTES));
    /** {@link #TOPIC_CONFIG} for a compacted topic (offsets, epochs). */
    public static final Map<String, String> COMPACTED_TOPIC_CONFIG = Map.of("max.message.bytes",
            Integer.toString(MAX_RECORD_BYTES), "cleanup.policy", "compact");
    /**
     * Field of a too-large change: a change event whose full form the broker would refuse, published by cdc-ingest with
     * its {@code op}, {@code source} and key columns only, and {@code "cachesync_too_large": {"bytes": n, "reason": …}}.
     * cache-sync invalidates the row (the next read fills it from PostgreSQL).
     */
    public static final String TOO_LARGE_FIELD = "cachesync_too_large";

    /**
     * What cdc-ingest has Debezium write (its {@code unavailable.value.placeholder}) for a value the change does not
     * carry: a TOASTed column the change left untouched, under {@code REPLICA IDENTITY DEFAULT}. cache-sync never caches
     * it: the row is invalidated and the next read fills it from PostgreSQL.
     */
    public static final String UNAVAILABLE_VALUE = "__debezium_unavailable_value";

    /** Header carrying why a record was dead-lettered. */
    public static final String DLQ_REASON_HEADER = "cachesync.dlq.reason";
    public static final String DLQ_SOURCE_TOPIC_HEADER = "cachesync.dlq.topic";
    public static final String DLQ_SOURCE_PARTITION_HEADER = "cachesync.dlq.partition";
    public static final String DLQ_SOURCE_OFFSET_HEADER = "cachesync.dlq.offset";

    private Topics() {
    }

    /** Adds the dead-letter headers to {@code h}: the reason, and where the record came from. */
    public static Headers addDlqHeaders(Headers h, String reason, String topic, int partition, long offset) {
        h.add(DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        h.add(DLQ_SOURCE_TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
        h.add(DLQ_SOURCE_PARTITION_HEADER, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        h.add(DLQ_SOURCE_OFFSET_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        return h;
    }

    /**
     * The value a dead letter carries: the record's own, or — when key and value would not fit in a record —
     * {@code {"dead_letter_reference": {"topic", "partition", "offset", "bytes"}}}: the original stays where it is.
     */
    public static byte[] dlqValue(byte[] key, byte[] value, String topic, int partition, long offset) {
        long size = (key == null ? 0 : key.length) + (value == null ? 0 : (long) value.length);
        if (size <= MAX_RECORD_BYTES - 64 * 1024) {
            return value;
        }
        return ("{\"dead_letter_reference\":{\"topic\":\"" + topic + "\",\"partition\":" + partition + ",\"offset\":" + offset
                + ",\"bytes\":" + size + "}}").getBytes(StandardCharsets.UTF_8);
    }
}
