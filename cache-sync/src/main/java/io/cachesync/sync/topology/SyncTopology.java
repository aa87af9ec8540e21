package io.cachesync.sync.topology;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.util.LogThrottle;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.CommandParser;
import io.cachesync.sync.envelope.EnvelopeParser;
import io.cachesync.sync.envelope.MutationParser;
import io.cachesync.sync.envelope.PoisonRecordException;
import io.cachesync.sync.envelope.SchemaSource;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.SyncStats;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/** Builds the cache-sync topology. {@code SyncService} and the tests call this one method. */
public final class SyncTopology {
    private static final Logger LOG = LoggerFactory.getLogger(SyncTopology.class);
    /** A table of large rows invalidates on every change: one line per 10 s names one, the counter has all. */
    private static final LogThrottle LARGE_CHANGE_LOG = new LogThrottle(LogThrottle.REPEATED_FAILURES);
    private SyncTopology() {
    }

    /** Commands over {@code maxValueBytes} are dead-lettered: their publisher must send them smaller. */
    private static MutationParser limited(MutationParser parser, int maxValueBytes) {
        return (topic, key, value, sourceEpoch) -> {
            if (value != null && value.length > maxValueBytes) {
                throw new PoisonRecordException("value is " + value.length + " bytes, more than sync.max-value-bytes (" + maxValueBytes + ")");
            }
            return parser.parse(topic, key, value, sourceEpoch);
        };
    }

    /**
     * A CDC upsert over {@code maxValueBytes} is not cached: it invalidates its row (versioned), and the next read fills
     * it from PostgreSQL — the cache stays right, and Redis holds no document that large from the change stream. (A
     * delete needs no document: it is applied as a tombstone whatever its size.)
     */
    private static MutationParser invalidatingWhenLarge(MutationParser parser, int maxValueBytes, SyncStats stats) {
        return (topic, key, value, sourceEpoch) -> {
            CacheMutation m = parser.parse(topic, key, value, sourceEpoch);
            if (m.op() == CacheMutation.Op.UPSERT && value.length > maxValueBytes) {
                stats.invalidated();
                LARGE_CHANGE_LOG.warn(LOG, "{}:{} changed in an event of {} bytes (sync.max-value-bytes {}): its row is invalidated, not cached",
                        m.entity().name(), m.id(), value.length, maxValueBytes);
                return m.asInvalidation();
            }
            if (m.op() == CacheMutation.Op.INVALIDATE) {
                // a too-large change (cdc-ingest logged it), or an image without an untouched TOASTed column
                stats.invalidated();
                LOG.debug("{}:{} invalidated: its event does not carry the whole row", m.entity().name(), m.id());
            }
            return m;
        };
    }

    /** The CDC topics of the entities fed by CDC, in catalog order. */
    public static List<String> cdcTopics(TopicNames topics, EntityCatalog catalog) {
        return catalog.cdcFed().stream().map(e -> topics.cdc(e.schema(), e.table())).toList();
    }

    /**
     * <pre>
     * cdc-source (every &lt;prefix&gt;.&lt;schema&gt;.&lt;table&gt;) → apply-to-redis ──┐
     * commands-source (&lt;prefix&gt;.commands)          → apply-command  ──┴─(poison)→ dlq-sink (&lt;prefix&gt;.dlq)
     * source-epochs-source (&lt;prefix&gt;.source-epochs) → raise-source-floor
     * </pre>
     * The topics are those of the default prefix ({@link TopicNames#DEFAULT}).
     */
    public static Topology build(EntityCatalog catalog, RedisMutationApplier applier, SyncStats stats, MutationListener listener) {
        return build(TopicNames.DEFAULT, catalog, applier, stats, listener, DEFAULT_MAX_VALUE_BYTES, e -> { }, Batching.NONE, e -> { }, SchemaSource.NONE);
    }

    /** Records larger than this go to the dead-letter topic unless configured otherwise. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;

    /**
     * @param topics         the deployment's topics ({@code kafka.topic-prefix})
     * @param maxValueBytes  larger records are dead-lettered
     * @param onSchemaChange told when an entity's CDC events carry other columns than before
     * @param onSourceEpoch  told of every source epoch cdc-ingest announced (a new identity of the database); must not
     *                       return before the source floor holds it (its record is committed after)
     * @param schemas        where the schemas of compact change events are found ({@link io.cachesync.sync.envelope.SchemaTopic} in the service)
     */
    public static Topology build(TopicNames topics, EntityCatalog catalog, RedisMutationApplier applier, SyncStats stats,
                                 MutationListener listener, int maxValueBytes, Consumer<EntityDefinition> onSchemaChange,
                                 Batching batching, Consumer<SourceEpoch> onSourceEpoch, SchemaSource schemas) {
        MutationParser envelopes = invalidatingWhenLarge(new EnvelopeParser(topics, catalog, schemas, onSchemaChange), maxValueBytes, stats);
        MutationParser commands = limited(new CommandParser(catalog), maxValueBytes);
        Topology t = new Topology();
        t.addSource(SyncNames.CDC_SOURCE, SyncNames.BYTES.deserializer(), SyncNames.BYTES.deserializer(),
                cdcTopics(topics, catalog).toArray(String[]::new));
        t.addSource(SyncNames.COMMANDS_SOURCE, SyncNames.BYTES.deserializer(), SyncNames.BYTES.deserializer(), topics.commands());
        t.addProcessor(SyncNames.APPLY, () -> new ApplyProcessor(envelopes, stats, SyncNames.CDC_BATCH_STORE, batching), SyncNames.CDC_SOURCE);
        t.addProcessor(SyncNames.APPLY_COMMAND, () -> new ApplyProcessor(commands, stats, SyncNames.COMMANDS_BATCH_STORE, batching),
                SyncNames.COMMANDS_SOURCE);
        // one store per sub-topology: a store shared by both would merge them and demand co-partitioned topics
        t.addStateStore(RedisBatchStore.builder(SyncNames.CDC_BATCH_STORE, applier, listener), SyncNames.APPLY);
        t.addStateStore(RedisBatchStore.builder(SyncNames.COMMANDS_BATCH_STORE, applier, listener), SyncNames.APPLY_COMMAND);
        t.addSink(SyncNames.DLQ_SINK, topics.dlq(), SyncNames.BYTES.serializer(), SyncNames.BYTES.serializer(),
                SyncNames.APPLY, SyncNames.APPLY_COMMAND);
        // last, so that the sub-topologies above keep their numbers (task ids name the fences)
        t.addSource(SyncNames.SOURCE_EPOCHS_SOURCE, SyncNames.BYTES.deserializer(), SyncNames.BYTES.deserializer(), topics.sourceEpochs());
        t.addProcessor(SyncNames.RAISE_SOURCE_FLOOR, () -> new SourceEpochProcessor(onSourceEpoch), SyncNames.SOURCE_EPOCHS_SOURCE);
        return t;
    }
}
