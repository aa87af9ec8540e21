package io.cachesync.core.catalog;

import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.PostgresEndpoint;
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
        postgres = DevPostgres.start(dir.resolve("pg"));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE TABLE shop.items (id bigserial PRIMARY KEY, name text, category text, secret text)");
            st.execute("CREATE TABLE public.nokey (id bigint, name text)");
            st.execute("CREATE TABLE public.pairs (tenant_id bigint, id bigint, PRIMARY KEY (tenant_id, id))");
            st.execute("CREATE TABLE public.coded (code text PRIMARY KEY, id bigint UNIQUE)");
            st.execute("CREATE DOMAIN tenant AS varchar(40)");
            st.execute("CREATE TABLE public.lines (tenant_id tenant, order_id uuid, line smallint, qty int, PRIMARY KEY (tenant_id, order_id, line))");
            st.execute("CREATE TABLE public.dated (day date PRIMARY KEY)");
            st.execute("CREATE TABLE public.drift (id bigint PRIMARY KEY, name text, ssn text)");
            st.execute("INSERT INTO public.drift VALUES (1, 'a', '123-45')");
            st.execute("CREATE TABLE public.padded (code char(4) PRIMARY KEY)");
            st.execute("CREATE TABLE public.gen (id bigint PRIMARY KEY, name text, upper_name text GENERATED ALWAYS AS (upper(name)) STORED,"
                    + " words tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(name, ''))) STORED)");
            st.execute("CREATE TYPE mood AS ENUM ('calm', 'busy')");
            st.execute("CREATE DOMAIN grade AS char(3)");
            st.execute("CREATE TABLE public.listed (id bigint PRIMARY KEY, owner int, small smallint, open boolean, team uuid, code char(4),"
                    + " level grade, state mood, cat varchar(20), price numeric(8,2), day date, at timestamptz, score float8, tags text[],"
                    + " doc jsonb)");
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
    void aSensitiveColumnRenamedWhileRunningIsFoundAndItsRowsAreNotRead() throws Exception {
        EntityDefinition drift = catalog(Map.of("entities", "drift", "entities.drift.sensitive", "ssn")).byName("drift").orElseThrow();
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            assertThat(SchemaCheck.missingSensitive(c, drift)).isEmpty();
            assertThat(io.cachesync.core.consistency.RowQueries.document(c, drift, "1")).hasValueSatisfying(d -> assertThat(d).doesNotContain("123-45"));
            st.execute("ALTER TABLE public.drift RENAME COLUMN ssn TO tax_id");
            assertThat(SchemaCheck.missingSensitive(c, drift)).containsExactly("ssn");
            assertThatThrownBy(() -> io.cachesync.core.consistency.RowQueries.document(c, drift, "1"))
                    .isInstanceOf(io.cachesync.core.codec.SensitiveColumnMissingException.class)
                    .hasMessage("entities.drift.sensitive names [ssn], which public.drift no longer has (renamed or dropped?): its rows are"
                            + " not read until the configuration names the table's sensitive columns again (then restart the services)");
        }
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
                    "entities.nokey.table", "public.nokey", "entities.pairs.table", "public.pairs", "entities.pairs.key-type", "bigint",
                    "entities.coded.table", "public.coded", "entities.coded.key", "id",
                    "entities.ghost.table", "public.ghost"));
            assertThat(SchemaCheck.problems(c, bad)).containsExactly(
                    "entities.items (shop.items): the configuration names column 'secrte', which the table does not have"
                            + " (a misspelt sensitive column would be cached)",
                    "entities.items (shop.items): the configuration names column 'colour', which the table does not have",
                    "entities.nokey (public.nokey): the table has no primary key; cachesync keys every row by it (add one)",
                    "entities.pairs (public.pairs): entities.pairs.key is id but the primary key is tenant_id,id"
                            + " (leave entities.pairs.key out to use the primary key)",
                    "entities.coded (public.coded): entities.coded.key is id but the primary key is code (leave entities.coded.key out to use the primary key)",
                    "entities.ghost (public.ghost): the table does not exist (or this user may not see it)");
            assertThatThrownBy(() -> SchemaCheck.require(c, bad, "query-api")).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("query-api: invalid configuration").hasMessageContaining("entities.ghost");
        }
    }

    @Test
    void keysAreReadFromThePrimaryKeyWithTheirTypesDomainsResolved() throws Exception {
        try (Connection c = postgres.connect()) {
            EntityCatalog resolved = SchemaCheck.resolve(c, catalog(Map.of("entities", "items,pairs,coded,lines",
                    "entities.items.table", "shop.items", "entities.coded.table", "public.coded")), "query-api");
            assertThat(resolved.byName("items").orElseThrow().key()).hasToString("id bigint");
            assertThat(resolved.byName("pairs").orElseThrow().key()).hasToString("(tenant_id bigint, id bigint)");
            assertThat(resolved.byName("coded").orElseThrow().key()).hasToString("code text");
            EntityKey lines = resolved.byName("lines").orElseThrow().key();
            assertThat(lines.columns()).containsExactly(new EntityKey.Column("tenant_id", KeyType.TEXT),
                    new EntityKey.Column("order_id", KeyType.UUID_TYPE), new EntityKey.Column("line", KeyType.BIGINT));
            assertThat(lines.origin()).isEqualTo(EntityKey.Origin.CATALOG);
        }
    }

    @Test
    void keyColumnsAndTypesThatDoNotFitThePrimaryKeyAreRefused() throws Exception {
        try (Connection c = postgres.connect()) {
            EntityCatalog bad = catalog(Map.of("entities", "pairs,coded,dated,padded,lines",
                    "entities.pairs.key", "id,tenant_id", "entities.coded.key-type", "bigint", "entities.coded.key", "code",
                    "entities.lines.sensitive", "order_id"));
            assertThat(SchemaCheck.problems(c, bad)).containsExactly(
                    "entities.pairs (public.pairs): entities.pairs.key is id,tenant_id but the primary key is tenant_id,id"
                            + " (leave entities.pairs.key out to use the primary key)",
                    "entities.coded (public.coded): entities.coded.key-type says code bigint but the table's key is code text"
                            + " (leave key-type out to use the table's types)",
                    "entities.dated (public.dated): primary-key column 'day' is date; cachesync keys rows by smallint, integer,"
                            + " bigint (and serials), text, varchar or uuid columns",
                    "entities.padded (public.padded): primary-key column 'code' is bpchar; cachesync keys rows by smallint, integer,"
                            + " bigint (and serials), text, varchar or uuid columns",
                    "entities.lines (public.lines): entities.lines.sensitive names primary-key column(s) [order_id]: the key is always served");
        }
    }

    @Test
    void generatedColumnsAreReadFromTheTableAndNeverCached() throws Exception {
        try (Connection c = postgres.connect()) {
            EntityCatalog resolved = SchemaCheck.resolve(c, catalog(Map.of("entities", "gen", "entities.gen.search.fields", "upper_name",
                    "views", "gen_pages", "views.gen_pages.root", "gen")), "query-api");
            EntityDefinition gen = resolved.byName("gen").orElseThrow();
            assertThat(gen.generated()).as("tsvector would be refused if it were cached").containsExactlyInAnyOrder("upper_name", "words");
            assertThat(gen.isCached("name")).isTrue();
            assertThat(gen.isCached("upper_name")).isFalse();
            assertThat(resolved.byName("gen_pages").orElseThrow().isCached("upper_name")).as("a view takes its root's").isFalse();

            EntityCatalog bad = catalog(Map.of("entities", "gen", "entities.gen.lists", "upper_name",
                    "views", "gen_pages", "views.gen_pages.root", "gen", "views.gen_pages.columns", "id,upper_name"));
            assertThat(SchemaCheck.problems(c, bad)).containsExactly(
                    "entities.gen (public.gen): entities.gen.lists names the generated column 'upper_name': logical replication does"
                            + " not carry its value, so a change could not tell which list the row left or joined",
                    "views.gen_pages.columns: 'upper_name' is a generated column of public.gen: logical replication does not carry"
                            + " its value, so cachesync never caches it");
        }
    }

    @Test
    void listColumnsAreComparedByTheirTypeAndTypesWhoseDocumentTextIsNotPostgresAreRefused() throws Exception {
        try (Connection c = postgres.connect()) {
            EntityCatalog resolved = SchemaCheck.resolve(c, catalog(Map.of("entities", "listed",
                    "entities.listed.lists", "owner,small,open,team,code,level,state,cat,price,day")), "query-api");
            var lists = resolved.byName("listed").orElseThrow().query();
            assertThat(lists.list("owner").orElseThrow().type()).isEqualTo(ListColumnType.INTEGER);
            assertThat(lists.list("small").orElseThrow().type()).isEqualTo(ListColumnType.INTEGER);
            assertThat(lists.list("open").orElseThrow().type()).isEqualTo(ListColumnType.BOOLEAN);
            assertThat(lists.list("team").orElseThrow().type()).isEqualTo(ListColumnType.UUID);
            assertThat(lists.list("code").orElseThrow().type()).isEqualTo(ListColumnType.padded(4));
            assertThat(lists.list("level").orElseThrow().type()).as("a domain's length").isEqualTo(ListColumnType.padded(3));
            for (String text : new String[] {"state", "cat", "price", "day"}) {
                assertThat(lists.list(text).orElseThrow().type()).as(text).isEqualTo(ListColumnType.TEXT);
            }

            EntityCatalog bad = catalog(Map.of("entities", "listed", "entities.listed.lists", "at,score,tags,doc,owner"));
            assertThat(SchemaCheck.problems(c, bad)).hasSize(4).allSatisfy(p -> assertThat(p)
                    .startsWith("entities.listed.lists (public.listed): column '")
                    .contains("whose text in a cached document is not PostgreSQL's, so its list pages could not be kept fresh;"
                            + " list by a column of smallint, integer, bigint, boolean, uuid,"));
            assertThat(String.join("\n", SchemaCheck.problems(c, bad))).contains("'at' has type timestamp with time zone",
                    "'score' has type double precision", "'tags' has type text[]", "'doc' has type jsonb");
        }
    }

    @Test
    void anUnreachableDatabaseOnlyWarnsWhenEveryKeyIsConfiguredButAReachableOneThatDoesNotFitRefuses() {
        EntityCatalog ghost = catalog(Map.of("entities", "ghost", "entities.ghost.table", "public.ghost", "entities.ghost.key-type", "text"));
        String nowhere = "jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/postgres";
        assertThatCode(() -> SchemaCheck.atStart("query-api", ghost, new PostgresEndpoint(nowhere, "u", "p", "disable"))).as("it may start later")
                .doesNotThrowAnyException();
        EntityCatalog undeclared = catalog(Map.of("entities", "ghost", "entities.ghost.table", "public.ghost"));
        assertThatThrownBy(() -> SchemaCheck.atStart("query-api", undeclared, new PostgresEndpoint(nowhere, "u", "p", "disable")))
                .as("without the database nothing tells its key").isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read the primary key of [entities.ghost]").hasMessageContaining("entities.<name>.key-type");
        assertThatThrownBy(() -> SchemaCheck.atStart("query-api", ghost, new PostgresEndpoint(postgres.jdbcUrl(), DevPostgres.USER, DevPostgres.PASSWORD, "disable")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("public.ghost");
    }
}
