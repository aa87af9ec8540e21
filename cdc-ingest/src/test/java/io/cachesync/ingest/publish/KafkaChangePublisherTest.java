package io.cachesync.ingest.publish;

import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.testkit.ChangeEvents;
import io.cachesync.core.testkit.ConnectType;
import io.cachesync.core.topics.CompactEnvelope;
import io.cachesync.core.topics.Topics;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.config.Settings;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The at-least-once core of cdc-ingest, against Kafka's {@code MockProducer}: an event is marked processed (its offset
 * may be stored) only after Kafka acknowledged it, and a batch is finished only when every event was.
 */
class KafkaChangePublisherTest {
    private static final String TOPIC = "cachesync.public.products";
    private static final SourceEpoch EPOCH = new SourceEpoch(3, "7300000000000000001", 1, Instant.EPOCH);
    private static final ChangeEvents PRODUCTS = ChangeEvents.table("public.products").key("id", ConnectType.INT64)
            .column("name", ConnectType.STRING);
    /** Debezium's signal table, whose events go to no topic of cachesync's. */
    private static final ChangeEvents SIGNALS = ChangeEvents.table("public.cachesync_signal").key("id", ConnectType.STRING)
            .column("type", ConnectType.STRING).optionalColumn("data", ConnectType.STRING);

    private final AtomicLong published = new AtomicLong();
    private final LongAdder tooLarge = new LongAdder();
    private final Committer committer = new Committer();

    @Test
    void everyAcknowledgedEventIsMarkedAndTheBatchFinished() throws InterruptedException {
        ScriptedProducer producer = new ScriptedProducer(r -> null);
        List<ChangeEvent<String, String>> batch = List.of(change(1), change(2), change(3));
        try (KafkaChangePublisher publisher = publisher(producer)) {
            publisher.handleBatch(batch, committer);
        }
        assertThat(committer.marked).containsExactlyElementsOf(batch);
        assertThat(committer.finished).isTrue();
        assertThat(published).hasValue(3);
        assertThat(producer.history()).hasSize(3).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo(TOPIC);
            assertThat(new String(r.headers().lastHeader(Topics.SOURCE_EPOCH_HEADER).value(), StandardCharsets.UTF_8)).isEqualTo("3");
        });
        assertThat(new String(producer.history().get(1).key(), StandardCharsets.UTF_8))
                .as("the key without its Connect schema").isEqualTo("{\"id\":2}");
    }

    @Test
    void aFailedAcknowledgementLeavesThatEventAndTheRestUnmarkedAndTheBatchUnfinished() {
        ScriptedProducer producer = new ScriptedProducer(r -> id(r) == 2 ? new NotEnoughReplicasException("2 of 3 replicas") : null);
        List<ChangeEvent<String, String>> batch = List.of(change(1), change(2), change(3));
        try (KafkaChangePublisher publisher = publisher(producer)) {
            assertThatThrownBy(() -> publisher.handleBatch(batch, committer)).isInstanceOf(PublishException.class)
                    .hasMessageContaining("not marked processed").hasMessageContaining(TOPIC).hasMessageContaining("2 of 3 replicas");
        }
        assertThat(committer.marked).as("only what Kafka has").containsExactly(batch.get(0));
        assertThat(committer.finished).as("the engine replays the batch").isFalse();
        assertThat(published).hasValue(1);
    }

    @Test
    void eventsForOtherDestinationsAreMarkedButNotPublished() throws InterruptedException {
        ScriptedProducer producer = new ScriptedProducer(r -> null);
        ChangeEvent<String, String> signal = new Change(null, SIGNALS.insert(SIGNALS.row("s-1", "execute-snapshot", null))
                .lastCommit(1L).lsn(2L).json(), "cachesync.public.cachesync_signal");
        ChangeEvent<String, String> heartbeat = new Change(null, null, TOPIC);
        List<ChangeEvent<String, String>> batch = List.of(signal, change(1), heartbeat);
        try (KafkaChangePublisher publisher = publisher(producer)) {
            publisher.handleBatch(batch, committer);
        }
        assertThat(producer.history()).hasSize(1);
        assertThat(committer.marked).containsExactlyElementsOf(batch);
        assertThat(committer.finished).isTrue();
    }

    @Test
    void anEventTheBrokerRefusesAsTooLargeIsPublishedAsATooLargeChangeAndTheBatchGoesOn() throws InterruptedException {
        ScriptedProducer producer = new ScriptedProducer(r -> id(r) == 2 ? new RecordTooLargeException("over max.message.bytes") : null);
        List<ChangeEvent<String, String>> batch = List.of(change(1), change(2), change(3));
        try (KafkaChangePublisher publisher = publisher(producer)) {
            publisher.handleBatch(batch, committer);
        }
        assertThat(committer.marked).containsExactlyElementsOf(batch);
        assertThat(committer.finished).isTrue();
        assertThat(tooLarge.sum()).isEqualTo(1);
        assertThat(producer.history()).as("rows 1 and 3, then row 2's replacement").hasSize(3);
        String replacement = new String(producer.history().get(2).value(), StandardCharsets.UTF_8);
        assertThat(replacement).contains("refused by the broker").doesNotContain("\"name\":\"row-2\"");
    }

    @Test
    void aTableThatLostASensitiveColumnIsPublishedWithItsKeysOnlyAndItsColumnsAreReadOncePerSchema() throws InterruptedException {
        EntityDefinition products = EntityCatalog.from(Settings.of(java.util.Map.of("entities", "products",
                "entities.products.sensitive", "cost")), new ArrayList<>()).byName("products").orElseThrow();
        List<String> missing = new ArrayList<>(List.of("cost"));
        int[] reads = new int[1];
        Object[] schema = {new Object()};
        LongAdder withheld = new LongAdder();
        SensitiveColumnGuard guard = new SensitiveColumnGuard(java.util.Map.of(TOPIC, products), e -> {
            reads[0]++;
            return List.copyOf(missing);
        }, e -> schema[0], withheld);
        ScriptedProducer producer = new ScriptedProducer(r -> null);
        try (KafkaChangePublisher publisher = new KafkaChangePublisher(producer, Set.of(TOPIC), published, 0, EPOCH, tooLarge, null, null, guard)) {
            publisher.handleBatch(List.of(change(1), change(2)), committer);
            assertThat(producer.history()).hasSize(2).allSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .contains("\"cachesync_too_large\"", "entities.products.sensitive names [cost], which public.products no longer has")
                    .doesNotContain("row-"));
            assertThat(withheld.sum()).isEqualTo(2);
            assertThat(reads[0]).as("once for the schema").isEqualTo(1);

            missing.clear();                    // the configuration names the table's columns again: a new schema is checked
            schema[0] = new Object();
            publisher.handleBatch(List.of(change(3)), committer);
            assertThat(new String(producer.history().get(2).value(), StandardCharsets.UTF_8)).contains("\"name\":\"row-3\"");
            assertThat(reads[0]).isEqualTo(2);
        }
        assertThat(committer.marked).hasSize(3);
        assertThat(published).hasValue(3);
    }

    @Test
    void inTheCompactFormEachSchemaIsAcknowledgedOnceBeforeTheFirstEventThatNamesIt() throws InterruptedException {
        Schema v1 = SchemaBuilder.struct().name("cachesync.public.products.Envelope").field("op", Schema.STRING_SCHEMA).build();
        Schema v2 = SchemaBuilder.struct().name("cachesync.public.products.Envelope").field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
        ScriptedProducer producer = new ScriptedProducer(r -> null);
        try (KafkaChangePublisher publisher = compactPublisher(producer, e -> e.value().contains("\"row-3\"") ? v2 : v1)) {
            publisher.handleBatch(List.of(payloadOnly(1), payloadOnly(2), payloadOnly(3)), committer);
            publisher.handleBatch(List.of(payloadOnly(4), payloadOnly(5)), committer);
        }
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertThat(sent).extracting(ProducerRecord::topic).containsExactly(TopicNames.DEFAULT.schemas(), TOPIC, TOPIC, TopicNames.DEFAULT.schemas(), TOPIC, TOPIC, TOPIC);
        String id1 = new String(sent.get(0).key(), StandardCharsets.UTF_8);
        String id2 = new String(sent.get(3).key(), StandardCharsets.UTF_8);
        assertThat(id1).isNotEqualTo(id2).isEqualTo(CompactEnvelope.schemaId(sent.get(0).value()));
        assertThat(id2).isEqualTo(CompactEnvelope.schemaId(sent.get(3).value()));
        assertThat(new String(sent.get(3).value(), StandardCharsets.UTF_8)).as("the schema as the JsonConverter writes it")
                .isEqualTo("{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
                        + "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"}],\"optional\":false,"
                        + "\"name\":\"cachesync.public.products.Envelope\"}");
        for (int i : new int[] {1, 2, 4, 5, 6}) {
            String value = new String(sent.get(i).value(), StandardCharsets.UTF_8);
            int row = i < 3 ? i : i - 1;
            assertThat(value).isEqualTo(CompactEnvelope.of(i == 4 ? id2 : id1, payloadOnly(row).value()));
            assertThat(CompactEnvelope.idOf(sent.get(i).value())).isEqualTo(i == 4 ? id2 : id1);
        }
        assertThat(published).hasValue(5);
        assertThat(committer.marked).hasSize(5);
    }

    @Test
    void aSchemaKafkaDoesNotAcknowledgeFailsTheBatchBeforeAnyOfItsEventsIsSent() {
        Schema v1 = SchemaBuilder.struct().name("cachesync.public.products.Envelope").field("op", Schema.STRING_SCHEMA).build();
        ScriptedProducer producer = new ScriptedProducer(r -> r.topic().equals(TopicNames.DEFAULT.schemas()) ? new NotEnoughReplicasException("1 of 3") : null);
        try (KafkaChangePublisher publisher = compactPublisher(producer, e -> v1)) {
            assertThatThrownBy(() -> publisher.handleBatch(List.of(payloadOnly(1), payloadOnly(2)), committer))
                    .isInstanceOf(PublishException.class).hasMessageContaining("the schema of a change event").hasMessageContaining("1 of 3");
        }
        assertThat(producer.history()).as("no event without its schema").isEmpty();
        assertThat(committer.marked).isEmpty();
        assertThat(committer.finished).isFalse();
    }

    @Test
    void aCompactEventTheBrokerRefusesAsTooLargeIsReplacedByTheTooLargeChangeOfItsPayload() throws InterruptedException {
        Schema v1 = SchemaBuilder.struct().name("cachesync.public.products.Envelope").field("op", Schema.STRING_SCHEMA).build();
        ScriptedProducer producer = new ScriptedProducer(r -> r.topic().equals(TOPIC) && id(r) == 2
                ? new RecordTooLargeException("over max.message.bytes") : null);
        try (KafkaChangePublisher publisher = compactPublisher(producer, e -> v1)) {
            publisher.handleBatch(List.of(payloadOnly(1), payloadOnly(2)), committer);
        }
        assertThat(committer.finished).isTrue();
        assertThat(tooLarge.sum()).isEqualTo(1);
        assertThat(producer.history()).as("the schema, row 1, then row 2's replacement").hasSize(3);
        String replacement = new String(producer.history().get(2).value(), StandardCharsets.UTF_8);
        assertThat(replacement).startsWith("{\"op\":\"u\",\"source\":{").contains("\"after\":{\"id\":2}")
                .contains("\"cachesync_too_large\":{").contains("refused by the broker");
    }

    @Test
    void aTruncateIsPublishedToEveryPartitionOfItsTopicAndMarkedWhenAllAcknowledgedIt() throws InterruptedException {
        List<PartitionInfo> partitions = List.of(0, 1, 2, 3).stream()
                .map(p -> new PartitionInfo(TOPIC, p, Node.noNode(), new Node[0], new Node[0])).toList();
        ScriptedProducer producer = new ScriptedProducer(new Cluster("c", List.of(), partitions, Set.of(), Set.of()));
        ChangeEvent<String, String> truncate = new Change(null, PRODUCTS.change("t", null, null).lastCommit(5L).lsn(500L).json(), TOPIC);
        List<ChangeEvent<String, String>> batch = List.of(change(1), truncate, change(2));
        try (KafkaChangePublisher publisher = publisher(producer)) {
            publisher.handleBatch(batch, committer);
        }
        List<ProducerRecord<byte[], byte[]>> sent = producer.history();
        assertThat(sent).hasSize(6);
        assertThat(sent.subList(1, 5)).extracting(ProducerRecord::partition).containsExactly(0, 1, 2, 3);
        assertThat(sent.subList(1, 5)).allSatisfy(r -> {
            assertThat(r.key()).isNull();
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains("\"op\":\"t\"");
            assertThat(r.headers().lastHeader(Topics.SOURCE_EPOCH_HEADER)).isNotNull();
        });
        assertThat(sent.get(0).partition()).as("a row's change goes where its key hashes to").isNull();
        assertThat(committer.marked).containsExactlyElementsOf(batch);
        assertThat(published).hasValue(3);
    }

    private KafkaChangePublisher compactPublisher(ScriptedProducer producer, Function<ChangeEvent<String, String>, Schema> schemaOf) {
        return new KafkaChangePublisher(producer, Set.of(TOPIC), published, 0, EPOCH, tooLarge, TopicNames.DEFAULT.schemas(), schemaOf, SensitiveColumnGuard.NONE);
    }

    /** What Debezium hands over with {@code value.converter.schemas.enable=false}: the payload only. */
    private static ChangeEvent<String, String> payloadOnly(int id) {
        return new Change(PRODUCTS.keyOf(id).json(), PRODUCTS.update(null, PRODUCTS.row(id, "row-" + id)).lastCommit(1L).lsn(100L + id)
                .withoutSchema().json(), TOPIC);
    }

    private KafkaChangePublisher publisher(ScriptedProducer producer) {
        return new KafkaChangePublisher(producer, Set.of(TOPIC), published, 0, EPOCH, tooLarge, null, null, SensitiveColumnGuard.NONE);
    }

    private static ChangeEvent<String, String> change(int id) {
        return new Change(PRODUCTS.keyOf(id).json(), PRODUCTS.update(null, PRODUCTS.row(id, "row-" + id)).lastCommit(1L).lsn(100L + id).json(),
                TOPIC);
    }

    private static int id(ProducerRecord<byte[], byte[]> r) {
        String key = new String(r.key(), StandardCharsets.UTF_8);
        return Integer.parseInt(key.replaceAll("\\D", ""));
    }

    private record Change(String key, String value, String destination) implements ChangeEvent<String, String> {
        @Override
        public Integer partition() {
            return null;
        }
    }

    /** Acknowledges every send at once, except those the script fails (only the first time: a re-send is accepted). */
    private static final class ScriptedProducer extends MockProducer<byte[], byte[]> {
        private final Function<ProducerRecord<byte[], byte[]>, RuntimeException> script;
        private final Set<String> failed = new HashSet<>();

        ScriptedProducer(Function<ProducerRecord<byte[], byte[]>, RuntimeException> script) {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.script = script;
        }

        /** Acknowledging every send, on a cluster whose partitions {@code partitionsFor} tells. */
        ScriptedProducer(Cluster cluster) {
            super(cluster, true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.script = r -> null;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            RuntimeException failure = script.apply(record);
            if (failure != null && failed.add(record.topic() + ":" + new String(record.key(), StandardCharsets.UTF_8))) {
                return CompletableFuture.failedFuture(failure);
            }
            return super.send(record, callback);
        }
    }

    /** Records what the publisher marked, as Debezium's engine would store it. */
    private static final class Committer implements DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> {
        final List<ChangeEvent<String, String>> marked = new ArrayList<>();
        boolean finished;

        @Override
        public void markProcessed(ChangeEvent<String, String> record) {
            marked.add(record);
        }

        @Override
        public void markBatchFinished() {
            finished = true;
        }

        @Override
        public void markProcessed(ChangeEvent<String, String> record, DebeziumEngine.Offsets offsets) {
            marked.add(record);
        }

        @Override
        public DebeziumEngine.Offsets buildOffsets() {
            throw new UnsupportedOperationException("not used by the publisher");
        }
    }
}
