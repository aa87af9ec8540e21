package io.cachesync.sync.topology;

import io.cachesync.core.consistency.SourceEpoch;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Hands every source epoch cdc-ingest announced ({@link io.cachesync.core.topics.TopicNames#sourceEpochs()}) to the source
 * floor. A record that is not one is logged and skipped (only cdc-ingest writes this topic).
 */
final class SourceEpochProcessor implements Processor<byte[], byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(SourceEpochProcessor.class);
    private final Consumer<SourceEpoch> onSourceEpoch;

    SourceEpochProcessor(Consumer<SourceEpoch> onSourceEpoch) {
        this.onSourceEpoch = onSourceEpoch;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        SourceEpoch epoch;
        try {
            epoch = SourceEpoch.fromJson(record.value());
        } catch (IllegalArgumentException e) {
            LOG.error("skipping a record of the source epochs' topic: {}", e.getMessage());
            return;
        }
        onSourceEpoch.accept(epoch);
    }
}
