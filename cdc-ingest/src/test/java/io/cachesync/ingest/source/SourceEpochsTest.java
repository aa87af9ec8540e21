package io.cachesync.ingest.source;

import io.cachesync.core.topics.TopicNames;
import io.cachesync.core.consistency.SourceEpoch;
import io.cachesync.core.topics.SmallTopics;
import io.cachesync.core.topics.TopicProvisioner;
import io.cachesync.core.topics.Topics;
import io.cachesync.devstack.DevKafka;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SourceEpochs} and {@link DebeziumOffsets} against a real broker: which identity gets which epoch, and that a
 * new one resets the engine's offsets (and only the engine's) before it is recorded.
 */
class SourceEpochsTest {
    static final String ENGINE = "cachesync-ingest";
    static final String ENGINE_KEY = "[\"cachesync-ingest\",{\"server\":\"cachesync\"}]";
    static final String OTHER_KEY = "[\"another-engine\",{\"server\":\"cachesync\"}]";

    @TempDir
    static Path dir;
    static DevKafka kafka;
    static Map<String, Object> client;

    @BeforeAll
    static void start() {
        kafka = DevKafka.start(dir.resolve("kafka"));
        client = Map.of("bootstrap.servers", kafka.bootstrapServers());
        TopicProvisioner.ensure(client, List.of(TopicNames.DEFAULT.ingestOffsets(), TopicNames.DEFAULT.sourceEpochs()), 1, (short) 1,
                Map.of("cleanup.policy", "compact"), Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.stop();
        }
    }

    @Test
    void everyNewIdentityGetsTheNextEpochAfterTheEnginesOffsetsWereReset() {
        DebeziumOffsets offsets = new DebeziumOffsets(client, TopicNames.DEFAULT.ingestOffsets(), ENGINE);
        SourceEpochs epochs = new SourceEpochs(client, TopicNames.DEFAULT.sourceEpochs(), offsets, Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC));
        assertThat(epochs.latest()).isEmpty();
        storeOffsets();

        SourceEpoch first = epochs.resolve(new SourceIdentity("7000000000000000001", 1));
        assertThat(first.epoch()).isZero();
        assertThat(offsets.read()).as("the first identity keeps the offsets it has (an upgrade)").containsKey(ENGINE_KEY);
        assertThat(epochs.resolve(new SourceIdentity("7000000000000000001", 1))).as("the same identity, the same epoch").isEqualTo(first);

        SourceEpoch promoted = epochs.resolve(new SourceIdentity("7000000000000000001", 2));
        assertThat(promoted.epoch()).isEqualTo(1);
        assertThat(promoted.since()).isEqualTo(Instant.parse("2026-11-30T12:00:00Z"));
        assertThat(offsets.read()).as("the engine's offsets are reset").isEmpty();
        assertThat(new DebeziumOffsets(client, TopicNames.DEFAULT.ingestOffsets(), "another-engine").read()).as("another engine's stay").containsOnlyKeys(OTHER_KEY);

        storeOffsets();
        assertThat(epochs.resolve(new SourceIdentity("7000000000000000099", 1)).epoch()).as("a new cluster").isEqualTo(2);
        assertThat(epochs.resolve(new SourceIdentity("7000000000000000001", 2)).epoch())
                .as("going back to an identity seen before is still a change: its positions are not comparable to the last one's")
                .isEqualTo(3);
        assertThat(new SourceEpochs(client, TopicNames.DEFAULT.sourceEpochs(), offsets, Clock.systemUTC()).latest().orElseThrow().epoch()).as("read back from the topic").isEqualTo(3);

        storeOffsets();
        SourceEpoch afterAGap = epochs.resolve(new SourceIdentity("7000000000000000001", 2), java.util.Optional.of("the slot was recreated"));
        assertThat(afterAGap.epoch()).as("a lost stretch of changes: the same identity, the next epoch").isEqualTo(4);
        assertThat(offsets.read()).isEmpty();
    }

    private static void storeOffsets() {
        SmallTopics.writeAll(client, "test", List.of(
                new ProducerRecord<>(TopicNames.DEFAULT.ingestOffsets(), ENGINE_KEY.getBytes(StandardCharsets.UTF_8), "{\"lsn\":123}".getBytes(StandardCharsets.UTF_8)),
                new ProducerRecord<>(TopicNames.DEFAULT.ingestOffsets(), OTHER_KEY.getBytes(StandardCharsets.UTF_8), "{\"lsn\":456}".getBytes(StandardCharsets.UTF_8))));
    }
}
