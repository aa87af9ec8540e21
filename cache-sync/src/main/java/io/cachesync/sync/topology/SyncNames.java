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
    /** Sink node writing poison records to {@link Topics#DLQ}. */
    public static final String DLQ_SINK = "dlq-sink";
    public static final String DLQ_TOPIC = Topics.DLQ;

    public static final Serde<byte[]> BYTES = Serdes.ByteArray();

    private SyncNames() {
    }
}
