package io.cachesync.sync.topology;

import io.cachesync.core.topics.Topics;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.MutationParser;
import io.cachesync.sync.envelope.PoisonRecordException;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.SyncStats;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Parses each record (a CDC event or a command) and applies it to Redis before returning, so that Kafka Streams only commits offsets of
 * records whose Redis write was acknowledged. A record that cannot be parsed is forwarded to the dead-letter sink
 * with the reason in headers, and processing goes on with the next record.
 */
final class ApplyProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ApplyProcessor.class);

    private final MutationParser parser;
    private final MutationListener listener;
    private final RedisMutationApplier applier;
    private final SyncStats stats;
    private ProcessorContext<byte[], byte[]> context;

    ApplyProcessor(MutationParser parser, RedisMutationApplier applier, SyncStats stats, MutationListener listener) {
        this.parser = parser;
        this.listener = listener;
        this.applier = applier;
        this.stats = stats;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<RecordMetadata> meta = context.recordMetadata();
        String topic = meta.map(RecordMetadata::topic).orElse(null);
        CacheMutation m;
        try {
            m = parser.parse(topic, record.value());
        } catch (PoisonRecordException e) {
            deadLetter(record, meta, e.getMessage());
            return;
        }
        applier.apply(m);
        listener.applied(m);
    }

    private void deadLetter(Record<byte[], byte[]> record, Optional<RecordMetadata> meta, String reason) {
        stats.deadLettered();
        LOG.warn("dead-lettering record {}-{}@{}: {}", meta.map(RecordMetadata::topic).orElse("?"),
                meta.map(RecordMetadata::partition).orElse(-1), meta.map(RecordMetadata::offset).orElse(-1L), reason);
        Headers h = new RecordHeaders(record.headers().toArray());
        h.add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        meta.ifPresent(md -> {
            h.add(Topics.DLQ_SOURCE_TOPIC_HEADER, md.topic().getBytes(StandardCharsets.UTF_8));
            h.add(Topics.DLQ_SOURCE_PARTITION_HEADER, Integer.toString(md.partition()).getBytes(StandardCharsets.UTF_8));
            h.add(Topics.DLQ_SOURCE_OFFSET_HEADER, Long.toString(md.offset()).getBytes(StandardCharsets.UTF_8));
        });
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), h), SyncNames.DLQ_SINK);
    }
}
