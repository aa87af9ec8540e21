package io.cachesync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.api.ApiService;
import io.cachesync.core.codec.ValueCodec;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The type matrix (docs/types.md): one table per group of PostgreSQL types, every value (NULL included) written by the
 * snapshot, inserted while streaming, updated and some deleted. For each row the document written from the change event,
 * the document filled from PostgreSQL by query-api (L1 off, a MISS) and {@code cachesync verify} agree byte for byte.
 *
 * <p>Rows {@code 1..n} are seeded before cdc-ingest starts (snapshot events), rows {@code 101..100+n} are copies inserted
 * while it streams; the update phase rotates every row's values to those of the next row of its block, so each value
 * is also written by an UPDATE. Column {@code v} counts the phases, so that a test knows which event a document is from.
 * Types ColumnTypeCheck refuses, and the values Debezium 3.6 delivers wrongly (docs/types.md, "Known limitations"), are
 * not in the matrix.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TypeMatrixIT {

    /** A table of the matrix: its columns (after {@code id bigint PRIMARY KEY, v int}) and its rows' values. */
    record Table(String name, String columns, List<String> rows) {
        String entity() {
            return name;
        }
    }

    static final String TYPES = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'with "quotes" and \\ ');
            CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
            CREATE DOMAIN money_amount AS numeric(12,2);
            CREATE DOMAIN short_text AS varchar(8);
            CREATE DOMAIN stamp AS timestamptz;
            CREATE EXTENSION citext;
            """;

    static final List<Table> TABLES = List.of(
            new Table("tm_ints", "s smallint, i integer, b bigint, ser serial, bser bigserial, sser smallserial, o oid", List.of(
                    "-32768, -2147483648, -9223372036854775808, -2147483648, -9223372036854775808, -32768, 0",
                    "32767, 2147483647, 9223372036854775807, 2147483647, 9223372036854775807, 32767, 4294967295",
                    "0, 0, 0, 0, 0, 0, 1",
                    "-1, -1, 9007199254740993, 1, 1, 1, NULL",
                    "NULL, NULL, NULL, DEFAULT, DEFAULT, DEFAULT, NULL")),
            new Table("tm_numeric", "n numeric, n2 numeric(10,2), n0 numeric(30,0), neg numeric(5,5), m money, dm money_amount", List.of(
                    "'NaN', 19.90, 123456789012345678901234567890, -0.00001, 12.34, 19.9",
                    "'Infinity', -0.50, 0, 0.99999, -1000.5, -0.01",
                    "'-Infinity', 0, -1, 0, 0, 0",
                    "'123456789012345678901234567890.123456789012345678901234567890', 99999999.99, 1, NULL, 92233720368547758.07, 9999999999.99",
                    "repeat('9', 400)::numeric, 1, 2, NULL, -92233720368547758.08, NULL",
                    "'1e-100'::numeric, 2, 3, NULL, 1234567.89, NULL",
                    "'0.000'::numeric, 3, 4, NULL, NULL, NULL",
                    "'-1.5e20'::numeric, NULL, NULL, NULL, NULL, NULL")),
            new Table("tm_floats", "r real, d double precision", List.of(
                    "'NaN', 'NaN'",
                    "'Infinity', 'Infinity'",
                    "'-Infinity', '-Infinity'",
                    "'-0', '-0'",
                    "3.4028235e38, 1.7976931348623157e308",
                    "-3.4028235e38, -1.7976931348623157e308",
                    "1.4e-45, 4.9e-324",
                    "1.17549435e-38, 2.2250738585072014e-308",
                    "1.1, 0.1",
                    "16777217, 9007199254740993",
                    "0, 0",
                    "NULL, NULL")),
            new Table("tm_text", "t text, vc varchar(10), c char(5), u uuid, bo boolean, e mood, dt short_text, di posint", List.of(
                    "'', '', '', '00000000-0000-0000-0000-000000000000', false, 'sad', '', 1",
                    "'Zoë ✓ 😀 日本語 ﷽', 'ünï😀', 'ab', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', true, 'happy', 'ünï', 2147483647",
                    "E'a\"b''c\\\\d\\t\\n\\r\\u0001/<>&', E'\\\\\"', E' \\\\ ', 'ffffffff-ffff-ffff-ffff-ffffffffffff', true, 'with \"quotes\" and \\ ', E'\\\\', 3",
                    "'NULL', 'null', 'null ', '123e4567-e89b-12d3-a456-426614174000', false, 'ok', 'x', 4",
                    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL")),
            new Table("tm_time", "d date, t time, tt timetz, ts timestamp, tz timestamptz, iv interval, ds stamp", List.of(
                    "'2026-11-26', '10:15:30.123456', '10:15:30.123456+05:30', '2026-11-26 10:15:30.123456', '2026-11-26 11:15:30.123456+01', '1 year 2 mons 3 days 04:05:06.789', '2026-11-26 10:15:30+00'",
                    "'1969-07-20', '00:00', '00:00:00+00', '1969-12-31 23:59:59.5', '1970-01-01 00:00:00+00', '0.000001 seconds', '1969-12-31 23:59:59.999999+00'",
                    "'infinity', '23:59:59.999999', '23:59:59.999999-12', 'infinity', 'infinity', '-1 year -2 mons +3 days -04:05:06.000001', 'infinity'",
                    "'-infinity', '24:00:00', '00:00:01+14', '-infinity', '-infinity', '0', '-infinity'",
                    "'1583-01-01', '12:00', '12:00:00-00:30', '0044-03-15 12:00:00.000001 BC', '0044-03-15 12:00:00+00 BC', '-178000000 years', '0001-01-01 00:00:00+00'",
                    "'1582-10-15', '01:02:03.5', '01:02:03.5+01', '1500-03-01 00:00:00', '1582-10-10 12:00:00+00', '3 days 25:00:00', '1000-01-01 00:00:00.5+00'",
                    "'5874897-12-31', '00:00:00.000001', '10:00+00', '200000-12-31 23:59:59.999999', '200000-12-31 23:59:59.999999+00', '178000000 years', '9999-12-31 23:59:59.999999+00'",
                    "NULL, NULL, NULL, NULL, NULL, NULL, NULL")),
            new Table("tm_json", "j json, jb jsonb, by bytea", List.of(
                    "'{\"b\": 1, \"a\": [1, 2, {\"c\": null}], \"a\": \"dup\"}', '{\"nested\": {\"deep\": [1, {\"x\": \"y\"}, []]}}', '\\x'",
                    "'null', 'null', '\\x00ff10'",
                    "'\"\\u00e9\\ud83d\\ude00 \\\"q\\\" \\\\ \\u0000\"', '{\"k\": \"\\u00e9\\ud83d\\ude00\", \"esc\": \"\\\\\\\"\"}', decode(repeat('00ff7f80', 300), 'hex')",
                    "'1.10', '[1.10, 1e2, 12345678901234567890123, -0, 1e-7, 0.1]', '\\x0a0d'",
                    "'[]', '{}', '\\x6e756c6c'",
                    "'1e400', '123456789012345678901234567890.123456789', '\\xff'",
                    "'true', 'false', '\\x00'",
                    "NULL, NULL, NULL")),
            new Table("tm_net", "ip inet, nw cidr, mac macaddr", List.of(
                    "'192.168.0.1', '10.0.0.0/8', '08:00:2b:01:02:03'",
                    "'::1', '2001:db8::/32', 'FF-FF-FF-FF-FF-FF'",
                    "'192.168.0.1/24', '192.168.0.0/24', '0800.2b01.0203'",
                    "'2001:db8::ff00:42:8329/64', '::ffff:1.2.3.0/120', '00:00:00:00:00:00'",
                    "NULL, NULL, NULL")),
            new Table("tm_arrays", "ia int[], ta text[], da date[], tza timestamptz[], ba boolean[], ua uuid[], ja jsonb[],"
                    + " fa double precision[], by bytea[], ca char(2)[], ba8 bigint[]", List.of(
                    "'{1,NULL,3}', '{\"a b\",\"\",NULL,\"q\\\"uote\",\"back\\\\\\\\slash\",\"NULL\",\"é😀\"}',"
                            + " '{2026-01-01,infinity,-infinity,NULL}', '{\"2026-11-26 10:15:30.123456+01\",NULL}', '{true,false,NULL}',"
                            + " '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11,NULL}', ARRAY['{\"a\": [1]}'::jsonb, 'null', NULL],"
                            + " '{NaN,Infinity,-0,1.5}', ARRAY['\\x'::bytea, '\\x00ff', NULL],"
                            + " '{a,ab,NULL}', '{-9223372036854775808,9223372036854775807}'",
                    "'{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'",
                    "'{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}',"
                            + " '{NULL}', '{NULL}', '{NULL}', '{NULL}'",
                    "'[0:2]={7,8,9}', '{\"{}\",\",\"}', '{1583-01-01}', '{\"1583-01-01 12:00:00+00\"}', '{t}', '{}', '{}',"
                            + " '{1e308}', '{}', '{\" \"}', '{0}'",
                    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL")),
            new Table("tm_ranges", "i4 int4range, i8 int8range, nr numrange, tr tsrange, dr daterange", List.of(
                    "'[1,10)', '(1,10]', '[1.5,2.50]', '[\"2026-01-01 10:00\",\"2026-01-02 00:00:00.000001\")',"
                            + " '[2026-01-01,2026-02-01]'",
                    "'empty', 'empty', 'empty', 'empty', 'empty'",
                    "'(,5)', '[5,)', '(,)', '[,infinity]', '(,infinity)'",
                    "NULL, NULL, NULL, NULL, NULL")),
            new Table("tm_citext", "ci citext, cn citext NOT NULL DEFAULT 'x'", List.of(
                    "'Ada@Example.COM', 'MiXeD'",
                    "'', 'é😀 Zoë'",
                    "E'q\"uote\\\\back', 'NULL'",
                    "NULL, 'y'")),
            new Table("tm_evolve", "a text, z integer", List.of(
                    "'a1', 1",
                    "NULL, NULL",
                    "'a3', 3")));

    static final long STREAMED = 100;
    static Pipeline p;
    static ApiService noL1;

    @BeforeAll
    static void startPipeline() throws Exception {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("entities", "products,users," + TABLES.stream().map(Table::entity).collect(Collectors.joining(",")));
        for (Table t : TABLES) {
            overrides.put("entities." + t.entity() + ".table", "public." + t.name());
            overrides.put("entities." + t.entity() + ".key", "id");
        }
        StringBuilder seed = new StringBuilder(TYPES);
        for (Table t : TABLES) {
            seed.append("CREATE TABLE public.").append(t.name()).append(" (id bigint PRIMARY KEY, v integer, ").append(t.columns()).append(");\n");
            for (int i = 0; i < t.rows().size(); i++) {
                seed.append("INSERT INTO public.").append(t.name()).append(" VALUES (").append(i + 1).append(", 1, ")
                        .append(t.rows().get(i)).append(");\n");
            }
        }
        long rows = TABLES.stream().mapToLong(t -> t.rows().size()).sum();
        p = Pipeline.start(overrides, seed.toString(), rows);
        noL1 = p.addApi(Map.of("api.l1-max-entries", "0"));
    }

    @AfterAll
    static void stopPipeline() {
        if (p != null) {
            p.close();
        }
    }

    // ------------------------------------------------------------------ phases

    @Test
    @Order(1)
    void snapshotEventsAndFillsAgree() throws Exception {
        List<String> mismatches = new ArrayList<>();
        for (Table t : TABLES) {
            mismatches.addAll(compare(t, snapshotIds(t), 1));
        }
        assertThat(mismatches).as("rows whose event document differs from the fill").isEmpty();
    }

    @Test
    @Order(2)
    void streamedInsertsAndFillsAgree() throws Exception {
        for (Table t : TABLES) {
            String columns = "v, " + columnNames(t.name());
            p.sql("INSERT INTO public." + t.name() + " (id, " + columns + ") SELECT id + " + STREAMED + ", " + columns
                    + " FROM public." + t.name());
        }
        List<String> mismatches = new ArrayList<>();
        for (Table t : TABLES) {
            mismatches.addAll(compare(t, streamedIds(t), 1));
        }
        assertThat(mismatches).as("rows whose event document differs from the fill").isEmpty();
    }

    @Test
    @Order(3)
    void updatesToEveryOtherValueAndFillsAgree() throws Exception {
        for (Table t : TABLES) {
            rotate(t, 2);
        }
        List<String> mismatches = new ArrayList<>();
        for (Table t : TABLES) {
            mismatches.addAll(compare(t, allIds(t), 2));
        }
        assertThat(mismatches).as("rows whose event document differs from the fill").isEmpty();
    }

    @Test
    @Order(4)
    void columnsAddedAndDroppedWhileRunning() throws Exception {
        Table evolve = TABLES.get(TABLES.size() - 1);
        p.sql("ALTER TABLE public.tm_evolve ADD COLUMN b text");
        p.sql("ALTER TABLE public.tm_evolve ADD COLUMN c integer DEFAULT 7");
        p.sql("ALTER TABLE public.tm_evolve ADD COLUMN d integer[] DEFAULT '{1,NULL}'");
        rotate(evolve, 3);
        assertThat(compare(evolve, allIds(evolve), 3)).isEmpty();
        p.sql("UPDATE public.tm_evolve SET b = 'b' || id WHERE id % 2 = 0");
        p.sql("ALTER TABLE public.tm_evolve DROP COLUMN a");
        p.sql("ALTER TABLE public.tm_evolve DROP COLUMN c");
        rotate(evolve, 4);
        assertThat(compare(evolve, allIds(evolve), 4)).isEmpty();
        assertThat(p.redis.hget("cs:tm_evolve:1", "d")).contains("\"b\":").doesNotContain("\"a\":", "\"c\":");
    }

    @Test
    @Order(5)
    void deletesAndVerifyOfEveryTable() throws Exception {
        for (Table t : TABLES) {
            p.sql("DELETE FROM public." + t.name() + " WHERE id IN (1, " + (STREAMED + 1) + ")");
        }
        for (Table t : TABLES) {
            for (long id : new long[] {1, STREAMED + 1}) {
                await().alias(t.entity() + "/" + id + " deleted").atMost(Duration.ofSeconds(30))
                        .until(() -> p.redis.hget(key(t, id), "d") == null);
                assertThat(Pipeline.get(noL1, "/v1/" + t.entity() + "/" + id).statusCode()).as(t.entity() + "/" + id).isEqualTo(404);
            }
        }
        for (Table t : TABLES) {
            assertThat(p.drainAndVerify(t.entity()).checked()).as(t.entity()).isEqualTo(2L * t.rows().size() - 2);
        }
    }

    // ------------------------------------------------------------------ support

    static long[] snapshotIds(Table t) {
        return LongStream.rangeClosed(1, t.rows().size()).toArray();
    }

    static long[] streamedIds(Table t) {
        return LongStream.rangeClosed(STREAMED + 1, STREAMED + t.rows().size()).toArray();
    }

    static long[] allIds(Table t) {
        return LongStream.concat(LongStream.of(snapshotIds(t)), LongStream.of(streamedIds(t))).toArray();
    }

    static String key(Table t, long id) {
        return "cs:" + t.entity() + ":" + id;
    }

    /** The table's columns other than id, in order, quoted. */
    static String columnNames(String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = p.stack.postgres().connect();
             PreparedStatement ps = c.prepareStatement("SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass"
                     + " AND attnum > 0 AND NOT attisdropped AND attname NOT IN ('id', 'v') ORDER BY attnum")) {
            ps.setString(1, "public." + table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add("\"" + rs.getString(1) + "\"");
                }
            }
        }
        return String.join(", ", names);
    }

    /** Sets every row's values to those of the next row of its block (the last takes the first's), and v to {@code phase}. */
    static void rotate(Table t, int phase) throws SQLException {
        int n = t.rows().size();
        String columns = columnNames(t.name());
        String sources = columns.isEmpty() ? "" : ", " + List.of(columns.split(", ")).stream().map(c -> "s." + c).collect(Collectors.joining(", "));
        p.sql("UPDATE public." + t.name() + " t SET (v" + (columns.isEmpty() ? "" : ", " + columns) + ") = (SELECT " + phase + sources
                + " FROM public." + t.name() + " s WHERE s.id = CASE WHEN t.id % " + STREAMED + " = " + n + " THEN t.id - " + (n - 1)
                + " ELSE t.id + 1 END)");
    }

    /**
     * Waits until every row's event document is from {@code phase}, then compares it with the fill (key deleted, read
     * through the API without L1: a MISS) and returns one line per difference.
     */
    static List<String> compare(Table t, long[] ids, int phase) throws Exception {
        List<String> mismatches = new ArrayList<>();
        Set<Long> pending = new TreeSet<>();
        for (long id : ids) {
            pending.add(id);
        }
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                pending.removeIf(id -> {
                    String d = p.redis.hget(key(t, id), "d");
                    return d != null && d.contains("\"v\":" + phase + ",") || d != null && d.endsWith("\"v\":" + phase + "}");
                });
                return pending.isEmpty();
            });
        } catch (ConditionTimeoutException e) {
            mismatches.add(t.entity() + ": no event document of phase " + phase + " for ids " + pending);
        }
        for (long id : ids) {
            if (pending.contains(id)) {
                continue;
            }
            String fromEvent = p.redis.hget(key(t, id), "d");
            HttpResponse<String> miss = fillAfterDelete(t, id);
            String where = t.entity() + "/" + id + " (phase " + phase + ")";
            if (miss.statusCode() != 200 || !miss.headers().firstValue("X-Cache").orElse("").equals("MISS")) {
                mismatches.add(where + ": fill answered " + miss.statusCode() + " " + miss.headers().firstValue("X-Cache") + " " + miss.body());
                continue;
            }
            if (!miss.body().equals(fromEvent)) {
                mismatches.add(where + ": " + differences(fromEvent, miss.body()));
            }
            HttpResponse<String> hit = Pipeline.get(noL1, "/v1/" + t.entity() + "/" + id);
            if (!hit.body().equals(miss.body()) || !hit.headers().firstValue("X-Cache").orElse("").equals("HIT")) {
                mismatches.add(where + ": the read after the fill answered " + hit.headers().firstValue("X-Cache") + " " + hit.body());
            }
        }
        return mismatches;
    }

    /**
     * The API's answer after the row's key was deleted: a fill from PostgreSQL. A change applied between the delete and
     * the read (after an ALTER TABLE, cache-sync's rebuilder re-reads the table) puts the key back and the read is a HIT;
     * then the key is deleted and read again, until a read fills it (or 10 s pass and the HIT is reported).
     */
    static HttpResponse<String> fillAfterDelete(Table t, long id) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                p.redis.del(key(t, id));
                last.set(Pipeline.get(noL1, "/v1/" + t.entity() + "/" + id));
                return !last.get().headers().firstValue("X-Cache").orElse("").equals("HIT");
            });
        } catch (ConditionTimeoutException e) {
            // reported by the caller with the answer it got
        }
        return last.get();
    }

    /** The columns whose values differ, as {@code column: event <json> / fill <json>}. */
    static String differences(String fromEvent, String fromFill) throws Exception {
        JsonNode event = ValueCodec.mapper().readTree(fromEvent);
        JsonNode fill = ValueCodec.mapper().readTree(fromFill);
        Set<String> names = new LinkedHashSet<>();
        event.fieldNames().forEachRemaining(names::add);
        fill.fieldNames().forEachRemaining(names::add);
        List<String> out = new ArrayList<>();
        for (String name : names) {
            String e = event.has(name) ? ValueCodec.mapper().writeValueAsString(event.get(name)) : "(absent)";
            String f = fill.has(name) ? ValueCodec.mapper().writeValueAsString(fill.get(name)) : "(absent)";
            if (!e.equals(f)) {
                out.add(name + ": event " + e + " / fill " + f);
            }
        }
        return out.isEmpty() ? "same values, other bytes: event " + fromEvent + " / fill " + fromFill : String.join("; ", out);
    }
}
