package io.cachesync.sync.topology;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic, processor and serde of the cache-sync topology, named in one place (generated names shift). */
public final class SyncNames {
    /** Source node reading every configured CDC topic. */
    public static final String CDC_SOURCE = "cdc-source";
    /** Parses the envelope and applies the mutation to Redis. */
    public static final String APPLY = "apply-to-redis";
    /** Source node reading the commands topic ({@link io.cachesync.core.topics.TopicNames#commands()}). */
    public static final String COMMANDS_SOURCE = "commands-source";
    /** Parses a command and applies it through the same versioned path. */
    public static final String APPLY_COMMAND = "apply-command";
    /** The pending Redis writes of a CDC task, flushed before every commit. */
    public static final String CDC_BATCH_STORE = "redis-batch-cdc";
    /** The pending Redis writes of a commands task, flushed before every commit. */
    public static final String COMMANDS_BATCH_STORE = "redis-batch-commands";
    /** Sink node writing poison records to the dead-letter topic ({@link io.cachesync.core.topics.TopicNames#dlq()}). */
    public static final String DLQ_SINK = "dlq-sink";

    /** Source node reading the source epochs ({@link io.cachesync.core.topics.TopicNames#sourceEpochs()}): the identities of the database cdc-ingest reads. */
    public static final String SOURCE_EPOCHS_SOURCE = "source-epochs-source";
    /** Raises the source floor in Redis when cdc-ingest announces a new source epoch. */
    public static final String RAISE_SOURCE_FLOOR = "raise-source-floor";

    /** Prefix of the threads that write a task's batches to Redis (one per task, named by its store and task). */
    public static final String REDIS_WRITER_THREAD = "cachesync-redis-writer-";

    public static final Serde<byte[]> BYTES = Serdes.ByteArray();

    private SyncNames() {
    }
}
