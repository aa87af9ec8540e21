package io.cachesync.sync.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.views.ViewDocument;
import io.cachesync.sync.envelope.EnvelopeParser;
import io.cachesync.sync.envelope.MutationParser;
import io.cachesync.sync.envelope.SchemaSource;
import io.cachesync.sync.redis.RedisMutationApplier;
import io.cachesync.sync.redis.SyncStats;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Builds the view topology, a Kafka Streams application of its own ({@code <sync.application-id>-views}: a topic can
 * be read by one source of a topology, and the entity topology reads every CDC topic already). {@code SyncService} and
 * the tests call this one method.
 * <pre>
 * per part entity:  view-part-source-&lt;e&gt; → view-part-parse-&lt;e&gt; → (repartition by id) → KTable view-part-&lt;e&gt;
 * per view:
 *   root KTable ─ mapValues view-&lt;v&gt;-root
 *     ─ leftJoin on the foreign key (per reference) view-&lt;v&gt;-ref-&lt;r&gt; ◀── the referenced entity's KTable
 *     ─ leftJoin by key (per child)                 view-&lt;v&gt;-child-&lt;c&gt;-join ◀── child KTable ─ filter (has a parent)
 *                                                      ─ groupBy parent (repartition) ─ aggregate view-&lt;v&gt;-child-&lt;c&gt;-agg
 *     ─ toStream view-&lt;v&gt;-changes ─ merge (the root's deletes, view-&lt;v&gt;-root-deletes)
 *       → view-&lt;v&gt;-apply-to-redis (RedisBatchStore redis-batch-view-&lt;v&gt;)
 * </pre>
 * Every store is a changelogged RocksDB store without a record cache, so a restarted instance restores its state from
 * Kafka (nothing is read from the database) and every change of a part re-emits each document it touches once.
 */
public final class ViewTopology {
    private static final Serde<String> STRING = Serdes.String();
    /** The view topology's application id is {@code <sync.application-id>-views}. */
    public static final String APPLICATION_SUFFIX = "-views";

    private ViewTopology() {
    }

    /** The CDC topics the view topology reads: every part of every view, each once. */
    public static Set<String> partTopics(TopicNames topics, EntityCatalog catalog) {
        Set<String> out = new LinkedHashSet<>();
        for (ViewDefinition v : catalog.views()) {
            for (String part : v.parts()) {
                EntityDefinition e = catalog.byName(part).orElseThrow();
                out.add(topics.cdc(e.schema(), e.table()));
            }
        }
        return out;
    }

    /**
     * The view application's settings from the entity application's: its own application id, and the serdes of the
     * internal topics Kafka Streams creates for a foreign-key join (keys are canonical ids, values JSON).
     */
    public static Properties properties(Properties entityApplication) {
        Properties p = new Properties();
        p.putAll(entityApplication);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG,
                entityApplication.get(StreamsConfig.APPLICATION_ID_CONFIG) + APPLICATION_SUFFIX);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, JsonSerde.class);
        // a change crosses two to four internal topics (repartition by id, the foreign-key join's subscription and
        // response, the children's repartition by parent): Kafka Streams' producer linger of 100 ms per hop would be
        // most of a view's lag (ViewIT: p50 440 ms with it)
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        return p;
    }

    public static Topology build(TopicNames topics, EntityCatalog catalog, RedisMutationApplier applier, SyncStats stats, Batching batching,
                                 int maxValueBytes, SchemaSource schemas) {
        StreamsBuilder b = new StreamsBuilder();
        MutationParser parser = new EnvelopeParser(topics, catalog, schemas, e -> { });
        Map<String, KTable<String, JsonNode>> parts = new LinkedHashMap<>();
        for (ViewDefinition v : catalog.views()) {
            for (String part : v.parts()) {
                parts.computeIfAbsent(part, p -> partTable(b, topics, catalog.byName(p).orElseThrow(), parser));
            }
        }
        for (ViewDefinition v : catalog.views()) {
            KTable<String, JsonNode> row = parts.get(v.root()).mapValues(ViewValues::start, Named.as(ViewNames.start(v.name())),
                    store(ViewNames.start(v.name())));
            for (ViewDefinition.Reference r : v.references()) {
                EntityDefinition referenced = catalog.byName(r.entity()).orElseThrow();
                row = row.leftJoin(parts.get(r.entity()),
                        (JsonNode value) -> ViewDocument.idIn(referenced, value.get("root"), r.via()),
                        (value, ref) -> ViewValues.withReference(value, r.name(), ref),
                        TableJoined.as(ViewNames.reference(v.name(), r.name())),
                        store(ViewNames.reference(v.name(), r.name())));
            }
            EntityDefinition root = catalog.byName(v.root()).orElseThrow();
            for (ViewDefinition.Child c : v.children()) {
                KTable<String, JsonNode> aggregate = parts.get(c.entity())
                        .filter((id, value) -> ViewDocument.idIn(root, ViewValues.document(value), c.parent()) != null
                                || ViewValues.unknown(value) && ViewValues.document(value) == null,
                                Named.as(ViewNames.childFilter(v.name(), c.name())))
                        .groupBy((id, value) -> KeyValue.pair(parentOf(root, value, c), ViewValues.childEntry(id, value)),
                                Grouped.with(ViewNames.childGroup(v.name(), c.name()), STRING, JsonSerde.JSON))
                        .aggregate(ViewValues::emptyAggregate,
                                (parent, entry, agg) -> ViewValues.aggregate(c, entry, agg, 1),
                                (parent, entry, agg) -> ViewValues.aggregate(c, entry, agg, -1),
                                Named.as(ViewNames.childAggregate(v.name(), c.name())),
                                store(ViewNames.childAggregate(v.name(), c.name())));
                row = row.leftJoin(aggregate, (value, agg) -> ViewValues.withChildren(value, c.name(), agg),
                        Named.as(ViewNames.childJoin(v.name(), c.name())), store(ViewNames.childJoin(v.name(), c.name())));
            }
            String batchStore = ViewNames.batchStore(v.name());
            b.addStateStore(RedisBatchStore.builder(batchStore, applier, m -> { }));
            // a root deleted before its first document came out of the joins leaves them nothing to change (null after
            // null is not forwarded), but a read may have filled that document meanwhile: every delete of a root is also
            // written straight away. Same task as the joins (one sub-topology), so it is ordered with their documents.
            KStream<String, JsonNode> rootDeletes = parts.get(v.root())
                    .toStream(Named.as(ViewNames.rootDeletes(v.name())))
                    .filter((id, value) -> value == null, Named.as(ViewNames.rootDeletes(v.name()) + "-only"));
            row.toStream(Named.as(ViewNames.changes(v.name())))
                    .merge(rootDeletes, Named.as(ViewNames.changes(v.name()) + "-and-root-deletes"))
                    .process(() -> new ViewApplyProcessor(catalog, v, stats, batchStore, batching, maxValueBytes),
                            Named.as(ViewNames.apply(v.name())), batchStore);
        }
        return b.build();
    }

    /**
     * The parent a child row belongs to. An unknown row whose change carried its columns (an unchanged TOASTed value) is
     * counted under its parent as unknown, which invalidates the parent's document until the row's next change; one whose
     * change carried none (a row over cdc-ingest's size limit) goes to the empty key, which no root has.
     */
    private static String parentOf(EntityDefinition root, JsonNode value, ViewDefinition.Child c) {
        String parent = ViewDocument.idIn(root, ViewValues.document(value), c.parent());
        return parent == null ? "" : parent;
    }

    private static KTable<String, JsonNode> partTable(StreamsBuilder b, TopicNames topics, EntityDefinition e, MutationParser parser) {
        String versions = ViewNames.partVersions(e.name());
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(versions), STRING, STRING).withCachingDisabled());
        return b.stream(topics.cdc(e.schema(), e.table()),
                        Consumed.with(SyncNames.BYTES, SyncNames.BYTES).withName(ViewNames.source(e.name())))
                .process(() -> new PartParser(parser, versions), Named.as(ViewNames.parse(e.name())), versions)
                .toTable(Named.as(ViewNames.part(e.name())), store(ViewNames.part(e.name())));
    }

    private static Materialized<String, JsonNode, KeyValueStore<Bytes, byte[]>> store(String name) {
        return Materialized.<String, JsonNode, KeyValueStore<Bytes, byte[]>>as(name)
                .withKeySerde(STRING).withValueSerde(JsonSerde.JSON).withCachingDisabled();
    }
}
