package io.cachesync.ingest.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.topics.Topics;
import io.cachesync.ingest.engine.EngineSupervisor;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Debezium's batch consumer: sends every change event of a batch to its table topic with an idempotent,
 * {@code acks=all} producer, waits for every acknowledgement, and only then marks the events processed — so an
 * offset is never stored for an event Kafka does not have. A failed send fails the batch; nothing is marked, and
 * the engine (restarted by {@link EngineSupervisor}) replays it. Duplicates are harmless downstream.
 * Heartbeats and signal-table events are marked processed (they advance the offsets) but not published.
 * With {@code ingest.envelope=compact} each event is published in the compact form ({@link CompactEvents}).
 */
public final class KafkaChangePublisher implements DebeziumEngine.ChangeConsumer<ChangeEvent<String, String>>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaChangePublisher.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Producer<byte[], byte[]> producer;
    private final AtomicLong published;
    private final Set<String> topics;
    private final CommitKeyStamp commitKeys;
    /** The largest event published as it is (key and value; the rest of the record's limit is left to headers and batch overhead). */
    static final int MAX_EVENT_BYTES = Topics.MAX_RECORD_BYTES - 64 * 1024;
    private final LongAdder tooLarge;
    /** Every record carries the source epoch it was read under (cache-sync puts it first in the version). */
    private final List<Header> headers;
    /** Null when events are published as Debezium wrote them ({@code ingest.envelope=debezium}). */
    private final CompactEvents compact;
    private final SensitiveColumnGuard guard;

    /**
     * @param topics    the CDC topics to publish to; events for any other destination (the signal table) are only marked
     * @param published counts the events Kafka acknowledged
     * @param lsnFloor  the replication slot's confirmed flush LSN: a lower bound of every position to come (see CommitKeyStamp)
     * @param epoch     the source epoch of the database the engine reads
     * @param tooLarge  counts the events published as too-large changes
     * @param schemas   the schemas' topic when events are published in the compact form (Debezium then writes the
     *                  payload only); null to publish Debezium's envelope
     * @param guard     withholds the values of a table that lost a sensitive column
     */
    public KafkaChangePublisher(Map<String, Object> kafkaClientConfig, Set<String> topics, AtomicLong published, long lsnFloor,
                                SourceEpoch epoch, LongAdder tooLarge, String schemas, SensitiveColumnGuard guard) {
        this(producer(kafkaClientConfig), topics, published, lsnFloor, epoch, tooLarge, schemas, schemas == null ? null : CompactEvents.ENGINE_SCHEMA,
                guard);
    }

    /**
     * With a given producer (tests use Kafka's {@code MockProducer}); it is closed by {@link #close()}.
     *
     * @param schemaOf the Connect schema of an event's value for the compact form (written to {@code schemas}); null to
     *                 publish events as they are
     */
    KafkaChangePublisher(Producer<byte[], byte[]> producer, Set<String> topics, AtomicLong published, long lsnFloor, SourceEpoch epoch,
                         LongAdder tooLarge, String schemas, Function<ChangeEvent<String, String>, Schema> schemaOf,
                         SensitiveColumnGuard guard) {
        this.producer = producer;
        this.guard = guard;
        this.compact = schemaOf == null ? null : new CompactEvents(producer, schemas, schemaOf);
        this.topics = Set.copyOf(topics);
        this.tooLarge = tooLarge;
        this.headers = List.of(new RecordHeader(Topics.SOURCE_EPOCH_HEADER, Integer.toString(epoch.epoch()).getBytes(StandardCharsets.UTF_8)));
        this.published = published;
        this.commitKeys = new CommitKeyStamp(lsnFloor);
    }

    /** The idempotent, acks=all producer of change events. */
    private static Producer<byte[], byte[]> producer(Map<String, Object> kafkaClientConfig) {
        Map<String, Object> p = new HashMap<>(kafkaClientConfig);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "cachesync-ingest");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void handleBatch(List<ChangeEvent<String, String>> records,
                            DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ChangeEvent<String, String> r : records) {
            String value = r.value() == null ? null : commitKeys.apply(r.value());
            if (r.destination() == null || !topics.contains(r.destination()) || value == null) {
                acks.add(null);
                continue;
            }
            byte[] key = keyBytes(r.key());
            String withheld = key == null ? null : guard.withheld(r.destination(), r);
            if (withheld != null) {
                acks.add(producer.send(new ProducerRecord<>(r.destination(), null, key, TooLargeChange.of(value, key, value.length(), withheld), headers)));
                continue;
            }
            String event = value;
            if (compact != null) {
                try {
                    event = compact.of(r, value);
                } catch (ExecutionException e) {
                    throw new PublishException("Kafka did not acknowledge the schema of a change event for " + r.destination()
                            + "; the batch is not marked processed and will be replayed: " + e.getCause(), e.getCause());
                }
            }
            byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
            if (bytes.length + (key == null ? 0 : key.length) > MAX_EVENT_BYTES) {
                bytes = tooLarge(r.destination(), value, key, bytes.length, "larger than the " + MAX_EVENT_BYTES + " bytes cachesync publishes");
            }
            acks.add(key == null && isTruncate(value) ? toEveryPartition(r.destination(), bytes)
                    : producer.send(new ProducerRecord<>(r.destination(), null, key, bytes, headers)));
        }
        producer.flush();
        for (int i = 0; i < records.size(); i++) {
            Future<RecordMetadata> ack = acks.get(i);
            if (ack != null) {
                try {
                    try {
                        ack.get();
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof RecordTooLargeException)) {
                            throw e;
                        }
                        // the topic takes less than cachesync publishes (created before, or capped by the broker)
                        ChangeEvent<String, String> r = records.get(i);
                        byte[] key = keyBytes(r.key());
                        String value = commitKeys.apply(r.value());
                        producer.send(new ProducerRecord<>(r.destination(), null, key, tooLarge(r.destination(), value, key,
                                value.getBytes(StandardCharsets.UTF_8).length, "refused by the broker: " + e.getCause().getMessage()), headers)).get();
                    }
                    published.incrementAndGet();
                } catch (ExecutionException e) {
                    throw new PublishException("Kafka did not acknowledge a change event for " + records.get(i).destination()
                            + "; the batch is not marked processed and will be replayed: " + e.getCause(), e.getCause());
                }
            }
            committer.markProcessed(records.get(i));
        }
        committer.markBatchFinished();
    }

    /** A TRUNCATE event: no row, so no key (Debezium writes {@code "op":"t"}). */
    static boolean isTruncate(String value) {
        return value.contains("\"op\":\"t\"");
    }

    /**
     * A truncate goes to every partition of its topic: cache-sync deletes the table's older rows when it reaches it, so
     * each partition's task must meet it after that partition's older changes and before its later ones.
     */
    private Future<RecordMetadata> toEveryPartition(String topic, byte[] value) {
        List<PartitionInfo> partitions = producer.partitionsFor(topic);
        if (partitions.isEmpty()) {
            throw new PublishException("no partitions of " + topic + " are known: a TRUNCATE must reach every one; the batch is not "
                    + "marked processed and will be replayed", null);
        }
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (PartitionInfo p : partitions) {
            sends.add(producer.send(new ProducerRecord<byte[], byte[]>(topic, p.partition(), (byte[]) null, value, headers)));
        }
        return new AllAcknowledged(sends);
    }

    /** Acknowledged when every one of its sends is; fails as the first that fails. */
    private record AllAcknowledged(List<Future<RecordMetadata>> sends) implements Future<RecordMetadata> {
        @Override
        public RecordMetadata get() throws InterruptedException, ExecutionException {
            RecordMetadata last = null;
            for (Future<RecordMetadata> f : sends) {
                last = f.get();
            }
            return last;
        }

        @Override
        public RecordMetadata get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            RecordMetadata last = null;
            for (Future<RecordMetadata> f : sends) {
                last = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return last;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return sends.stream().allMatch(Future::isDone);
        }
    }

    /** Publishes {@link TooLargeChange} instead of an event Kafka would refuse: counted, logged, and ingestion goes on. */
    private byte[] tooLarge(String topic, String value, byte[] key, long bytes, String reason) {
        tooLarge.increment();
        LOG.warn("a change event for {} key {} is {} bytes, {}: published as a too-large change (cache-sync invalidates the row)",
                topic, key == null ? "null" : new String(key, StandardCharsets.UTF_8), bytes, reason);
        return TooLargeChange.of(value, key, bytes, reason);
    }

    /** The Kafka key: the primary-key struct without the Connect schema envelope, e.g. {@code {"id":42}}. */
    static byte[] keyBytes(String key) {
        if (key == null) {
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(key);
            if (n != null && n.has("payload") && n.has("schema")) {
                n = n.get("payload");
            }
            return MAPPER.writeValueAsBytes(n);
        } catch (IOException e) {
            return key.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
        LOG.debug("producer closed after {} events", published.get());
    }
}
