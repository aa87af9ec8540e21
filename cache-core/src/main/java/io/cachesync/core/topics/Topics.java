package io.cachesync.core.topics;

/** Every Kafka topic cachesync reads or writes, named in one place. */
public final class Topics {
    /** Prefix of the CDC topics and Debezium's topic.prefix: {@code cachesync.<schema>.<table>}. */
    public static final String PREFIX = "cachesync";
    /** Change events published by backend teams themselves: {"entity","id","op":"upsert|delete","version","data"}. */
    public static final String COMMANDS = "cachesync.commands";
    /** Records cache-sync could not apply, with the reason in headers. */
    public static final String DLQ = "cachesync.dlq";
    /** Debezium offsets (Kafka Connect offset storage format). */
    public static final String INGEST_OFFSETS = "cachesync.ingest.offsets";

    /**
     * The source epochs (compacted, one partition): cdc-ingest appends one record, {@link io.cachesync.core.consistency.SourceEpoch},
     * each time the database it reads has a new identity (system identifier or timeline); cache-sync follows it.
     */
    public static final String SOURCE_EPOCHS = "cachesync.source-epochs";
    /** Header of every CDC record cdc-ingest publishes: the source epoch it was read under, in decimal. */
    public static final String SOURCE_EPOCH_HEADER = "cachesync.source-epoch";

    /** Header carrying why a record was dead-lettered. */
    public static final String DLQ_REASON_HEADER = "cachesync.dlq.reason";
    public static final String DLQ_SOURCE_TOPIC_HEADER = "cachesync.dlq.topic";
    public static final String DLQ_SOURCE_PARTITION_HEADER = "cachesync.dlq.partition";
    public static final String DLQ_SOURCE_OFFSET_HEADER = "cachesync.dlq.offset";

    private Topics() {
    }

    /** Adds the dead-letter headers to {@code h}: the reason, and where the record came from. */
    public static org.apache.kafka.common.header.Headers addDlqHeaders(org.apache.kafka.common.header.Headers h, String reason,
                                                                     String topic, int partition, long offset) {
        h.add(DLQ_REASON_HEADER, reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        h.add(DLQ_SOURCE_TOPIC_HEADER, topic.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        h.add(DLQ_SOURCE_PARTITION_HEADER, Integer.toString(partition).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        h.add(DLQ_SOURCE_OFFSET_HEADER, Long.toString(offset).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return h;
    }

    /** The CDC topic of a table: {@code cachesync.public.products}. */
    public static String cdc(String schema, String table) {
        return PREFIX + "." + schema + "." + table;
    }
}
