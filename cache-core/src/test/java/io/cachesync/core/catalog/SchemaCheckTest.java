package io.cachesync.core.catalog;

import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.Settings;
import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SchemaCheck} on a real PostgreSQL: each kind of mismatch named with its entity, a fitting catalog accepted. */
class SchemaCheckTest {
    @TempDir
    static Path dir;
    static DevPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = new DevPostgres(dir.resolve("pg"), FreePorts.next()).start();
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.items (id bigserial PRIMARY KEY, name text, category text, secret text)");
            st.execute("CREATE TABLE public.nokey (id bigint, name text)");
            st.execute("CREATE TABLE public.pairs (tenant_id bigint, id bigint, PRIMARY KEY (tenant_id, id))");
            st.execute("CREATE TABLE public.coded (code text PRIMARY KEY, id bigint UNIQUE)");
        }
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.stop();
        }
    }

    private static EntityCatalog catalog(Map<String, String> m) {
        ArrayList<String> problems = new ArrayList<>();
        EntityCatalog c = EntityCatalog.from(Settings.of(m), problems);
        assertThat(problems).isEmpty();
        return c;
    }

    @Test
    void aCatalogThatFitsItsTablesPasses() throws Exception {
        try (Connection c = postgres.connect()) {
            assertThat(SchemaCheck.problems(c, catalog(Map.of("entities", "items", "entities.items.table", "shop.items",
                    "entities.items.sensitive", "secret", "entities.items.lists", "category", "entities.items.search.fields", "name"))))
                    .isEmpty();
        }
    }

    @Test
    void everyMismatchIsNamedWithItsEntityAndReason() throws Exception {
        try (Connection c = postgres.connect()) {
            EntityCatalog bad = catalog(Map.of("entities", "items,nokey,pairs,coded,ghost",
                    "entities.items.table", "shop.items", "entities.items.sensitive", "secrte", "entities.items.lists", "colour",
                    "entities.nokey.table", "public.nokey", "entities.pairs.table", "public.pairs", "entities.coded.table", "public.coded",
                    "entities.ghost.table", "public.ghost"));
            assertThat(SchemaCheck.problems(c, bad)).containsExactly(
                    "entities.items (shop.items): the configuration names column 'secrte', which the table does not have"
                            + " (a misspelt sensitive column would be cached)",
                    "entities.items (shop.items): the configuration names column 'colour', which the table does not have",
                    "entities.nokey (public.nokey): the table has no primary key; cachesync keys every row by it (add one)",
                    "entities.pairs (public.pairs): the primary key is composite [tenant_id, id]; only single-column keys are supported so far",
                    "entities.coded (public.coded): entities.coded.key is 'id' but the primary key is 'code'",
                    "entities.ghost (public.ghost): the table does not exist (or this user may not see it)");
            assertThatThrownBy(() -> SchemaCheck.require(c, bad, "query-api")).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("query-api: invalid configuration").hasMessageContaining("entities.ghost");
        }
    }

    @Test
    void anUnreachableDatabaseOnlyWarnsButAReachableOneThatDoesNotFitRefuses() {
        EntityCatalog ghost = catalog(Map.of("entities", "ghost", "entities.ghost.table", "public.ghost"));
        assertThatCode(() -> SchemaCheck.atStart("query-api", ghost, "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres",
                "u", "p", "disable")).as("it may start later").doesNotThrowAnyException();
        assertThatThrownBy(() -> SchemaCheck.atStart("query-api", ghost, postgres.jdbcUrl(), DevPostgres.USER, DevPostgres.PASSWORD, "disable"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("public.ghost");
    }
}
