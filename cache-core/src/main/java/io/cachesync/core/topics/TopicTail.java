package io.cachesync.core.topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A small topic read from its beginning once and after that only what was appended since, by one consumer kept open and
 * without a consumer group: catching up when nothing is new costs two small requests (the topic's id and its end
 * offsets). A topic deleted and created again (another topic id) is read again from its beginning; after any failure
 * the next catch-up starts over with a new consumer. Not thread-safe: callers serialise their calls (from any thread).
 */
public final class TopicTail implements AutoCloseable {
    private final Map<String, Object> kafkaClientConfig;
    private final String topic;
    private final String clientId;
    private Admin admin;
    private KafkaConsumer<byte[], byte[]> consumer;
    /** The id of the topic the consumer reads (a topic created again under the same name has another). */
    private Uuid readingId;
    private List<TopicPartition> partitions;
    private long recordsRead;

    /** @param clientId the client id of the consumer (it joins no consumer group) */
    public TopicTail(Map<String, Object> kafkaClientConfig, String topic, String clientId) {
        this.kafkaClientConfig = Map.copyOf(kafkaClientConfig);
        this.topic = topic;
        this.clientId = clientId;
    }

    /**
     * Hands {@code each} every record appended since the last call (the whole topic on the first, and after the topic
     * was created again), up to the end it has now.
     */
    public void catchUp(Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try {
            TopicDescription now = describe();
            if (consumer != null && !now.topicId().equals(readingId)) {
                closeConsumer();
            }
            if (consumer == null) {
                open(now);
            }
            recordsRead += SmallTopics.readToEnd(consumer, partitions, topic, each);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private TopicDescription describe() {
        if (admin == null) {
            Map<String, Object> c = new HashMap<>(kafkaClientConfig);
            c.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin");
            admin = Admin.create(c);
        }
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(SmallTopics.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not describe " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not describe " + topic + " within " + SmallTopics.TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        }
    }

    /** Opens the consumer on every partition of the topic described, from their beginning. */
    private void open(TopicDescription described) {
        Map<String, Object> c = new HashMap<>(kafkaClientConfig);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        readingId = described.topicId();
        partitions = described.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Records handed out so far, over every consumer this tail has had. */
    public long recordsRead() {
        return recordsRead;
    }

    private void closeConsumer() {
        if (consumer != null) {
            KafkaConsumer<byte[], byte[]> c = consumer;
            consumer = null;
            readingId = null;
            partitions = null;
            c.close();
        }
    }

    @Override
    public void close() {
        closeConsumer();
        if (admin != null) {
            Admin a = admin;
            admin = null;
            a.close();
        }
    }
}
