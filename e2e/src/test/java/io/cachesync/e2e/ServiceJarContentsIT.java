package io.cachesync.e2e;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service jar (the Docker image's only jar) holds no devstack: no PostgreSQL binaries, no Kafka broker, no
 * redis-server, and neither demo nor bench. The devtools jar, which does hold them, shows that each pattern matches
 * what it is meant to find. The enforcer rule in app/pom.xml guards the dependencies; this guards the bytes.
 */
class ServiceJarContentsIT {
    /** logback's SLF4J provider: without it a jar runs but logs nothing. */
    private static final String LOGGING = "META-INF/services/org.slf4j.spi.SLF4JServiceProvider";

    /** Entries that only the devstack, the demo or the bench bring (kafka-clients' org/apache/kafka/server/* is not among them). */
    private static final List<Pattern> DEVSTACK_ONLY = List.of(
            Pattern.compile("postgres-.*\\.txz"),                         // zonky's embedded PostgreSQL binaries
            Pattern.compile("io/zonky/.*"),
            Pattern.compile("kafka/.*\\.class"),                          // the broker (kafka_2.13: kafka.Kafka, kafka.server.*)
            Pattern.compile("org/apache/kafka/(raft|controller|metadata|storage|image)/.*"),
            Pattern.compile(".*redis-server.*"),                          // embedded-redis' redis-server binaries
            Pattern.compile("redis/embedded/.*"),
            Pattern.compile("io/cachesync/(devstack|devtools)/.*"),
            Pattern.compile("io/cachesync/app/(demo|bench)/.*"));

    @Test
    void theServiceJarHoldsNoDevstackDemoOrBench() throws IOException {
        List<String> entries = entries(ServiceProcess.jar());
        assertThat(entries).contains("io/cachesync/app/CachesyncCli.class", "org/apache/kafka/clients/producer/KafkaProducer.class", LOGGING);
        for (Pattern p : DEVSTACK_ONLY) {
            assertThat(entries).as("service jar entries matching %s", p).noneMatch(p.asMatchPredicate());
        }
    }

    @Test
    void theDevtoolsJarHoldsWhatTheServiceJarMustNot() throws IOException {
        List<String> entries = entries(devtoolsJar());
        assertThat(entries).contains("kafka/Kafka.class", "kafka/server/KafkaRaftServer.class", "io/cachesync/app/demo/DemoRunner.class", LOGGING);
        Predicate<String> pgBinaries = DEVSTACK_ONLY.get(0).asMatchPredicate();
        assertThat(entries).anyMatch(pgBinaries);
    }

    private static Path devtoolsJar() {
        Path jar = Path.of(System.getProperty("cachesync.devtools.jar", "../devtools/target/cachesync-devtools.jar")).toAbsolutePath().normalize();
        assertThat(jar).as("the devtools jar (./mvnw verify packages it before the e2e suites run)").isRegularFile();
        return jar;
    }

    private static List<String> entries(Path jar) throws IOException {
        assertThat(Files.isRegularFile(jar)).as(jar.toString()).isTrue();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }
}
