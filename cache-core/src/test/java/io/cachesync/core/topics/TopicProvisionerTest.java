package io.cachesync.core.topics;

import io.cachesync.devstack.DevKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TopicProvisioner} against a real KRaft broker: topics exist with leaders on every partition when it returns. */
class TopicProvisionerTest {
    @TempDir
    static Path kafkaDir;

    private static DevKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = DevKafka.start(kafkaDir.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.stop();
        }
    }

    private static Map<String, Object> admin() {
        return Map.of("bootstrap.servers", kafka.bootstrapServers());
    }

    @Test
    void createdTopicsHaveTheirPartitionsConfigsAndALeaderEachWhenEnsureReturns() throws Exception {
        List<String> topics = List.of("t.created.a", "t.created.b", "t.created.c");
        TopicProvisioner.ensure(admin(), topics, 4, (short) 1, Map.of("cleanup.policy", "compact"), Duration.ofSeconds(30));

        try (Admin admin = Admin.create(admin())) {
            assertThat(TopicProvisioner.leaderless(admin, topics, 10_000)).isEmpty();
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
            assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(4));
        }
    }

    @Test
    void anIdempotentProducerWritesToEveryPartitionRightAfterEnsure() throws Exception {
        String topic = "t.produced";
        TopicProvisioner.ensure(admin(), List.of(topic), 4, (short) 1, Map.of(), Duration.ofSeconds(30));

        Map<String, Object> p = new HashMap<>(admin());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int partition = 0; partition < 4; partition++) {
                assertThat(producer.send(new ProducerRecord<>(topic, partition, "k", "v")).get(30, TimeUnit.SECONDS).partition())
                        .isEqualTo(partition);
            }
        }
    }

    @Test
    void anExistingTopicIsLeftAsItIs() throws Exception {
        String topic = "t.existing";
        TopicProvisioner.ensure(admin(), List.of(topic), 2, (short) 1, Map.of(), Duration.ofSeconds(30));
        TopicProvisioner.ensure(admin(), List.of(topic), 6, (short) 1, Map.of(), Duration.ofSeconds(30));

        try (Admin admin = Admin.create(admin())) {
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()).hasSize(2);
        }
    }

    @Test
    void aTopicTheBrokerDoesNotKnowCountsAsLeaderless() throws Exception {
        try (Admin admin = Admin.create(admin())) {
            assertThat(TopicProvisioner.leaderless(admin, List.of("t.never.created"), 10_000)).containsExactly("t.never.created");
        }
    }
}
