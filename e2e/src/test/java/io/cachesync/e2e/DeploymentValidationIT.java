package io.cachesync.e2e;

import io.cachesync.core.topics.TopicNames;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.app.demo.StackSettings;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.KafkaClientSettings;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.SharedKeys;
import io.cachesync.core.config.YamlSettingsReader;
import io.cachesync.core.redis.RedisEndpoint;
import io.cachesync.core.topics.Topics;
import io.cachesync.devstack.DevStack;
import io.cachesync.devstack.StackProvider;
import io.cachesync.ingest.IngestService;
import io.cachesync.ingest.config.IngestConfig;
import io.cachesync.sync.SyncService;
import io.cachesync.sync.config.SyncConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The operators' deployment files, checked offline against the code they deploy:
 * <ul>
 *   <li>every k8s overlay builds with {@code kubectl kustomize}, and docker-compose.yml with a compose client, alone and
 *       with each override file next to it ({@code docker-compose.<variant>.yml}, e.g. the Redis Cluster layout); every
 *       rule below holds for each of these compose variants and each overlay;</li>
 *   <li>every CACHESYNC_* variable and every key of a mounted config file that compose and k8s set is a key of the
 *       config classes ({@code KEYS} of IngestConfig, SyncConfig, ApiConfig, KafkaClientSettings, or entities.*), and
 *       the resulting configuration of each container passes that service's validation;</li>
 *   <li>ports agree: the port each service's config sets = containerPort = Service targetPort = probe ports = compose
 *       ports and health checks = Prometheus scrape targets;</li>
 *   <li>every metric the Grafana dashboard and the alert rules use is exported by the three services running on the
 *       devstack (scraped from their /metrics), with the labels the queries use;</li>
 *   <li>least privilege (issue 14): query-api's /admin and /metrics on a port of their own (api.admin-port), which
 *       Prometheus scrapes and no read Service, Ingress or route exposes; compose publishes every port on 127.0.0.1 only
 *       and takes the admin token from the environment; each service reads only its own Secret / env file, holding only
 *       credentials its config class reads; NetworkPolicies deny by default and open only what each service needs; the
 *       dev databases' init scripts, run against PostgreSQL 17, give each service its own user with only the privileges
 *       it uses (REPLICATION for cdc-ingest's only), and the three services run on the devstack as those users;</li>
 *   <li>instances: cdc-ingest runs exactly once (one replication slot); the instances of cache-sync and of query-api get
 *       the same configuration (cache-sync's share sync.application-id and split the partitions), cache-sync no more of
 *       them than the CDC topics have partitions, each with a state dir of its own; Prometheus scrapes every instance;
 *       the Redis every service is pointed at (standalone or the nodes of a cluster) is the one the stack runs, with
 *       its password, and a cluster is formed before the services start;</li>
 *   <li>the alert rules pass their unit tests ({@code promtool test rules deploy/prometheus/alerts.test.yml}: per
 *       instance where an instance is at fault, in sum where the data is) and Prometheus accepts its configs.</li>
 * </ul>
 * Where kubectl, a compose client or promtool is missing, that part is skipped with a message saying what was not checked.
 */
class DeploymentValidationIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
    /** Override files of docker-compose.yml, used on top of it: {@code docker-compose.<variant>.yml} next to it. */
    static final Pattern COMPOSE_OVERRIDE = Pattern.compile("docker-compose\\.([a-z0-9-]+)\\.yml");
    /** The compose variants that must exist besides docker-compose.yml alone. */
    static final Set<String> REQUIRED_COMPOSE_VARIANTS = Set.of("cluster");
    /** The overlays that must exist. */
    static final Set<String> REQUIRED_OVERLAYS = Set.of("dev", "prod", "redis-cluster");
    static final Path OVERLAYS = ROOT.resolve("k8s/overlays");
    static final Path DASHBOARD = ROOT.resolve("k8s/base/grafana/cachesync-dashboard.json");
    static final Path PROMETHEUS_RULE = ROOT.resolve("k8s/base/monitoring/prometheusrule.yaml");
    static final Path COMPOSE_ALERTS = ROOT.resolve("deploy/prometheus/alerts.yml");
    static final Path COMPOSE_PROMETHEUS = ROOT.resolve("deploy/prometheus/prometheus.yml");
    static final Path COMPOSE_ALERT_TESTS = ROOT.resolve("deploy/prometheus/alerts.test.yml");
    /** Where compose's Prometheus reads its config (the prometheus service mounts a file of deploy/prometheus there). */
    static final String PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
    static final Path COMPOSE_ENV_FILES = ROOT.resolve("deploy/compose");
    static final Path BASE_CONFIG = ROOT.resolve("k8s/base/config/cachesync.yaml");
    /** The dev databases' init scripts, run in this order by compose's and the dev overlay's PostgreSQL. */
    static final List<Path> POSTGRES_INIT = List.of(ROOT.resolve("k8s/overlays/dev/infra/postgres-init.sql"),
            ROOT.resolve("k8s/overlays/dev/infra/postgres-access.sql"));
    static final String INITDB_DIR = "/docker-entrypoint-initdb.d";
    /** query-api's admin token: never committed, compose takes it from the environment. */
    static final String ADMIN_TOKEN = ApiConfig.ADMIN_TOKEN.envName();
    /** The admin token this test gives compose's interpolation (a real deployment's comes from the operator). */
    static final String TEST_ADMIN_TOKEN = "validation-only-admin-token-0123456789";
    /** Prometheus, the only client of the metrics ports: kube-prometheus-stack's pods in namespace monitoring. */
    static final Map<String, String> MONITORING_NAMESPACE_LABELS = Map.of("kubernetes.io/metadata.name", "monitoring");
    static final Map<String, String> PROMETHEUS_POD_LABELS = Map.of("app.kubernetes.io/name", "prometheus");
    /** The superuser of the dev databases (compose's POSTGRES_USER, the dev overlay's): never a service's user. */
    static final String SUPERUSER = "postgres";
    static final String CONFIG_FLAG = "--config";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * CACHESYNC_* variables that are process settings rather than config keys; each must be read by the code
     * (the test looks for its name under {@code <module>/src/main}).
     */
    static final Map<String, Set<String>> PROCESS_VARIABLES = Map.of(
            "CACHESYNC_LOG_FORMAT", Set.of("plain", "json"),
            "CACHESYNC_LOG_LEVEL", Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR"));
    /** Non-CACHESYNC variables a cachesync container may carry (read by the JVM itself). */
    static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "TZ");
    /** Labels Prometheus adds to every series of a target: the services do not export them. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance", "namespace", "pod", "service", "container", "endpoint");

    /**
     * The three services: CLI command, the name compose and k8s give it, its config class's keys, the key of the port its
     * health checks and probes call, and the key of the port that serves its /metrics (query-api: apart from the reads).
     */
    enum Service {
        INGEST("ingest", "cdc-ingest", "ingest.http-port", "ingest.http-port"),
        SYNC("sync", "cache-sync", "sync.http-port", "sync.http-port"),
        API("api", "query-api", "api.port", "api.admin-port");

        final String command;
        final String deployedName;
        final String portKey;
        final String metricsPortKey;

        Service(String command, String deployedName, String portKey, String metricsPortKey) {
            this.command = command;
            this.deployedName = deployedName;
            this.portKey = portKey;
            this.metricsPortKey = metricsPortKey;
        }

        List<ConfigKey> keys() {
            return switch (this) {
                case INGEST -> IngestConfig.KEYS;
                case SYNC -> SyncConfig.KEYS;
                case API -> ApiConfig.KEYS;
            };
        }

        /** Validates the settings the way the service does at start-up: a {@link ConfigException} says why it would refuse to start. */
        void validate(Settings s) {
            switch (this) {
                case INGEST -> IngestConfig.from(s);
                case SYNC -> SyncConfig.from(s);
                case API -> ApiConfig.from(s);
            }
        }

        /** The port the service listens on: {@link #portKey} from the environment, the config file or the key's default. */
        int port(Settings s) {
            return Integer.parseInt(s.get(key(portKey)).trim());
        }

        /** The port of its /metrics: {@link #metricsPortKey} (for query-api its admin port, never the port of the reads). */
        int metricsPort(Settings s) {
            return Integer.parseInt(s.get(key(metricsPortKey)).trim());
        }

        /** Its port key and its metrics port key, with their ports (one entry when they are the same key). */
        Map<String, Integer> listens(Settings s) {
            Map<String, Integer> out = new TreeMap<>();
            out.put(portKey, port(s));
            out.put(metricsPortKey, metricsPort(s));
            return out;
        }

        ConfigKey key(String name) {
            return keys().stream().filter(k -> k.name().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " is not a key of " + deployedName + "'s config class (KEYS)"));
        }

        boolean reads(ConfigKey key) {
            return keys().stream().anyMatch(k -> k.name().equals(key.name()));
        }

        /**
         * The variables its own Secret (k8s) or env file (compose) may hold: the secret keys (ConfigKey.secret) of its config
         * class and the database user that goes with the password - nothing of another service.
         */
        Set<String> credentialVariables() {
            Set<String> out = new TreeSet<>();
            for (ConfigKey k : keys()) {
                if (k.secret() || k.name().equals(SharedKeys.POSTGRES_USER.name())) {
                    out.add(k.envName());
                }
            }
            return out;
        }

        /** The credentials it cannot run without: its own database user and password, and Redis' URL where it uses Redis. */
        Set<String> requiredCredentials() {
            Set<String> out = new TreeSet<>(Set.of(SharedKeys.POSTGRES_USER.envName(), SharedKeys.POSTGRES_PASSWORD.envName()));
            if (reads(SharedKeys.REDIS_URL)) {
                out.add(SharedKeys.REDIS_URL.envName());
            }
            return out;
        }

        /** The name of its Secret in k8s and of its env file in compose ({@code deploy/compose/<name>.env}). */
        String secretName() {
            return deployedName + "-secrets";
        }

        static Optional<Service> ofCommand(String command) {
            return Stream.of(values()).filter(s -> s.command.equals(command)).findFirst();
        }
    }

    /**
     * One cachesync container as deployed: where it is (for messages), its compose service or Deployment name, the service it runs, its environment (names
     * and values, from env, env files, envFrom and valueFrom), the config file it gets with --config (null if none),
     * and the variable names that came from a shared source (env file, ConfigMap, Secret) that must hold only such
     * variables.
     */
    record Deployed(String where, String name, Service service, Map<String, String> env, Path configFile, Set<String> sharedSourceNames) {
        Settings settings() {
            return Settings.load(Optional.ofNullable(configFile), env);
        }
    }

    @TempDir
    static Path tmp;

    // ---------------------------------------------------------------------------------------------------------------
    // (a) the builds

    static final Map<Path, List<Map<String, Object>>> KUSTOMIZED = new ConcurrentHashMap<>();

    static List<Path> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            List<Path> out = dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml"))).sorted().toList();
            assertThat(out).as("overlays under " + OVERLAYS).extracting(p -> p.getFileName().toString())
                    .containsAll(REQUIRED_OVERLAYS);
            return out;
        }
    }

    static boolean onPath(String command) {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        return Stream.of(path.split(java.io.File.pathSeparator)).anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, command)));
    }

    static void assumeKubectl() {
        Assumptions.assumeTrue(onPath("kubectl"), "kubectl not found: the kustomize build of k8s/overlays/* was not checked");
    }

    record Run(int exit, String out) {
    }

    static Run run(Path dir, List<String> command) throws IOException, InterruptedException {
        return run(dir, command, Map.of());
    }

    /** Runs {@code command} with {@code environment} changed: a variable mapped to null is removed. */
    static Run run(Path dir, List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        environment.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out));
    }

    /** {@code kubectl kustomize <overlay>}, parsed into its documents (built once per overlay). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> kustomize(Path overlay) {
        assumeKubectl();
        return KUSTOMIZED.computeIfAbsent(overlay, o -> {
            try {
                Run r = run(ROOT, List.of("kubectl", "kustomize", o.toString()));
                assertThat(r.exit()).as("kubectl kustomize " + ROOT.relativize(o) + " failed:\n" + r.out()).isZero();
                List<Map<String, Object>> docs = new ArrayList<>();
                for (Object d : yaml().loadAll(r.out())) {
                    if (d != null) {
                        docs.add((Map<String, Object>) d);
                    }
                }
                return docs;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void everyOverlayBuildsWithKustomize() throws Exception {
        for (Path overlay : overlays()) {
            List<Map<String, Object>> docs = kustomize(overlay);
            assertThat(names(docs, "Deployment")).as("Deployments of " + ROOT.relativize(overlay))
                    .contains("cdc-ingest", "cache-sync", "query-api");
            assertThat(names(docs, "HorizontalPodAutoscaler")).as("HPAs of " + ROOT.relativize(overlay))
                    .contains("query-api", "cache-sync").doesNotContain("cdc-ingest");
            assertThat(names(docs, "PodDisruptionBudget")).as("PDBs of " + ROOT.relativize(overlay)).contains("query-api", "cache-sync");
            assertThat(names(docs, "ServiceMonitor")).as("ServiceMonitor of " + ROOT.relativize(overlay)).isNotEmpty();
            assertThat(names(docs, "PrometheusRule")).as("PrometheusRule of " + ROOT.relativize(overlay)).isNotEmpty();
            Map<String, Object> ingest = find(docs, "Deployment", "cdc-ingest").orElseThrow();
            assertThat(get(ingest, "spec", "replicas")).as("cdc-ingest replicas (one replication slot)").isEqualTo(1);
            assertThat(get(ingest, "spec", "strategy", "type")).as("cdc-ingest strategy (never two at once)").isEqualTo("Recreate");
        }
    }


    /**
     * {@code docker compose config} (or docker-compose v1) parses, merges and interpolates every compose variant
     * (docker-compose.yml alone, and with each override file) without a Docker engine.
     */
    @Test
    void composeClientAcceptsTheComposeFile() throws Exception {
        List<String> client = null;
        if (onPath("docker") && run(ROOT, List.of("docker", "compose", "version")).exit() == 0) {
            client = List.of("docker", "compose");
        } else if (onPath("docker-compose")) {
            client = List.of("docker-compose");
        }
        Assumptions.assumeTrue(client != null, "neither `docker compose` nor `docker-compose` found: docker-compose.yml and its "
                + "override files were not validated by a compose client (their keys, ports and scrape targets are still checked by this class)");
        // an empty --env-file: a developer's .env (which may hold the admin token) must not decide the outcome
        Path noDotEnv = Files.writeString(tmp.resolve("empty.env"), "");
        for (ComposeVariant variant : composeVariants()) {
            List<String> command = new ArrayList<>(client);
            command.addAll(List.of("--env-file", noDotEnv.toString()));
            command.addAll(variant.fileArguments());
            command.addAll(List.of("config", "-q"));
            Run r = run(ROOT, command, Map.of(ADMIN_TOKEN, TEST_ADMIN_TOKEN));
            assertThat(r.exit()).as(String.join(" ", command) + " rejected " + variant.where() + ":\n" + r.out()).isZero();
            // without the admin token in the environment compose refuses the files, naming the variable
            Map<String, String> without = new HashMap<>();
            without.put(ADMIN_TOKEN, null);
            Run refused = run(ROOT, command, without);
            assertThat(refused.exit()).as(String.join(" ", command) + " without " + ADMIN_TOKEN + " in the environment:\n" + refused.out()).isNotZero();
            assertThat(refused.out()).as("what compose says without " + ADMIN_TOKEN).contains(ADMIN_TOKEN);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (b) keys and variables

    static Set<String> knownKeys() {
        Set<String> keys = new TreeSet<>();
        for (Service s : Service.values()) {
            s.keys().forEach(k -> keys.add(k.name()));
        }
        KafkaClientSettings.KEYS.forEach(k -> keys.add(k.name()));
        return keys;
    }

    static Set<String> knownVariables() {
        Set<String> vars = new TreeSet<>();
        for (Service s : Service.values()) {
            s.keys().forEach(k -> vars.add(k.envName()));
        }
        KafkaClientSettings.KEYS.forEach(k -> vars.add(k.envName()));
        return vars;
    }

    static boolean isKnownKey(String key) {
        return key.equals("entities") || key.startsWith("entities.") || knownKeys().contains(key);
    }

    static boolean isKnownVariable(String name) {
        return name.startsWith("CACHESYNC_ENTITIES_") || knownVariables().contains(name) || PROCESS_VARIABLES.containsKey(name);
    }

    @Test
    void composeSetsOnlyKnownKeysAndValidConfig() throws Exception {
        for (ComposeVariant variant : composeVariants()) {
            List<Deployed> compose = composeContainers(variant);
            assertThat(compose).as("cachesync services of " + variant.where()).extracting(Deployed::service).contains(Service.values());
            checkKeysAndValues(compose);
        }
    }

    @Test
    void k8sSetsOnlyKnownKeysAndValidConfig() throws Exception {
        assumeKubectl();
        for (Path overlay : overlays()) {
            List<Deployed> containers = k8sContainers(overlay, kustomize(overlay));
            assertThat(containers).as("cachesync containers of " + ROOT.relativize(overlay)).extracting(Deployed::service)
                    .containsExactlyInAnyOrder(Service.values());
            checkKeysAndValues(containers);
        }
    }

    /**
     * Per overlay: cdc-ingest runs once; cache-sync at most as many pods (replicas, and its HPA's maxReplicas) as the CDC
     * topics have partitions (ingest.topic-partitions), each with its own state dir: the volume at sync.state-dir is an
     * emptyDir (or an ephemeral volume) of the pod, never a volume pods could share.
     */
    @Test
    @SuppressWarnings("unchecked")
    void k8sRunsEachServiceAsOftenAsItMay() throws Exception {
        assumeKubectl();
        List<String> problems = new ArrayList<>();
        for (Path overlay : overlays()) {
            List<Map<String, Object>> docs = kustomize(overlay);
            List<Deployed> containers = k8sContainers(overlay, docs);
            Map<Service, Long> replicas = new java.util.EnumMap<>(Service.class);
            for (Deployed c : containers) {
                Map<String, Object> deployment = find(docs, "Deployment", c.name()).orElseThrow();
                long most = ((Number) Objects.requireNonNullElse(get(deployment, "spec", "replicas"), 1)).longValue();
                for (Map<String, Object> hpa : all(docs, "HorizontalPodAutoscaler")) {
                    if ("Deployment".equals(get(hpa, "spec", "scaleTargetRef", "kind")) && c.name().equals(get(hpa, "spec", "scaleTargetRef", "name"))) {
                        most = Math.max(most, ((Number) get(hpa, "spec", "maxReplicas")).longValue());
                    }
                }
                replicas.merge(c.service(), most, Long::sum);
                if (c.service() != Service.SYNC) {
                    continue;
                }
                String stateDir = SyncConfig.STATE_DIR.read(c.settings(), new ArrayList<>());
                String volume = null;
                String mountedAt = "";
                for (Object vm : list(cachesyncContainer(deployment).get("volumeMounts"))) {
                    Map<String, Object> mount = (Map<String, Object>) vm;
                    String path = String.valueOf(mount.get("mountPath"));
                    if ((stateDir.equals(path) || stateDir.startsWith(path.endsWith("/") ? path : path + "/")) && path.length() > mountedAt.length()) {
                        volume = String.valueOf(mount.get("name"));
                        mountedAt = path;
                    }
                }
                Map<String, Object> source = null;
                for (Object v : list(get(deployment, "spec", "template", "spec", "volumes"))) {
                    if (((Map<String, Object>) v).get("name").equals(volume)) {
                        source = (Map<String, Object>) v;
                    }
                }
                if (source == null || (source.get("emptyDir") == null && source.get("ephemeral") == null)) {
                    problems.add(c.where() + ": sync.state-dir " + stateDir + " is on " + (source == null ? "no volume (a read-only root filesystem)" : source)
                            + "; each cache-sync pod needs its own: an emptyDir");
                }
            }
            problems.addAll(instancesAgree(ROOT.relativize(overlay).toString(), containers, replicas));
        }
        assertThat(problems).as("instances of the services of k8s/overlays/*").isEmpty();
    }

    static void checkKeysAndValues(List<Deployed> containers) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Deployed c : containers) {
            for (String name : c.env().keySet()) {
                if (name.startsWith("CACHESYNC_")) {
                    if (!isKnownVariable(name)) {
                        problems.add(c.where() + ": " + name + " is not the variable of any config key (nor entities.*)");
                    }
                } else if (!JVM_VARIABLES.contains(name)) {
                    problems.add(c.where() + ": " + name + (c.sharedSourceNames().contains(name) ? " (from an env file, ConfigMap or Secret)" : "")
                            + " is no CACHESYNC_ variable: cachesync ignores it (a misspelt prefix?)");
                }
            }
            PROCESS_VARIABLES.forEach((name, allowed) -> {
                String v = c.env().get(name);
                if (v != null && !allowed.contains(v)) {
                    problems.add(c.where() + ": " + name + "=" + v + " is not one of " + allowed);
                }
            });
            if (c.configFile() == null) {
                problems.add(c.where() + ": no config file mounted where " + CONFIG_FLAG + " points");
            } else {
                for (String key : YamlSettingsReader.read(c.configFile()).keySet()) {
                    if (!isKnownKey(key)) {
                        problems.add(c.where() + ": config file key " + key + " is not a key of any config class (nor entities.*)");
                    }
                }
            }
            try {
                c.service().validate(c.settings());
            } catch (ConfigException e) {
                problems.add(c.where() + ": " + c.service().deployedName + " would refuse to start: " + e.getMessage());
            }
        }
        Set<String> processVariablesUsed = containers.stream().flatMap(c -> c.env().keySet().stream())
                .filter(PROCESS_VARIABLES::containsKey).collect(Collectors.toCollection(TreeSet::new));
        for (String name : processVariablesUsed) {
            if (!readByMainCode(name)) {
                problems.add(name + " is set but no file under */src/main mentions it");
            }
        }
        assertThat(problems).as("keys, variables and values of the deployed configuration").isEmpty();
    }

    static boolean readByMainCode(String name) throws IOException {
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path main : modules.map(m -> m.resolve("src/main")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(main)) {
                    boolean found = files.filter(Files::isRegularFile).anyMatch(f -> {
                        try {
                            return Files.readString(f, StandardCharsets.ISO_8859_1).contains(name);
                        } catch (IOException e) {
                            return false;
                        }
                    });
                    if (found) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (c) ports

    /**
     * Per compose variant: every instance listens where its config says and publishes that port, its health check calls
     * it, and the Prometheus config the prometheus service mounts (docker-compose.yml: deploy/prometheus/prometheus.yml;
     * an override may mount another file of deploy/prometheus) scrapes every instance's metrics port (query-api: its admin
     * port), under the job of its service, and no target that is not an instance.
     */
    @Test
    @SuppressWarnings("unchecked")
    void composePortsHealthChecksAndScrapeTargetsAgree() throws Exception {
        List<String> problems = new ArrayList<>();
        for (ComposeVariant variant : composeVariants()) {
            problems.addAll(composePortsAgree(variant));
        }
        assertThat(problems).as("ports of docker-compose.yml (and its override files) and deploy/prometheus/*.yml").isEmpty();
    }

    @SuppressWarnings("unchecked")
    static List<String> composePortsAgree(ComposeVariant variant) throws IOException {
        Map<String, Object> services = variant.services();
        List<String> problems = new ArrayList<>();
        String where = variant.where();
        // the files Prometheus and Grafana read are the ones checked here
        Map<String, Object> prom = (Map<String, Object>) services.get("prometheus");
        Map<String, Path> promMounts = mounts(prom);
        Path promConfig = promMounts.get(PROMETHEUS_CONFIG);
        if (variant.equals(baseCompose()) ? !COMPOSE_PROMETHEUS.equals(promConfig)
                : promConfig == null || !promConfig.startsWith(COMPOSE_PROMETHEUS.getParent()) || !Files.isRegularFile(promConfig)) {
            problems.add(where + ": the prometheus service mounts " + promConfig + " at " + PROMETHEUS_CONFIG + ", expected "
                    + (variant.equals(baseCompose()) ? ROOT.relativize(COMPOSE_PROMETHEUS) : "a file of " + ROOT.relativize(COMPOSE_PROMETHEUS.getParent())));
            return problems;
        }
        String promWhere = ROOT.relativize(promConfig).toString();
        Map<String, Object> prometheus = load(promConfig);
        Map<String, String> scrapes = new TreeMap<>(); // target -> metrics path
        Map<String, String> jobs = new TreeMap<>(); // target -> job name
        for (Object job : list(prometheus.get("scrape_configs"))) {
            Map<String, Object> j = (Map<String, Object>) job;
            String path = (String) j.getOrDefault("metrics_path", "/metrics");
            for (Object sc : list(j.get("static_configs"))) {
                for (Object t : list(((Map<String, Object>) sc).get("targets"))) {
                    scrapes.put((String) t, path);
                    jobs.put((String) t, (String) j.get("job_name"));
                }
            }
        }
        Set<String> instances = new TreeSet<>();
        for (Deployed c : composeContainers(variant)) {
            int port = c.service().port(c.settings());
            int metricsPort = c.service().metricsPort(c.settings());
            String name = c.name();
            Map<String, Object> svc = (Map<String, Object>) services.get(name);
            List<Integer> published = new ArrayList<>();
            for (Object p : list(svc.get("ports"))) {
                published.add(containerPort(p));
            }
            for (Map.Entry<String, Integer> listens : c.service().listens(c.settings()).entrySet()) {
                if (!published.contains(listens.getValue())) {
                    problems.add(c.where() + ": listens on " + listens.getValue() + " (" + listens.getKey() + ") but ports: maps " + published);
                }
            }
            Map<String, Object> health = (Map<String, Object>) svc.get("healthcheck");
            String test = health == null ? "" : String.join(" ", list(health.get("test")).stream().map(String::valueOf).toList());
            Matcher m = Pattern.compile(":(\\d+)(/health/[a-z]+)").matcher(test);
            if (!m.find()) {
                problems.add(c.where() + ": no health check on /health/...");
            } else {
                do {
                    if (Integer.parseInt(m.group(1)) != port) {
                        problems.add(c.where() + ": health check calls port " + m.group(1) + ", the service listens on " + port);
                    }
                } while (m.find());
            }
            // /metrics is on the metrics port (query-api: api.admin-port), never on query-api's port of the reads
            String target = name + ":" + metricsPort;
            instances.add(target);
            if (!"/metrics".equals(scrapes.get(target))) {
                problems.add(promWhere + " does not scrape " + target + "/metrics (" + c.service().metricsPortKey + " of " + c.where()
                        + "; targets: " + scrapes + ")");
            }
            if (metricsPort != port && scrapes.containsKey(name + ":" + port)) {
                problems.add(promWhere + " scrapes " + name + ":" + port + " (" + c.service().portKey
                        + "), which serves no /metrics: the metrics are on " + metricsPort + " (" + c.service().metricsPortKey + ")");
            }
            if (metricsPort == port && c.service() == Service.API) {
                problems.add(c.where() + ": " + c.service().metricsPortKey + " = " + c.service().portKey + " = " + port
                        + ": /admin and /metrics must be on a port of their own");
            }
            String job = jobs.get(target);
            if (job != null && !c.service().deployedName.equals(job)) {
                problems.add(promWhere + " scrapes " + target + " in job " + job + ", expected job " + c.service().deployedName
                        + " (the alert CachesyncServiceDown and the dashboard go by job)");
            }
        }
        // a target of a cachesync job that is no instance of this variant would be down for good (CachesyncServiceDown)
        Set<String> cachesyncJobs = Stream.of(Service.values()).map(sv -> sv.deployedName).collect(Collectors.toSet());
        jobs.forEach((target, job) -> {
            if (cachesyncJobs.contains(job) && !instances.contains(target)) {
                problems.add(promWhere + " scrapes " + target + " (job " + job + "), which is no instance of " + where + ": " + instances);
            }
        });
        for (Object ruleFile : list(prometheus.get("rule_files"))) {
            if (!COMPOSE_ALERTS.equals(promMounts.get((String) ruleFile))) {
                problems.add(where + ": rule file " + ruleFile + " is not deploy/prometheus/alerts.yml mounted into the prometheus service");
            }
        }
        Map<String, Path> grafanaMounts = mounts((Map<String, Object>) services.get("grafana"));
        if (!grafanaMounts.containsValue(DASHBOARD)) {
            problems.add(where + ": the grafana service does not mount the dashboard " + ROOT.relativize(DASHBOARD) + " (one copy for compose and k8s)");
        }
        return problems;
    }

    /**
     * Per overlay: each service listens where its config says (containerPorts), its probes call its port (query-api:
     * api.port, never the admin port), every Service port targets a port it listens on, query-api's admin port
     * (api.admin-port) is apart from api.port and exposed only by a Service of its own, never by the read Service nor
     * an Ingress/HTTPRoute, and the ServiceMonitor scrapes each service's metrics port (query-api: the admin port) and
     * nothing else, under the job name the alerts and the dashboard use.
     */
    @Test
    @SuppressWarnings("unchecked")
    void k8sContainerServiceProbeAndScrapePortsAgree() throws Exception {
        assumeKubectl();
        Pattern alertedJobs = alertedJobs();
        List<String> problems = new ArrayList<>();
        for (Path overlay : overlays()) {
            List<Map<String, Object>> docs = kustomize(overlay);
            String where = ROOT.relativize(overlay).toString();
            List<Map<String, Object>> monitors = all(docs, "ServiceMonitor");
            if (monitors.isEmpty()) {
                problems.add(where + ": no ServiceMonitor");
            }
            for (Deployed c : k8sContainers(overlay, docs)) {
                int port = c.service().port(c.settings());
                int metricsPort = c.service().metricsPort(c.settings());
                Map<String, Object> deployment = find(docs, "Deployment", c.name()).orElseThrow();
                Map<String, Object> container = cachesyncContainer(deployment);
                Map<String, Integer> named = namedPorts(container);
                List<Integer> containerPorts = new ArrayList<>();
                for (Object p : list(container.get("ports"))) {
                    containerPorts.add((Integer) ((Map<String, Object>) p).get("containerPort"));
                }
                for (Map.Entry<String, Integer> listens : c.service().listens(c.settings()).entrySet()) {
                    if (listens.getValue() <= 0 || !containerPorts.contains(listens.getValue())) {
                        problems.add(c.where() + ": listens on " + listens.getValue() + " (" + listens.getKey() + ") but containerPorts are " + containerPorts);
                    }
                }
                if (c.service() == Service.API && metricsPort == port) {
                    problems.add(c.where() + ": " + c.service().metricsPortKey + " = " + c.service().portKey + " = " + port
                            + ": /admin and /metrics must be on a port of their own");
                }
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    Map<String, Object> pr = (Map<String, Object>) container.get(probe);
                    if (pr == null) {
                        if (!probe.equals("startupProbe")) {
                            problems.add(c.where() + ": no " + probe);
                        }
                        continue;
                    }
                    Map<String, Object> httpGet = (Map<String, Object>) pr.get("httpGet");
                    if (httpGet == null) {
                        problems.add(c.where() + ": " + probe + " is not an HTTP probe");
                        continue;
                    }
                    Integer probePort = resolvePort(httpGet.get("port"), named);
                    if (!Objects.equals(probePort, port)) {
                        problems.add(c.where() + ": " + probe + " calls port " + httpGet.get("port") + " (" + probePort + "), the service's "
                                + c.service().portKey + " is " + port);
                    }
                    String expected = probe.equals("readinessProbe") ? "/health/ready" : "/health/live";
                    if (!expected.equals(httpGet.get("path"))) {
                        problems.add(c.where() + ": " + probe + " calls " + httpGet.get("path") + ", expected " + expected);
                    }
                }
                Map<String, Object> podLabels = (Map<String, Object>) get(deployment, "spec", "template", "metadata", "labels");
                List<Map<String, Object>> selecting = servicesSelecting(docs, podLabels);
                if (selecting.isEmpty()) {
                    problems.add(c.where() + ": no Service selects its pods");
                }
                int readServices = 0;
                int metricsServices = 0;
                int scraped = 0;
                for (Map<String, Object> svc : selecting) {
                    String svcName = (String) get(svc, "metadata", "name");
                    Map<String, Integer> svcPorts = servicePorts(svc, named); // Service port name -> container port
                    for (Map.Entry<String, Integer> sp : svcPorts.entrySet()) {
                        if (!Objects.equals(sp.getValue(), port) && !Objects.equals(sp.getValue(), metricsPort)) {
                            problems.add(where + " Service " + svcName + ": port " + sp.getKey() + " targets " + sp.getValue() + ", which "
                                    + c.service().deployedName + " does not listen on (" + c.service().portKey + " " + port + ", "
                                    + c.service().metricsPortKey + " " + metricsPort + ")");
                        }
                    }
                    boolean reads = svcPorts.containsValue(port);
                    boolean metrics = svcPorts.containsValue(metricsPort);
                    readServices += reads ? 1 : 0;
                    metricsServices += metrics ? 1 : 0;
                    if (reads && metrics && port != metricsPort) {
                        problems.add(where + " Service " + svcName + " exposes both " + c.service().portKey + " " + port + " and "
                                + c.service().metricsPortKey + " " + metricsPort + ": what may be exposed must not carry /admin and /metrics");
                    }
                    for (Map<String, Object> sm : monitors) {
                        if (!selects((Map<String, Object>) get(sm, "spec", "selector"), (Map<String, Object>) get(svc, "metadata", "labels"))) {
                            continue;
                        }
                        for (Object e : list(get(sm, "spec", "endpoints"))) {
                            Map<String, Object> endpoint = (Map<String, Object>) e;
                            Integer target = svcPorts.get((String) endpoint.get("port"));
                            if (target == null) {
                                continue; // an endpoint for another Service's port name
                            }
                            scraped++;
                            if (target != metricsPort) {
                                problems.add(where + ": ServiceMonitor " + get(sm, "metadata", "name") + " scrapes Service " + svcName + " port "
                                        + endpoint.get("port") + " (" + target + "), which serves no /metrics: " + c.service().deployedName
                                        + "'s metrics are on " + metricsPort + " (" + c.service().metricsPortKey + ")");
                            }
                            if (!"/metrics".equals(endpoint.getOrDefault("path", "/metrics"))) {
                                problems.add(where + ": ServiceMonitor scrapes " + endpoint.get("path") + ", not /metrics");
                            }
                            String jobLabel = (String) get(sm, "spec", "jobLabel");
                            Map<String, Object> svcLabels = (Map<String, Object>) get(svc, "metadata", "labels");
                            Object job = jobLabel != null && svcLabels != null && svcLabels.get(jobLabel) != null ? svcLabels.get(jobLabel) : svcName;
                            if (!c.service().deployedName.equals(job)) {
                                problems.add(where + ": Prometheus scrapes " + svcName + " as job " + job + ", expected " + c.service().deployedName
                                        + " (ServiceMonitor jobLabel; the alerts, the dashboard and compose's Prometheus use it)");
                            }
                        }
                    }
                }
                if (scraped == 0) {
                    problems.add(where + ": no ServiceMonitor scrapes " + c.service().deployedName + "'s " + c.service().metricsPortKey + " (" + metricsPort + ")");
                }
                if (!alertedJobs.matcher(c.service().deployedName).matches()) {
                    problems.add("the alert CachesyncServiceDown does not watch job " + c.service().deployedName + " (" + alertedJobs + ")");
                }
                if (c.service() == Service.API) {
                    if (readServices == 0) {
                        problems.add(where + ": no Service exposes query-api's reads (" + c.service().portKey + " " + port + ")");
                    }
                    if (metricsServices == 0) {
                        problems.add(where + ": no Service exposes query-api's admin port (" + c.service().metricsPortKey + " " + metricsPort + ") to Prometheus");
                    }
                    problems.addAll(routesToQueryApi(where, docs, selecting, named, port));
                }
            }
        }
        assertThat(problems).as("ports of k8s/overlays/*").isEmpty();
    }

    /** The jobs the alert CachesyncServiceDown watches: the regex of {@code up{job=~"..."}} in the PrometheusRule. */
    static Pattern alertedJobs() throws IOException {
        for (String expr : ruleExpressions(load(PROMETHEUS_RULE))) {
            Matcher m = Pattern.compile("up\\{job=~\"([^\"]+)\"}").matcher(expr);
            if (m.find()) {
                return Pattern.compile(m.group(1));
            }
        }
        throw new AssertionError(ROOT.relativize(PROMETHEUS_RULE) + " has no alert on up{job=~\"...\"}");
    }

    /**
     * What an Ingress or a Gateway API HTTPRoute sends to query-api's Services must reach api.port (the reads), never
     * the admin port.
     */
    @SuppressWarnings("unchecked")
    static List<String> routesToQueryApi(String where, List<Map<String, Object>> docs, List<Map<String, Object>> apiServices,
                                         Map<String, Integer> named, int port) {
        Map<String, Map<String, Object>> byName = new HashMap<>();
        apiServices.forEach(svc -> byName.put((String) get(svc, "metadata", "name"), svc));
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> backends = new ArrayList<>(); // {name, port: number or name}
        for (Map<String, Object> ing : all(docs, "Ingress")) {
            Object def = get(ing, "spec", "defaultBackend", "service");
            if (def instanceof Map<?, ?> m) {
                backends.add(Map.of("ingress", get(ing, "metadata", "name"), "service", m));
            }
            for (Object rule : list(get(ing, "spec", "rules"))) {
                for (Object path : list(get((Map<String, Object>) rule, "http", "paths"))) {
                    Object b = get((Map<String, Object>) path, "backend", "service");
                    if (b instanceof Map<?, ?> m) {
                        backends.add(Map.of("ingress", get(ing, "metadata", "name"), "service", m));
                    }
                }
            }
        }
        for (Map<String, Object> route : all(docs, "HTTPRoute")) {
            for (Object rule : list(get(route, "spec", "rules"))) {
                for (Object ref : list(((Map<String, Object>) rule).get("backendRefs"))) {
                    Map<String, Object> r = (Map<String, Object>) ref;
                    backends.add(Map.of("ingress", get(route, "metadata", "name"), "service",
                            Map.of("name", r.get("name"), "port", Map.of("number", r.getOrDefault("port", 0)))));
                }
            }
        }
        for (Map<String, Object> b : backends) {
            Map<String, Object> service = (Map<String, Object>) b.get("service");
            Map<String, Object> svc = byName.get(String.valueOf(service.get("name")));
            if (svc == null) {
                continue;
            }
            Map<String, Object> ref = (Map<String, Object>) service.getOrDefault("port", Map.of());
            Integer target = null;
            for (Object sp : list(get(svc, "spec", "ports"))) {
                Map<String, Object> spm = (Map<String, Object>) sp;
                if (Objects.equals(spm.get("port"), ref.get("number")) || (ref.get("name") != null && ref.get("name").equals(spm.get("name")))) {
                    target = resolvePort(spm.getOrDefault("targetPort", spm.get("port")), named);
                }
            }
            if (!Objects.equals(target, port)) {
                problems.add(where + ": " + b.get("ingress") + " routes to Service " + service.get("name") + " port " + ref + " (" + target
                        + "), not to query-api's reads (api.port " + port + ")");
            }
        }
        return problems;
    }

    /** A container's named ports: name -> containerPort. */
    @SuppressWarnings("unchecked")
    static Map<String, Integer> namedPorts(Map<String, Object> container) {
        Map<String, Integer> named = new HashMap<>();
        for (Object p : list(container.get("ports"))) {
            Map<String, Object> pm = (Map<String, Object>) p;
            if (pm.get("name") != null) {
                named.put((String) pm.get("name"), (Integer) pm.get("containerPort"));
            }
        }
        return named;
    }

    /** The Services whose selector selects pods with these labels. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> servicesSelecting(List<Map<String, Object>> docs, Map<String, Object> podLabels) {
        return all(docs, "Service").stream().filter(s -> {
            Map<String, Object> sel = (Map<String, Object>) get(s, "spec", "selector");
            return sel != null && !sel.isEmpty() && sel.entrySet().stream().allMatch(e -> Objects.equals(podLabels.get(e.getKey()), e.getValue()));
        }).toList();
    }

    /** A Service's ports: port name -> the container port its targetPort resolves to. */
    @SuppressWarnings("unchecked")
    static Map<String, Integer> servicePorts(Map<String, Object> svc, Map<String, Integer> named) {
        Map<String, Integer> out = new TreeMap<>();
        for (Object sp : list(get(svc, "spec", "ports"))) {
            Map<String, Object> spm = (Map<String, Object>) sp;
            out.put(String.valueOf(spm.get("name")), resolvePort(spm.getOrDefault("targetPort", spm.get("port")), named));
        }
        return out;
    }

    /**
     * A Kubernetes label selector ({@code matchLabels}, {@code matchExpressions} with In, NotIn, Exists, DoesNotExist)
     * against labels; a null selector selects nothing, an empty one everything.
     */
    @SuppressWarnings("unchecked")
    static boolean selects(Map<String, Object> selector, Map<String, ?> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, ?> l = labels == null ? Map.of() : labels;
        Map<String, Object> matchLabels = (Map<String, Object>) selector.getOrDefault("matchLabels", Map.of());
        if (!matchLabels.entrySet().stream().allMatch(e -> Objects.equals(String.valueOf(l.get(e.getKey())), String.valueOf(e.getValue()))
                && l.containsKey(e.getKey()))) {
            return false;
        }
        for (Object o : list(selector.get("matchExpressions"))) {
            Map<String, Object> ex = (Map<String, Object>) o;
            String key = (String) ex.get("key");
            List<String> values = list(ex.get("values")).stream().map(String::valueOf).toList();
            boolean has = l.containsKey(key);
            String v = has ? String.valueOf(l.get(key)) : null;
            boolean ok = switch (String.valueOf(ex.get("operator"))) {
                case "In" -> has && values.contains(v);
                case "NotIn" -> !has || !values.contains(v);
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> throw new AssertionError("unknown selector operator in " + ex);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static Integer resolvePort(Object port, Map<String, Integer> named) {
        if (port instanceof Integer i) {
            return i;
        }
        if (port instanceof String s) {
            return s.matches("\\d+") ? Integer.valueOf(s) : named.get(s);
        }
        return null;
    }

    /** The container port of a compose {@code ports:} entry: {@code "127.0.0.1:15432:5432"}, {@code "8080:8080"}, long syntax. */
    @SuppressWarnings("unchecked")
    static Integer containerPort(Object entry) {
        if (entry instanceof Map<?, ?> m) {
            return Integer.valueOf(String.valueOf(((Map<String, Object>) m).get("target")));
        }
        String s = String.valueOf(entry);
        s = s.contains("/") ? s.substring(0, s.indexOf('/')) : s;
        return Integer.valueOf(s.substring(s.lastIndexOf(':') + 1));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (e) least privilege: loopback-only ports, the admin token, one set of credentials per service, NetworkPolicies

    /**
     * Every port each compose variant publishes is bound to 127.0.0.1: nothing of the stack is reachable from another
     * machine; and no two services publish the same host port (two instances of a service each get their own).
     */
    @Test
    @SuppressWarnings("unchecked")
    void composePublishesEveryPortOnLoopbackOnly() throws Exception {
        List<String> problems = new ArrayList<>();
        for (ComposeVariant variant : composeVariants()) {
            int published = 0;
            Map<String, String> hostPorts = new TreeMap<>(); // host port -> service
            for (Map.Entry<String, Object> e : variant.services().entrySet()) {
                Map<String, Object> svc = (Map<String, Object>) e.getValue();
                String where = variant.where() + " service " + e.getKey();
                if ("host".equals(svc.get("network_mode"))) {
                    problems.add(where + ": network_mode host listens on every interface of the machine");
                }
                for (Object p : list(svc.get("ports"))) {
                    published++;
                    String ip = hostIp(p);
                    if (!"127.0.0.1".equals(ip)) {
                        problems.add(where + ": ports entry " + p + " is published on " + (ip == null ? "every interface" : ip)
                                + ", not on 127.0.0.1 only (write \"127.0.0.1:<host port>:<container port>\")");
                    }
                    String hostPort = hostPort(p);
                    String other = hostPort == null ? null : hostPorts.put(hostPort, e.getKey());
                    if (other != null) {
                        problems.add(where + ": publishes host port " + hostPort + ", which service " + other + " publishes too");
                    }
                }
            }
            assertThat(published).as("ports " + variant.where() + " publishes").isPositive();
        }
        assertThat(problems).as("ports of docker-compose.yml (and its override files) published beyond 127.0.0.1, or twice").isEmpty();
    }

    /** The host port of a compose ports: entry ({@code "127.0.0.1:8080:8080"}, long syntax published); null: none fixed. */
    static String hostPort(Object entry) {
        if (entry instanceof Map<?, ?> m) {
            return m.get("published") == null ? null : String.valueOf(m.get("published"));
        }
        String s = String.valueOf(entry);
        s = s.contains("/") ? s.substring(0, s.indexOf('/')) : s;
        String[] parts = s.startsWith("[") ? s.substring(s.indexOf(']') + 2).split(":", -1) : s.split(":", -1);
        return parts.length >= 2 && !parts[parts.length - 2].isEmpty() ? parts[parts.length - 2] : null;
    }

    /** The host address of a compose ports: entry ({@code "127.0.0.1:8080:8080"}, long syntax host_ip); null: every interface. */
    static String hostIp(Object entry) {
        if (entry instanceof Map<?, ?> m) {
            return m.get("host_ip") == null ? null : String.valueOf(m.get("host_ip"));
        }
        String s = String.valueOf(entry);
        s = s.contains("/") ? s.substring(0, s.indexOf('/')) : s;
        if (s.startsWith("[")) {
            return s.substring(1, s.indexOf(']'));
        }
        String[] parts = s.split(":", -1);
        return parts.length == 3 && !parts[0].isEmpty() ? parts[0] : null;
    }

    /**
     * query-api's admin token comes from the operator's environment (or the gitignored .env), required and without a
     * default; no env file or other entry of docker-compose.yml holds one, and the docs say how to set it.
     */
    @Test
    @SuppressWarnings("unchecked")
    void composeTakesTheAdminTokenFromTheEnvironmentOnly() throws Exception {
        List<String> problems = new ArrayList<>();
        String required = "\\$\\{" + ADMIN_TOKEN + ":\\?[^}]+}";
        for (ComposeVariant variant : composeVariants()) {
            Set<String> apis = composeContainers(variant).stream().filter(c -> c.service() == Service.API).map(Deployed::name)
                    .collect(Collectors.toSet());
            for (Map.Entry<String, Object> e : variant.services().entrySet()) {
                Map<String, Object> svc = (Map<String, Object>) e.getValue();
                String raw = rawEnvironment(svc).get(ADMIN_TOKEN);
                String where = variant.where() + " service " + e.getKey();
                if (apis.contains(e.getKey())) {
                    if (raw == null || !raw.matches(required)) {
                        problems.add(where + ": " + ADMIN_TOKEN + " is " + raw + ", expected ${" + ADMIN_TOKEN
                                + ":?<message>} (from the operator's environment, required, no default)");
                    }
                } else if (raw != null) {
                    problems.add(where + " gets " + ADMIN_TOKEN + " (" + raw + "): only query-api reads it");
                }
            }
        }
        try (Stream<Path> files = Files.list(COMPOSE_ENV_FILES)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.strip().startsWith(ADMIN_TOKEN + "=")) {
                        problems.add(ROOT.relativize(f) + " holds an admin token (" + ADMIN_TOKEN + "=...): it must not be committed");
                    }
                }
            }
        }
        List<String> ignored = Files.readAllLines(ROOT.resolve(".gitignore")).stream().map(String::strip).toList();
        if (!ignored.contains(".env") && !ignored.contains("/.env")) {
            problems.add(".gitignore does not ignore .env, where README.md tells operators to keep " + ADMIN_TOKEN);
        }
        for (Path doc : List.of(ROOT.resolve("README.md"), ROOT.resolve("k8s/README.md"))) {
            if (!Files.readString(doc).contains(ADMIN_TOKEN)) {
                problems.add(ROOT.relativize(doc) + " does not say how to set " + ADMIN_TOKEN);
            }
        }
        assertThat(problems).as("the admin token of docker-compose.yml").isEmpty();
    }

    /**
     * Per compose variant: each cachesync service loads its own env file and no other (every instance of it the same
     * one), holding only credentials its config class reads (ConfigKey.secret keys and postgres.user) and none of another
     * service's; no other service loads it, and another env file is shared only by the instances of one service (the
     * nodes of a Redis Cluster and its init: redis.env); each service has its own database user (not the superuser)
     * whose password is the one the init script gives it. Redis' password: composeRedisIsTheOneTheServicesUse.
     */
    @Test
    @SuppressWarnings("unchecked")
    void composeGivesEachServiceOnlyItsOwnCredentials() throws Exception {
        List<String> problems = new ArrayList<>();
        for (ComposeVariant variant : composeVariants()) {
            problems.addAll(composeCredentials(variant));
        }
        assertThat(problems).as("credentials of docker-compose.yml's (and its override files') services").isEmpty();
    }

    /** The service a compose service is an instance of: {@code cache-sync-2} of cache-sync, {@code redis-6} and {@code redis-cluster-init} of redis. */
    static String family(String composeService) {
        return composeService.replaceFirst("-(\\d+|cluster-init)$", "");
    }

    @SuppressWarnings("unchecked")
    static List<String> composeCredentials(ComposeVariant variant) throws IOException {
        Map<String, Object> services = variant.services();
        List<String> problems = new ArrayList<>();
        String where = variant.where();
        List<Deployed> containers = composeContainers(variant);
        Map<String, Service> cachesync = new HashMap<>();
        containers.forEach(c -> cachesync.put(c.name(), c.service()));
        Map<Path, String> loadedBy = new HashMap<>(); // env file -> the service (cachesync) or family (others) loading it
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Service service = cachesync.get(e.getKey());
            String owner = service != null ? service.deployedName : family(e.getKey());
            for (Path f : envFiles((Map<String, Object>) e.getValue())) {
                String other = loadedBy.put(f, owner);
                if (other != null && !other.equals(owner)) {
                    problems.add(where + ": " + ROOT.relativize(f) + " is loaded by both " + other + " and " + e.getKey());
                }
            }
        }
        Map<String, Deployed> byUser = new TreeMap<>();
        Map<String, String> postgres = environment((Map<String, Object>) services.get("postgres"), new TreeSet<>());
        for (Deployed c : containers) {
            Map<String, Object> svc = (Map<String, Object>) services.get(c.name());
            Path own = COMPOSE_ENV_FILES.resolve(c.service().deployedName + ".env");
            List<Path> files = envFiles(svc);
            if (!files.equals(List.of(own))) {
                problems.add(c.where() + ": env_file " + files.stream().map(ROOT::relativize).toList() + ", expected its own only: " + ROOT.relativize(own));
            }
            Set<String> allowed = c.service().credentialVariables();
            for (Path f : files) {
                Map<String, String> values = envFile(f);
                for (String name : values.keySet()) {
                    if (!allowed.contains(name)) {
                        problems.add(ROOT.relativize(f) + " holds " + name + ", which is not a credential " + c.name() + " reads " + allowed);
                    }
                }
                for (String name : c.service().requiredCredentials()) {
                    if (values.getOrDefault(name, "").isEmpty()) {
                        problems.add(ROOT.relativize(f) + " lacks " + name + ", which " + c.name() + " needs");
                    }
                }
            }
            for (String name : rawEnvironment(svc).keySet()) {
                if (allowed.contains(name) && !name.equals(ADMIN_TOKEN)) {
                    problems.add(c.where() + ": " + name + " is set in " + where + "; credentials belong in " + ROOT.relativize(own));
                }
            }
            String user = c.env().getOrDefault(SharedKeys.POSTGRES_USER.envName(), SharedKeys.POSTGRES_USER.defaultValue());
            Deployed sameUser = byUser.putIfAbsent(user, c);
            if (sameUser != null && sameUser.service() != c.service()) {
                problems.add(c.where() + " and " + sameUser.where() + " share the database user " + user + ": each service has its own");
            }
            if (user.equals(postgres.getOrDefault("POSTGRES_USER", SUPERUSER))) {
                problems.add(c.where() + ": logs in as the superuser " + user);
            }
            String password = c.env().get(SharedKeys.POSTGRES_PASSWORD.envName());
            if (Objects.equals(password, postgres.get("POSTGRES_PASSWORD"))) {
                problems.add(c.where() + ": its database password is the superuser's");
            }
            String variable = passwordVariable(user);
            if (!Objects.equals(password, postgres.get(variable))) {
                problems.add(c.where() + ": " + SharedKeys.POSTGRES_PASSWORD.envName() + " differs from " + variable + " of the postgres service, the"
                        + " password postgres-access.sql gives " + user);
            }
        }
        for (Map.Entry<String, Object> e : services.entrySet()) {
            if (cachesync.containsKey(e.getKey())) {
                continue;
            }
            for (String name : environment((Map<String, Object>) e.getValue(), new TreeSet<>()).keySet()) {
                if (name.startsWith("CACHESYNC_")) {
                    problems.add(where + " service " + e.getKey() + " gets " + name + ", a cachesync service's setting");
                }
            }
        }
        // the init scripts compose's PostgreSQL runs are the ones databaseUsersHaveOnlyTheirPrivileges runs
        List<Path> initScripts = mounts((Map<String, Object>) services.get("postgres")).entrySet().stream()
                .filter(m -> m.getKey().startsWith(INITDB_DIR + "/")).map(Map.Entry::getValue).toList();
        if (!initScripts.equals(POSTGRES_INIT)) {
            problems.add(where + ": the postgres service runs " + initScripts.stream().map(ROOT::relativize).toList() + " at initialisation, expected "
                    + POSTGRES_INIT.stream().map(ROOT::relativize).toList());
        }
        return problems;
    }

    /**
     * Per compose variant: cdc-ingest runs once (one replication slot); the instances of cache-sync and of query-api
     * (cache-sync, cache-sync-2, ...) get the same environment and config file - cache-sync's thus one
     * sync.application-id, so they split the CDC topics' partitions - and there are no more cache-sync instances than
     * partitions (ingest.topic-partitions); no volume at or above sync.state-dir is mounted by two instances (each keeps
     * its Kafka Streams state in its own container).
     */
    @Test
    @SuppressWarnings("unchecked")
    void composeRunsEachServiceAsOftenAsItMay() throws Exception {
        List<String> problems = new ArrayList<>();
        for (ComposeVariant variant : composeVariants()) {
            List<Deployed> containers = composeContainers(variant);
            problems.addAll(instancesAgree(variant.where(), containers, containers.stream().collect(
                    Collectors.groupingBy(Deployed::service, () -> new java.util.EnumMap<>(Service.class), Collectors.counting()))));
            Map<String, String> stateMounts = new HashMap<>(); // source of a volume holding a state dir -> instance
            for (Deployed c : containers) {
                if (c.service() != Service.SYNC) {
                    continue;
                }
                String stateDir = SyncConfig.STATE_DIR.read(c.settings(), new ArrayList<>());
                for (Object v : list(((Map<String, Object>) variant.services().get(c.name())).get("volumes"))) {
                    String target = volumeTarget(v);
                    if (stateDir.equals(target) || stateDir.startsWith(target.endsWith("/") ? target : target + "/")) {
                        String source = v instanceof Map<?, ?> m ? String.valueOf(m.get("source")) : String.valueOf(v).split(":")[0];
                        String other = stateMounts.put(source, c.name());
                        if (other != null) {
                            problems.add(c.where() + " and " + other + " both keep sync.state-dir " + stateDir + " on " + source
                                    + ": each instance needs its own");
                        }
                    }
                }
            }
        }
        assertThat(problems).as("instances of the services of docker-compose.yml (and its override files)").isEmpty();
    }

    /**
     * The rules for the instances of each service, wherever they run ({@code replicas}: instances per service, at most
     * that many for an autoscaled one): cdc-ingest exactly one; the instances of one service the same configuration;
     * cache-sync at most as many as the CDC topics have partitions (more would idle).
     */
    static List<String> instancesAgree(String where, List<Deployed> containers, Map<Service, Long> replicas) {
        List<String> problems = new ArrayList<>();
        for (Service service : Service.values()) {
            List<Deployed> instances = containers.stream().filter(c -> c.service() == service).toList();
            long count = replicas.getOrDefault(service, 0L);
            if (instances.isEmpty() || count < 1) {
                problems.add(where + ": no instance of " + service.deployedName);
                continue;
            }
            if (service == Service.INGEST && (count != 1 || instances.size() != 1)) {
                problems.add(where + ": " + count + " instances of cdc-ingest " + instances.stream().map(Deployed::name).toList()
                        + ": exactly one may stream a replication slot");
            }
            Deployed first = instances.get(0);
            for (Deployed other : instances.subList(1, instances.size())) {
                Set<String> differ = new TreeSet<>();
                Set<String> names = new TreeSet<>(first.env().keySet());
                names.addAll(other.env().keySet());
                for (String name : names) {
                    if (!Objects.equals(first.env().get(name), other.env().get(name))) {
                        differ.add(name);
                    }
                }
                if (!differ.isEmpty()) {
                    problems.add(other.where() + " and " + first.where() + " differ in " + differ + ": the instances of " + service.deployedName
                            + " must run the same configuration" + (service == Service.SYNC ? " (one sync.application-id: they split the partitions)" : ""));
                }
                if (!Objects.equals(first.configFile(), other.configFile())) {
                    problems.add(other.where() + " and " + first.where() + " read different config files (" + other.configFile() + ", "
                            + first.configFile() + ")");
                }
            }
            if (service == Service.SYNC) {
                int partitions = SharedKeys.CDC_TOPIC_PARTITIONS.read(first.settings(), new ArrayList<>());
                if (count > partitions) {
                    problems.add(where + ": up to " + count + " instances of cache-sync for " + partitions + " partitions of the CDC topics ("
                            + SharedKeys.CDC_TOPIC_PARTITIONS.name() + "): an instance beyond the partitions idles");
                }
            }
        }
        return problems;
    }

    /**
     * Per compose variant: the Redis every cachesync service is pointed at (redis.url's host and port, and with
     * redis.mode cluster or sentinel the nodes of redis.nodes) is a service of the stack, listening on that port and
     * requiring the password of the service's redis.url (the REDIS_PASSWORD of its env file). With redis.mode cluster
     * each of them runs with --cluster-enabled yes and --masterauth (its replicas log in with the same password), one
     * service forms the cluster ({@code redis-cli --cluster create}) naming every cluster node and waiting for all of them,
     * with the same password, and every service using the cluster starts only after it completed; with redis.mode
     * standalone the server is no cluster node.
     */
    @Test
    @SuppressWarnings("unchecked")
    void composeRedisIsTheOneTheServicesUse() throws Exception {
        List<String> problems = new ArrayList<>();
        for (ComposeVariant variant : composeVariants()) {
            Map<String, Object> services = variant.services();
            Map<String, String> commands = new TreeMap<>(); // service -> its command, as one line
            services.forEach((name, svc) -> commands.put(name, String.join(" ", command(((Map<String, Object>) svc).get("command")))));
            Set<String> clusterNodes = commands.entrySet().stream().filter(e -> e.getValue().matches("(?s).*--cluster-enabled\\s+yes.*"))
                    .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
            List<String> creators = commands.entrySet().stream().filter(e -> e.getValue().contains("--cluster create"))
                    .map(Map.Entry::getKey).toList();
            for (Deployed c : composeContainers(variant)) {
                if (!c.service().reads(SharedKeys.REDIS_URL)) {
                    continue;
                }
                List<String> endpointProblems = new ArrayList<>();
                RedisEndpoint endpoint = RedisEndpoint.from(c.settings(), endpointProblems);
                if (!endpointProblems.isEmpty()) {
                    problems.add(c.where() + ": " + endpointProblems);
                    continue;
                }
                String password = redisPassword(c.env().get(SharedKeys.REDIS_URL.envName()));
                List<String> nodes = endpoint.mode() == RedisEndpoint.Mode.SENTINEL ? endpoint.nodes() : endpoint.seeds();
                for (String node : nodes) {
                    String host = node.substring(0, node.lastIndexOf(':'));
                    int port = Integer.parseInt(node.substring(node.lastIndexOf(':') + 1));
                    Map<String, Object> svc = (Map<String, Object>) services.get(host);
                    if (svc == null) {
                        problems.add(c.where() + ": its Redis node " + node + " is no service of " + variant.where());
                        continue;
                    }
                    String command = commands.get(host);
                    Matcher portArg = Pattern.compile("--port\\s+(\\d+)").matcher(command);
                    int listens = portArg.find() ? Integer.parseInt(portArg.group(1)) : 6379;
                    if (listens != port) {
                        problems.add(c.where() + ": its Redis node " + node + " listens on " + listens);
                    }
                    Map<String, String> nodeEnv = environment(svc, new TreeSet<>());
                    if (!command.contains("--requirepass") || !command.contains("REDIS_PASSWORD")
                            || !Objects.equals(nodeEnv.get("REDIS_PASSWORD"), password)) {
                        problems.add(c.where() + ": Redis node " + host + " does not require the password of " + SharedKeys.REDIS_URL.envName()
                                + " (--requirepass \"$$REDIS_PASSWORD\", REDIS_PASSWORD of its env file)");
                    }
                    boolean clusterNode = clusterNodes.contains(host);
                    if (endpoint.mode() == RedisEndpoint.Mode.CLUSTER && (!clusterNode || !command.contains("--masterauth"))) {
                        problems.add(c.where() + ": redis.mode is cluster, but Redis node " + host + " runs without --cluster-enabled yes or --masterauth");
                    }
                    if (endpoint.mode() == RedisEndpoint.Mode.STANDALONE && clusterNode) {
                        problems.add(c.where() + ": redis.mode is standalone, but " + host + " is a cluster node");
                    }
                }
                if (endpoint.mode() != RedisEndpoint.Mode.CLUSTER) {
                    continue;
                }
                if (creators.size() != 1) {
                    problems.add(variant.where() + ": " + creators.size() + " services run redis-cli --cluster create " + creators + ", expected one");
                    continue;
                }
                String creator = creators.get(0);
                Map<String, Object> creatorSvc = (Map<String, Object>) services.get(creator);
                String creation = commands.get(creator);
                Map<String, Object> creatorDeps = composeMapping("depends_on", creatorSvc.get("depends_on"));
                for (String node : clusterNodes) {
                    if (!Pattern.compile("(?<![\\w.-])" + Pattern.quote(node) + "(?![\\w.-])").matcher(creation).find()) {
                        problems.add(variant.where() + " service " + creator + " does not name cluster node " + node + " in its command");
                    }
                    if (!creatorDeps.containsKey(node)) {
                        problems.add(variant.where() + " service " + creator + " does not wait for (depends_on) cluster node " + node);
                    }
                }
                if (!creation.contains("--cluster-replicas") || !creation.contains("REDIS_PASSWORD")
                        || !Objects.equals(environment(creatorSvc, new TreeSet<>()).get("REDIS_PASSWORD"), password)) {
                    problems.add(variant.where() + " service " + creator + ": no --cluster-replicas, or not the password of " + c.name() + "'s redis.url");
                }
                Object condition = get(composeMapping("depends_on", ((Map<String, Object>) services.get(c.name())).get("depends_on")), creator, "condition");
                if (!"service_completed_successfully".equals(condition)) {
                    problems.add(c.where() + ": starts before " + creator + " formed the cluster (depends_on " + creator + " condition "
                            + condition + ", expected service_completed_successfully)");
                }
            }
        }
        assertThat(problems).as("Redis of docker-compose.yml (and its override files)").isEmpty();
    }

    /** The variable of the database container that holds the password postgres-access.sql gives {@code user}. */
    static String passwordVariable(String user) {
        return "PASSWORD_" + user.toUpperCase(Locale.ROOT);
    }

    /** The password of a redis:// URL ({@code redis://[user]:password@host:port}), null without one. */
    static String redisPassword(String url) {
        String info = url == null ? null : URI.create(url).getUserInfo();
        return info == null ? null : info.substring(info.indexOf(':') + 1);
    }

    /**
     * Per overlay: every cachesync Deployment references one Secret, its own ({@code <service>-secrets}), which holds
     * only credentials its config class reads (ConfigKey.secret keys, postgres.user) and those it needs; no ConfigMap or
     * config file it reads holds a secret; each service has its own database user, not the superuser. Where the overlay
     * brings its own PostgreSQL and Redis (dev), they create and expect the same passwords, the superuser's password is in
     * a Secret no cachesync pod reads, and PostgreSQL runs the init scripts checked by databaseUsersHaveOnlyTheirPrivileges.
     */
    @Test
    @SuppressWarnings("unchecked")
    void k8sGivesEachServiceOnlyItsOwnSecret() throws Exception {
        assumeKubectl();
        List<String> problems = new ArrayList<>();
        for (Path overlay : overlays()) {
            List<Map<String, Object>> docs = kustomize(overlay);
            String where = ROOT.relativize(overlay).toString();
            List<Deployed> containers = k8sContainers(overlay, docs);
            Map<String, Deployed> byUser = new TreeMap<>();
            Set<String> serviceSecrets = new TreeSet<>();
            for (Deployed c : containers) {
                Map<String, Object> deployment = find(docs, "Deployment", c.name()).orElseThrow();
                Set<String> refs = secretReferences((Map<String, Object>) get(deployment, "spec", "template", "spec"));
                String own = c.service().secretName();
                if (refs.isEmpty()) {
                    problems.add(c.where() + ": references no Secret; expected its own, " + own);
                }
                for (String ref : refs) {
                    if (!isGenerated(ref, own)) {
                        problems.add(c.where() + ": references Secret " + ref + "; it may read only its own, " + own);
                        continue;
                    }
                    serviceSecrets.add(ref);
                    Map<String, String> data = secretData(overlay, docs, ref);
                    for (String key : data.keySet()) {
                        if (!c.service().credentialVariables().contains(key)) {
                            problems.add(where + " Secret " + own + " holds " + key + ", which is not a credential " + c.name() + " reads "
                                    + c.service().credentialVariables());
                        }
                    }
                    for (String key : c.service().requiredCredentials()) {
                        if (data.getOrDefault(key, "").isEmpty()) {
                            problems.add(where + " Secret " + own + " lacks " + key + ", which " + c.name() + " needs");
                        }
                    }
                }
                Map<String, Object> container = cachesyncContainer(deployment);
                for (Object ef : list(container.get("envFrom"))) {
                    Map<String, Object> cm = (Map<String, Object>) ((Map<String, Object>) ef).get("configMapRef");
                    if (cm != null) {
                        for (String key : configMapData(overlay, docs, (String) cm.get("name")).keySet()) {
                            if (isSecretVariable(key)) {
                                problems.add(c.where() + ": ConfigMap " + cm.get("name") + " holds the secret " + key + " (a Secret's place)");
                            }
                        }
                    }
                }
                if (c.configFile() != null) {
                    for (String key : YamlSettingsReader.read(c.configFile()).keySet()) {
                        if (isSecretVariable(ConfigKey.envName(key))) {
                            problems.add(c.where() + ": its config file sets the secret " + key);
                        }
                    }
                }
                String user = c.env().getOrDefault(SharedKeys.POSTGRES_USER.envName(), SharedKeys.POSTGRES_USER.defaultValue());
                Deployed sameUser = byUser.put(user, c);
                if (sameUser != null) {
                    problems.add(c.where() + " and " + sameUser.where() + " share the database user " + user + ": each service has its own");
                }
                if (user.equals(SUPERUSER)) {
                    problems.add(c.where() + ": logs in as the superuser " + user);
                }
            }
            // prod describes the Secrets it expects: one file per service Secret, nothing stale
            try (Stream<Path> files = Files.list(overlay)) {
                for (Path example : files.filter(f -> f.getFileName().toString().endsWith(".env.example")).toList()) {
                    String secret = example.getFileName().toString().replace(".env.example", "");
                    if (!serviceSecrets.contains(secret)) {
                        problems.add(ROOT.relativize(example) + " describes Secret " + secret + ", which no cachesync Deployment reads");
                    }
                }
            }
            problems.addAll(devInfraAgrees(overlay, docs, containers, serviceSecrets));
        }
        assertThat(problems).as("Secrets of k8s/overlays/*").isEmpty();
    }

    /** The dev overlay's own PostgreSQL and Redis expect what the services' Secrets say (nothing to check without them). */
    @SuppressWarnings("unchecked")
    static List<String> devInfraAgrees(Path overlay, List<Map<String, Object>> docs, List<Deployed> containers, Set<String> serviceSecrets)
            throws IOException {
        List<String> problems = new ArrayList<>();
        String where = ROOT.relativize(overlay).toString();
        Optional<Map<String, Object>> postgres = find(docs, "Deployment", "postgres");
        if (postgres.isPresent()) {
            Map<String, Object> container = (Map<String, Object>) list(get(postgres.get(), "spec", "template", "spec", "containers")).get(0);
            Map<String, String> env = containerEnv(overlay, docs, container, new TreeSet<>());
            for (Deployed c : containers) {
                String user = c.env().get(SharedKeys.POSTGRES_USER.envName());
                String variable = passwordVariable(String.valueOf(user));
                if (env.get(variable) == null || !env.get(variable).equals(c.env().get(SharedKeys.POSTGRES_PASSWORD.envName()))) {
                    problems.add(where + " Deployment postgres: " + variable + " is not " + c.name() + "'s password (postgres-access.sql gives it to " + user + ")");
                }
                if (Objects.equals(env.get("POSTGRES_PASSWORD"), c.env().get(SharedKeys.POSTGRES_PASSWORD.envName()))) {
                    problems.add(where + ": " + c.name() + "'s database password is the superuser's");
                }
            }
            for (Object e : list(container.get("env"))) {
                Map<String, Object> em = (Map<String, Object>) e;
                Object ref = get(em, "valueFrom", "secretKeyRef", "name");
                if ("POSTGRES_PASSWORD".equals(em.get("name")) && (ref == null || serviceSecrets.contains(String.valueOf(ref)))) {
                    problems.add(where + " Deployment postgres: the superuser's password must come from a Secret no cachesync service reads, not " + ref);
                }
            }
            List<String> scripts = new ArrayList<>();
            for (Object vm : list(container.get("volumeMounts"))) {
                Map<String, Object> mount = (Map<String, Object>) vm;
                if (!INITDB_DIR.equals(mount.get("mountPath"))) {
                    continue;
                }
                for (Object vol : list(get(postgres.get(), "spec", "template", "spec", "volumes"))) {
                    Map<String, Object> v = (Map<String, Object>) vol;
                    if (v.get("name").equals(mount.get("name")) && v.get("configMap") != null) {
                        // the entrypoint runs them in file-name order
                        new TreeMap<>(configMapData(overlay, docs, (String) get(v, "configMap", "name"))).values().forEach(scripts::add);
                    }
                }
            }
            List<String> expected = new ArrayList<>();
            for (Path p : POSTGRES_INIT) {
                expected.add(Files.readString(p));
            }
            if (!scripts.equals(expected)) {
                problems.add(where + " Deployment postgres does not run " + POSTGRES_INIT.stream().map(ROOT::relativize).toList() + " (in this order) from "
                        + INITDB_DIR);
            }
        }
        problems.addAll(k8sRedisAgrees(overlay, docs, containers));
        return problems;
    }

    static final List<String> WORKLOADS = List.of("Deployment", "StatefulSet", "Job");

    /** The redis-server (or redis-cli) container of a workload: its image is {@code redis} or {@code redis:<tag>}; null if none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> redisContainer(Map<String, Object> workload) {
        for (Object o : list(get(workload, "spec", "template", "spec", "containers"))) {
            Map<String, Object> c = (Map<String, Object>) o;
            String image = String.valueOf(c.get("image"));
            if (image.equals("redis") || image.startsWith("redis:")) {
                return c;
            }
        }
        return null;
    }

    /** A container's command and args, as one line. */
    static String commandLine(Map<String, Object> container) {
        List<String> out = new ArrayList<>(command(container.get("command")));
        out.addAll(command(container.get("args")));
        return String.join(" ", out);
    }

    /**
     * Where an overlay runs its own Redis (dev, redis-cluster: workloads of image redis): each of them takes the password of
     * the services' redis.url; every node a service is pointed at (redis.url's host, and redis.nodes) is a Service of the
     * overlay on that port, or a StatefulSet pod by its stable name ({@code <statefulset>-<n>.<serviceName>}) listening on
     * it, and runs redis-server - with redis.mode cluster, with --cluster-enabled yes and --masterauth, and a Job forms the
     * cluster ({@code redis-cli --cluster create ... --cluster-replicas}) naming every pod of it; with standalone, no cluster
     * node. Without an own Redis (prod: an external endpoint) there is nothing to check here.
     */
    @SuppressWarnings("unchecked")
    static List<String> k8sRedisAgrees(Path overlay, List<Map<String, Object>> docs, List<Deployed> containers) throws IOException {
        List<String> problems = new ArrayList<>();
        String where = ROOT.relativize(overlay).toString();
        List<Map<String, Object>> redisWorkloads = new ArrayList<>();
        for (String kind : WORKLOADS) {
            all(docs, kind).stream().filter(w -> redisContainer(w) != null).forEach(redisWorkloads::add);
        }
        if (redisWorkloads.isEmpty()) {
            return problems;
        }
        for (Map<String, Object> w : redisWorkloads) {
            String url = containerEnv(overlay, docs, redisContainer(w), new TreeSet<>()).get(SharedKeys.REDIS_URL.envName());
            for (Deployed c : containers) {
                if (c.service().reads(SharedKeys.REDIS_URL)
                        && !Objects.equals(redisPassword(c.env().get(SharedKeys.REDIS_URL.envName())), redisPassword(url))) {
                    problems.add(where + ": the password in " + c.name() + "'s redis.url is not the one " + w.get("kind") + " "
                            + get(w, "metadata", "name") + " requires");
                }
            }
        }
        List<Map<String, Object>> servers = redisWorkloads.stream().filter(w -> !"Job".equals(w.get("kind"))).toList();
        List<Map<String, Object>> creators = redisWorkloads.stream().filter(w -> commandLine(redisContainer(w)).contains("--cluster create")).toList();
        for (Deployed c : containers) {
            if (!c.service().reads(SharedKeys.REDIS_URL)) {
                continue;
            }
            List<String> endpointProblems = new ArrayList<>();
            RedisEndpoint endpoint = RedisEndpoint.from(c.settings(), endpointProblems);
            if (!endpointProblems.isEmpty()) {
                problems.add(c.where() + ": " + endpointProblems);
                continue;
            }
            boolean cluster = endpoint.mode() == RedisEndpoint.Mode.CLUSTER;
            Set<Map<String, Object>> reached = new java.util.LinkedHashSet<>();
            for (String node : endpoint.mode() == RedisEndpoint.Mode.SENTINEL ? endpoint.nodes() : endpoint.seeds()) {
                String host = node.substring(0, node.lastIndexOf(':'));
                int port = Integer.parseInt(node.substring(node.lastIndexOf(':') + 1));
                String[] labels = host.split("\\.");
                List<Map<String, Object>> pods = new ArrayList<>();
                if (labels.length == 1) {
                    Optional<Map<String, Object>> svc = find(docs, "Service", host);
                    if (svc.isEmpty()) {
                        problems.add(c.where() + ": its Redis node " + node + " is no Service of the overlay");
                        continue;
                    }
                    Object selector = get(svc.get(), "spec", "selector");
                    for (Map<String, Object> w : servers) {
                        if (selector instanceof Map<?, ?> sel && !sel.isEmpty() && selects(Map.of("matchLabels", sel),
                                (Map<String, Object>) get(w, "spec", "template", "metadata", "labels"))) {
                            pods.add(w);
                            Integer target = null;
                            for (Object sp : list(get(svc.get(), "spec", "ports"))) {
                                Map<String, Object> spm = (Map<String, Object>) sp;
                                if (Objects.equals(spm.get("port"), port)) {
                                    target = resolvePort(spm.getOrDefault("targetPort", port), namedPorts(redisContainer(w)));
                                }
                            }
                            if (target == null || !containerPorts(redisContainer(w)).contains(target)) {
                                problems.add(c.where() + ": Service " + host + " has no port " + port + " to a port " + get(w, "metadata", "name") + " listens on");
                            }
                        }
                    }
                } else {
                    // <statefulset>-<n>.<its serviceName>[.<namespace>...]: one pod of a StatefulSet
                    for (Map<String, Object> w : servers) {
                        Matcher ordinal = Pattern.compile(Pattern.quote(String.valueOf(get(w, "metadata", "name"))) + "-(\\d+)").matcher(labels[0]);
                        if ("StatefulSet".equals(w.get("kind")) && labels[1].equals(get(w, "spec", "serviceName")) && ordinal.matches()
                                && Integer.parseInt(ordinal.group(1)) < ((Number) Objects.requireNonNullElse(get(w, "spec", "replicas"), 1)).intValue()) {
                            pods.add(w);
                            if (!containerPorts(redisContainer(w)).contains(port)) {
                                problems.add(c.where() + ": its Redis node " + node + " does not listen on " + port);
                            }
                            if (find(docs, "Service", labels[1]).isEmpty()) {
                                problems.add(c.where() + ": its Redis node " + node + " needs the (headless) Service " + labels[1]);
                            }
                        }
                    }
                }
                if (pods.isEmpty()) {
                    problems.add(c.where() + ": its Redis node " + node + " names no Redis of the overlay");
                }
                reached.addAll(pods);
            }
            for (Map<String, Object> w : reached) {
                String line = commandLine(redisContainer(w));
                boolean clusterNode = line.matches("(?s).*--cluster-enabled\\s+yes.*");
                if (cluster && (!clusterNode || !line.contains("--masterauth"))) {
                    problems.add(c.where() + ": redis.mode is cluster, but " + w.get("kind") + " " + get(w, "metadata", "name")
                            + " runs without --cluster-enabled yes or --masterauth");
                }
                if (!cluster && clusterNode) {
                    problems.add(c.where() + ": redis.mode is " + endpoint.mode() + ", but " + get(w, "metadata", "name") + " is a cluster node");
                }
                if (!line.contains("--requirepass")) {
                    problems.add(c.where() + ": " + get(w, "metadata", "name") + " requires no password (--requirepass)");
                }
            }
            if (cluster) {
                if (creators.size() != 1 || !"Job".equals(creators.get(0).get("kind"))) {
                    problems.add(where + ": " + creators.size() + " workloads run redis-cli --cluster create, expected one Job");
                    continue;
                }
                String creation = commandLine(redisContainer(creators.get(0)));
                if (!creation.contains("--cluster-replicas")) {
                    problems.add(where + ": Job " + get(creators.get(0), "metadata", "name") + " runs redis-cli --cluster create without --cluster-replicas");
                }
                for (Map<String, Object> w : reached) {
                    int n = ((Number) Objects.requireNonNullElse(get(w, "spec", "replicas"), 1)).intValue();
                    for (int i = 0; i < n && "StatefulSet".equals(w.get("kind")); i++) {
                        if (!creation.contains(get(w, "metadata", "name") + "-" + i)) {
                            problems.add(where + ": Job " + get(creators.get(0), "metadata", "name") + " does not name cluster node "
                                    + get(w, "metadata", "name") + "-" + i);
                        }
                    }
                }
            }
        }
        return problems;
    }

    /** A container's port numbers. */
    @SuppressWarnings("unchecked")
    static List<Integer> containerPorts(Map<String, Object> container) {
        List<Integer> out = new ArrayList<>();
        for (Object p : list(container.get("ports"))) {
            out.add((Integer) ((Map<String, Object>) p).get("containerPort"));
        }
        return out;
    }

    /** Whether {@code name} is the Secret {@code base}, or kustomize's generated {@code base-<hash>}. */
    static boolean isGenerated(String name, String base) {
        return name.equals(base) || name.matches(Pattern.quote(base) + "-[a-z0-9]{10}");
    }

    static boolean isSecretVariable(String variable) {
        return Stream.concat(Stream.of(Service.values()).flatMap(s -> s.keys().stream()), KafkaClientSettings.KEYS.stream())
                .anyMatch(k -> k.secret() && k.envName().equals(variable));
    }

    /** The Secrets a pod spec reads: envFrom, env valueFrom, secret and projected volumes, of every container. */
    @SuppressWarnings("unchecked")
    static Set<String> secretReferences(Map<String, Object> podSpec) {
        Set<String> out = new TreeSet<>();
        for (String kind : List.of("containers", "initContainers")) {
            for (Object o : list(podSpec.get(kind))) {
                Map<String, Object> c = (Map<String, Object>) o;
                for (Object ef : list(c.get("envFrom"))) {
                    Object name = get((Map<String, Object>) ef, "secretRef", "name");
                    if (name != null) {
                        out.add(String.valueOf(name));
                    }
                }
                for (Object e : list(c.get("env"))) {
                    Object name = get((Map<String, Object>) e, "valueFrom", "secretKeyRef", "name");
                    if (name != null) {
                        out.add(String.valueOf(name));
                    }
                }
            }
        }
        for (Object v : list(podSpec.get("volumes"))) {
            Map<String, Object> vol = (Map<String, Object>) v;
            Object name = get(vol, "secret", "secretName");
            if (name != null) {
                out.add(String.valueOf(name));
            }
            for (Object src : list(get(vol, "projected", "sources"))) {
                Object n = get((Map<String, Object>) src, "secret", "name");
                if (n != null) {
                    out.add(String.valueOf(n));
                }
            }
        }
        return out;
    }

    /**
     * Per overlay, for every cachesync pod: a default-deny NetworkPolicy selects it (ingress and egress); query-api's
     * reads port is open to any source, its admin port only to Prometheus (namespace monitoring) and labelled pods,
     * never to everyone; cdc-ingest's and cache-sync's metrics ports only to Prometheus; no other port is opened, and no
     * rule opens every port. Egress is allowed to DNS and to the ports of the endpoints that service's config reaches
     * (postgres.url, kafka.bootstrap.servers, redis.url, as that service reads them) and to nothing else.
     */
    @Test
    @SuppressWarnings("unchecked")
    void k8sNetworkPoliciesLetEachServiceDoOnlyWhatItNeeds() throws Exception {
        assumeKubectl();
        List<String> problems = new ArrayList<>();
        for (Path overlay : overlays()) {
            List<Map<String, Object>> docs = kustomize(overlay);
            String where = ROOT.relativize(overlay).toString();
            List<Map<String, Object>> policies = all(docs, "NetworkPolicy");
            for (Deployed c : k8sContainers(overlay, docs)) {
                Map<String, Object> deployment = find(docs, "Deployment", c.name()).orElseThrow();
                Map<String, Object> podLabels = (Map<String, Object>) get(deployment, "spec", "template", "metadata", "labels");
                Map<String, Integer> named = namedPorts(cachesyncContainer(deployment));
                List<Map<String, Object>> selecting = policies.stream()
                        .filter(p -> selects((Map<String, Object>) get(p, "spec", "podSelector"), podLabels)).toList();
                boolean denied = selecting.stream().anyMatch(p -> policyTypes(p).containsAll(List.of("Ingress", "Egress"))
                        && list(get(p, "spec", "ingress")).isEmpty() && list(get(p, "spec", "egress")).isEmpty());
                if (!denied) {
                    problems.add(c.where() + ": no default-deny NetworkPolicy (policyTypes Ingress and Egress, no rules) selects its pods; selected by "
                            + selecting.stream().map(p -> get(p, "metadata", "name")).toList());
                }
                // ingress: container port -> the peers of every rule that opens it (an empty list: any source)
                Map<Integer, List<List<Object>>> peersByPort = new TreeMap<>();
                for (Map<String, Object> p : selecting) {
                    if (!policyTypes(p).contains("Ingress")) {
                        continue;
                    }
                    for (Object r : list(get(p, "spec", "ingress"))) {
                        Map<String, Object> rule = (Map<String, Object>) r;
                        List<?> ports = list(rule.get("ports"));
                        if (ports.isEmpty()) {
                            problems.add(where + " NetworkPolicy " + get(p, "metadata", "name") + " opens every port of " + c.name());
                        }
                        for (Object pe : ports) {
                            Map<String, Object> portEntry = (Map<String, Object>) pe;
                            Integer target = resolvePort(portEntry.get("port"), named);
                            if (target == null || portEntry.get("endPort") != null || !"TCP".equals(portEntry.getOrDefault("protocol", "TCP"))) {
                                problems.add(where + " NetworkPolicy " + get(p, "metadata", "name") + " opens " + portEntry + " of " + c.name()
                                        + ", not one TCP port it listens on " + named);
                                continue;
                            }
                            peersByPort.computeIfAbsent(target, k -> new ArrayList<>()).add(new ArrayList<>(list(rule.get("from"))));
                        }
                    }
                }
                int port = c.service().port(c.settings());
                int metricsPort = c.service().metricsPort(c.settings());
                for (Map.Entry<Integer, List<List<Object>>> opened : peersByPort.entrySet()) {
                    int p = opened.getKey();
                    boolean anyone = opened.getValue().stream().anyMatch(List::isEmpty);
                    List<Object> peers = opened.getValue().stream().flatMap(List::stream).toList();
                    if (c.service() == Service.API && p == port) {
                        continue; // the reads: open to every source, checked below
                    }
                    if (p != metricsPort) {
                        problems.add(c.where() + ": a NetworkPolicy opens port " + p + ", which serves neither the reads nor the metrics");
                    } else if (anyone) {
                        problems.add(c.where() + ": a NetworkPolicy opens " + c.service().metricsPortKey + " " + p + " (/metrics"
                                + (c.service() == Service.API ? ", /admin" : "") + ") to any source");
                    } else {
                        for (Object peer : peers) {
                            Map<String, Object> pm = (Map<String, Object>) peer;
                            boolean prometheus = isPrometheus(pm);
                            // query-api's admin clients: labelled pods (of this namespace, or of a namespace the peer names too)
                            boolean adminClient = c.service() == Service.API && pm.get("ipBlock") == null
                                    && pm.get("podSelector") instanceof Map<?, ?> ps && !ps.isEmpty()
                                    && (pm.get("namespaceSelector") == null || pm.get("namespaceSelector") instanceof Map<?, ?> ns && !ns.isEmpty());
                            if (!prometheus && !adminClient) {
                                problems.add(c.where() + ": a NetworkPolicy lets " + peer + " reach " + c.service().metricsPortKey + " " + p
                                        + "; only Prometheus (pods " + PROMETHEUS_POD_LABELS + " of namespace " + MONITORING_NAMESPACE_LABELS + ")"
                                        + (c.service() == Service.API ? " and labelled admin-client pods" : "") + " may");
                            }
                        }
                    }
                }
                if (c.service() == Service.API && peersByPort.getOrDefault(port, List.of()).stream().noneMatch(List::isEmpty)) {
                    problems.add(c.where() + ": no NetworkPolicy opens the reads (" + c.service().portKey + " " + port + ") to every source");
                }
                if (peersByPort.getOrDefault(metricsPort, List.of()).stream().flatMap(List::stream).noneMatch(pe -> isPrometheus((Map<String, Object>) pe))) {
                    problems.add(c.where() + ": no NetworkPolicy lets Prometheus reach " + c.service().metricsPortKey + " " + metricsPort);
                }
                // egress: exactly DNS and the endpoints it uses
                Set<String> allowed = new TreeSet<>();
                for (Map<String, Object> p : selecting) {
                    if (!policyTypes(p).contains("Egress")) {
                        continue;
                    }
                    for (Object r : list(get(p, "spec", "egress"))) {
                        List<?> ports = list(((Map<String, Object>) r).get("ports"));
                        if (ports.isEmpty()) {
                            problems.add(where + " NetworkPolicy " + get(p, "metadata", "name") + " allows " + c.name() + " to reach every port");
                        }
                        for (Object pe : ports) {
                            Map<String, Object> portEntry = (Map<String, Object>) pe;
                            if (!(portEntry.get("port") instanceof Integer) || portEntry.get("endPort") != null) {
                                problems.add(where + " NetworkPolicy " + get(p, "metadata", "name") + " allows egress " + portEntry + ": use port numbers");
                                continue;
                            }
                            allowed.add(portEntry.getOrDefault("protocol", "TCP") + "/" + portEntry.get("port"));
                        }
                    }
                }
                Set<String> needed = egressNeeded(c);
                Set<String> missing = new TreeSet<>(needed);
                missing.removeAll(allowed);
                Set<String> extra = new TreeSet<>(allowed);
                extra.removeAll(needed);
                if (!missing.isEmpty()) {
                    problems.add(c.where() + ": NetworkPolicies do not let it reach " + missing + " (it needs " + needed + ")");
                }
                if (!extra.isEmpty()) {
                    problems.add(c.where() + ": NetworkPolicies let it reach " + extra + ", which it does not use (it needs " + needed + ")");
                }
            }
        }
        assertThat(problems).as("NetworkPolicies of k8s/overlays/*").isEmpty();
    }

    static List<String> policyTypes(Map<String, Object> policy) {
        List<String> types = list(get(policy, "spec", "policyTypes")).stream().map(String::valueOf).toList();
        if (!types.isEmpty()) {
            return types;
        }
        return get(policy, "spec", "egress") != null ? List.of("Ingress", "Egress") : List.of("Ingress");
    }

    /** A NetworkPolicy peer that names Prometheus' pods in the monitoring namespace, and nothing wider. */
    @SuppressWarnings("unchecked")
    static boolean isPrometheus(Map<String, Object> peer) {
        Map<String, Object> ns = (Map<String, Object>) peer.get("namespaceSelector");
        Map<String, Object> pods = (Map<String, Object>) peer.get("podSelector");
        return peer.get("ipBlock") == null && ns != null && !ns.isEmpty() && pods != null && !pods.isEmpty()
                && selects(ns, MONITORING_NAMESPACE_LABELS) && selects(pods, PROMETHEUS_POD_LABELS);
    }

    /**
     * What a service must reach ("TCP/5432"): DNS, and the port of every endpoint its config reads (defaults included),
     * the nodes of redis.nodes too (a cluster's seeds, which then point at nodes on the same port; the Sentinels).
     */
    static Set<String> egressNeeded(Deployed c) {
        Settings s = c.settings();
        Set<String> out = new TreeSet<>(Set.of("UDP/53", "TCP/53"));
        if (c.service().reads(SharedKeys.POSTGRES_URL)) {
            String hosts = s.get(SharedKeys.POSTGRES_URL).replaceFirst("^jdbc:postgresql://", "").replaceFirst("[/?].*$", "");
            for (String host : hosts.split(",")) {
                out.add("TCP/" + (host.matches(".*:\\d+") ? host.substring(host.lastIndexOf(':') + 1) : "5432"));
            }
        }
        if (c.service().reads(KafkaClientSettings.BOOTSTRAP)) {
            for (String broker : s.get(KafkaClientSettings.BOOTSTRAP).split(",")) {
                out.add("TCP/" + broker.strip().substring(broker.strip().lastIndexOf(':') + 1));
            }
        }
        if (c.service().reads(SharedKeys.REDIS_URL)) {
            int p = URI.create(s.get(SharedKeys.REDIS_URL)).getPort();
            out.add("TCP/" + (p > 0 ? p : 6379));
            // the seed nodes of a cluster, or the Sentinels (redis.nodes): with redis.mode standalone it must be empty
            String nodes = s.get(SharedKeys.REDIS_NODES);
            for (String node : nodes == null || nodes.isBlank() ? new String[0] : nodes.split(",")) {
                out.add("TCP/" + node.strip().substring(node.strip().lastIndexOf(':') + 1));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (f) the databases' users: the init scripts, run against PostgreSQL 17

    /**
     * The table privileges each service's database user must have, and it may have no other: cdc-ingest's Debezium reads
     * the cached tables and the signal table (snapshots) and inserts the watermarks of incremental snapshots into the
     * signal table; cache-sync's auditor reads the cached tables and its rebuilder inserts a signal; query-api reads
     * through and its resync inserts a signal.
     */
    static final Map<Service, Map<String, Set<String>>> PRIVILEGES = Map.of(
            Service.INGEST, Map.of("cached", Set.of("SELECT"), "signal", Set.of("SELECT", "INSERT")),
            Service.SYNC, Map.of("cached", Set.of("SELECT"), "signal", Set.of("INSERT")),
            Service.API, Map.of("cached", Set.of("SELECT"), "signal", Set.of("INSERT")));
    static final List<String> TABLE_PRIVILEGES = List.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN");

    static boolean databaseInitialised;

    /**
     * The devstack, its database initialised the way compose's and the dev overlay's PostgreSQL initialise theirs: the
     * init scripts run by the superuser with the postgres service's environment (deploy/compose/postgres.env); then the
     * three cachesync users must log in with their passwords (scram-sha-256, as in the postgres image), so that a
     * password that does not match is noticed.
     */
    @SuppressWarnings("unchecked")
    static synchronized DevStack initialisedStack() throws Exception {
        if (stack == null) {
            stack = DevStack.start();
        }
        if (!databaseInitialised) {
            Map<String, Object> services = (Map<String, Object>) load(COMPOSE).get("services");
            Map<String, String> environment = environment((Map<String, Object>) services.get("postgres"), new TreeSet<>());
            try (Connection c = stack.postgres().connect()) {
                for (Path script : POSTGRES_INIT) {
                    runPsqlScript(c, script, environment);
                }
            }
            requirePasswords(composeContainers().stream().map(d -> d.env().get(SharedKeys.POSTGRES_USER.envName())).toList());
            databaseInitialised = true;
        }
        return stack;
    }

    /**
     * pg_hba.conf: the cachesync users log in with their passwords only (the embedded devstack trusts local connections
     * otherwise; the postgres image of the testcontainers devstack already asks every client outside its container).
     */
    static void requirePasswords(List<String> users) throws Exception {
        if (stack.provider() == StackProvider.EMBEDDED) {
            try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
                Path hba;
                try (ResultSet rs = st.executeQuery("SHOW hba_file")) {
                    rs.next();
                    hba = Path.of(rs.getString(1));
                }
                Files.writeString(hba, "host all " + String.join(",", users) + " 127.0.0.1/32 scram-sha-256\n" + Files.readString(hba));
                st.execute("SELECT pg_reload_conf()");
            }
        }
        await().alias("PostgreSQL asks the cachesync users for their passwords").atMost(Duration.ofSeconds(10))
                .until(() -> !canLogIn(users.get(0), "not-the-password"));
    }

    static boolean canLogIn(String user, String password) {
        try (Connection ignored = DriverManager.getConnection(stack.postgres().jdbcUrl(), user, password)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    static final Pattern PSQL_VARIABLE = Pattern.compile(
            ":'([A-Za-z_][A-Za-z0-9_]*)'|:\"([A-Za-z_][A-Za-z0-9_]*)\"|:\\{\\?([A-Za-z_][A-Za-z0-9_]*)}");

    /**
     * Runs a psql script as the postgres image's entrypoint does ({@code psql -v ON_ERROR_STOP=1 -f <file>} in the
     * container's environment), through JDBC. It knows what the init scripts may use and fails on anything else: the
     * meta-commands {@code \set ON_ERROR_STOP on} and {@code \getenv <variable> <environment variable>}, and in SQL
     * {@code :'variable'} (a literal), {@code :"variable"} (an identifier), {@code :{?variable}} (TRUE or FALSE); an unset
     * variable stays as written, as in psql (and the SQL then fails).
     */
    static void runPsqlScript(Connection c, Path script, Map<String, String> environment) throws IOException, SQLException {
        Map<String, String> variables = new HashMap<>();
        StringBuilder sql = new StringBuilder();
        for (String line : Files.readAllLines(script)) {
            String l = line.strip();
            if (l.startsWith("\\")) {
                String[] words = l.split("\\s+");
                if (words[0].equals("\\getenv") && words.length == 3) {
                    if (environment.get(words[2]) != null) {
                        variables.put(words[1], environment.get(words[2]));
                    }
                } else if (!l.equals("\\set ON_ERROR_STOP on")) {
                    throw new AssertionError(ROOT.relativize(script) + ": psql meta-command '" + l + "' is not one this test runs (\\getenv,"
                            + " \\set ON_ERROR_STOP on): teach runPsqlScript, or keep the init scripts plain SQL");
                }
                sql.append('\n');
                continue;
            }
            Matcher m = PSQL_VARIABLE.matcher(line);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String replacement;
                if (m.group(3) != null) {
                    replacement = variables.containsKey(m.group(3)) ? "TRUE" : "FALSE";
                } else {
                    String value = variables.get(m.group(1) != null ? m.group(1) : m.group(2));
                    replacement = value == null ? m.group()
                            : m.group(1) != null ? "'" + value.replace("'", "''") + "'" : "\"" + value.replace("\"", "\"\"") + "\"";
                }
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(out);
            sql.append(out).append('\n');
        }
        try (Statement st = c.createStatement()) {
            st.execute(sql.toString());
        }
    }

    /**
     * The init scripts, run as compose's and the dev overlay's PostgreSQL run them, create one user per service (the
     * user and password of its env file) with exactly the privileges of {@link #PRIVILEGES}: LOGIN, REPLICATION for
     * cdc-ingest's only, no other attribute or role membership, owner of nothing, allowed to create nothing; the
     * superuser owns the signal table and the publication, which lists exactly the tables cdc-ingest captures (the
     * deployed config's entities and signal table), so Debezium never needs to alter it. Each user logs in with its
     * password only. Without a password variable the script stops, naming it.
     */
    @Test
    void databaseUsersHaveOnlyTheirPrivileges() throws Exception {
        DevStack s = initialisedStack();
        IngestConfig deployed = IngestConfig.from(Settings.load(Optional.of(BASE_CONFIG), Map.of()));
        Set<String> cached = deployed.catalog().cdcFed().stream().map(e -> e.qualifiedTable()).collect(Collectors.toCollection(TreeSet::new));
        String signal = deployed.signalTable();
        List<String> problems = new ArrayList<>();
        List<Deployed> services = composeContainers();
        try (Connection c = s.postgres().connect()) {
            Set<String> published = strings(c, "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?", deployed.publicationName());
            Set<String> captured = new TreeSet<>(cached);
            captured.add(signal);
            if (!published.equals(captured)) {
                problems.add("publication " + deployed.publicationName() + " lists " + published + ", cdc-ingest captures " + captured
                        + " (Debezium would ALTER it, which only its owner may)");
            }
            Set<String> owners = strings(c, "SELECT pg_get_userbyid(pubowner) || CASE WHEN puballtables THEN ' FOR ALL TABLES' ELSE '' END"
                    + " FROM pg_publication WHERE pubname = ?", deployed.publicationName());
            if (!owners.equals(Set.of(SUPERUSER))) {
                problems.add("publication " + deployed.publicationName() + ": owner " + owners + ", expected the superuser " + SUPERUSER);
            }
            Set<String> replicating = strings(c, "SELECT rolname FROM pg_roles WHERE rolreplication AND NOT rolsuper");
            Set<String> ingestUser = services.stream().filter(d -> d.service() == Service.INGEST)
                    .map(d -> d.env().get(SharedKeys.POSTGRES_USER.envName())).collect(Collectors.toSet());
            if (!replicating.equals(ingestUser)) {
                problems.add("users with REPLICATION (besides superusers): " + replicating + ", expected only cdc-ingest's " + ingestUser);
            }
            for (Deployed d : services) {
                String user = d.env().get(SharedKeys.POSTGRES_USER.envName());
                Set<String> role = strings(c, "SELECT concat_ws(' ', CASE WHEN rolcanlogin THEN 'LOGIN' END, CASE WHEN rolreplication THEN 'REPLICATION' END,"
                        + " CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN rolcreatedb THEN 'CREATEDB' END, CASE WHEN rolcreaterole THEN 'CREATEROLE' END,"
                        + " CASE WHEN rolbypassrls THEN 'BYPASSRLS' END) FROM pg_roles WHERE rolname = ?", user);
                String expected = d.service() == Service.INGEST ? "LOGIN REPLICATION" : "LOGIN";
                if (!role.equals(Set.of(expected))) {
                    problems.add(d.name() + "'s user " + user + ": " + (role.isEmpty() ? "does not exist" : role) + ", expected " + expected);
                    continue;
                }
                Set<String> memberOf = strings(c, "SELECT pg_get_userbyid(roleid) FROM pg_auth_members WHERE member = to_regrole(?)", user);
                if (!memberOf.isEmpty()) {
                    problems.add(d.name() + "'s user " + user + " is a member of " + memberOf + " (and has their privileges)");
                }
                Set<String> owned = strings(c, "SELECT 'table ' || oid::regclass FROM pg_class WHERE relowner = to_regrole(?)"
                        + " UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspowner = to_regrole(?)"
                        + " UNION ALL SELECT 'publication ' || pubname FROM pg_publication WHERE pubowner = to_regrole(?)"
                        + " UNION ALL SELECT 'function ' || oid::regproc FROM pg_proc WHERE proowner = to_regrole(?)"
                        + " UNION ALL SELECT 'database ' || datname FROM pg_database WHERE datdba = to_regrole(?)", user, user, user, user, user);
                if (!owned.isEmpty()) {
                    problems.add(d.name() + "'s user " + user + " owns " + owned);
                }
                Set<String> creates = strings(c, "SELECT 'schema ' || nspname FROM pg_namespace WHERE has_schema_privilege(?, oid, 'CREATE')"
                        + " UNION ALL SELECT 'database ' || current_database() WHERE has_database_privilege(?, current_database(), 'CREATE')", user, user);
                if (!creates.isEmpty()) {
                    problems.add(d.name() + "'s user " + user + " may create objects in " + creates);
                }
                Map<String, Set<String>> wanted = PRIVILEGES.get(d.service());
                for (String table : captured) {
                    Set<String> expectedPrivileges = wanted.get(table.equals(signal) ? "signal" : "cached");
                    Set<String> has = new TreeSet<>();
                    for (String privilege : TABLE_PRIVILEGES) {
                        if (!strings(c, "SELECT 'y' WHERE has_table_privilege(?, ?, ?)", user, table, privilege).isEmpty()) {
                            has.add(privilege);
                        }
                    }
                    if (!has.equals(new TreeSet<>(expectedPrivileges))) {
                        problems.add(d.name() + "'s user " + user + " has " + has + " on " + table + ", expected " + new TreeSet<>(expectedPrivileges));
                    }
                }
                String password = d.env().get(SharedKeys.POSTGRES_PASSWORD.envName());
                if (!canLogIn(user, password)) {
                    problems.add(d.name() + "'s user " + user + " cannot log in with the password of " + d.name() + ".env");
                }
                if (canLogIn(user, password + "-not")) {
                    problems.add(d.name() + "'s user " + user + " logs in with a wrong password: the login check above proves nothing");
                }
            }
        }
        // a missing password stops the initialisation with a message that names it
        Map<String, String> incomplete = new HashMap<>(Map.of("PASSWORD_CACHESYNC_INGEST", "x-long-enough", "PASSWORD_CACHESYNC_API", "y-long-enough"));
        try (Connection c = s.postgres().connect()) {
            runPsqlScript(c, POSTGRES_INIT.get(POSTGRES_INIT.size() - 1), incomplete);
            problems.add(ROOT.relativize(POSTGRES_INIT.get(POSTGRES_INIT.size() - 1)) + " ran without PASSWORD_CACHESYNC_SYNC");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("PASSWORD_CACHESYNC_SYNC")) {
                problems.add("without PASSWORD_CACHESYNC_SYNC the access script fails with '" + e.getMessage() + "', which does not name the variable");
            }
        }
        assertThat(problems).as("the database users " + ROOT.relativize(POSTGRES_INIT.get(1)) + " creates").isEmpty();
    }

    /** The first column of every row of {@code sql} with {@code args}, as text. */
    static Set<String> strings(Connection c, String sql, String... args) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // one dashboard, one set of alerts

    @Test
    void composeAndK8sShareTheDashboardAndTheAlertRules() throws Exception {
        Map<String, Object> rule = load(PROMETHEUS_RULE);
        Object k8sGroups = get(rule, "spec", "groups");
        assertThat(load(COMPOSE_ALERTS).get("groups")).as("deploy/prometheus/alerts.yml groups = PrometheusRule spec.groups").isEqualTo(k8sGroups);
        List<String> exprs = ruleExpressions(rule);
        for (String metric : List.of("cachesync_consumer_lag_records", "cachesync_e2e_lag_seconds_bucket", "cachesync_reads_total",
                "cachesync_events_dead_lettered_total", "cachesync_replication_slot_lag_bytes", "cachesync_circuit_state")) {
            assertThat(exprs).as("an alert on " + metric).anyMatch(e -> e.contains(metric));
        }
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("uid").asText()).isEqualTo("cachesync");
        assertThat(dashboardExpressions(dashboard)).as("dashboard queries").isNotEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOverlayShipsTheDashboardAndTheAlertRules() throws Exception {
        assumeKubectl();
        Object k8sGroups = get(load(PROMETHEUS_RULE), "spec", "groups");
        String text = Files.readString(DASHBOARD);
        for (Path overlay : overlays()) {
            List<Map<String, Object>> docs = kustomize(overlay);
            boolean shipped = all(docs, "ConfigMap").stream()
                    .map(cm -> (Map<String, Object>) cm.get("data"))
                    .anyMatch(d -> d != null && text.equals(d.get(DASHBOARD.getFileName().toString())));
            assertThat(shipped).as(ROOT.relativize(overlay) + " ships " + ROOT.relativize(DASHBOARD) + " as a ConfigMap").isTrue();
            Map<String, Object> built = all(docs, "PrometheusRule").get(0);
            assertThat(get(built, "spec", "groups")).as(ROOT.relativize(overlay) + " PrometheusRule").isEqualTo(k8sGroups);
        }
    }

    /**
     * The alert rules' unit tests (deploy/prometheus/alerts.test.yml: two instances of cache-sync and of query-api, an
     * alert on what one instance has of its own firing for that instance only, one on the data once for the sum) cover
     * every alert that fires per instance, and - where promtool is on the PATH - pass, and Prometheus' own parser accepts
     * the rules and every config of deploy/prometheus.
     */
    @Test
    @SuppressWarnings("unchecked")
    void alertRulesPassTheirUnitTests() throws Exception {
        Set<String> tested = new TreeSet<>();
        for (Object t : list(load(COMPOSE_ALERT_TESTS).get("tests"))) {
            for (Object a : list(((Map<String, Object>) t).get("alert_rule_test"))) {
                tested.add(String.valueOf(((Map<String, Object>) a).get("alertname")));
            }
        }
        Set<String> perInstance = new TreeSet<>();
        for (Object g : list(get(load(PROMETHEUS_RULE), "spec", "groups"))) {
            for (Object r : list(((Map<String, Object>) g).get("rules"))) {
                Map<String, Object> rule = (Map<String, Object>) r;
                if (String.valueOf(rule.get("expr")).matches("(?s).*(by \\([^)]*\\binstance\\b|^up\\{).*")) {
                    perInstance.add(String.valueOf(rule.get("alert")));
                }
            }
        }
        assertThat(perInstance).as("alerts that fire per instance").isNotEmpty();
        assertThat(tested).as("alerts tested in " + ROOT.relativize(COMPOSE_ALERT_TESTS)).containsAll(perInstance);

        Assumptions.assumeTrue(onPath("promtool"), "promtool not found: " + ROOT.relativize(COMPOSE_ALERT_TESTS) + " (the alerts per instance"
                + " and in sum) was not run, nor deploy/prometheus/*.yml checked by Prometheus' own parser");
        List<List<String>> commands = new ArrayList<>(List.of(
                List.of("promtool", "check", "rules", COMPOSE_ALERTS.toString()),
                List.of("promtool", "test", "rules", COMPOSE_ALERT_TESTS.toString())));
        try (Stream<Path> files = Files.list(COMPOSE_PROMETHEUS.getParent())) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("prometheus.*\\.yml")).sorted().toList()) {
                commands.add(List.of("promtool", "check", "config", "--syntax-only", f.toString()));
            }
        }
        for (List<String> command : commands) {
            Run r = run(ROOT, command);
            assertThat(r.exit()).as(String.join(" ", command) + ":\n" + r.out()).isZero();
        }
    }

    @SuppressWarnings("unchecked")
    static List<String> ruleExpressions(Map<String, Object> rule) {
        List<String> out = new ArrayList<>();
        for (Object g : list(get(rule, "spec", "groups"))) {
            for (Object r : list(((Map<String, Object>) g).get("rules"))) {
                out.add(String.valueOf(((Map<String, Object>) r).get("expr")));
            }
        }
        return out;
    }

    static List<String> dashboardExpressions(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                } else {
                    out.addAll(dashboardExpressions(e.getValue()));
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> out.addAll(dashboardExpressions(n)));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // (d) every metric the dashboard and the alerts use is exported

    static final Pattern METRIC = Pattern.compile("(?<![A-Za-z0-9_:])((?:cachesync|jvm|process)_[a-z0-9_]+)");
    static final Pattern SELECTOR = Pattern.compile("(?<![A-Za-z0-9_:])((?:cachesync|jvm|process)_[a-z0-9_]+)\\{([^}]*)}");
    static final Pattern MATCHER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    static final Pattern BY = Pattern.compile(
            "by\\s*\\(([^)]*)\\)\\s*\\(\\s*(?:(?:rate|increase|irate)\\s*\\(\\s*)?((?:cachesync|jvm|process)_[a-z0-9_]+)");

    static DevStack stack;
    static IngestService ingest;
    static SyncService sync;
    static ApiService api;

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {api, sync, ingest, stack}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing
            }
        }
    }

    @Test
    void everyMetricOfTheDashboardAndTheAlertsIsExported() throws Exception {
        Map<String, List<String>> queries = new LinkedHashMap<>(); // where -> PromQL
        queries.put(ROOT.relativize(DASHBOARD).toString(), dashboardExpressions(JSON.readTree(DASHBOARD.toFile())));
        queries.put(ROOT.relativize(PROMETHEUS_RULE).toString(), ruleExpressions(load(PROMETHEUS_RULE)));

        // the database as compose and the dev overlay initialise it (tables, rows, signal table, publication, users)
        initialisedStack();
        long rows;
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM users)")) {
            rs.next();
            rows = rs.getLong(1);
        }
        // each service with its own registry and /metrics, as in their own pods, and its own database user and password
        // (compose's): what the deployed users may not do fails here; ports 0: any free port
        Map<Service, Settings> settings = new HashMap<>();
        for (Deployed d : composeContainers()) {
            Map<String, String> overrides = new HashMap<>(Map.of(
                    "sync.audit-fraction", "1", "sync.audit-delay", "1s", "sync.audit-grace", "1s",
                    "sync.http-port", "0", "ingest.http-port", "0", "ingest.heartbeat-interval", "1s", "api.admin-token", TEST_ADMIN_TOKEN));
            overrides.put("postgres.user", d.env().get(SharedKeys.POSTGRES_USER.envName()));
            overrides.put("postgres.password", d.env().get(SharedKeys.POSTGRES_PASSWORD.envName()));
            settings.put(d.service(), Settings.of(StackSettings.map(stack, overrides)));
        }
        ingest = new IngestService(IngestConfig.from(settings.get(Service.INGEST))).start();
        sync = new SyncService(SyncConfig.from(settings.get(Service.SYNC))).start();
        api = new ApiService(ApiConfig.from(settings.get(Service.API))).start();
        await().alias("snapshot applied by cdc-ingest as its own user").atMost(Duration.ofMinutes(2)).until(() -> sync.stats().processed() >= rows);

        // streamed changes (e2e lag), a delete (tombstone), reads of every kind, a poison command (dead letter)
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE products SET price = price + 1 WHERE id <= 10");
            st.execute("UPDATE users SET name = name || '!' WHERE id <= 5");
            st.execute("DELETE FROM products WHERE id = 50");
        }
        Map<String, Object> producerConfig = new HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TopicNames.DEFAULT.commands(), "1", "this is not a command")).get(30, TimeUnit.SECONDS);
        }
        for (String path : List.of("/v1/products/1", "/v1/products/1", "/v1/products/1", "/v1/users/2", "/v1/products/99999",
                "/v1/products/99999", "/v1/products?category=category-1", "/v1/nope/1")) {
            HTTP.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + path)).GET().build(), HttpResponse.BodyHandlers.discarding());
        }
        // /admin and /metrics only on the admin port: the port of the reads (what an Ingress exposes) has neither
        assertThat(status(api.baseUrl() + "/metrics")).as(api.baseUrl() + "/metrics (the reads' port)").isEqualTo(404);
        assertThat(status(api.baseUrl() + "/admin/cache/stats")).as(api.baseUrl() + "/admin/cache/stats (the reads' port)").isEqualTo(404);
        // resync as deployed: query-api's user inserts the signal, cdc-ingest's user writes Debezium's watermarks next to it
        HttpResponse<String> resync = HTTP.send(HttpRequest.newBuilder(URI.create(api.adminUrl() + "/admin/resync/products?force=true"))
                .header("Authorization", "Bearer " + TEST_ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resync.statusCode()).as("POST /admin/resync/products as query-api's user: " + resync.body()).isEqualTo(202);
        String signalTable = settings.get(Service.INGEST).get(SharedKeys.SIGNAL_TABLE);
        await().alias("cdc-ingest's user writes the incremental snapshot's watermarks into " + signalTable).atMost(Duration.ofSeconds(60))
                .until(() -> {
                    try (Connection c = stack.postgres().connect(); Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT count(*) FROM " + signalTable + " WHERE type <> 'execute-snapshot'")) {
                        return rs.next() && rs.getLong(1) > 0;
                    }
                });
        try (Connection c = stack.postgres().connect()) {
            assertThat(strings(c, "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?",
                    settings.get(Service.INGEST).get(IngestConfig.PUBLICATION)))
                    .as("the publication after cdc-ingest started as its own user (left as the init script made it)")
                    .containsExactlyInAnyOrder("public.products", "public.users", signalTable);
        }
        System.gc(); // jvm_gc_pause_seconds appears with the first collection after the registry was bound

        assertThat(sync.httpPort()).as("cache-sync serves /metrics (sync.http-port)").isPositive();
        assertThat(ingest.httpPort()).as("cdc-ingest serves /metrics (ingest.http-port)").isPositive();
        List<String> endpoints = List.of(api.baseUrl(), "http://127.0.0.1:" + sync.httpPort(), "http://127.0.0.1:" + ingest.httpPort());
        for (String base : endpoints) {
            assertThat(status(base + "/health/live")).as(base + "/health/live").isEqualTo(200);
        }
        await().alias("every service ready").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String base : endpoints) {
                assertThat(status(base + "/health/ready")).as(base + "/health/ready").isEqualTo(200);
            }
        });
        // Prometheus scrapes query-api on its admin port (api.admin-port), the others on their http port
        List<String> scraped = List.of(api.adminUrl(), "http://127.0.0.1:" + sync.httpPort(), "http://127.0.0.1:" + ingest.httpPort());

        // the gauges refresh every few seconds and the auditor compares after its delay: wait for the scrape to settle
        java.util.concurrent.atomic.AtomicReference<List<String>> problems = new java.util.concurrent.atomic.AtomicReference<>(List.of());
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(3)).until(() -> {
                Map<String, List<Map<String, String>>> samples = new HashMap<>();
                for (String base : scraped) {
                    parseScrape(httpGet(base + "/metrics"), samples);
                }
                problems.set(missing(queries, samples));
                return problems.get().isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported below with what is missing
        }
        assertThat(problems.get()).as("metrics (and labels) used by the dashboard and the alert rules but not exported by "
                + "query-api, cache-sync and cdc-ingest on the devstack").isEmpty();
    }

    /**
     * Metrics only a configuration with views exports: compose's and the overlays' declare no view, so the stack here
     * cannot show them; ViewIT checks their names on a pipeline with one.
     */
    static final Set<String> ONLY_WITH_VIEWS = Set.of("cachesync_view_consumer_lag_records");

    /** What the queries use that the scrape lacks: metric names, and label names/values in selectors and by-clauses. */
    static List<String> missing(Map<String, List<String>> queries, Map<String, List<Map<String, String>>> scraped) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        queries.forEach((where, exprs) -> {
            for (String expr : exprs) {
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    String name = m.group(1);
                    if (!scraped.containsKey(name) && !ONLY_WITH_VIEWS.contains(name) && seen.add(name)) {
                        out.add(name + " (used in " + where + ": " + expr + ")");
                    }
                }
                Matcher s = SELECTOR.matcher(expr);
                while (s.find()) {
                    List<Map<String, String>> samples = scraped.get(s.group(1));
                    if (samples == null) {
                        continue;
                    }
                    Matcher lm = MATCHER.matcher(s.group(2));
                    while (lm.find()) {
                        String label = lm.group(1);
                        String value = lm.group(3);
                        if (samples.stream().noneMatch(x -> x.containsKey(label))) {
                            addOnce(out, seen, s.group(1) + " has no label " + label + " (used in " + where + ": " + expr + ")");
                        } else if (lm.group(2).equals("=") && samples.stream().noneMatch(x -> value.equals(x.get(label)))) {
                            addOnce(out, seen, s.group(1) + " has no series with " + label + "=\"" + value + "\" (used in " + where + ": " + expr + ")");
                        }
                    }
                }
                Matcher b = BY.matcher(expr);
                while (b.find()) {
                    List<Map<String, String>> samples = scraped.get(b.group(2));
                    if (samples == null) {
                        continue;
                    }
                    for (String label : b.group(1).split(",")) {
                        String l = label.trim();
                        if (!l.isEmpty() && !TARGET_LABELS.contains(l) && samples.stream().noneMatch(x -> x.containsKey(l))) {
                            addOnce(out, seen, b.group(2) + " has no label " + l + " to group by (used in " + where + ": " + expr + ")");
                        }
                    }
                }
            }
        });
        return out;
    }

    static void addOnce(List<String> out, Set<String> seen, String problem) {
        if (seen.add(problem)) {
            out.add(problem);
        }
    }

    static final Pattern SAMPLE_LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Prometheus text format: sample name -> label sets of its samples. */
    static void parseScrape(String text, Map<String, List<Map<String, String>>> into) {
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            int end = brace >= 0 && (space < 0 || brace < space) ? brace : space;
            if (end <= 0) {
                continue;
            }
            String name = line.substring(0, end);
            Map<String, String> labels = new HashMap<>();
            if (end == brace) {
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                Matcher m = SAMPLE_LABEL.matcher(body);
                while (m.find()) {
                    labels.put(m.group(1), m.group(2));
                }
            }
            into.computeIfAbsent(name, k -> new ArrayList<>()).add(labels);
        }
    }

    static String httpGet(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET " + url).isEqualTo(200);
        return r.body();
    }

    static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // reading compose and kustomize output into Deployed containers

    /**
     * A compose project as operators run it: docker-compose.yml alone, or with an override file on top
     * ({@code docker compose -f docker-compose.yml -f docker-compose.<name>.yml}).
     */
    record ComposeVariant(String name, List<Path> files) {
        /** The files, for messages: {@code docker-compose.yml + docker-compose.cluster.yml}. */
        String where() {
            return files.stream().map(f -> ROOT.relativize(f).toString()).collect(Collectors.joining(" + "));
        }

        /** The {@code -f} arguments of a compose client. */
        List<String> fileArguments() {
            List<String> out = new ArrayList<>();
            files.forEach(f -> out.addAll(List.of("-f", f.toString())));
            return out;
        }

        /** The project's model: the files merged the way compose merges them. */
        @SuppressWarnings("unchecked")
        Map<String, Object> model() throws IOException {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Path f : files) {
                out = mergeCompose(out, load(f));
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> services() throws IOException {
            return (Map<String, Object>) model().get("services");
        }
    }

    /** docker-compose.yml alone: the stack the README starts first, and the one whose users and metrics run on the devstack. */
    static ComposeVariant baseCompose() {
        return new ComposeVariant("default", List.of(COMPOSE));
    }

    /** docker-compose.yml alone, then with each {@code docker-compose.<name>.yml} next to it on top. */
    static List<ComposeVariant> composeVariants() throws IOException {
        List<ComposeVariant> out = new ArrayList<>(List.of(baseCompose()));
        try (Stream<Path> files = Files.list(ROOT)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = COMPOSE_OVERRIDE.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(new ComposeVariant(m.group(1), List.of(COMPOSE, f)));
                }
            }
        }
        assertThat(out).as("compose variants (docker-compose.<name>.yml next to docker-compose.yml)").extracting(ComposeVariant::name)
                .containsAll(REQUIRED_COMPOSE_VARIANTS);
        return out;
    }

    /** Service keys compose merges key by key when an override file sets them again. */
    static final Set<String> COMPOSE_MAPPINGS = Set.of("environment", "depends_on", "healthcheck", "labels", "annotations", "deploy",
            "logging", "ulimits", "sysctls", "extra_hosts", "build", "storage_opt");
    /** Service keys whose entries an override file adds to the base's (without duplicates). */
    static final Set<String> COMPOSE_SEQUENCES = Set.of("ports", "env_file", "expose", "dns", "dns_search", "cap_add", "cap_drop", "profiles",
            "tmpfs", "secrets", "configs", "devices", "external_links", "security_opt", "volumes_from");

    /**
     * Compose's merge of an override file into the model so far: services merged one by one (mappings such as environment
     * and depends_on key by key, ports and env files added, volumes replaced by their container path, anything else -
     * command, image, ... - replaced), any other top-level key replaced.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> mergeCompose(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        override.forEach((k, v) -> {
            if (!k.equals("services")) {
                out.put(k, v);
            }
        });
        Map<String, Object> services = new LinkedHashMap<>((Map<String, Object>) base.getOrDefault("services", Map.of()));
        ((Map<String, Object>) override.getOrDefault("services", Map.of())).forEach((name, svc) -> {
            Map<String, Object> before = (Map<String, Object>) services.get(name);
            services.put(name, before == null ? svc : mergeService(before, (Map<String, Object>) svc));
        });
        out.put("services", services);
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> mergeService(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        override.forEach((k, v) -> {
            Object before = base.get(k);
            if (before == null || v == null) {
                out.put(k, v);
            } else if (k.equals("volumes")) {
                Map<String, Object> byTarget = new LinkedHashMap<>();
                for (Object vol : list(before)) {
                    byTarget.put(volumeTarget(vol), vol);
                }
                for (Object vol : list(v)) {
                    byTarget.put(volumeTarget(vol), vol);
                }
                out.put(k, new ArrayList<>(byTarget.values()));
            } else if (COMPOSE_MAPPINGS.contains(k) && !isScalar(before) && !isScalar(v)) {
                Map<String, Object> merged = new LinkedHashMap<>(composeMapping(k, before));
                merged.putAll(composeMapping(k, v));
                out.put(k, merged);
            } else if (COMPOSE_SEQUENCES.contains(k)) {
                List<Object> merged = new ArrayList<>(before instanceof List<?> l ? l : List.of(before));
                for (Object item : v instanceof List<?> l ? l : List.of(v)) {
                    if (!merged.contains(item)) {
                        merged.add(item);
                    }
                }
                out.put(k, merged);
            } else {
                out.put(k, v);
            }
        });
        return out;
    }

    /** A compose mapping that may also be written as a list: environment {@code [K=V]}, depends_on {@code [service]}, labels. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> composeMapping(String key, Object value) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Object item : list(value)) {
            String s = String.valueOf(item);
            if (key.equals("depends_on")) {
                out.put(s, Map.of("condition", "service_started"));
            } else {
                int eq = s.indexOf('=');
                out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? null : s.substring(eq + 1));
            }
        }
        return out;
    }

    /** Neither a mapping nor a list (such as {@code build: .}, which an override replaces as a whole). */
    static boolean isScalar(Object value) {
        return !(value instanceof Map<?, ?>) && !(value instanceof List<?>);
    }

    /** The container path of a compose volume entry ({@code ./a:/b:ro}, or long syntax). */
    @SuppressWarnings("unchecked")
    static String volumeTarget(Object volume) {
        if (volume instanceof Map<?, ?> m) {
            return String.valueOf(((Map<String, Object>) m).get("target"));
        }
        String[] parts = String.valueOf(volume).split(":");
        return parts.length > 1 ? parts[1] : parts[0];
    }

    /** The compose service name of an instance of {@code service}: its deployed name, or that name with {@code -<n>}. */
    static boolean isInstanceName(String name, Service service) {
        return name.equals(service.deployedName) || name.matches(Pattern.quote(service.deployedName) + "-\\d+");
    }

    /** The cachesync containers of docker-compose.yml alone. */
    static List<Deployed> composeContainers() throws IOException {
        return composeContainers(baseCompose());
    }

    /** The cachesync containers of a compose variant: every service whose command is one of the three services'. */
    @SuppressWarnings("unchecked")
    static List<Deployed> composeContainers(ComposeVariant variant) throws IOException {
        Map<String, Object> services = variant.services();
        assertThat(services).as("services of " + variant.where())
                .containsKeys("postgres", "kafka", "redis", "cdc-ingest", "cache-sync", "query-api", "prometheus", "grafana");
        List<Deployed> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Map<String, Object> svc = (Map<String, Object>) e.getValue();
            List<String> command = command(svc.get("command"));
            Optional<Service> service = command.isEmpty() ? Optional.empty() : Service.ofCommand(command.get(0));
            if (service.isEmpty()) {
                continue;
            }
            String where = variant.where() + " service " + e.getKey();
            assertThat(isInstanceName(e.getKey(), service.get())).as(where + ": the name of an instance of " + service.get().deployedName
                    + " is " + service.get().deployedName + " or " + service.get().deployedName + "-<n>").isTrue();
            Set<String> shared = new TreeSet<>();
            Map<String, String> env = environment(svc, shared);
            Path config = null;
            String configPath = configArgument(command);
            if (configPath != null) {
                config = mounts(svc).get(configPath);
            }
            out.add(new Deployed(where, e.getKey(), service.get(), env, config, shared));
        }
        return out;
    }

    static List<String> command(Object command) {
        if (command instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return command == null ? List.of() : List.of(String.valueOf(command).trim().split("\\s+"));
    }

    static String configArgument(List<String> args) {
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals(CONFIG_FLAG) || args.get(i).equals("-c")) {
                return args.get(i + 1);
            }
        }
        return null;
    }

    /** A compose service's environment: its env files (whose names go to {@code shared}), then environment:. */
    @SuppressWarnings("unchecked")
    static Map<String, String> environment(Map<String, Object> svc, Set<String> shared) throws IOException {
        Map<String, String> env = new TreeMap<>();
        for (Path file : envFiles(svc)) {
            Map<String, String> values = envFile(file);
            shared.addAll(values.keySet());
            env.putAll(values);
        }
        rawEnvironment(svc).forEach((k, v) -> env.put(k, interpolate(v, COMPOSE_TEST_ENVIRONMENT)));
        return env;
    }

    /** The environment this test interpolates docker-compose.yml with: what an operator exports (or puts in .env). */
    static final Map<String, String> COMPOSE_TEST_ENVIRONMENT = Map.of(ADMIN_TOKEN, TEST_ADMIN_TOKEN);

    /** A compose service's environment: as written in docker-compose.yml, before interpolation (merge keys resolved). */
    @SuppressWarnings("unchecked")
    static Map<String, String> rawEnvironment(Map<String, Object> svc) {
        Map<String, String> env = new TreeMap<>();
        Object environment = svc.get("environment");
        if (environment instanceof Map<?, ?> m) {
            ((Map<String, Object>) m).forEach((k, v) -> env.put(k, v == null ? "" : String.valueOf(v)));
        } else if (environment instanceof List<?> l) {
            for (Object item : l) {
                String s = String.valueOf(item);
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return env;
    }

    static final Pattern COMPOSE_VARIABLE = Pattern.compile(
            "\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    /** Compose's interpolation: {@code $$}, {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR:?error}} (and without ':'). */
    static String interpolate(String value, Map<String, String> environment) {
        Matcher m = COMPOSE_VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                String name = m.group(1) != null ? m.group(1) : m.group(4);
                String v = environment.get(name);
                String op = m.group(2);
                boolean unset = op != null && op.startsWith(":") ? v == null || v.isEmpty() : v == null;
                if (op != null && op.endsWith("?") && unset) {
                    throw new AssertionError("docker-compose.yml requires " + name + ": " + m.group(3));
                }
                replacement = op != null && op.endsWith("-") && unset ? m.group(3) : Objects.requireNonNullElse(v, "");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The env files a compose service loads, as paths in the repository. */
    @SuppressWarnings("unchecked")
    static List<Path> envFiles(Map<String, Object> svc) {
        Object files = svc.get("env_file");
        List<Path> out = new ArrayList<>();
        for (Object f : files instanceof List<?> l ? l : files == null ? List.of() : List.of(files)) {
            out.add(ROOT.resolve(f instanceof Map<?, ?> m ? String.valueOf(m.get("path")) : String.valueOf(f)).normalize());
        }
        return out;
    }

    static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            assertThat(eq).as(file + ": '" + l + "' is not NAME=value").isPositive();
            out.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return out;
    }

    /** A compose service's bind mounts: container path -> file in the repository. */
    @SuppressWarnings("unchecked")
    static Map<String, Path> mounts(Map<String, Object> svc) {
        Map<String, Path> out = new TreeMap<>();
        for (Object v : list(svc.get("volumes"))) {
            String source;
            String target;
            if (v instanceof Map<?, ?> m) {
                source = String.valueOf(((Map<String, Object>) m).get("source"));
                target = String.valueOf(((Map<String, Object>) m).get("target"));
            } else {
                String[] parts = String.valueOf(v).split(":");
                source = parts[0];
                target = parts.length > 1 ? parts[1] : parts[0];
            }
            if (source.startsWith(".") || source.startsWith("/")) {
                out.put(target, ROOT.resolve(source).normalize());
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cachesyncContainer(Map<String, Object> deployment) {
        for (Object o : list(get(deployment, "spec", "template", "spec", "containers"))) {
            Map<String, Object> c = (Map<String, Object>) o;
            List<String> args = command(c.get("args"));
            if (String.valueOf(c.get("image")).contains("cachesync") && !args.isEmpty() && Service.ofCommand(args.get(0)).isPresent()) {
                return c;
            }
        }
        return null;
    }

    /** The cachesync containers of a kustomize build, with the environment and config file each would get. */
    @SuppressWarnings("unchecked")
    static List<Deployed> k8sContainers(Path overlay, List<Map<String, Object>> docs) throws IOException {
        List<Deployed> out = new ArrayList<>();
        for (Map<String, Object> d : all(docs, "Deployment")) {
            Map<String, Object> c = cachesyncContainer(d);
            if (c == null) {
                continue;
            }
            String name = (String) get(d, "metadata", "name");
            String where = ROOT.relativize(overlay) + " Deployment " + name;
            List<String> args = command(c.get("args"));
            Service service = Service.ofCommand(args.get(0)).orElseThrow();
            assertThat(name).as(where + " name").isEqualTo(service.deployedName);
            Set<String> shared = new TreeSet<>();
            Map<String, String> env = containerEnv(overlay, docs, c, shared);
            Path config = null;
            String configPath = configArgument(args);
            if (configPath != null) {
                for (Object vm : list(c.get("volumeMounts"))) {
                    Map<String, Object> mount = (Map<String, Object>) vm;
                    String dir = (String) mount.get("mountPath");
                    if (!configPath.startsWith(dir.endsWith("/") ? dir : dir + "/")) {
                        continue;
                    }
                    String file = configPath.substring(dir.length()).replaceFirst("^/", "");
                    for (Object vol : list(get(d, "spec", "template", "spec", "volumes"))) {
                        Map<String, Object> v = (Map<String, Object>) vol;
                        if (v.get("name").equals(mount.get("name")) && v.get("configMap") != null) {
                            String cm = (String) ((Map<String, Object>) v.get("configMap")).get("name");
                            String content = configMapData(overlay, docs, cm).get(file);
                            assertThat(content).as(where + ": " + configPath + " is not a key of ConfigMap " + cm).isNotNull();
                            Path dirFor = Files.createDirectories(tmp.resolve(ROOT.relativize(overlay).toString().replace('/', '_') + "_" + name));
                            config = Files.writeString(dirFor.resolve(Path.of(file).getFileName()), content);
                        }
                    }
                }
            }
            out.add(new Deployed(where, name, service, env, config, shared));
        }
        return out;
    }

    /** A container's environment from envFrom (whose names go to {@code shared}) and env (values and valueFrom refs). */
    @SuppressWarnings("unchecked")
    static Map<String, String> containerEnv(Path overlay, List<Map<String, Object>> docs, Map<String, Object> c, Set<String> shared) throws IOException {
        Map<String, String> env = new TreeMap<>();
        for (Object ef : list(c.get("envFrom"))) {
            Map<String, Object> src = (Map<String, Object>) ef;
            Map<String, String> values;
            if (src.get("configMapRef") != null) {
                values = configMapData(overlay, docs, (String) ((Map<String, Object>) src.get("configMapRef")).get("name"));
            } else {
                values = secretData(overlay, docs, (String) ((Map<String, Object>) src.get("secretRef")).get("name"));
            }
            String prefix = (String) src.getOrDefault("prefix", "");
            values.forEach((k, v) -> {
                shared.add(prefix + k);
                env.put(prefix + k, v);
            });
        }
        for (Object e : list(c.get("env"))) {
            Map<String, Object> em = (Map<String, Object>) e;
            String var = (String) em.get("name");
            if (em.containsKey("value")) {
                env.put(var, String.valueOf(em.get("value")));
            } else {
                Map<String, Object> from = (Map<String, Object>) em.get("valueFrom");
                Map<String, Object> ref = (Map<String, Object>) from.getOrDefault("configMapKeyRef", from.get("secretKeyRef"));
                if (ref != null) {
                    Map<String, String> data = from.containsKey("configMapKeyRef") ? configMapData(overlay, docs, (String) ref.get("name"))
                            : secretData(overlay, docs, (String) ref.get("name"));
                    env.put(var, data.getOrDefault((String) ref.get("key"), ""));
                } else {
                    env.put(var, "");
                }
            }
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> configMapData(Path overlay, List<Map<String, Object>> docs, String name) {
        Map<String, Object> cm = find(docs, "ConfigMap", name)
                .orElseThrow(() -> new AssertionError(ROOT.relativize(overlay) + ": ConfigMap " + name + " is referenced but not built"));
        Map<String, String> out = new TreeMap<>();
        Map<String, Object> data = (Map<String, Object>) cm.get("data");
        if (data != null) {
            data.forEach((k, v) -> out.put(k, String.valueOf(v)));
        }
        return out;
    }

    /**
     * A Secret's data. An overlay that leaves a Secret to be created out of band (prod) describes its keys in
     * {@code <overlay>/<secret name>.env.example}, whose placeholder values are used instead.
     */
    @SuppressWarnings("unchecked")
    static Map<String, String> secretData(Path overlay, List<Map<String, Object>> docs, String name) throws IOException {
        Optional<Map<String, Object>> secret = find(docs, "Secret", name);
        Map<String, String> out = new TreeMap<>();
        if (secret.isEmpty()) {
            Path example = overlay.resolve(name + ".env.example");
            assertThat(example).as(ROOT.relativize(overlay) + ": Secret " + name + " is referenced but neither built nor described by "
                    + ROOT.relativize(example)).isRegularFile();
            out.putAll(envFile(example));
            return out;
        }
        Map<String, Object> data = (Map<String, Object>) secret.get().get("data");
        if (data != null) {
            data.forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
        }
        Map<String, Object> stringData = (Map<String, Object>) secret.get().get("stringData");
        if (stringData != null) {
            stringData.forEach((k, v) -> out.put(k, String.valueOf(v)));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // YAML helpers

    static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(64 * 1024 * 1024);
        return new Yaml(new SafeConstructor(options));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (Map<String, Object>) yaml().load(in);
        }
    }

    static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    @SuppressWarnings("unchecked")
    static Object get(Map<String, Object> doc, String... path) {
        Object cur = doc;
        for (String p : path) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = ((Map<String, Object>) m).get(p);
        }
        return cur;
    }

    static List<Map<String, Object>> all(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    /** A resource by kind and name (kustomize has already rewritten references to generated names). */
    static Optional<Map<String, Object>> find(List<Map<String, Object>> docs, String kind, String name) {
        return all(docs, kind).stream().filter(d -> name.equals(get(d, "metadata", "name"))).findFirst();
    }

    static List<String> names(List<Map<String, Object>> docs, String kind) {
        return all(docs, kind).stream().map(d -> String.valueOf(get(d, "metadata", "name"))).toList();
    }
}
