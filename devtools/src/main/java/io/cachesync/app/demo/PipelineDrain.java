package io.cachesync.app.demo;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Decides when the pipeline has drained: cdc-ingest has published nothing new for a quiet period, and the
 * cache-sync consumer group has committed every offset of every CDC topic partition.
 */
public final class PipelineDrain {
    private final Map<String, Object> admin;
    private final String groupId;
    private final List<String> topics;
    private final LongSupplier published;

    public PipelineDrain(String bootstrap, String groupId, List<String> topics, LongSupplier published) {
        this.admin = Map.of("bootstrap.servers", bootstrap);
        this.groupId = groupId;
        this.topics = topics;
        this.published = published;
    }

    /** Total records not yet committed by the consumer group. */
    public long lag(Admin a) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = a.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (var d : a.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
            d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = a.listOffsets(request).all().get(10, TimeUnit.SECONDS);
        long lag = 0;
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** Waits until drained; false when {@code timeout} passed first. */
    public boolean await(Duration quiet, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin a = Admin.create(admin)) {
            long lastPublished = -1;
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long p = published.getAsLong();
                if (p != lastPublished) {
                    lastPublished = p;
                    quietSince = System.nanoTime();
                }
                if (System.nanoTime() - quietSince >= quiet.toNanos() && lag(a) == 0) {
                    return true;
                }
                LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
            }
        }
        return false;
    }
}
