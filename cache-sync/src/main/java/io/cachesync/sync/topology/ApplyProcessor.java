package io.cachesync.sync.topology;

import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.topics.Topics;
import io.cachesync.core.util.LogThrottle;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.MutationParser;
import io.cachesync.sync.envelope.PoisonRecordException;
import io.cachesync.sync.redis.SyncStats;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Parses each record (a CDC event or a command) into the task's {@link RedisBatchStore}, which is written to Redis in
 * one pipeline when it is full, after {@code linger}, and before every commit — so Kafka Streams only commits offsets
 * of records whose Redis write was acknowledged. A record that cannot be parsed is forwarded to the dead-letter sink
 * with the reason in headers, and processing goes on with the next record.
 */
final class ApplyProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ApplyProcessor.class);
    /** A producer gone wrong can send thousands of bad records a second: one line per 10 s names one, the DLQ has all. */
    private static final LogThrottle DEAD_LETTER_LOG = new LogThrottle(LogThrottle.REPEATED_FAILURES);

    private final MutationParser parser;
    private final SyncStats stats;
    private final String storeName;
    private final Batching batching;
    private ProcessorContext<byte[], byte[]> context;
    private RedisBatchStore batch;

    ApplyProcessor(MutationParser parser, SyncStats stats, String storeName, Batching batching) {
        this.parser = parser;
        this.stats = stats;
        this.storeName = storeName;
        this.batching = batching;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.batch = context.getStateStore(storeName);
        context.schedule(batching.linger(), PunctuationType.WALL_CLOCK_TIME, t -> batch.sendIfFree());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<RecordMetadata> meta = context.recordMetadata();
        String topic = meta.map(RecordMetadata::topic).orElse(null);
        CacheMutation m;
        try {
            m = parser.parse(topic, record.key(), record.value(), sourceEpoch(record.headers()));
            if (meta.isPresent()) {
                m = m.withOrigin(new CacheMutation.Origin(topic, meta.get().partition(), meta.get().offset(), record.key(), record.value()));
            }
        } catch (PoisonRecordException e) {
            deadLetter(record, meta, e.getMessage());
            return;
        }
        if (!m.snapshot() && m.sourceTimestampMs() > 0) {
            stats.ingestLag(record.timestamp() - m.sourceTimestampMs());
        }
        if (m.op() == CacheMutation.Op.TRUNCATE) {
            batch.truncate(m);
            return;
        }
        batch.add(m);
        if (batch.size() >= batching.size()) {
            batch.send();
        }
    }

    /** The record's source epoch header (0 without one); a malformed one makes the record poison. */
    private static int sourceEpoch(Headers headers) throws PoisonRecordException {
        Header h = headers.lastHeader(Topics.SOURCE_EPOCH_HEADER);
        try {
            return SourceEpoch.fromHeader(h == null ? null : h.value());
        } catch (IllegalArgumentException e) {
            throw new PoisonRecordException(e.getMessage());
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, Optional<RecordMetadata> meta, String reason) {
        stats.deadLettered();
        DEAD_LETTER_LOG.warn(LOG, "dead-lettering record {}-{}@{}: {}", meta.map(RecordMetadata::topic).orElse("?"),
                meta.map(RecordMetadata::partition).orElse(-1), meta.map(RecordMetadata::offset).orElse(-1L), reason);
        Headers h = new RecordHeaders(record.headers().toArray());
        if (meta.isPresent()) {
            Topics.addDlqHeaders(h, reason, meta.get().topic(), meta.get().partition(), meta.get().offset());
        } else {
            h.add(Topics.DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        }
        byte[] value = meta.isPresent()
                ? Topics.dlqValue(record.key(), record.value(), meta.get().topic(), meta.get().partition(), meta.get().offset())
                : record.value();
        context.forward(new Record<>(record.key(), value, record.timestamp(), h), SyncNames.DLQ_SINK);
    }
}
