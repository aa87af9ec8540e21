package io.cachesync.core.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test kit's change events are what Debezium 3.6's PostgreSQL connector writes through JsonConverter. */
class ChangeEventsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ChangeEvents ITEMS = ChangeEvents.table("shop.items").key("id", ConnectType.INT64)
            .column("name", ConnectType.STRING).optionalColumn("price", ConnectType.DECIMAL)
            .optionalColumn("updated_at", ConnectType.ZONED_TIMESTAMP).optionalColumn("tags", ConnectType.arrayOf(ConnectType.STRING));

    private static JsonNode tree(String json) throws Exception {
        return MAPPER.readTree(json);
    }

    private static List<String> fieldNames(JsonNode struct) {
        List<String> names = new ArrayList<>();
        struct.path("fields").forEach(f -> names.add(f.path("field").asText()));
        return names;
    }

    private static JsonNode field(JsonNode struct, String name) {
        for (JsonNode f : struct.path("fields")) {
            if (f.path("field").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no field " + name + " in " + struct);
    }

    @Test
    void anEventIsCompactJsonWithTheEnvelopeSchemaAndThePayload() throws Exception {
        String before = ITEMS.row(42, "Lamp", "19.90", "2026-11-26T10:15:30.123456Z", List.of("a", "b"));
        String json = ITEMS.update(before, ITEMS.row(42, "Lamp", null, "2026-11-26T10:15:31Z", List.of())).lsn(480L).json();
        JsonNode root = tree(json);

        assertThat(json).isEqualTo(root.toString()).startsWith("{\"schema\":{\"type\":\"struct\",\"fields\":[");
        JsonNode schema = root.get("schema");
        assertThat(schema.get("name").asText()).isEqualTo("cachesync.shop.items.Envelope");
        assertThat(fieldNames(schema)).containsExactly("before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns");
        JsonNode after = field(schema, "after");
        assertThat(after.get("name").asText()).isEqualTo("cachesync.shop.items.Value");
        assertThat(fieldNames(after)).containsExactly("id", "name", "price", "updated_at", "tags");
        assertThat(field(after, "id").toString()).isEqualTo("{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"}");
        assertThat(field(after, "price").toString()).isEqualTo("{\"type\":\"string\",\"optional\":true,\"field\":\"price\"}");
        assertThat(field(after, "updated_at").toString()).isEqualTo(
                "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\",\"version\":1,\"field\":\"updated_at\"}");
        assertThat(field(after, "tags").toString()).isEqualTo(
                "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":true},\"optional\":true,\"field\":\"tags\"}");
        assertThat(fieldNames(field(schema, "source"))).containsExactly("version", "connector", "name", "ts_ms", "snapshot", "db",
                "sequence", "ts_us", "ts_ns", "schema", "table", "txId", "lsn", "xmin");

        JsonNode payload = root.get("payload");
        assertThat(payload.get("before")).isEqualTo(tree(before));
        assertThat(payload.at("/after/price").isNull()).isTrue();
        assertThat(payload.get("op").asText()).isEqualTo("u");
        assertThat(payload.get("transaction").isNull()).isTrue();
        JsonNode source = payload.get("source");
        assertThat(source.get("connector").asText()).isEqualTo("postgresql");
        assertThat(source.get("name").asText()).isEqualTo("cachesync");
        assertThat(source.get("schema").asText() + "." + source.get("table").asText()).isEqualTo("shop.items");
        assertThat(source.get("lsn").asLong()).isEqualTo(480);
        assertThat(source.get("snapshot").asText()).isEqualTo("false");
        assertThat(source.get("ts_ms").asLong()).isEqualTo(ChangeEvent.COMMITTED_AT_MS);
        assertThat(source.get("ts_ns").asLong()).isEqualTo(ChangeEvent.COMMITTED_AT_MS * 1_000_000);
        assertThat(payload.get("ts_ms").asLong()).isEqualTo(ChangeEvent.COMMITTED_AT_MS + 3);
    }

    @Test
    void theSequenceIsAStringHoldingTheLastCommitAndTheLsnAsDebezium36WritesIt() throws Exception {
        String row = ITEMS.row(1, "a", null, null, null);
        String sequenced = ITEMS.update(row, row).lastCommit(400L).lsn(480L).json();
        assertThat(sequenced).contains("\"sequence\":\"[\\\"400\\\",\\\"480\\\"]\"");
        assertThat(tree(sequenced).at("/payload/source/sequence").asText()).isEqualTo("[\"400\",\"480\"]");

        assertThat(ITEMS.read(row).lastCommit(null).lsn(300L).json()).contains("\"sequence\":\"[null,\\\"300\\\"]\"");
        assertThat(ITEMS.update(row, row).lastCommit(null).lsn(null).json()).contains("\"sequence\":\"[null,null]\"", "\"lsn\":null");
        assertThat(tree(ITEMS.update(row, row).lsn(480L).json()).at("/payload/source/sequence").isNull())
                .as("no sequence, as a Debezium that did not write it").isTrue();
    }

    @Test
    void aReadIsASnapshotAndTimestampsCanBeSet() throws Exception {
        JsonNode read = tree(ITEMS.read(ITEMS.row(1, "a", null, null, null)).committedAtMs(1_000).emittedAtMs(1_000).json()).get("payload");
        assertThat(read.get("op").asText()).isEqualTo("r");
        assertThat(read.at("/source/snapshot").asText()).isEqualTo("true");
        assertThat(read.get("before").isNull()).isTrue();
        assertThat(read.at("/source/ts_ms").asLong()).isEqualTo(read.get("ts_ms").asLong()).isEqualTo(1_000);
        assertThat(read.at("/source/ts_us").asLong()).isEqualTo(1_000_000);
    }

    @Test
    void withoutSchemaTheEventIsItsPayload() throws Exception {
        ChangeEvent delete = ITEMS.delete(ITEMS.row(7, "gone", null, null, null)).lsn(9L);
        JsonNode bare = tree(delete.withoutSchema().json());
        assertThat(bare.has("schema")).isFalse();
        assertThat(bare.get("op").asText()).isEqualTo("d");
        assertThat(bare.get("after").isNull()).isTrue();
        assertThat(bare).isEqualTo(tree(ITEMS.delete(ITEMS.row(7, "gone", null, null, null)).lsn(9L).json()).get("payload"));
        assertThat(new String(delete.bytes(), StandardCharsets.UTF_8)).isEqualTo(delete.json());
    }

    @Test
    void keysCarryTheKeyColumnsWithTheirSchemaOrAlone() throws Exception {
        ChangeEvents composite = ChangeEvents.table("public.tags").key("owner", ConnectType.STRING).key("n", ConnectType.INT32)
                .column("label", ConnectType.STRING);
        assertThat(ITEMS.keyOf(42).json()).isEqualTo("{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,"
                + "\"field\":\"id\"}],\"optional\":false,\"name\":\"cachesync.shop.items.Key\"},\"payload\":{\"id\":42}}");
        assertThat(ITEMS.keyOf(42).withoutSchema().json()).isEqualTo("{\"id\":42}");
        assertThat(composite.keyOf("o, 1", 7).withoutSchema().bytes()).isEqualTo("{\"owner\":\"o, 1\",\"n\":7}".getBytes(StandardCharsets.UTF_8));
        assertThat(fieldNames(tree(composite.keyOf("o", 1).json()).get("schema"))).containsExactly("owner", "n");
    }

    @Test
    void rowsAndKeysNeedAValueForEachColumn() {
        assertThatThrownBy(() -> ITEMS.row(1, "a")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 columns, 2 values");
        assertThatThrownBy(() -> ITEMS.keyOf(1, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 key columns, 2 values");
        assertThatThrownBy(() -> ChangeEvents.table("items")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ITEMS.insert("{not json").json()).isInstanceOf(IllegalArgumentException.class);
    }
}
