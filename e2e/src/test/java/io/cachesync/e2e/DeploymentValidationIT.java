package io.cachesync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.api.ApiService;
import io.cachesync.api.config.ApiConfig;
import io.cachesync.app.demo.DemoSchema;
import io.cachesync.app.demo.StackSettings;
import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.KafkaClientSettings;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.YamlSettingsReader;
import io.cachesync.core.topics.Topics;
import io.cachesync.devstack.DevStack;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
 *   <li>every k8s overlay builds with {@code kubectl kustomize}, and docker-compose.yml with a compose client;</li>
 *   <li>every CACHESYNC_* variable and every key of a mounted config file that compose and k8s set is a key of the
 *       config classes ({@code KEYS} of IngestConfig, SyncConfig, ApiConfig, KafkaClientSettings, or entities.*), and
 *       the resulting configuration of each container passes that service's validation;</li>
 *   <li>ports agree: the port each service's config sets = containerPort = Service targetPort = probe ports = compose
 *       ports and health checks = Prometheus scrape targets;</li>
 *   <li>every metric the Grafana dashboard and the alert rules use is exported by the three services running on the
 *       devstack (scraped from their /metrics), with the labels the queries use.</li>
 * </ul>
 * Where kubectl or a compose client is missing, that part is skipped with a message saying what was not checked.
 */
class DeploymentValidationIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
    static final Path OVERLAYS = ROOT.resolve("k8s/overlays");
    static final Path DASHBOARD = ROOT.resolve("k8s/base/grafana/cachesync-dashboard.json");
    static final Path PROMETHEUS_RULE = ROOT.resolve("k8s/base/monitoring/prometheusrule.yaml");
    static final Path COMPOSE_ALERTS = ROOT.resolve("deploy/prometheus/alerts.yml");
    static final Path COMPOSE_PROMETHEUS = ROOT.resolve("deploy/prometheus/prometheus.yml");
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

    /** The three services: CLI command, the name compose and k8s give it, its config class's keys, its port key. */
    enum Service {
        INGEST("ingest", "cdc-ingest", "ingest.http-port"),
        SYNC("sync", "cache-sync", "sync.http-port"),
        API("api", "query-api", "api.port");

        final String command;
        final String deployedName;
        final String portKey;

        Service(String command, String deployedName, String portKey) {
            this.command = command;
            this.deployedName = deployedName;
            this.portKey = portKey;
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
            ConfigKey key = keys().stream().filter(k -> k.name().equals(portKey)).findFirst()
                    .orElseThrow(() -> new AssertionError(portKey + " is not a key of " + deployedName + "'s config class (KEYS)"));
            return Integer.parseInt(s.get(key).trim());
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
            assertThat(out).as("overlays under " + OVERLAYS).extracting(p -> p.getFileName().toString()).contains("dev", "prod");
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
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
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


    /** {@code docker compose config} (or docker-compose v1) parses and interpolates the file without a Docker engine. */
    @Test
    void composeClientAcceptsTheComposeFile() throws Exception {
        List<String> client = null;
        if (onPath("docker") && run(ROOT, List.of("docker", "compose", "version")).exit() == 0) {
            client = List.of("docker", "compose");
        } else if (onPath("docker-compose")) {
            client = List.of("docker-compose");
        }
        Assumptions.assumeTrue(client != null, "neither `docker compose` nor `docker-compose` found: docker-compose.yml was not "
                + "validated by a compose client (its keys, ports and scrape targets are still checked by this class)");
        List<String> command = new ArrayList<>(client);
        command.addAll(List.of("-f", COMPOSE.toString(), "config", "-q"));
        Run r = run(ROOT, command);
        assertThat(r.exit()).as(String.join(" ", command) + " rejected docker-compose.yml:\n" + r.out()).isZero();
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
        List<Deployed> compose = composeContainers();
        assertThat(compose).extracting(Deployed::service).containsExactlyInAnyOrder(Service.values());
        checkKeysAndValues(compose);
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

    @Test
    @SuppressWarnings("unchecked")
    void composePortsHealthChecksAndScrapeTargetsAgree() throws Exception {
        Map<String, Object> services = (Map<String, Object>) load(COMPOSE).get("services");
        Map<String, Object> prometheus = load(COMPOSE_PROMETHEUS);
        Map<String, String> scrapes = new TreeMap<>(); // target -> metrics path
        for (Object job : list(prometheus.get("scrape_configs"))) {
            Map<String, Object> j = (Map<String, Object>) job;
            String path = (String) j.getOrDefault("metrics_path", "/metrics");
            for (Object sc : list(j.get("static_configs"))) {
                for (Object t : list(((Map<String, Object>) sc).get("targets"))) {
                    scrapes.put((String) t, path);
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Deployed c : composeContainers()) {
            int port = c.service().port(c.settings());
            String name = c.name();
            Map<String, Object> svc = (Map<String, Object>) services.get(name);
            List<Integer> published = new ArrayList<>();
            for (Object p : list(svc.get("ports"))) {
                published.add(containerPort(p));
            }
            if (!published.contains(port)) {
                problems.add(c.where() + ": listens on " + port + " (" + c.service().portKey + ") but ports: maps " + published);
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
            String target = name + ":" + port;
            if (!"/metrics".equals(scrapes.get(target))) {
                problems.add("deploy/prometheus/prometheus.yml does not scrape " + target + "/metrics (targets: " + scrapes + ")");
            }
        }
        // the files Prometheus and Grafana read are the ones checked here
        Map<String, Object> prom = (Map<String, Object>) services.get("prometheus");
        Map<String, Path> promMounts = mounts(prom);
        if (!COMPOSE_PROMETHEUS.equals(promMounts.get("/etc/prometheus/prometheus.yml"))) {
            problems.add("the prometheus service does not mount deploy/prometheus/prometheus.yml at /etc/prometheus/prometheus.yml: " + promMounts);
        }
        for (Object ruleFile : list(prometheus.get("rule_files"))) {
            if (!COMPOSE_ALERTS.equals(promMounts.get((String) ruleFile))) {
                problems.add("rule file " + ruleFile + " is not deploy/prometheus/alerts.yml mounted into the prometheus service");
            }
        }
        Map<String, Path> grafanaMounts = mounts((Map<String, Object>) services.get("grafana"));
        if (!grafanaMounts.containsValue(DASHBOARD)) {
            problems.add("the grafana service does not mount the dashboard " + ROOT.relativize(DASHBOARD) + " (one copy for compose and k8s)");
        }
        // the stack's superuser is the user cachesync is given (the config file sets no postgres.user)
        Map<String, String> postgresEnv = environment((Map<String, Object>) services.get("postgres"), new TreeSet<>());
        for (Deployed c : composeContainers()) {
            String password = c.env().get("CACHESYNC_POSTGRES_PASSWORD");
            if (!Objects.equals(password, postgresEnv.get("POSTGRES_PASSWORD"))) {
                problems.add(c.where() + ": CACHESYNC_POSTGRES_PASSWORD differs from the postgres service's POSTGRES_PASSWORD");
            }
            String user = c.env().getOrDefault("CACHESYNC_POSTGRES_USER", "postgres");
            if (!user.equals(postgresEnv.getOrDefault("POSTGRES_USER", "postgres"))) {
                problems.add(c.where() + ": CACHESYNC_POSTGRES_USER=" + user + " is not the postgres service's POSTGRES_USER");
            }
        }
        assertThat(problems).as("ports of docker-compose.yml and deploy/prometheus/prometheus.yml").isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void k8sContainerServiceProbeAndMonitorPortsAgree() throws Exception {
        assumeKubectl();
        List<String> problems = new ArrayList<>();
        for (Path overlay : overlays()) {
            List<Map<String, Object>> docs = kustomize(overlay);
            String where = ROOT.relativize(overlay).toString();
            List<String> monitorPorts = new ArrayList<>();
            List<Map<String, Object>> monitors = all(docs, "ServiceMonitor");
            for (Map<String, Object> sm : monitors) {
                for (Object e : list(get(sm, "spec", "endpoints"))) {
                    monitorPorts.add((String) ((Map<String, Object>) e).get("port"));
                    if (!"/metrics".equals(((Map<String, Object>) e).getOrDefault("path", "/metrics"))) {
                        problems.add(where + ": ServiceMonitor scrapes " + ((Map<String, Object>) e).get("path") + ", not /metrics");
                    }
                }
            }
            for (Deployed c : k8sContainers(overlay, docs)) {
                int port = c.service().port(c.settings());
                Map<String, Object> deployment = find(docs, "Deployment", c.name()).orElseThrow();
                Map<String, Object> container = cachesyncContainer(deployment);
                Map<String, Integer> named = new HashMap<>();
                List<Integer> containerPorts = new ArrayList<>();
                for (Object p : list(container.get("ports"))) {
                    Map<String, Object> pm = (Map<String, Object>) p;
                    containerPorts.add((Integer) pm.get("containerPort"));
                    if (pm.get("name") != null) {
                        named.put((String) pm.get("name"), (Integer) pm.get("containerPort"));
                    }
                }
                if (!containerPorts.contains(port)) {
                    problems.add(c.where() + ": listens on " + port + " (" + c.service().portKey + ") but containerPorts are " + containerPorts);
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
                        problems.add(c.where() + ": " + probe + " calls port " + httpGet.get("port") + " (" + probePort + "), the service listens on " + port);
                    }
                    String expected = probe.equals("readinessProbe") ? "/health/ready" : "/health/live";
                    if (!expected.equals(httpGet.get("path"))) {
                        problems.add(c.where() + ": " + probe + " calls " + httpGet.get("path") + ", expected " + expected);
                    }
                }
                Map<String, Object> podLabels = (Map<String, Object>) get(deployment, "spec", "template", "metadata", "labels");
                List<Map<String, Object>> selecting = all(docs, "Service").stream().filter(s -> {
                    Map<String, Object> sel = (Map<String, Object>) get(s, "spec", "selector");
                    return sel != null && !sel.isEmpty() && sel.entrySet().stream().allMatch(e -> Objects.equals(podLabels.get(e.getKey()), e.getValue()));
                }).toList();
                if (selecting.isEmpty()) {
                    problems.add(c.where() + ": no Service selects its pods");
                }
                for (Map<String, Object> svc : selecting) {
                    List<String> portNames = new ArrayList<>();
                    for (Object sp : list(get(svc, "spec", "ports"))) {
                        Map<String, Object> spm = (Map<String, Object>) sp;
                        portNames.add((String) spm.get("name"));
                        Object target = spm.getOrDefault("targetPort", spm.get("port"));
                        Integer resolved = resolvePort(target, named);
                        if (!Objects.equals(resolved, port)) {
                            problems.add(where + " Service " + get(svc, "metadata", "name") + ": targetPort " + target + " (" + resolved
                                    + ") is not the port " + c.service().deployedName + " listens on (" + port + ")");
                        }
                    }
                    for (Map<String, Object> sm : monitors) {
                        Map<String, Object> sel = (Map<String, Object>) get(sm, "spec", "selector", "matchLabels");
                        Map<String, Object> svcLabels = (Map<String, Object>) get(svc, "metadata", "labels");
                        boolean selected = sel != null && svcLabels != null
                                && sel.entrySet().stream().allMatch(e -> Objects.equals(svcLabels.get(e.getKey()), e.getValue()));
                        if (!selected) {
                            problems.add(where + ": ServiceMonitor " + get(sm, "metadata", "name") + " does not select Service " + get(svc, "metadata", "name"));
                        } else if (!portNames.containsAll(monitorPorts)) {
                            problems.add(where + ": ServiceMonitor scrapes port(s) " + monitorPorts + ", Service " + get(svc, "metadata", "name")
                                    + " has " + portNames);
                        }
                    }
                }
            }
        }
        assertThat(problems).as("ports of k8s/overlays/*").isEmpty();
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

        stack = DevStack.start();
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
            DemoSchema.create(c);
            st.execute("INSERT INTO products SELECT g, 'product ' || g, 'cat-' || (g % 4), 10.00, now() FROM generate_series(1, 50) g");
            st.execute("INSERT INTO users SELECT g, 'user ' || g, 'u' || g || '@example.com', 'secret', now() FROM generate_series(1, 20) g");
        }
        // each service with its own registry and /metrics, as in their own pods; ports 0: any free port
        Settings settings = Settings.of(StackSettings.map(stack, Map.of(
                "sync.audit-fraction", "1", "sync.audit-delay", "1s", "sync.audit-grace", "1s",
                "sync.http-port", "0", "ingest.http-port", "0", "ingest.heartbeat-interval", "1s")));
        ingest = new IngestService(IngestConfig.from(settings)).start();
        sync = new SyncService(SyncConfig.from(settings)).start();
        api = new ApiService(ApiConfig.from(settings)).start();
        await().alias("snapshot applied").atMost(Duration.ofMinutes(2)).until(() -> sync.stats().processed() >= 70);

        // streamed changes (e2e lag), a delete (tombstone), reads of every kind, a poison command (dead letter)
        try (Connection c = stack.postgres().connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE products SET price = price + 1 WHERE id <= 10");
            st.execute("UPDATE users SET name = name || '!' WHERE id <= 5");
            st.execute("DELETE FROM products WHERE id = 50");
        }
        Map<String, Object> producerConfig = new HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.COMMANDS, "1", "this is not a command")).get(30, TimeUnit.SECONDS);
        }
        for (String path : List.of("/v1/products/1", "/v1/products/1", "/v1/products/1", "/v1/users/2", "/v1/products/99999",
                "/v1/products/99999", "/v1/products?category=cat-1", "/v1/nope/1")) {
            HTTP.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + path)).GET().build(), HttpResponse.BodyHandlers.discarding());
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

        // the gauges refresh every few seconds and the auditor compares after its delay: wait for the scrape to settle
        java.util.concurrent.atomic.AtomicReference<List<String>> problems = new java.util.concurrent.atomic.AtomicReference<>(List.of());
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(3)).until(() -> {
                Map<String, List<Map<String, String>>> scraped = new HashMap<>();
                for (String base : endpoints) {
                    parseScrape(httpGet(base + "/metrics"), scraped);
                }
                problems.set(missing(queries, scraped));
                return problems.get().isEmpty();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // reported below with what is missing
        }
        assertThat(problems.get()).as("metrics (and labels) used by the dashboard and the alert rules but not exported by "
                + "query-api, cache-sync and cdc-ingest on the devstack").isEmpty();
    }

    /** What the queries use that the scrape lacks: metric names, and label names/values in selectors and by-clauses. */
    static List<String> missing(Map<String, List<String>> queries, Map<String, List<Map<String, String>>> scraped) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        queries.forEach((where, exprs) -> {
            for (String expr : exprs) {
                Matcher m = METRIC.matcher(expr);
                while (m.find()) {
                    String name = m.group(1);
                    if (!scraped.containsKey(name) && seen.add(name)) {
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

    @SuppressWarnings("unchecked")
    static List<Deployed> composeContainers() throws IOException {
        Map<String, Object> services = (Map<String, Object>) load(COMPOSE).get("services");
        assertThat(services).as("services of docker-compose.yml")
                .containsKeys("postgres", "kafka", "redis", "cdc-ingest", "cache-sync", "query-api", "prometheus", "grafana");
        List<Deployed> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Map<String, Object> svc = (Map<String, Object>) e.getValue();
            List<String> command = command(svc.get("command"));
            Optional<Service> service = command.isEmpty() ? Optional.empty() : Service.ofCommand(command.get(0));
            if (service.isEmpty()) {
                continue;
            }
            String where = "docker-compose.yml service " + e.getKey();
            assertThat(e.getKey()).as(where + " name").isEqualTo(service.get().deployedName);
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
        Object files = svc.get("env_file");
        for (Object f : files instanceof List<?> l ? l : files == null ? List.of() : List.of(files)) {
            String file = f instanceof Map<?, ?> m ? String.valueOf(m.get("path")) : String.valueOf(f);
            Map<String, String> values = envFile(ROOT.resolve(file));
            shared.addAll(values.keySet());
            env.putAll(values);
        }
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
