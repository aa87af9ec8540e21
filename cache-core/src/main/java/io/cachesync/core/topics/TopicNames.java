package io.cachesync.core.topics;

import java.util.Objects;

/**
 * The topics of one cachesync deployment, every one named {@code <prefix>.…} ({@code kafka.topic-prefix}), so that
 * deployments with different prefixes share a Kafka cluster without reading each other's changes, offsets or source
 * epochs. The prefix holds no '.', so a CDC topic is always three dot-separated parts.
 *
 * @param prefix {@code cachesync} unless configured
 */
public record TopicNames(String prefix) {
    public static final String DEFAULT_PREFIX = "cachesync";
    public static final TopicNames DEFAULT = new TopicNames(DEFAULT_PREFIX);
    /** What a prefix may be: letters, digits, '_' and '-' (Kafka's topic characters without '.'). */
    public static final String PREFIX_PATTERN = "[A-Za-z0-9_-]{1,100}";

    public TopicNames {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.matches(PREFIX_PATTERN)) {
            throw new IllegalArgumentException("a topic prefix holds 1 to 100 letters, digits, '_' or '-': '" + prefix + "'");
        }
    }

    /** The CDC topic of a table: {@code <prefix>.public.products}. */
    public String cdc(String schema, String table) {
        return prefix + "." + schema + "." + table;
    }

    /** Change events published by backend teams themselves: {"entity","id","op":"upsert|delete","version","data"}. */
    public String commands() {
        return prefix + ".commands";
    }

    /** Records cache-sync could not apply, with the reason in headers. */
    public String dlq() {
        return prefix + ".dlq";
    }

    /** Debezium's offsets (Kafka Connect offset storage format, compacted). */
    public String ingestOffsets() {
        return prefix + ".ingest.offsets";
    }

    /**
     * The source epochs (compacted, one partition): cdc-ingest appends one record, {@link io.cachesync.core.consistency.SourceEpoch},
     * each time the database it reads has a new identity (system identifier or timeline); cache-sync follows it.
     */
    public String sourceEpochs() {
        return prefix + ".source-epochs";
    }

    /**
     * The Connect schemas of the change events (compacted, one partition): cdc-ingest writes each distinct schema once,
     * keyed by its {@link CompactEnvelope#schemaId id}, before the first event that names it; cache-sync reads it when an
     * event names an id it does not know yet.
     */
    public String schemas() {
        return prefix + ".schemas";
    }
}
