package io.cachesync.sync.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.topics.Topics;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.MutationParser;
import io.cachesync.sync.envelope.PoisonRecordException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a part's change event into its part row keyed by the row's canonical id ({@link ViewValues#partRow}). A record
 * that cannot be parsed is skipped here: every part is an entity, and the entity topology dead-letters the same record
 * with its reason.
 * <p>
 * A TRUNCATE of the part's table (it reaches every partition) becomes a delete of each row of this partition older than
 * it: the part's table keeps a row until its delete, and the truncate deletes no row one by one. So each row's id and
 * version are kept in a store of their own ({@link ViewNames#partVersions}); the table's own store belongs to the
 * KTable and cannot be read here.
 */
final class PartParser implements Processor<byte[], byte[], String, JsonNode> {
    private static final Logger LOG = LoggerFactory.getLogger(PartParser.class);
    private final MutationParser parser;
    private final String versionsStore;
    private ProcessorContext<String, JsonNode> context;
    private KeyValueStore<String, String> versions;

    /** @param versionsStore the store of each row's version, by id */
    PartParser(MutationParser parser, String versionsStore) {
        this.parser = parser;
        this.versionsStore = versionsStore;
    }

    @Override
    public void init(ProcessorContext<String, JsonNode> context) {
        this.context = context;
        this.versions = context.getStateStore(versionsStore);
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
            truncate(m, record.timestamp());
            return;
        }
        JsonNode row = ViewValues.partRow(m);
        if (row == null) {
            versions.delete(m.id());
        } else {
            versions.put(m.id(), m.version());
        }
        context.forward(new Record<>(m.id(), row, record.timestamp()));
    }

    /** Deletes every row of this partition older than the truncate; rows of later changes (the same transaction's inserts) stay. */
    private void truncate(CacheMutation m, long timestamp) {
        List<String> older = new ArrayList<>();
        try (KeyValueIterator<String, String> all = versions.all()) {
            while (all.hasNext()) {
                KeyValue<String, String> row = all.next();
                if (row.value.compareTo(m.version()) < 0) {
                    older.add(row.key);
                }
            }
        }
        for (String id : older) {
            versions.delete(id);
            context.forward(new Record<>(id, (JsonNode) null, timestamp));
        }
        LOG.info("a TRUNCATE of {}: {} rows of one partition deleted from its views' documents", m.entity().qualifiedTable(), older.size());
    }
}
