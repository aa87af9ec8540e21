package io.cachesync.core.catalog;

import io.cachesync.core.config.Settings;
import io.cachesync.devstack.DevPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ColumnTypeCheck} on a real PostgreSQL: types resolved through pg_catalog, each refusal named with its reason. */
class ColumnTypeCheckTest {
    @TempDir
    static Path dir;
    static DevPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = DevPostgres.start(dir.resolve("pg"));
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TYPE mood AS ENUM ('sad', 'happy')");
            st.execute("CREATE TYPE pair AS (a integer, b text)");
            st.execute("CREATE DOMAIN posint AS integer CHECK (VALUE > 0)");
            st.execute("CREATE DOMAIN amount AS numeric(10,2)");
            st.execute("CREATE DOMAIN big_amount AS amount");
            st.execute("CREATE DOMAIN spot AS point");
            st.execute("CREATE SCHEMA shop");
            st.execute("CREATE EXTENSION citext");
            st.execute("""
                    CREATE TABLE shop.fine (id bigserial PRIMARY KEY, s smallint, i integer, o oid, n numeric(10,2), m money,
                      r real, d double precision, b boolean, t text, vc varchar(4), c char(2), u uuid, j json, jb jsonb,
                      by bytea, dt date, tm time, ttz timetz, ts timestamp, tz timestamptz, iv interval, ip inet, nw cidr,
                      mac macaddr, e mood, p posint, a big_amount, ir int4range, br int8range, nr numrange, tr tsrange,
                      dr daterange, ia integer[], ta text[], tza timestamptz[], ja jsonb[], ba bytea[], fa double precision[], ci citext)""");
            st.execute("""
                    CREATE TABLE shop.odd (id bigint PRIMARY KEY, ok text, pt point, sp spot, row_value pair, doc tsvector,
                      grid integer[][], amounts numeric[], moods mood[], positives posint[], during tstzrange, bits bit(3),
                      secret pair)""");
        }
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.stop();
        }
    }

    private static EntityDefinition entity(Map<String, String> settings, String name) {
        List<String> problems = new ArrayList<>();
        EntityCatalog catalog = EntityCatalog.from(Settings.of(settings), problems);
        assertThat(problems).isEmpty();
        return catalog.byName(name).orElseThrow();
    }

    @Test
    void everyTypeOfTheMatrixIsAcceptedWithDomainsEnumsAndSerialsResolved() throws Exception {
        try (Connection c = postgres.connect()) {
            assertThat(ColumnTypeCheck.problems(c, entity(Map.of("entities", "fine", "entities.fine.table", "shop.fine"), "fine")))
                    .isEmpty();
        }
    }

    @Test
    void eachColumnThatCannotBeCachedIsNamedWithTheReasonButSensitiveOnesAreSkipped() throws Exception {
        try (Connection c = postgres.connect()) {
            EntityDefinition odd = entity(Map.of("entities", "odd", "entities.odd.table", "shop.odd",
                    "entities.odd.sensitive", "secret"), "odd");

            List<String> problems = ColumnTypeCheck.problems(c, odd);

            String prefix = "entities.odd (shop.odd): column ";
            String suffix = "; mark it sensitive to leave it out";
            assertThat(problems).containsExactly(
                    prefix + "'pt' has type point, which cachesync cannot cache: geometric types are not supported" + suffix,
                    prefix + "'sp' has type spot, which cachesync cannot cache: geometric types are not supported" + suffix,
                    prefix + "'row_value' has type pair, which cachesync cannot cache: a composite (row) type has no"
                            + " representation that both paths share" + suffix,
                    prefix + "'doc' has type tsvector, which cachesync cannot cache: text search types are not supported" + suffix,
                    prefix + "'grid' has type integer[], which cachesync cannot cache: Debezium 3.6 writes a multi-dimensional"
                            + " array as an array of nulls" + suffix,
                    prefix + "'amounts' has type numeric[], which cachesync cannot cache: Debezium 3.6 turns a numeric array"
                            + " with a NaN element into NULL" + suffix,
                    prefix + "'moods' has type mood[], which cachesync cannot cache: Debezium 3.6 turns an enum array with a"
                            + " NULL element into NULL" + suffix,
                    prefix + "'positives' has type posint[], which cachesync cannot cache: Debezium 3.6 leaves an array of a"
                            + " domain out of its change events" + suffix,
                    prefix + "'during' has type tstzrange, which cachesync cannot cache: its text depends on the session's"
                            + " time zone, which cdc-ingest and the readers need not share" + suffix,
                    prefix + "'bits' has type bit(3), which cachesync cannot cache: its representation in change events is not"
                            + " verified to match a JDBC read" + suffix);
        }
    }

    @Test
    void moneyAndIntervalAreReadInTheServerFormatsCachesyncKnows() throws Exception {
        try (Connection c = postgres.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.prices (id bigint PRIMARY KEY, m money, iv interval)");
            st.execute("SET lc_monetary = 'C'");
            EntityDefinition prices = entity(Map.of("entities", "prices", "entities.prices.table", "public.prices"), "prices");
            assertThat(ColumnTypeCheck.problems(c, prices)).isEmpty();

            st.execute("SET IntervalStyle = 'iso_8601'");
            assertThat(ColumnTypeCheck.problems(c, prices)).containsExactly("entities.prices (public.prices): column 'iv' has"
                    + " type interval, which cachesync cannot cache: IntervalStyle is 'iso_8601'; interval is read in the style"
                    + " postgres only; mark it sensitive to leave it out");
        }
    }
}
