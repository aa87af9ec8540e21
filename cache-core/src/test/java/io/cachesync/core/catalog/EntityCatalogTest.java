package io.cachesync.core.catalog;

import io.cachesync.core.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class EntityCatalogTest {

    private static EntityCatalog parse(Map<String, String> values, List<String> problems) {
        return EntityCatalog.from(Settings.of(values), problems);
    }

    private static List<String> problemsOf(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        parse(values, problems);
        return problems;
    }

    @Test
    void validCatalogParsesWithDefaults() {
        List<String> problems = new ArrayList<>();

        EntityCatalog catalog = parse(Map.of("entities", "users, products"), problems);

        assertThat(problems).isEmpty();
        assertThat(catalog.all()).extracting(EntityDefinition::name).containsExactly("users", "products");
        EntityDefinition users = catalog.byName("users").orElseThrow();
        assertThat(users.schema()).isEqualTo("public");
        assertThat(users.table()).isEqualTo("users");
        assertThat(users.qualifiedTable()).isEqualTo("public.users");
        assertThat(users.key().columns()).as("assumed until the table's primary key is read").containsExactly(new EntityKey.Column("id", KeyType.BIGINT));
        assertThat(users.key().origin()).isEqualTo(EntityKey.Origin.ASSUMED);
        assertThat(users.ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(users.ttlJitter()).isEqualTo(0.1);
        assertThat(users.tombstoneTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(users.sensitive()).isEmpty();
        assertThat(catalog.byTable("public.products")).map(EntityDefinition::name).contains("products");
        assertThat(catalog.byName("orders")).isEmpty();
    }

    @Test
    void everyEntitySettingIsRead() {
        List<String> problems = new ArrayList<>();

        EntityCatalog catalog = parse(Map.of(
                "entities", "users",
                "entities.users.table", "app.accounts",
                "entities.users.key", "account_id",
                "entities.users.key-type", "UUID",
                "entities.users.ttl", "30m",
                "entities.users.ttl-jitter", "0",
                "entities.users.tombstone-ttl", "PT15S",
                "entities.users.sensitive", "password_hash, totp_secret"), problems);

        assertThat(problems).isEmpty();
        EntityDefinition users = catalog.byName("users").orElseThrow();
        assertThat(users.qualifiedTable()).isEqualTo("app.accounts");
        assertThat(catalog.byTable("app.accounts")).contains(users);
        assertThat(users.key()).isEqualTo(EntityKey.single("account_id", KeyType.UUID_TYPE));
        assertThat(users.ttl()).isEqualTo(Duration.ofMinutes(30));
        assertThat(users.ttlJitter()).isZero();
        assertThat(users.tombstoneTtl()).isEqualTo(Duration.ofSeconds(15));
        assertThat(users.sensitive()).containsExactlyInAnyOrder("password_hash", "totp_secret");
        assertThat(users.isCached("password_hash")).isFalse();
        assertThat(users.isCached("email")).isTrue();
    }

    @Test
    void badTtlIsAProblemNamingItsKey() {
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.ttl", "soon")))
                .singleElement().asString().contains("entities.users.ttl").contains("soon");
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.ttl", "0s")))
                .singleElement().asString().contains("entities.users.ttl");
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.ttl", "-5m")))
                .singleElement().asString().contains("entities.users.ttl");
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.ttl", " ")))
                .singleElement().asString().contains("entities.users.ttl");
    }

    @Test
    void badKeyTypeIsAProblemNamingItsKey() {
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.key-type", "float")))
                .singleElement().asString().contains("entities.users.key-type").contains("float");
    }

    @Test
    void jitterOutsideZeroToOneIsAProblemNamingItsKey() {
        for (String bad : List.of("1", "1.5", "-0.1", "NaN", "ten percent")) {
            assertThat(problemsOf(Map.of("entities", "users", "entities.users.ttl-jitter", bad)))
                    .as("ttl-jitter=%s", bad)
                    .singleElement().asString().contains("entities.users.ttl-jitter");
        }
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.ttl-jitter", "0.99"))).isEmpty();
    }

    @Test
    void badTombstoneTtlIsAProblemNamingItsKey() {
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.tombstone-ttl", "0")))
                .singleElement().asString().contains("entities.users.tombstone-ttl");
    }

    @Test
    void sensitiveColumnsMayNotIncludeTheKey() {
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.sensitive", "password_hash,id")))
                .singleElement().asString().contains("entities.users.sensitive").contains("'id'");
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.key", "email",
                "entities.users.sensitive", "email")))
                .singleElement().asString().contains("entities.users.sensitive").contains("'email'");
    }

    @Test
    void emptyEntityListIsAProblem() {
        List<String> problems = new ArrayList<>();

        EntityCatalog catalog = parse(Map.of(), problems);

        assertThat(catalog.all()).isEmpty();
        assertThat(problems).singleElement().asString().startsWith("entities is empty");
        assertThat(problemsOf(Map.of("entities", " , "))).singleElement().asString().contains("entities");
    }

    @Test
    void invalidEntityNameIsAProblemNamingTheEntity() {
        List<String> problems = new ArrayList<>();

        EntityCatalog catalog = parse(Map.of("entities", "Users,9lives,ok,bad-name"), problems);

        assertThat(catalog.all()).extracting(EntityDefinition::name).containsExactly("ok");
        assertThat(problems).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("entities:"));
        assertThat(problems.get(0)).contains("'Users'");
        assertThat(problems.get(1)).contains("'9lives'");
        assertThat(problems.get(2)).contains("'bad-name'");
    }

    @Test
    void badTableAndKeyNamesAreProblemsNamingTheirKeys() {
        List<String> problems = problemsOf(Map.of("entities", "users",
                "entities.users.table", "public.Users; drop",
                "entities.users.key", "1d"));

        assertThat(problems).hasSize(2);
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("entities.users.table").contains("letters, digits, _ and $"));
        assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("entities.users.key: ").contains("'1d'"));
        assertThat(problemsOf(Map.of("entities", "users", "entities.users.table", "public.user accounts"))).singleElement()
                .asString().startsWith("entities.users.table");
    }

    @Test
    void namesAreTakenAsPostgresStoresThemInAnyCase() {
        List<String> problems = new ArrayList<>();
        EntityCatalog catalog = parse(Map.of("entities", "customers", "entities.customers.table", "Sales.OrderItems",
                "entities.customers.key", "tenantId,Id", "entities.customers.lists", "Status",
                "entities.customers.search.fields", "fullName", "entities.customers.sensitive", "SSN"), problems);
        assertThat(problems).isEmpty();
        EntityDefinition e = catalog.byName("customers").orElseThrow();
        assertThat(e.qualifiedTable()).isEqualTo("Sales.OrderItems");
        assertThat(e.key().names()).containsExactly("tenantId", "Id");
        assertThat(e.key().columnList()).as("quoted in SQL").isEqualTo("\"tenantId\", \"Id\"");
        assertThat(e.isCached("SSN")).isFalse();
        assertThat(e.isCached("ssn")).as("another column").isTrue();
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        List<String> problems = problemsOf(Map.of("entities", "users,orders",
                "entities.users.ttl", "never",
                "entities.orders.key-type", "blob",
                "entities.orders.ttl-jitter", "2"));

        assertThat(problems).hasSize(3);
        assertThat(String.join("\n", problems))
                .contains("entities.users.ttl")
                .contains("entities.orders.key-type")
                .contains("entities.orders.ttl-jitter");
    }

    @Test
    void environmentOverridesWinOverFileValues(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cachesync.properties");
        Files.writeString(file, """
                entities=users
                entities.users.ttl=1h
                entities.users.key-type=bigint
                entities.x.ttl=5m
                """);
        List<String> problems = new ArrayList<>();

        Settings settings = Settings.load(Optional.of(file), Map.of(
                "CACHESYNC_ENTITIES", "x",
                "CACHESYNC_ENTITIES_X_TTL", "90s",
                "CACHESYNC_ENTITIES_X_KEY_TYPE", "text",
                "CACHESYNC_ENTITIES_X_TTL_JITTER", "0.25",
                "UNRELATED_VARIABLE", "ignored"));
        EntityCatalog catalog = EntityCatalog.from(settings, problems);

        assertThat(problems).isEmpty();
        assertThat(catalog.all()).extracting(EntityDefinition::name).containsExactly("x");
        EntityDefinition x = catalog.byName("x").orElseThrow();
        assertThat(x.ttl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(x.key()).isEqualTo(EntityKey.single("id", KeyType.TEXT));
        assertThat(x.ttlJitter()).isEqualTo(0.25);
        assertThat(x.tombstoneTtl()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void environmentAloneConfiguresTheCatalog() {
        List<String> problems = new ArrayList<>();

        EntityCatalog catalog = EntityCatalog.from(Settings.load(Optional.empty(), Map.of(
                "CACHESYNC_ENTITIES", "x",
                "CACHESYNC_ENTITIES_X_TTL", "2h",
                "CACHESYNC_ENTITIES_X_SENSITIVE", "secret")), problems);

        assertThat(problems).isEmpty();
        EntityDefinition x = catalog.byName("x").orElseThrow();
        assertThat(x.ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(x.sensitive()).containsExactly("secret");
    }

    @Test
    void badEnvironmentValueIsReportedUnderTheConfigKey() {
        List<String> problems = new ArrayList<>();

        EntityCatalog.from(Settings.load(Optional.empty(), Map.of(
                "CACHESYNC_ENTITIES", "x",
                "CACHESYNC_ENTITIES_X_TTL_JITTER", "lots")), problems);

        assertThat(problems).singleElement().asString().contains("entities.x.ttl-jitter").contains("lots");
    }

    @Test
    void anEntityIsFedByCdcByDefaultOrByCommandsAndNothingElse() {
        List<String> problems = new ArrayList<>();
        EntityCatalog catalog = parse(Map.of("entities", "products,accounts", "entities.accounts.source", "Commands"), problems);
        assertThat(problems).isEmpty();
        assertThat(catalog.byName("products").orElseThrow().source()).isEqualTo(EntityDefinition.Source.CDC);
        assertThat(catalog.byName("accounts").orElseThrow().source()).isEqualTo(EntityDefinition.Source.COMMANDS);
        assertThat(catalog.cdcFed()).extracting(EntityDefinition::name).containsExactly("products");
        assertThat(problemsOf(Map.of("entities", "products", "entities.products.source", "both")))
                .anySatisfy(p -> assertThat(p).contains("entities.products.source").contains("cdc").contains("commands"));
    }

    @Test
    void aCompositeKeyListsItsColumnsInKeyOrderWithATypeForEach() {
        List<String> problems = new ArrayList<>();

        EntityCatalog catalog = parse(Map.of("entities", "lines", "entities.lines.key", "tenant_id, order_id, line",
                "entities.lines.key-type", "text,uuid,bigint", "entities.lines.lists", "tenant_id"), problems);

        assertThat(problems).isEmpty();
        EntityKey key = catalog.byName("lines").orElseThrow().key();
        assertThat(key.columns()).containsExactly(new EntityKey.Column("tenant_id", KeyType.TEXT),
                new EntityKey.Column("order_id", KeyType.UUID_TYPE), new EntityKey.Column("line", KeyType.BIGINT));
        assertThat(key.origin()).isEqualTo(EntityKey.Origin.DECLARED);
        assertThat(catalog.byName("lines").orElseThrow().query().lists()).extracting(ListIndex::field)
                .as("a part of a composite key may be listed by").containsExactly("tenant_id");
    }

    @Test
    void keyColumnsWithoutTypesAreLeftToTheTableAndMismatchedListsAreRefused() {
        List<String> problems = new ArrayList<>();

        EntityCatalog catalog = parse(Map.of("entities", "a,b,c", "entities.a.key", "tenant_id,id",
                "entities.b.key", "x,y", "entities.b.key-type", "text",
                "entities.c.key", "id,id"), problems);

        assertThat(catalog.byName("a").orElseThrow().key().origin()).isEqualTo(EntityKey.Origin.COLUMNS_DECLARED);
        assertThat(problems).containsExactly(
                "entities.b.key-type gives 1 type(s) for 2 key column(s) [x, y]",
                "entities.c.key names a column twice: [id, id]");
    }
}
