package io.cachesync.devstack;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The embedded provider's Kafka: a single-node KRaft broker (broker and controller in one), in this JVM, on loopback
 * ports, with the {@link ServerSettings#kafka()}. Its log directory survives {@link #stop()}, so {@link #start()}
 * brings the same topics and offsets back.
 */
public final class LocalKafka implements DevKafka {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

    private final Path logDir;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    public LocalKafka(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    private Properties props() {
        Properties p = new Properties();
        p.putAll(ServerSettings.kafka());
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        return p;
    }

    @Override
    public synchronized LocalKafka start() {
        if (server != null) {
            return this;
        }
        try {
            KafkaConfig config = new KafkaConfig(props(), false);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                Files.createDirectories(logDir);
                try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
                    new Formatter()
                            .setNodeId(1)
                            .setClusterId(Uuid.randomUuid().toString())
                            .setDirectories(List.of(logDir.toString()))
                            .setMetadataLogDirectory(logDir.toString())
                            .setControllerListenerName("CONTROLLER")
                            .setPrintStream(quiet)
                            .run();
                }
            }
            KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
            s.startup();
            server = s;
        } catch (Exception e) {
            throw new DevStackException("devstack: Kafka did not start on 127.0.0.1:" + port + " (logs " + logDir + "): " + e.getMessage(), e);
        }
        LOG.info("Kafka 4.3 (KRaft) up at {}", bootstrapServers());
        return this;
    }

    /** Stops the broker, keeping its log directory. */
    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            server = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
