package io.cachesync.sync.envelope;

import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.topics.CompactEnvelope;
import io.cachesync.core.topics.SmallTopics;
import io.cachesync.core.topics.TopicProvisioner;
import io.cachesync.core.topics.Topics;
import io.cachesync.devstack.DevKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link SchemaTopic} against a real KRaft broker. */
class SchemaTopicTest {
    @TempDir
    static Path dir;
    static DevKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = DevKafka.start(dir.resolve("kafka"));
        TopicProvisioner.ensure(client(), List.of(TopicNames.DEFAULT.schemas()), 1, (short) 1, Topics.COMPACTED_TOPIC_CONFIG, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.stop();
        }
    }

    static Map<String, Object> client() {
        return Map.of("bootstrap.servers", kafka.bootstrapServers());
    }

    /** Writes a schema as cdc-ingest does (keyed by its id) and returns the id. */
    static String write(String schemaJson) {
        byte[] value = schemaJson.getBytes(StandardCharsets.UTF_8);
        String id = CompactEnvelope.schemaId(value);
        SmallTopics.writeAll(client(), "test-schemas", List.of(new ProducerRecord<>(TopicNames.DEFAULT.schemas(), id.getBytes(StandardCharsets.US_ASCII), value)));
        return id;
    }

    @Test
    void idsThatDoNotExistCostNoReadOfTheWholeTopicAndSchemasWrittenLaterAreStillFound() {
        String first = write("{\"type\":\"struct\",\"name\":\"first\"}");
        write("{\"type\":\"struct\",\"name\":\"second\"}");
        try (SchemaTopic schemas = new SchemaTopic(client(), TopicNames.DEFAULT.schemas(), "test-schema-topic")) {
            assertThat(schemas.schema(first).path("name").asText()).isEqualTo("first");
            long read = schemas.recordsRead();
            assertThat(read).isGreaterThanOrEqualTo(2);
            for (int i = 0; i < 100; i++) {
                assertThat(schemas.schema(String.format("%032x", i))).isNull();
            }
            assertThat(schemas.recordsRead()).as("a hundred unknown ids read nothing again").isEqualTo(read);

            String later = write("{\"type\":\"struct\",\"name\":\"later\"}");
            assertThat(schemas.schema(later).path("name").asText()).isEqualTo("later");
            assertThat(schemas.recordsRead()).as("only the record appended since").isEqualTo(read + 1);
        }
    }

    static void recreateTopic() throws Exception {
        try (Admin admin = Admin.create(client())) {
            admin.deleteTopics(List.of(TopicNames.DEFAULT.schemas())).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(TopicNames.DEFAULT.schemas()));
        }
        TopicProvisioner.ensure(client(), List.of(TopicNames.DEFAULT.schemas()), 1, (short) 1, Topics.COMPACTED_TOPIC_CONFIG, Duration.ofSeconds(30));
    }

    @Test
    void aTopicDeletedAndWrittenAgainIsReadAgainFromItsBeginningShorterOrLonger() throws Exception {
        String before = write("{\"type\":\"struct\",\"name\":\"before the deletion\"}");
        try (SchemaTopic schemas = new SchemaTopic(client(), TopicNames.DEFAULT.schemas(), "test-schema-topic-recreated")) {
            assertThat(schemas.schema(before)).isNotNull();
            long read = schemas.recordsRead();

            // shorter than what was read: its end is below this reader's position
            recreateTopic();
            String shorter = write("{\"type\":\"struct\",\"name\":\"in the shorter topic\"}");
            // the first look-ups may meet the broker still settling the new topic (they fail, and the next starts over)
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> schemas.schema(shorter) != null);
            assertThat(schemas.schema(before)).as("a schema already known stays known: its id is its content's hash").isNotNull();

            // longer: the schema looked up sits below this reader's position, the records after it reach past it
            recreateTopic();
            String longer = write("{\"type\":\"struct\",\"name\":\"in the longer topic\"}");
            for (int i = 0; i < read + 3; i++) {
                write("{\"type\":\"struct\",\"name\":\"filler " + i + "\"}");
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> schemas.schema(longer) != null);
            assertThat(schemas.schema(longer).path("name").asText()).isEqualTo("in the longer topic");
        }
    }
}
