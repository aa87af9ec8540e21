package io.cachesync.sync.redis;

import io.cachesync.core.topics.Topics;
import io.cachesync.sync.envelope.CacheMutation;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes changes Redis refused for good to the dead-letter topic ({@link io.cachesync.core.topics.TopicNames#dlq()}): the original record's key and value with the reason and
 * its topic, partition and offset in the same headers as a record that could not be parsed. Each send waits for the
 * broker's acknowledgement, so the batch (and so the commit of its offsets) follows the dead letter.
 */
public final class DeadLetterWriter implements RefusedWrites, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final SyncStats stats;
    private final String topic;

    /** @param topic the dead-letter topic */
    public DeadLetterWriter(Map<String, Object> kafkaClientConfig, String topic, SyncStats stats) {
        this.topic = topic;
        Map<String, Object> p = new HashMap<>(kafkaClientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "cachesync-sync-dlq");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_RECORD_BYTES);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.stats = stats;
    }

    @Override
    public void refused(CacheMutation m, String reason) {
        String why = "Redis refused the write of " + m.entity().name() + ":" + m.id() + " for good: " + reason;
        RecordHeaders h = new RecordHeaders();
        byte[] key = null;
        byte[] value = null;
        if (m.origin() != null) {
            Topics.addDlqHeaders(h, why, m.origin().topic(), m.origin().partition(), m.origin().offset());
            key = m.origin().key();
            value = Topics.dlqValue(key, m.origin().value(), m.origin().topic(), m.origin().partition(), m.origin().offset());
        } else {
            h.add(Topics.DLQ_REASON_HEADER, why.getBytes(StandardCharsets.UTF_8));
        }
        try {
            producer.send(new ProducerRecord<>(topic, null, key, value, h)).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisUnavailableException("interrupted while dead-lettering a refused write", e);
        } catch (ExecutionException | TimeoutException e) {
            // not dead-lettered: the batch fails and is retried, so the change is neither lost nor committed past
            throw new RedisUnavailableException("could not dead-letter a refused write (" + why + "): " + e, e);
        }
        stats.deadLettered();
        LOG.warn("dead-lettered {}", why);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
