package io.cachesync.ingest.source;

import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.topics.SmallTopics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The source epochs of this cachesync deployment, kept in {@link io.cachesync.core.topics.TopicNames#sourceEpochs()} (compacted, one key): which
 * identity of the database each epoch names. Before every start of the engine cdc-ingest {@link #resolve resolves} the
 * identity it is about to read; a new one gets the next epoch, and Debezium's offsets — positions of the old identity,
 * meaningless in the new one — are reset first, so the engine starts afresh on the new database (its snapshot mode
 * decides whether it re-reads the tables).
 */
public final class SourceEpochs {
    private static final Logger LOG = LoggerFactory.getLogger(SourceEpochs.class);
    /**
     * The one key: the epochs belong to the deployment (its topic, named by its prefix), not to a slot name one may
     * change; always {@code cachesync}, what it was before the prefix could be configured.
     */
    static final byte[] KEY = "cachesync".getBytes(StandardCharsets.UTF_8);

    private final Map<String, Object> kafkaClientConfig;
    private final String topic;
    private final DebeziumOffsets offsets;
    private final Clock clock;

    /** @param topic the source epochs' topic ({@link io.cachesync.core.topics.TopicNames#sourceEpochs()}) */
    public SourceEpochs(Map<String, Object> kafkaClientConfig, String topic, DebeziumOffsets offsets, Clock clock) {
        this.kafkaClientConfig = kafkaClientConfig;
        this.topic = topic;
        this.offsets = offsets;
        this.clock = clock;
    }

    /**
     * The epoch of {@code identity}: the last one recorded when it names the same identity; otherwise the next (0 for
     * the first ever), recorded after Debezium's offsets were reset (when there was an epoch before).
     */
    public SourceEpoch resolve(SourceIdentity identity) {
        return resolve(identity, Optional.empty());
    }

    /**
     * As {@link #resolve(SourceIdentity)}, but starting the next epoch even for the same identity when {@code gap} gives
     * a reason: changes were lost (the replication slot was dropped or recreated), so what the cache holds cannot be
     * trusted and the tables are read afresh.
     */
    public SourceEpoch resolve(SourceIdentity identity, Optional<String> gap) {
        Optional<SourceEpoch> last = latest();
        if (last.isPresent() && gap.isEmpty() && last.get().sameIdentity(identity.systemIdentifier(), identity.timeline())) {
            return last.get();
        }
        int next = 0;
        if (last.isPresent()) {
            SourceEpoch before = last.get();
            if (before.epoch() == SourceEpoch.MAX) {
                throw new IllegalStateException("the source epochs are exhausted (" + SourceEpoch.MAX + "); flush Redis and "
                        + "delete the topic " + topic + " to start over");
            }
            next = before.epoch() + 1;
            LOG.warn("{}: was system identifier {} timeline {} (source epoch {}), is {}; resetting Debezium's offsets and starting "
                            + "source epoch {}", gap.orElse("the database has a new identity"), before.systemIdentifier(), before.timeline(),
                    before.epoch(), identity, next);
            offsets.reset();
        } else if (gap.isPresent()) {
            // no epoch recorded yet (a deployment from before source epochs): the tables are read again, but the cache
            // takes its first epoch as its own and purges nothing
            LOG.warn("{}: resetting Debezium's offsets", gap.get());
            offsets.reset();
        }
        SourceEpoch epoch = new SourceEpoch(next, identity.systemIdentifier(), identity.timeline(), clock.instant());
        append(epoch);
        LOG.info("source epoch {}: {}", epoch.epoch(), identity);
        return epoch;
    }

    /** The last epoch recorded, if any. */
    public Optional<SourceEpoch> latest() {
        SourceEpoch[] found = new SourceEpoch[1];
        SmallTopics.readToEnd(kafkaClientConfig, topic, "cachesync-ingest-epochs", r -> {
            if (r.value() != null && Arrays.equals(r.key(), KEY)) {
                SourceEpoch e = SourceEpoch.fromJson(r.value());
                if (found[0] == null || e.epoch() >= found[0].epoch()) {
                    found[0] = e;
                }
            }
        });
        return Optional.ofNullable(found[0]);
    }

    private void append(SourceEpoch epoch) {
        SmallTopics.writeAll(kafkaClientConfig, "cachesync-ingest-epochs", List.of(new ProducerRecord<>(topic, KEY, epoch.toJson())));
    }
}
