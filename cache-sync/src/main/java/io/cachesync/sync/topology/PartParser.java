package io.cachesync.sync.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.topics.Topics;
import io.cachesync.core.util.LogThrottle;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.MutationParser;
import io.cachesync.sync.envelope.PoisonRecordException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a part's change event into its part row keyed by the row's canonical id ({@link ViewValues#partRow}). A record
 * that cannot be parsed is skipped here: every part is an entity, and the entity topology dead-letters the same record
 * with its reason.
 */
final class PartParser implements Processor<byte[], byte[], String, JsonNode> {
    private static final Logger LOG = LoggerFactory.getLogger(PartParser.class);
    /** One truncate reaches every partition of the part's topic: one line names it. */
    private static final LogThrottle TRUNCATE_LOG = new LogThrottle(LogThrottle.REPEATED_FAILURES);
    private final MutationParser parser;
    private ProcessorContext<String, JsonNode> context;

    PartParser(MutationParser parser) {
        this.parser = parser;
    }

    @Override
    public void init(ProcessorContext<String, JsonNode> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(null);
        CacheMutation m;
        try {
            Header h = record.headers().lastHeader(Topics.SOURCE_EPOCH_HEADER);
            m = parser.parse(topic, record.key(), record.value(), SourceEpoch.fromHeader(h == null ? null : h.value()));
        } catch (PoisonRecordException | IllegalArgumentException e) {
            LOG.debug("view part record of {} skipped (the entity path dead-letters it): {}", topic, e.getMessage());
            return;
        }
        if (m.op() == CacheMutation.Op.TRUNCATE) {
            TRUNCATE_LOG.warn(LOG, "a TRUNCATE of {}: view documents that embed its rows keep them (docs/consistency.md §3.3); "
                    + "delete a view part's rows instead", m.entity().qualifiedTable());
            return;
        }
        context.forward(new Record<>(m.id(), ViewValues.partRow(m), record.timestamp()));
    }
}
