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

    /** Header carrying why a record was dead-lettered. */
    public static final String DLQ_REASON_HEADER = "cachesync.dlq.reason";
    public static final String DLQ_SOURCE_TOPIC_HEADER = "cachesync.dlq.topic";
    public static final String DLQ_SOURCE_PARTITION_HEADER = "cachesync.dlq.partition";
    public static final String DLQ_SOURCE_OFFSET_HEADER = "cachesync.dlq.offset";

    private Topics() {
    }

    /** The CDC topic of a table: {@code cachesync.public.products}. */
    public static String cdc(String schema, String table) {
        return PREFIX + "." + schema + "." + table;
    }
}
