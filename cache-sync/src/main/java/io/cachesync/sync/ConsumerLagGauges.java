package io.cachesync.sync;

import io.cachesync.core.metrics.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * cache-sync's consumer lag: Kafka's per-partition {@code records-lag} of the source topics copied into
 * {@code cachesync_consumer_lag_records{topic,partition}}, one gauge per partition this instance has owned; a partition
 * it no longer owns (after a rebalance) reports 0 instead of its old lag.
 */
final class ConsumerLagGauges {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLagGauges.class);

    private final Predicate<String> sources;
    private final String metric;
    private final String description;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();

    /** @param sources the topics cache-sync consumes (the CDC topics and the commands topic) */
    ConsumerLagGauges(Set<String> sources, MeterRegistry registry) {
        this(Set.copyOf(sources)::contains, MetricNames.CONSUMER_LAG, "Records of a CDC or commands partition not yet consumed by cache-sync",
                registry);
    }

    /**
     * The view topology's lag ({@code cachesync_view_consumer_lag_records}): of the CDC topics it reads and of its own
     * repartition and foreign-key join topics ({@code <application.id>-…}).
     */
    static ConsumerLagGauges views(Set<String> partTopics, String viewApplicationId, MeterRegistry registry) {
        Set<String> parts = Set.copyOf(partTopics);
        return new ConsumerLagGauges(t -> parts.contains(t) || t.startsWith(viewApplicationId + "-"), MetricNames.VIEW_CONSUMER_LAG,
                "Records of a CDC partition or of an internal topic of the view topology not yet consumed by cache-sync's view topology",
                registry);
    }

    private ConsumerLagGauges(Predicate<String> sources, String metric, String description, MeterRegistry registry) {
        this.sources = sources;
        this.metric = metric;
        this.description = description;
        this.registry = registry;
    }

    /** Reads the lag from the Kafka Streams client's metrics (null: not started yet). */
    void refresh(KafkaStreams streams) {
        if (streams == null) {
            return;
        }
        try {
            Set<String> seen = new HashSet<>();
            streams.metrics().forEach((name, metric) -> {
                // Kafka also reports each topic under a second tag value with '.' replaced by '_': keep the real name only
                if (!"records-lag".equals(name.name()) || !name.tags().containsKey("partition") || !sources.test(name.tags().get("topic"))) {
                    return;
                }
                Object v = metric.metricValue();
                if (!(v instanceof Number n) || Double.isNaN(n.doubleValue())) {
                    return;
                }
                String topic = name.tags().get("topic");
                String partition = name.tags().get("partition");
                seen.add(topic + "/" + partition);
                lag.computeIfAbsent(topic + "/" + partition, k -> gauge(topic, partition)).set(n.longValue());
            });
            lag.forEach((k, v) -> {
                if (!seen.contains(k)) {
                    v.set(0);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("consumer lag refresh failed: {}", e.toString());
        }
    }

    private AtomicLong gauge(String topic, String partition) {
        AtomicLong holder = new AtomicLong();
        Gauge.builder(metric, holder, AtomicLong::get)
                .baseUnit("records").tag("topic", topic).tag("partition", partition)
                .description(description).register(registry);
        return holder;
    }

    /** The records of every partition this instance owns that it has not consumed yet, as last refreshed. */
    long total() {
        return lag.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
