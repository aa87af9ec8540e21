package io.cachesync.core.config;

import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ListIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class YamlSettingsReaderTest {

    /** The example at the repository root (tests run in the cache-core module directory). */
    private static final Path EXAMPLE = Path.of("..", "cachesync.example.yaml");

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static EntityCatalog catalog(Settings s) {
        List<String> problems = new ArrayList<>();
        EntityCatalog catalog = EntityCatalog.from(s, problems);
        assertThat(problems).isEmpty();
        return catalog;
    }

    @Test
    void viewsAndTheirReferencesAndChildrenAreNamedMapsThatAlsoListTheirNames() throws Exception {
        Path f = write("views.yaml", """
                views:
                  product_pages:
                    root: products
                    references:
                      brand: {entity: brands, columns: [id, name]}
                    children:
                      stock: {parent: product_id}
                      reviews: {parent: product_id, summary: rating}
                """);

        assertThat(YamlSettingsReader.read(f)).containsExactly(
                entry("views", "product_pages"),
                entry("views.product_pages.root", "products"),
                entry("views.product_pages.references", "brand"),
                entry("views.product_pages.references.brand.entity", "brands"),
                entry("views.product_pages.references.brand.columns", "id,name"),
                entry("views.product_pages.children", "stock,reviews"),
                entry("views.product_pages.children.stock.parent", "product_id"),
                entry("views.product_pages.children.reviews.parent", "product_id"),
                entry("views.product_pages.children.reviews.summary", "rating"));
    }

    @Test
    void exampleFileIsAValidDemoCatalog() {
        EntityCatalog catalog = catalog(Settings.load(Optional.of(EXAMPLE), Map.of()));

        assertThat(catalog.all()).extracting(EntityDefinition::name).containsExactly("products", "users");
        EntityDefinition products = catalog.byName("products").orElseThrow();
        assertThat(products.qualifiedTable()).isEqualTo("public.products");
        assertThat(products.key().names()).containsExactly("id");
        assertThat(products.sensitive()).isEmpty();
        assertThat(products.query().lists()).containsExactly(new ListIndex("category", 100));
        assertThat(products.query().searchFields()).containsExactly("name", "category");
        assertThat(products.query().searchTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(products.query().httpMaxAge()).isEqualTo(Duration.ofSeconds(5));
        assertThat(products.ttl()).isEqualTo(Duration.ofHours(1));
        EntityDefinition users = catalog.byName("users").orElseThrow();
        assertThat(users.qualifiedTable()).isEqualTo("public.users");
        assertThat(users.key().names()).containsExactly("id");
        assertThat(users.sensitive()).containsExactly("password_hash");
        assertThat(users.query().lists()).isEmpty();
    }

    @Test
    void exampleFileSetsExactlyTheDemoEntityKeysPlusTheProductQueries() {
        Map<String, String> entityKeys = new LinkedHashMap<>();
        YamlSettingsReader.read(EXAMPLE).forEach((k, v) -> {
            if (k.equals("entities") || k.startsWith("entities.")) {
                entityKeys.put(k, v);
            }
        });

        // DemoSchema.ENTITIES, plus the lists, search and http-max-age of products
        assertThat(entityKeys).containsExactly(
                entry("entities.products.table", "public.products"),
                entry("entities.products.key", "id"),
                entry("entities.products.lists.category.max-per-page", "100"),
                entry("entities.products.lists", "category"),
                entry("entities.products.search.fields", "name,category"),
                entry("entities.products.search.ttl", "30s"),
                entry("entities.products.http-max-age", "5s"),
                entry("entities.users.table", "public.users"),
                entry("entities.users.key", "id"),
                entry("entities.users.sensitive", "password_hash"),
                entry("entities", "products,users"));
    }

    @Test
    void exampleFileHoldsTheServiceDefaultsAndNoSecrets() {
        Map<String, String> values = YamlSettingsReader.read(EXAMPLE);

        assertThat(values).contains(
                entry("postgres.url", "jdbc:postgresql://127.0.0.1:5432/postgres"),
                entry("postgres.user", "postgres"),
                entry("postgres.sslmode", "prefer"),
                entry("redis.url", "redis://127.0.0.1:6379"),
                entry("kafka.replication-factor", "1"),
                entry("ingest.slot-name", "cachesync"),
                entry("api.port", "8080"),
                entry("api.lease-wait", "50ms"),
                entry("sync.audit-fraction", "0.01"),
                entry("sync.redis-retry-for", "2m"));
        // empty keys keep their defaults: passwords come from the environment, the state dir from java.io.tmpdir
        assertThat(values).doesNotContainKeys("postgres.password", "kafka.sasl.jaas-config", "kafka.ssl.truststore.password",
                "kafka.ssl.keystore.password", "sync.state-dir");
        for (ConfigKey key : KafkaClientSettings.KEYS) {
            assertThat(values.getOrDefault(key.name(), "")).as(key.name()).isEqualTo(key.defaultValue());
        }
        List<String> problems = new ArrayList<>();
        KafkaClientSettings.from(Settings.load(Optional.of(EXAMPLE), Map.of()), problems);
        assertThat(problems).isEmpty();
    }

    @Test
    void environmentVariablesWinOverTheYamlFile() throws IOException {
        Path file = write("cachesync.yaml", """
                entities:
                  products:
                    ttl: 1h
                    search: {fields: [name], ttl: 30s}
                """);

        Settings s = Settings.load(Optional.of(file), Map.of(
                "CACHESYNC_ENTITIES_PRODUCTS_TTL", "10m",
                "CACHESYNC_ENTITIES_PRODUCTS_SEARCH_TTL", "1m"));

        EntityDefinition products = catalog(s).byName("products").orElseThrow();
        assertThat(products.ttl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(products.query().searchTtl()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.origin()).isEqualTo(file + " + environment");
    }

    @Test
    void environmentVariablesWinOverTheExampleFile() {
        Settings s = Settings.load(Optional.of(EXAMPLE), Map.of("CACHESYNC_ENTITIES_PRODUCTS_TTL", "10m",
                "CACHESYNC_ENTITIES_USERS_SENSITIVE", "password_hash,email"));

        EntityCatalog catalog = catalog(s);
        assertThat(catalog.byName("products").orElseThrow().ttl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(catalog.byName("users").orElseThrow().sensitive()).containsExactlyInAnyOrder("password_hash", "email");
    }

    @Test
    void flattensMapsListsAndScalarsIntoTheFlatKeys() throws IOException {
        Path file = write("c.yml", """
                redis: {url: "redis://cache:6379"}
                kafka:
                  bootstrap.servers: k1:9092,k2:9092     # a dotted key is the same as nested maps
                  security: {protocol: SSL}
                sync:
                  audit-fraction: 0.10
                  threads: 4
                  enabled: true
                  state-dir:            # null: not set
                  application-id: ~     # null: not set
                  note: ''              # an empty string is set
                entities:
                  users:
                    sensitive: [password_hash, ssn]
                  products:
                    lists:
                      - {field: category, max-per-page: 100}
                      - field: brand
                      - price_band      # short for {field: price_band}
                    search: {fields: [name, category], ttl: 30s}
                  orders:               # every default
                """);

        Map<String, String> values = YamlSettingsReader.read(file);

        assertThat(values).containsExactly(
                entry("redis.url", "redis://cache:6379"),
                entry("kafka.bootstrap.servers", "k1:9092,k2:9092"),
                entry("kafka.security.protocol", "SSL"),
                entry("sync.audit-fraction", "0.10"),
                entry("sync.threads", "4"),
                entry("sync.enabled", "true"),
                entry("sync.note", ""),
                entry("entities.users.sensitive", "password_hash,ssn"),
                entry("entities.products.lists.category.max-per-page", "100"),
                entry("entities.products.lists", "category,brand,price_band"),
                entry("entities.products.search.fields", "name,category"),
                entry("entities.products.search.ttl", "30s"),
                entry("entities", "users,products,orders"));
        EntityCatalog catalog = catalog(Settings.load(Optional.of(file), Map.of()));
        assertThat(catalog.byName("products").orElseThrow().query().lists()).containsExactly(
                new ListIndex("category", 100), new ListIndex("brand", 100), new ListIndex("price_band", 100));
    }

    @Test
    void anEmptyFileSetsNothing() throws IOException {
        assertThat(YamlSettingsReader.read(write("empty.yaml", "# nothing yet\n"))).isEmpty();
    }

    @Test
    void aListItemWithoutFieldOrWithAnUnknownKeyIsNamedByItsPath() throws IOException {
        Path file = write("c.yaml", """
                entities:
                  products:
                    lists:
                      - {field: category, size: 10}
                      - {max-per-page: 50}
                      - {field: category}
                      - {field: [a, b]}
                """);

        assertThatThrownBy(() -> YamlSettingsReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config file " + file + ": invalid configuration")
                .hasMessageContaining("  - entities.products.lists[0]: unknown key 'size' (expected field, max-per-page)")
                .hasMessageContaining("  - entities.products.lists[1].field is missing")
                .hasMessageContaining("  - entities.products.lists[2]: field 'category' is listed twice")
                .hasMessageContaining("  - entities.products.lists[3].field must be a column name, found a list");
    }

    @Test
    void listsMustBeAListOfFieldSettings() throws IOException {
        Path file = write("c.yaml", """
                entities:
                  products:
                    lists: {category: {max-per-page: 100}}
                  users:
                    lists: [[category]]
                """);

        assertThatThrownBy(() -> YamlSettingsReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("entities.products.lists must be a list of {field: <column>, max-per-page: <n>}, found a map")
                .hasMessageContaining("entities.users.lists[0] must be {field: <column>, max-per-page: <n>}, found a list");
    }

    @Test
    void anyOtherListOfMapsIsNamedByItsPath() throws IOException {
        Path file = write("c.yaml", """
                entities:
                  users:
                    sensitive:
                      - column: password_hash
                sync:
                  threads: [[1, 2]]
                """);

        assertThatThrownBy(() -> YamlSettingsReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("entities.users.sensitive[0] is a map, but only entities.<name>.lists takes a list of maps")
                .hasMessageContaining("sync.threads[0] is a list");
    }

    @Test
    void theRootMustBeAMap() throws IOException {
        Path list = write("list.yaml", "- redis.url: redis://x\n");
        Path scalar = write("scalar.yaml", "redis.url=redis://x\n");

        assertThatThrownBy(() -> YamlSettingsReader.read(list))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config file " + list)
                .hasMessageContaining("the document root must be a map of settings (such as 'redis: {url: ...}'), found a list");
        assertThatThrownBy(() -> YamlSettingsReader.read(scalar))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the document root must be a map of settings (such as 'redis: {url: ...}'), found the value 'redis.url=redis://x'");
    }

    @Test
    void entitiesMustBeAMapOfEntityMaps() throws IOException {
        Path list = write("list.yaml", "entities: [users, products]\n");
        Path scalarEntity = write("scalar.yaml", "entities:\n  users: public.users\n  'a,b': {}\n");

        assertThatThrownBy(() -> YamlSettingsReader.read(list))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("entities must be a map of entity name to its settings");
        assertThatThrownBy(() -> YamlSettingsReader.read(scalarEntity))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("entities.users must be a map of the entity's settings (table, key, ttl, ...), found the value 'public.users'")
                .hasMessageContaining("entities: 'a,b' is not a valid entity name");
    }

    @Test
    void duplicateKeysAliasesCommasAndExtraDocumentsAreNamed() throws IOException {
        Path file = write("c.yaml", """
                redis:
                  url: redis://a:6379
                  url: redis://b:6379
                kafka.replication-factor: 1
                kafka:
                  replication-factor: 3
                api:
                  host: &h 0.0.0.0
                sync:
                  application-id: *h
                entities:
                  users:
                    sensitive: ["a,b", ~]
                ---
                more: 1
                """);

        assertThatThrownBy(() -> YamlSettingsReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("  - redis.url is set twice")
                .hasMessageContaining("  - kafka.replication-factor is set twice")
                .hasMessageContaining("  - sync.application-id: YAML aliases (*h) are not supported")
                .hasMessageContaining("  - entities.users.sensitive[0]: 'a,b' holds a comma")
                .hasMessageContaining("  - entities.users.sensitive[1] is empty")
                .hasMessageContaining("  - the file holds more than one YAML document");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        Path file = write("c.yaml", """
                entities:
                  products:
                    lists:
                      - {max-per-page: 100}
                      - {field: category, size: 10}
                    search: [{fields: name}]
                """);

        assertThatThrownBy(() -> Settings.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(String.join(System.lineSeparator(),
                        "config file " + file + ": invalid configuration",
                        "  - entities.products.lists[0].field is missing",
                        "  - entities.products.lists[1]: unknown key 'size' (expected field, max-per-page)",
                        "  - entities.products.search[0] is a map, but only entities.<name>.lists takes a list of maps: "
                                + "write entities.products.search as a list of values"));
    }

    @Test
    void aSyntaxErrorNamesTheFileLineAndColumn() throws IOException {
        Path file = write("c.yaml", """
                redis:
                  url: redis://127.0.0.1:6379
                sync:
                  threads: 1: 2
                """);

        assertThatThrownBy(() -> Settings.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file " + file + ": invalid configuration" + System.lineSeparator()
                        + "  - YAML syntax error at line 4, column 13: mapping values are not allowed here");
    }

    @Test
    void aSyntaxErrorWithContextNamesBothPositions() throws IOException {
        Path file = write("c.yaml", "sync:\n  threads: 1\n application-id: x\n");

        assertThatThrownBy(() -> YamlSettingsReader.read(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config file " + file)
                .hasMessageMatching("(?s).*YAML syntax error at line 3, column 2: .+ \\(while parsing a block mapping at line 1, column 1\\).*");
    }

    @Test
    void propertiesFilesStillLoadAsBefore() throws IOException {
        Path file = write("cachesync.properties", """
                entities=users
                entities.users.sensitive = password_hash
                entities.users.ttl=30m
                """);

        Settings s = Settings.load(Optional.of(file), Map.of("CACHESYNC_ENTITIES_USERS_TTL", "2h", "OTHER", "x"));

        assertThat(s.raw("entities.users.sensitive")).contains("password_hash");
        EntityDefinition users = catalog(s).byName("users").orElseThrow();
        assertThat(users.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(users.sensitive()).containsExactly("password_hash");
    }

    @Test
    void yamlIsChosenByTheFileName() {
        assertThat(YamlSettingsReader.isYaml(Path.of("cachesync.yaml"))).isTrue();
        assertThat(YamlSettingsReader.isYaml(Path.of("conf", "cachesync.YML"))).isTrue();
        assertThat(YamlSettingsReader.isYaml(Path.of("cachesync.properties"))).isFalse();
        assertThat(YamlSettingsReader.isYaml(Path.of("yaml"))).isFalse();
    }

    @Test
    void aMissingFileIsStillReported() {
        Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> Settings.load(Optional.of(missing), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config file " + missing + " does not exist or is not readable");
    }
}
