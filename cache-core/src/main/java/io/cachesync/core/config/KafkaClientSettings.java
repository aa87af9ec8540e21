package io.cachesync.core.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Connection and security settings shared by every Kafka client cachesync creates (producer, Kafka Streams,
 * admin, Debezium's offset store): brokers, and optionally TLS and SASL. Secrets are never printed.
 */
public final class KafkaClientSettings {
    public static final ConfigKey BOOTSTRAP = ConfigKey.of("kafka.bootstrap.servers", "Kafka brokers, host:port[,host:port]", "127.0.0.1:9092");
    public static final ConfigKey SECURITY_PROTOCOL = ConfigKey.of("kafka.security.protocol",
            "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", "PLAINTEXT");
    public static final ConfigKey SASL_MECHANISM = ConfigKey.of("kafka.sasl.mechanism", "SASL mechanism, e.g. SCRAM-SHA-512 or PLAIN", "");
    public static final ConfigKey SASL_JAAS = ConfigKey.secret("kafka.sasl.jaas-config", "SASL JAAS configuration line (holds the password)", "");
    public static final ConfigKey TRUSTSTORE = ConfigKey.of("kafka.ssl.truststore.location", "Trust store for the brokers' certificates", "");
    public static final ConfigKey TRUSTSTORE_PASSWORD = ConfigKey.secret("kafka.ssl.truststore.password", "Password of the trust store", "");
    public static final ConfigKey KEYSTORE = ConfigKey.of("kafka.ssl.keystore.location", "Key store for mutual TLS", "");
    public static final ConfigKey KEYSTORE_PASSWORD = ConfigKey.secret("kafka.ssl.keystore.password", "Password of the key store", "");

    public static final List<ConfigKey> KEYS = List.of(BOOTSTRAP, SECURITY_PROTOCOL, SASL_MECHANISM, SASL_JAAS, TRUSTSTORE,
            TRUSTSTORE_PASSWORD, KEYSTORE, KEYSTORE_PASSWORD);

    private static final List<String> PROTOCOLS = List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    private final Map<String, Object> clientConfig;
    private final String bootstrapServers;

    private KafkaClientSettings(String bootstrapServers, Map<String, Object> clientConfig) {
        this.bootstrapServers = bootstrapServers;
        this.clientConfig = Map.copyOf(clientConfig);
    }

    public static KafkaClientSettings from(Settings s, List<String> problems) {
        String bootstrap = Endpoints.bootstrap(BOOTSTRAP, s, problems);
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", bootstrap == null ? "" : bootstrap);
        String protocol = s.get(SECURITY_PROTOCOL).toUpperCase(Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            problems.add(SECURITY_PROTOCOL.name() + " is not one of " + PROTOCOLS + ": '" + s.get(SECURITY_PROTOCOL) + "'");
        }
        m.put("security.protocol", protocol);
        putIfSet(m, "sasl.mechanism", s.get(SASL_MECHANISM));
        putIfSet(m, "sasl.jaas.config", s.get(SASL_JAAS));
        putIfSet(m, "ssl.truststore.location", s.get(TRUSTSTORE));
        putIfSet(m, "ssl.truststore.password", s.get(TRUSTSTORE_PASSWORD));
        putIfSet(m, "ssl.keystore.location", s.get(KEYSTORE));
        putIfSet(m, "ssl.keystore.password", s.get(KEYSTORE_PASSWORD));
        if (protocol.startsWith("SASL") && s.get(SASL_JAAS).isBlank()) {
            problems.add(SASL_JAAS.name() + " is required when " + SECURITY_PROTOCOL.name() + " is " + protocol);
        }
        return new KafkaClientSettings(bootstrap, m);
    }

    private static void putIfSet(Map<String, Object> m, String key, String value) {
        if (value != null && !value.isBlank()) {
            m.put(key, value);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Properties for any Kafka client (bootstrap servers plus security). */
    public Map<String, Object> clientConfig() {
        return clientConfig;
    }

    @Override
    public String toString() {
        return "kafka[bootstrap.servers=" + bootstrapServers + ", security.protocol=" + clientConfig.get("security.protocol")
                + (clientConfig.containsKey("sasl.jaas.config") ? ", sasl.jaas-config=<masked>" : "") + "]";
    }
}
