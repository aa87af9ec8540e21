package io.cachesync.app.demo;

import io.cachesync.sync.config.SyncConfig;
import io.cachesync.sync.topology.SyncTopology;
import io.cachesync.sync.topology.ViewTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Decides when the pipeline has drained: cdc-ingest has published nothing new for a quiet period, and the
 * cache-sync consumer group has committed every offset of every CDC topic partition — and, with views, so has the view
 * topology's group, of the CDC topics it reads and of its own repartition and foreign-key topics.
 */
public final class PipelineDrain {
    private final Map<String, Object> admin;
    private final List<Group> groups;
    private final LongSupplier published;

    /** A consumer group and the topics it must have consumed; {@code internal}: also its Kafka Streams topics. */
    private record Group(String id, List<String> topics, boolean internal) {
    }

    public PipelineDrain(String bootstrap, String groupId, List<String> topics, LongSupplier published) {
        this(bootstrap, List.of(new Group(groupId, topics, false)), published);
    }

    private PipelineDrain(String bootstrap, List<Group> groups, LongSupplier published) {
        this.admin = Map.of("bootstrap.servers", bootstrap);
        this.groups = groups;
        this.published = published;
    }

    /** The drain of cache-sync configured by {@code c}: its entity topology and, when views are configured, its view topology. */
    public static PipelineDrain of(String bootstrap, SyncConfig c, LongSupplier published) {
        List<Group> groups = new ArrayList<>();
        groups.add(new Group(c.applicationId(), SyncTopology.cdcTopics(c.topics(), c.catalog()), false));
        if (!c.catalog().views().isEmpty()) {
            groups.add(new Group(c.applicationId() + ViewTopology.APPLICATION_SUFFIX,
                    List.copyOf(ViewTopology.partTopics(c.topics(), c.catalog())), true));
        }
        return new PipelineDrain(bootstrap, groups, published);
    }

    /** Total records not yet committed by the consumer groups. */
    public long lag(Admin a) throws Exception {
        long lag = 0;
        for (Group g : groups) {
            lag += lag(a, g);
        }
        return lag;
    }

    private long lag(Admin a, Group g) throws Exception {
        String groupId = g.id();
        List<String> topics = new ArrayList<>(g.topics());
        if (g.internal()) {
            // repartition and foreign-key join topics (<application.id>-…); changelogs are written, never consumed
            a.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(groupId + "-") && !t.endsWith("-changelog")).forEach(topics::add);
        }
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
