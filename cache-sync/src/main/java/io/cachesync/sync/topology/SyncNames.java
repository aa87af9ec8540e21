package io.cachesync.sync.topology;

import io.cachesync.core.topics.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Every topic, processor and serde of the cache-sync topology, named in one place (generated names shift). */
public final class SyncNames {
    /** Source node reading every configured CDC topic. */
    public static final String CDC_SOURCE = "cdc-source";
    /** Parses the envelope and applies the mutation to Redis. */
    public static final String APPLY = "apply-to-redis";
    /** Source node reading {@link Topics#COMMANDS}. */
    public static final String COMMANDS_SOURCE = "commands-source";
    /** Parses a command and applies it through the same versioned path. */
    public static final String APPLY_COMMAND = "apply-command";
    public static final String COMMANDS_TOPIC = Topics.COMMANDS;
    /** The pending Redis writes of a CDC task, flushed before every commit. */
    public static final String CDC_BATCH_STORE = "redis-batch-cdc";
    /** The pending Redis writes of a commands task, flushed before every commit. */
    public static final String COMMANDS_BATCH_STORE = "redis-batch-commands";
    /** Sink node writing poison records to {@link Topics#DLQ}. */
    public static final String DLQ_SINK = "dlq-sink";
    public static final String DLQ_TOPIC = Topics.DLQ;

    /** Source node reading {@link Topics#SOURCE_EPOCHS}: the identities of the database cdc-ingest reads. */
    public static final String SOURCE_EPOCHS_SOURCE = "source-epochs-source";
    /** Raises the source floor in Redis when cdc-ingest announces a new source epoch. */
    public static final String RAISE_SOURCE_FLOOR = "raise-source-floor";
    public static final String SOURCE_EPOCHS_TOPIC = Topics.SOURCE_EPOCHS;

    /** Prefix of the threads that write a task's batches to Redis (one per task, named by its store and task). */
    public static final String REDIS_WRITER_THREAD = "cachesync-redis-writer-";

    public static final Serde<byte[]> BYTES = Serdes.ByteArray();

    private SyncNames() {
    }
}
