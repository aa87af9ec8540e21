package io.cachesync.sync.topology;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.topics.Topics;
import io.cachesync.sync.envelope.CommandParser;
import io.cachesync.sync.envelope.EnvelopeParser;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.SyncStats;
import org.apache.kafka.streams.Topology;

import java.util.List;

/** Builds the cache-sync topology. {@code SyncService} and the tests call this one method. */
public final class SyncTopology {
    private SyncTopology() {
    }

    /** The CDC topics of the configured entities, in catalog order. */
    public static List<String> cdcTopics(EntityCatalog catalog) {
        return catalog.all().stream().map(e -> Topics.cdc(e.schema(), e.table())).toList();
    }

    /**
     * <pre>
     * cdc-source (every cachesync.&lt;schema&gt;.&lt;table&gt;) → apply-to-redis ──┐
     * commands-source (cachesync.commands)          → apply-command  ──┴─(poison)→ dlq-sink (cachesync.dlq)
     * </pre>
     */
    public static Topology build(EntityCatalog catalog, RedisMutationApplier applier, SyncStats stats, MutationListener listener) {
        EnvelopeParser envelopes = new EnvelopeParser(catalog);
        CommandParser commands = new CommandParser(catalog);
        Topology t = new Topology();
        t.addSource(SyncNames.CDC_SOURCE, SyncNames.BYTES.deserializer(), SyncNames.BYTES.deserializer(),
                cdcTopics(catalog).toArray(String[]::new));
        t.addSource(SyncNames.COMMANDS_SOURCE, SyncNames.BYTES.deserializer(), SyncNames.BYTES.deserializer(), SyncNames.COMMANDS_TOPIC);
        t.addProcessor(SyncNames.APPLY, () -> new ApplyProcessor(envelopes, applier, stats, listener), SyncNames.CDC_SOURCE);
        t.addProcessor(SyncNames.APPLY_COMMAND, () -> new ApplyProcessor(commands, applier, stats, listener), SyncNames.COMMANDS_SOURCE);
        t.addSink(SyncNames.DLQ_SINK, SyncNames.DLQ_TOPIC, SyncNames.BYTES.serializer(), SyncNames.BYTES.serializer(),
                SyncNames.APPLY, SyncNames.APPLY_COMMAND);
        return t;
    }
}
