package io.cachesync.devstack.containers;

import io.cachesync.devstack.DevStack;
import io.cachesync.devstack.StackProvider;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Testcontainers stack on a Docker engine: PostgreSQL with logical WAL, a Kafka record produced and consumed, SET
 * and GET on Redis, and Redis and Kafka restarted at the same address. Without an engine it is reported as skipped,
 * with the reason.
 */
class ContainerStackIT {
    private static DevStack stack;

    @BeforeAll
    static void up() {
        if (DockerEngine.answers()) {
            stack = DevStack.start(StackProvider.TESTCONTAINERS);
        }
    }

    /** Per test, not in {@link #up()}: an assumption there would leave the tests out of the report instead of skipped. */
    @BeforeEach
    void engineAnswers() {
        assumeTrue(stack != null, () -> "no Docker engine: " + DockerEngine.missing().getMessage());
    }

    @AfterAll
    static void down() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void postgresHasLogicalWal() throws Exception {
        assertThat(stack.provider()).isEqualTo(StackProvider.TESTCONTAINERS);
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("show wal_level");
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("logical");
        }
    }

    @Test
    void kafkaDeliversARecordAndKeepsItAcrossARestartAtTheSameAddress() {
        String bootstrap = stack.kafka().bootstrapServers();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("container-probe", "k", "v")).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not produce to " + bootstrap, e);
        }
        assertThat(consumeAll(bootstrap)).containsExactly("k=v");

        stack.kafka().stop();
        assertThat(stack.kafka().isRunning()).isFalse();
        stack.kafka().start();
        assertThat(stack.kafka().bootstrapServers()).isEqualTo(bootstrap);
        assertThat(consumeAll(bootstrap)).containsExactly("k=v");
    }

    private static List<String> consumeAll(String bootstrap) {
        Map<String, Object> cfg = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.GROUP_ID_CONFIG, "probe-" + System.nanoTime());
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cfg, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("container-probe"));
            await("the record").atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.key() + "=" + r.value());
                }
                return !seen.isEmpty();
            });
        }
        return seen;
    }

    @Test
    void redisAnswersAndRestartsEmptyAtTheSamePort() throws Exception {
        int port = stack.redis().port();
        assertThat(command("SET probe 1")).isEqualTo("+OK");
        assertThat(command("GET probe")).isEqualTo("$1");

        stack.redis().kill();
        assertThat(stack.redis().isRunning()).isFalse();
        stack.redis().start();
        assertThat(stack.redis().port()).isEqualTo(port);
        assertThat(stack.redis().ping()).isTrue();
        assertThat(command("GET probe")).as("no persistence").isEqualTo("$-1");

        stack.redis().freeze();
        assertThat(stack.redis().isRunning()).isTrue();
        stack.redis().thaw();
        assertThat(stack.redis().ping()).isTrue();
    }

    /** The first line of Redis's reply to an inline command. */
    private static String command(String inline) throws IOException {
        try (Socket s = new Socket(stack.redis().host(), stack.redis().port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != -1 && b != '\r'; b = in.read()) {
                line.append((char) b);
            }
            return line.toString();
        }
    }
}
