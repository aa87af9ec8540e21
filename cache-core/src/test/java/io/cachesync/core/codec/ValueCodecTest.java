package io.cachesync.core.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.EntityKey;
import io.cachesync.core.catalog.KeyType;
import io.cachesync.core.testkit.ChangeEvents;
import io.cachesync.core.testkit.ConnectType;
import io.cachesync.devstack.DevPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN "One value codec for both paths": the same PostgreSQL row, read with JDBC (a fill) and received as a
 * Debezium change event (cache-sync), encodes to the same document.
 *
 * <p>The Debezium events are made with the test kit's {@link ChangeEvents}, as the PostgreSQL connector of Debezium 3.x
 * emits them through the JsonConverter with {@code schemas.enable=true}, {@code decimal.handling.mode=string},
 * {@code time.precision.mode=adaptive} and {@code binary.handling.mode=base64}; their row images are written by hand.
 */
class ValueCodecTest {

    private static final EntityDefinition ITEMS = new EntityDefinition("codec_items", "public", "codec_items",
            EntityKey.single("id", KeyType.BIGINT), Duration.ofHours(1), 0.1, Duration.ofSeconds(60), Set.of("password_hash"));

    @TempDir
    static Path pgDir;

    private static DevPostgres postgres;
    private static Connection db;

    @BeforeAll
    static void startPostgres() throws SQLException {
        postgres = DevPostgres.start(pgDir.resolve("pg"));
        db = postgres.connect();
        try (Statement st = db.createStatement()) {
            // a session zone other than UTC: timestamptz values must still come out as UTC instants
            st.execute("SET TIME ZONE 'Europe/Paris'");
            st.execute("""
                    CREATE TABLE codec_items (
                      id bigint PRIMARY KEY,
                      qty integer,
                      rank smallint,
                      ratio real,
                      score double precision,
                      price numeric(10,2),
                      amount numeric,
                      active boolean,
                      name text,
                      code varchar(20),
                      ref uuid,
                      attrs jsonb,
                      blob bytea,
                      born date,
                      opens time,
                      created timestamp,
                      updated timestamptz,
                      counts int[],
                      tags text[],
                      password_hash text
                    )""");
            st.execute("""
                    INSERT INTO codec_items VALUES
                    (9007199254740993, -42, 7, 1.1, 2.718281828459045, 19.90, 12345678901234567890.000123, true,
                     'Zoë "quoted" – ✓', 'ABC-1', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
                     '{"b": [1, 2.5, null], "a": {"nested": true}}', '\\xdeadbeef00ff', '1969-07-20', '23:59:59.999999',
                     '2026-11-26 10:15:30.123456', '2026-11-26 11:15:30.123456+01', '{1,2,NULL,-3}', '{"a b","c,d",NULL}',
                     '$2a$10$secret'),
                    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                     NULL, NULL, NULL),
                    (-3, 0, -32768, -0.5, 1e300, -0.50, 1000, false, '', '', '00000000-0000-0000-0000-000000000000',
                     '[1, "two", {"three": 3}]', '\\x', '2026-11-26', '08:30:00', '1969-12-31 23:59:59.5',
                     '2000-01-01 00:00:00+00', '{}', '{}', 'other')
                    """);
            st.execute("""
                    CREATE TABLE codec_arrays (
                      id bigint PRIMARY KEY,
                      stamps timestamp[],
                      instants timestamptz[],
                      days date[],
                      times time[],
                      prices numeric(10,2)[],
                      refs uuid[],
                      flags boolean[],
                      docs jsonb[],
                      blobs bytea[],
                      ratios real[],
                      bigs bigint[]
                    )""");
            st.execute("""
                    INSERT INTO codec_arrays VALUES
                    (1, '{"2026-11-26 10:15:30.123456","1969-12-31 23:59:59.5",NULL}', '{"2026-11-26 11:15:30.123456+01"}',
                     '{1969-07-20,2026-11-26}', '{23:59:59.999999,08:30}', '{19.90,-0.50}',
                     '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', '{true,false,NULL}',
                     ARRAY['{"b": 1, "a": [true]}'::jsonb], ARRAY['\\xdead'::bytea, '\\x'::bytea], '{1.1,-0.5}',
                     '{9007199254740993}')
                    """);
        }
    }

    @AfterAll
    static void stopPostgres() throws SQLException {
        if (db != null) {
            db.close();
        }
        if (postgres != null) {
            postgres.stop();
        }
    }

    // ------------------------------------------------------------------ Debezium events

    /** {@code codec_items} as Debezium declares its columns. */
    private static final ChangeEvents ITEMS_EVENTS = ChangeEvents.table("public.codec_items").key("id", ConnectType.INT64)
            .optionalColumn("qty", ConnectType.INT32)
            .optionalColumn("rank", ConnectType.INT16)
            .optionalColumn("ratio", ConnectType.FLOAT32)
            .optionalColumn("score", ConnectType.FLOAT64)
            .optionalColumn("price", ConnectType.DECIMAL)
            .optionalColumn("amount", ConnectType.DECIMAL)
            .optionalColumn("active", ConnectType.BOOLEAN)
            .optionalColumn("name", ConnectType.STRING)
            .optionalColumn("code", ConnectType.STRING)
            .optionalColumn("ref", ConnectType.UUID)
            .optionalColumn("attrs", ConnectType.JSON)
            .optionalColumn("blob", ConnectType.BYTES)
            .optionalColumn("born", ConnectType.DATE)
            .optionalColumn("opens", ConnectType.MICRO_TIME)
            .optionalColumn("created", ConnectType.MICRO_TIMESTAMP)
            .optionalColumn("updated", ConnectType.ZONED_TIMESTAMP)
            .optionalColumn("counts", ConnectType.arrayOf(ConnectType.INT32))
            .optionalColumn("tags", ConnectType.arrayOf(ConnectType.STRING))
            .optionalColumn("password_hash", ConnectType.STRING);

    private static final String ROW_1_EVENT = ITEMS_EVENTS.insert("""
            {"id":9007199254740993,"qty":-42,"rank":7,"ratio":1.1,"score":2.718281828459045,
             "price":"19.90","amount":"12345678901234567890.000123","active":true,
             "name":"Zoë \\"quoted\\" – ✓","code":"ABC-1","ref":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
             "attrs":"{\\"a\\": {\\"nested\\": true}, \\"b\\": [1, 2.5, null]}","blob":"3q2+7wD/",
             "born":-165,"opens":86399999999,"created":1795688130123456,"updated":"2026-11-26T10:15:30.123456Z",
             "counts":[1,2,null,-3],"tags":["a b","c,d",null],"password_hash":"$2a$10$secret"}""").json();

    private static final String ROW_2_EVENT = ITEMS_EVENTS.insert("""
            {"id":2,"qty":null,"rank":null,"ratio":null,"score":null,"price":null,"amount":null,"active":null,
             "name":null,"code":null,"ref":null,"attrs":null,"blob":null,"born":null,"opens":null,"created":null,
             "updated":null,"counts":null,"tags":null,"password_hash":null}""").json();

    private static final String ROW_3_EVENT = ITEMS_EVENTS.insert("""
            {"id":-3,"qty":0,"rank":-32768,"ratio":-0.5,"score":1.0E300,"price":"-0.50","amount":"1000",
             "active":false,"name":"","code":"","ref":"00000000-0000-0000-0000-000000000000",
             "attrs":"[1, \\"two\\", {\\"three\\": 3}]","blob":"","born":20783,"opens":30600000000,
             "created":-500000,"updated":"2000-01-01T00:00:00.000000Z","counts":[],"tags":[],
             "password_hash":"other"}""").json();

    private static final EntityDefinition ARRAYS = new EntityDefinition("codec_arrays", "public", "codec_arrays",
            EntityKey.single("id", KeyType.BIGINT), Duration.ofHours(1), 0.1, Duration.ofSeconds(60), Set.of());

    /** {@code codec_arrays} as Debezium declares its columns. */
    private static final ChangeEvents ARRAYS_EVENTS = ChangeEvents.table("public.codec_arrays").key("id", ConnectType.INT64)
            .optionalColumn("stamps", ConnectType.arrayOf(ConnectType.MICRO_TIMESTAMP))
            .optionalColumn("instants", ConnectType.arrayOf(ConnectType.ZONED_TIMESTAMP))
            .optionalColumn("days", ConnectType.arrayOf(ConnectType.DATE))
            .optionalColumn("times", ConnectType.arrayOf(ConnectType.MICRO_TIME))
            .optionalColumn("prices", ConnectType.arrayOf(ConnectType.DECIMAL))
            .optionalColumn("refs", ConnectType.arrayOf(ConnectType.UUID))
            .optionalColumn("flags", ConnectType.arrayOf(ConnectType.BOOLEAN))
            .optionalColumn("docs", ConnectType.arrayOf(ConnectType.JSON))
            .optionalColumn("blobs", ConnectType.arrayOf(ConnectType.BYTES))
            .optionalColumn("ratios", ConnectType.arrayOf(ConnectType.FLOAT32))
            .optionalColumn("bigs", ConnectType.arrayOf(ConnectType.INT64));

    private static final String ARRAYS_EVENT = ARRAYS_EVENTS.insert("""
            {"id":1,"stamps":[1795688130123456,-500000,null],"instants":["2026-11-26T10:15:30.123456Z"],
             "days":[-165,20783],"times":[86399999999,30600000000],"prices":["19.90","-0.50"],
             "refs":["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"],"flags":[true,false,null],
             "docs":["{\\"a\\": [true], \\"b\\": 1}"],"blobs":["3q0=",""],"ratios":[1.1,-0.5],
             "bigs":[9007199254740993]}""").json();

    private static ObjectNode fromEvent(EntityDefinition entity, String event) throws Exception {
        JsonNode root = ValueCodec.mapper().readTree(event);
        JsonNode afterSchema = null;
        for (JsonNode f : root.path("schema").path("fields")) {
            if ("after".equals(f.path("field").asText())) {
                afterSchema = f;
            }
        }
        assertThat(afterSchema).as("the envelope has an after field").isNotNull();
        return ValueCodec.fromDebezium(entity, afterSchema, root.path("payload").path("after"));
    }

    private static ObjectNode fromDatabase(long id) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT * FROM codec_items WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row %s exists", id).isTrue();
                return ValueCodec.fromJdbc(ITEMS, rs);
            }
        }
    }

    // ------------------------------------------------------------------ both paths agree

    @Test
    void rowWithEveryTypeEncodesIdenticallyFromJdbcAndFromDebezium() throws Exception {
        String jdbc = ValueCodec.encode(fromDatabase(9007199254740993L));
        String debezium = ValueCodec.encode(fromEvent(ITEMS, ROW_1_EVENT));

        assertThat(debezium).isEqualTo(jdbc);
    }

    @Test
    void rowOfNullsEncodesIdenticallyFromJdbcAndFromDebezium() throws Exception {
        String jdbc = ValueCodec.encode(fromDatabase(2));
        String debezium = ValueCodec.encode(fromEvent(ITEMS, ROW_2_EVENT));

        assertThat(debezium).isEqualTo(jdbc);
        assertThat(jdbc).isEqualTo("{\"active\":null,\"amount\":null,\"attrs\":null,\"blob\":null,\"born\":null,"
                + "\"code\":null,\"counts\":null,\"created\":null,\"id\":2,\"name\":null,\"opens\":null,\"price\":null,"
                + "\"qty\":null,\"rank\":null,\"ratio\":null,\"ref\":null,\"score\":null,\"tags\":null,\"updated\":null}");
    }

    @Test
    void rowWithEdgeValuesEncodesIdenticallyFromJdbcAndFromDebezium() throws Exception {
        // pre-epoch timestamp with a fraction, empty arrays / text / bytea, zero fraction on timestamptz, extreme numbers
        String jdbc = ValueCodec.encode(fromDatabase(-3));
        String debezium = ValueCodec.encode(fromEvent(ITEMS, ROW_3_EVENT));

        assertThat(debezium).isEqualTo(jdbc);
    }

    @Test
    void rowIsRepresentedAsDesigned() throws Exception {
        assertThat(ValueCodec.encode(fromDatabase(9007199254740993L))).isEqualTo("{"
                + "\"active\":true,"
                + "\"amount\":\"12345678901234567890.000123\","
                + "\"attrs\":{\"a\":{\"nested\":true},\"b\":[1,2.5,null]},"
                + "\"blob\":\"3q2+7wD/\","
                + "\"born\":\"1969-07-20\","
                + "\"code\":\"ABC-1\","
                + "\"counts\":[1,2,null,-3],"
                + "\"created\":\"2026-11-26T10:15:30.123456\","
                + "\"id\":9007199254740993,"
                + "\"name\":\"Zoë \\\"quoted\\\" – ✓\","
                + "\"opens\":\"23:59:59.999999\","
                + "\"price\":\"19.90\","
                + "\"qty\":-42,"
                + "\"rank\":7,"
                + "\"ratio\":1.1,"
                + "\"ref\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\","
                + "\"score\":2.718281828459045,"
                + "\"tags\":[\"a b\",\"c,d\",null],"
                + "\"updated\":\"2026-11-26T10:15:30.123456Z\""
                + "}");
    }

    @Test
    void sensitiveColumnIsDroppedOnBothPaths() throws Exception {
        for (ObjectNode doc : new ObjectNode[] {fromDatabase(9007199254740993L), fromEvent(ITEMS, ROW_1_EVENT),
                fromDatabase(2), fromEvent(ITEMS, ROW_2_EVENT), fromDatabase(-3), fromEvent(ITEMS, ROW_3_EVENT)}) {
            assertThat(doc.has("password_hash")).as("password_hash in %s", doc).isFalse();
            assertThat(ValueCodec.encode(doc)).doesNotContain("secret").doesNotContain("password_hash");
            assertThat(doc.has("id")).isTrue();
        }
    }

    @Test
    void arraysOfTemporalBinaryAndExactTypesEncodeIdenticallyFromJdbcAndFromDebezium() throws Exception {
        String debezium = ValueCodec.encode(fromEvent(ARRAYS, ARRAYS_EVENT));
        String jdbc;
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM codec_arrays WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            jdbc = ValueCodec.encode(ValueCodec.fromJdbc(ARRAYS, rs));
        }

        assertThat(jdbc).isEqualTo(debezium);
        // each element is represented exactly as a column of the element type would be
        assertThat(jdbc).isEqualTo("{"
                + "\"bigs\":[9007199254740993],"
                + "\"blobs\":[\"3q0=\",\"\"],"
                + "\"days\":[\"1969-07-20\",\"2026-11-26\"],"
                + "\"docs\":[{\"a\":[true],\"b\":1}],"
                + "\"flags\":[true,false,null],"
                + "\"id\":1,"
                + "\"instants\":[\"2026-11-26T10:15:30.123456Z\"],"
                + "\"prices\":[\"19.90\",\"-0.50\"],"
                + "\"ratios\":[1.1,-0.5],"
                + "\"refs\":[\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"],"
                + "\"stamps\":[\"2026-11-26T10:15:30.123456\",\"1969-12-31T23:59:59.500\",null],"
                + "\"times\":[\"23:59:59.999999\",\"08:30\"]"
                + "}");
    }

    @Test
    void multiDimensionalArraysBecomeNestedJsonArrays() throws Exception {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1::bigint AS id, '{{1,2},{3,NULL}}'::int[] AS grid")) {
            assertThat(rs.next()).isTrue();

            assertThat(ValueCodec.encode(ValueCodec.fromJdbc(ARRAYS, rs))).isEqualTo("{\"grid\":[[1,2],[3,null]],\"id\":1}");
        }
    }

    // ------------------------------------------------------------------ representations

    @Test
    void numericStaysAnExactStringWithItsScale() throws Exception {
        ObjectNode jdbc = fromDatabase(9007199254740993L);
        ObjectNode debezium = fromEvent(ITEMS, ROW_1_EVENT);

        for (ObjectNode doc : new ObjectNode[] {jdbc, debezium}) {
            assertThat(doc.get("price").isTextual()).isTrue();
            assertThat(doc.get("price").asText()).isEqualTo("19.90");
            assertThat(doc.get("amount").asText()).isEqualTo("12345678901234567890.000123");
        }
        assertThat(fromDatabase(-3).get("price").asText()).isEqualTo("-0.50");
        assertThat(fromDatabase(-3).get("amount").asText()).isEqualTo("1000");
    }

    @Test
    void timestampWithTimeZoneIsAnInstantInUtc() throws Exception {
        // inserted as 11:15:30.123456+01 with the session in Europe/Paris
        assertThat(fromDatabase(9007199254740993L).get("updated").asText()).isEqualTo("2026-11-26T10:15:30.123456Z");
        assertThat(fromEvent(ITEMS, ROW_1_EVENT).get("updated").asText()).isEqualTo("2026-11-26T10:15:30.123456Z");
        assertThat(fromDatabase(-3).get("updated").asText()).isEqualTo("2000-01-01T00:00:00Z");
    }

    @Test
    void zonedTimestampWithAnOffsetIsNormalisedToUtc() {
        JsonNode schema = ValueCodec.mapper().createObjectNode()
                .put("type", "string").put("name", "io.debezium.time.ZonedTimestamp");

        assertThat(ValueCodec.debeziumValue(schema, ValueCodec.mapper().getNodeFactory().textNode("2026-11-26T12:15:30.5+02:00")).asText())
                .isEqualTo("2026-11-26T10:15:30.500Z");
    }

    @Test
    void localTemporalTypesAreIsoLocalStrings() throws Exception {
        ObjectNode doc = fromDatabase(-3);

        assertThat(doc.get("born").asText()).isEqualTo("2026-11-26");
        assertThat(doc.get("opens").asText()).isEqualTo("08:30");
        assertThat(doc.get("created").asText()).as("before the epoch, with a fraction").isEqualTo("1969-12-31T23:59:59.500");
        assertThat(fromEvent(ITEMS, ROW_3_EVENT).get("created").asText()).isEqualTo("1969-12-31T23:59:59.500");
    }

    @Test
    void jsonbIsEmbeddedAsJsonAndByteaAsBase64() throws Exception {
        ObjectNode doc = fromDatabase(9007199254740993L);

        assertThat(doc.get("attrs").isObject()).isTrue();
        assertThat(doc.get("attrs").path("a").path("nested").asBoolean()).isTrue();
        assertThat(doc.get("blob").asText()).isEqualTo("3q2+7wD/");
        assertThat(fromDatabase(-3).get("attrs").isArray()).isTrue();
    }

    @Test
    void nullBecomesJsonNull() throws Exception {
        ObjectNode doc = fromDatabase(2);

        assertThat(doc.get("price").isNull()).isTrue();
        assertThat(doc.get("counts").isNull()).isTrue();
        assertThat(doc.get("updated").isNull()).isTrue();
    }

    @Test
    void aValueOutOfItsTypesRangeIsRejectedNamingTheColumn() {
        // (every int64 of microseconds is a date-time: timestampsBeyondTheYear2262DoNotOverflow)
        for (String[] bad : new String[][] {
                {"\"born\":-165", "\"born\":999999999999", "born"},
                {"\"opens\":86399999999", "\"opens\":86400000001", "opens"},
                {"\"updated\":\"2026-11-26T10:15:30.123456Z\"", "\"updated\":\"not a time\"", "updated"}}) {
            String event = ROW_1_EVENT.replace(bad[0], bad[1]);
            assertThat(event).as("the test replaced the value").isNotEqualTo(ROW_1_EVENT);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> fromEvent(ITEMS, event)).as(bad[2])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("column '" + bad[2] + "' (io.debezium.time.");
        }
    }

    // ------------------------------------------------------------------ special values (TypeMatrixIT found these)

    private static JsonNode debezium(String schema, String value) throws Exception {
        return ValueCodec.debeziumValue(ValueCodec.mapper().readTree(schema), ValueCodec.mapper().readTree(value));
    }

    /** The value of the single column of {@code SELECT <literal> AS c}, read as a fill reads it. */
    private static JsonNode jdbc(String literal) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT 1::bigint AS id, " + literal + " AS c")) {
            assertThat(rs.next()).isTrue();
            return ValueCodec.fromJdbc(ARRAYS, rs).get("c");
        }
    }

    private static final String NUMERIC = "{\"type\":\"string\",\"optional\":true,\"parameters\":{\""
            + ValueCodec.SOURCE_TYPE + "\":\"NUMERIC\"}}";

    @Test
    void numericSpecialValuesAreNaNAndInfinityStringsOnBothPaths() throws Exception {
        assertThat(debezium(NUMERIC, "\"NAN\"").asText()).isEqualTo("NaN").isEqualTo(jdbc("'NaN'::numeric").asText());
        assertThat(debezium(NUMERIC, "\"POSITIVE_INFINITY\"").asText()).isEqualTo("Infinity").isEqualTo(jdbc("'Infinity'::numeric").asText());
        assertThat(debezium(NUMERIC, "\"NEGATIVE_INFINITY\"").asText()).isEqualTo("-Infinity").isEqualTo(jdbc("'-Infinity'::numeric").asText());
        assertThat(debezium("{\"type\":\"string\",\"optional\":true}", "\"NAN\"").asText()).as("a text column").isEqualTo("NAN");
    }

    @Test
    void numericIsWrittenPlainAsDebeziumDoes() throws Exception {
        assertThat(jdbc("'1e-20'::numeric").asText()).isEqualTo("0.00000000000000000001");
        assertThat(jdbc("'-1.5e20'::numeric").asText()).isEqualTo("-150000000000000000000");
        assertThat(jdbc("'0.000'::numeric").asText()).isEqualTo("0.000");
    }

    @Test
    void moneyIsTheAmountWithTwoDecimalsWithoutSymbolOrGrouping() throws Exception {
        assertThat(jdbc("'-1000.5'::money").asText()).isEqualTo("-1000.50");
        assertThat(jdbc("'92233720368547758.07'::money").asText()).isEqualTo("92233720368547758.07");
        assertThat(jdbc("'0'::money").asText()).isEqualTo("0.00");
    }

    @Test
    void intervalIsAnIso8601DurationWithPostgresqlsFields() throws Exception {
        String schema = "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.Interval\"}";
        assertThat(jdbc("'1 year 2 mons 3 days 04:05:06.789'::interval").asText()).isEqualTo("P1Y2M3DT4H5M6.789S")
                .isEqualTo(debezium(schema, "\"P1Y2M3DT4H5M6.789S\"").asText());
        assertThat(jdbc("'-1 year -2 mons +3 days -04:05:06.000001'::interval").asText()).isEqualTo("P-1Y-2M3DT-4H-5M-6.000001S");
        assertThat(jdbc("'3 days 25:00:00'::interval").asText()).isEqualTo("P0Y0M3DT25H0M0S");
        assertThat(jdbc("'0'::interval").asText()).isEqualTo("P0Y0M0DT0H0M0S");
        assertThat(jdbc("'infinity'::interval").asText()).isEqualTo("infinity");
    }

    @Test
    void timeWithTimeZoneIsTheTimeInUtc() throws Exception {
        String schema = "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTime\"}";
        assertThat(jdbc("'10:15:30.123456+05:30'::timetz").asText()).isEqualTo("04:45:30.123456Z")
                .isEqualTo(debezium(schema, "\"04:45:30.123456Z\"").asText());
        assertThat(jdbc("'01:02:03.5+01'::timetz").asText()).isEqualTo("00:02:03.500Z")
                .isEqualTo(debezium(schema, "\"00:02:03.5Z\"").asText());
    }

    @Test
    void endOfDayTimeIs2400OnBothPaths() throws Exception {
        String schema = "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTime\"}";
        assertThat(jdbc("'24:00:00'::time").asText()).isEqualTo("24:00").isEqualTo(debezium(schema, "86400000000").asText());
    }

    @Test
    void infiniteDatesAndTimestampsAreInfinityStringsOnBothPaths() throws Exception {
        String date = "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\"}";
        String stamp = "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTimestamp\"}";
        String zoned = "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\"}";
        for (String[] c : new String[][] {
                {"'infinity'::date", date, "-622191234", "infinity"}, {"'infinity'::date", date, "-2147472692", "infinity"},
                {"'-infinity'::date", date, "-625821272", "-infinity"}, {"'-infinity'::date", date, "-2147472691", "-infinity"},
                {"'infinity'::timestamp", stamp, "9223372036825200000", "infinity"},
                {"'-infinity'::timestamp", stamp, "-9223372036832400000", "-infinity"},
                {"'infinity'::timestamptz", zoned, "\"infinity\"", "infinity"},
                {"'-infinity'::timestamptz", zoned, "\"-infinity\"", "-infinity"}}) {
            assertThat(jdbc(c[0]).asText()).as(c[0]).isEqualTo(c[3]);
            assertThat(debezium(c[1], c[2]).asText()).as(c[0] + " from " + c[2]).isEqualTo(c[3]);
        }
    }

    @Test
    void timestampsBeyondTheYear2262DoNotOverflow() throws Exception {
        String stamp = "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTimestamp\"}";
        assertThat(jdbc("'200000-12-31 23:59:59.999999'::timestamp").asText()).isEqualTo("+200000-12-31T23:59:59.999999")
                .isEqualTo(debezium(stamp, "6249254803199999999").asText());
    }

    @Test
    void jsonNumbersKeepTheirDigits() throws Exception {
        String json = "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Json\"}";
        String expected = "[1.10,1E+400,123456789012345678901234567890.123456789,12345678901234567890123]";
        assertThat(ValueCodec.mapper().writeValueAsString(jdbc("'[1.10, 1e400, 123456789012345678901234567890.123456789,"
                + " 12345678901234567890123]'::json"))).isEqualTo(expected);
        assertThat(ValueCodec.mapper().writeValueAsString(debezium(json,
                "\"[1.10, 1e400, 123456789012345678901234567890.123456789, 12345678901234567890123]\""))).isEqualTo(expected);
    }

    @Test
    void nullIsDetectedWithoutReadingTheValueAsAnObject() throws Exception {
        // PgJDBC's getObject fails on money; a NULL check through it failed every money row
        assertThat(jdbc("NULL::money").isNull()).isTrue();
        assertThat(jdbc("'12.34'::money").asText()).isEqualTo("12.34");
    }
}
