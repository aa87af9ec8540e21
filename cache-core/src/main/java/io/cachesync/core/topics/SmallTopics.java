package io.cachesync.core.topics;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** Reading and writing the small compacted topics cachesync keeps its own state in (offsets, source epochs, schemas), without a consumer group. */
public final class SmallTopics {
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    private SmallTopics() {
    }

    /** Reads {@code topic} from its beginning to the end it has now, handing every record to {@code each}. */
    public static void readToEnd(Map<String, Object> kafkaClientConfig, String topic, String clientId, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<String, Object> c = new HashMap<>(kafkaClientConfig);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            readToEnd(consumer, partitions, topic, each);
        }
    }

    /**
     * Hands {@code each} the records of {@code partitions} from the consumer's positions to the end they have now, and
     * returns how many.
     */
    static long readToEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, String topic,
                          Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long read = 0;
        while (partitions.stream().anyMatch(p -> consumer.position(p, TIMEOUT) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic + " to its end within " + TIMEOUT);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                read++;
                each.accept(r);
            }
        }
        return read;
    }

    /** Sends {@code records} (acks=all, idempotent) and waits for every acknowledgement. */
    public static void writeAll(Map<String, Object> kafkaClientConfig, String clientId, List<ProducerRecord<byte[], byte[]>> records) {
        Map<String, Object> p = new HashMap<>(kafkaClientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            records.forEach(r -> acks.add(producer.send(r)));
            for (Future<RecordMetadata> a : acks) {
                a.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge a write to " + records.get(0).topic() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + records.get(0).topic(), e);
        }
    }
}
