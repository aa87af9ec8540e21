package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What counts as a change of an entity's columns ({@link EventSchema.Struct#shape}), on schemas as Debezium 3.6 writes them. */
class EventSchemaTest {
    private static EventSchema.Struct after(String fields) throws Exception {
        JsonNode schema = ValueCodec.mapper().readTree("{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"optional\":true,"
                + "\"field\":\"after\",\"fields\":[" + fields + "]}]}");
        return EventSchema.of(schema).after();
    }

    private static final String ID = "{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"}";

    @Test
    void anUnconstrainedNumericIsTheSameColumnInTheSnapshotAndInTheStream() throws Exception {
        // as seen on PostgreSQL 15: the snapshot (JDBC metadata) and the stream (the relation message) describe it apart
        EventSchema.Struct snapshot = after(ID + ",{\"type\":\"string\",\"optional\":true,\"parameters\":{\"__debezium.source.column.type\":"
                + "\"NUMERIC\",\"__debezium.source.column.length\":\"0\",\"__debezium.source.column.name\":\"big\"},\"field\":\"big\"}");
        EventSchema.Struct stream = after(ID + ",{\"type\":\"string\",\"optional\":true,\"parameters\":{\"__debezium.source.column.type\":"
                + "\"NUMERIC\",\"__debezium.source.column.length\":\"131089\",\"__debezium.source.column.scale\":\"0\","
                + "\"__debezium.source.column.name\":\"big\"},\"field\":\"big\"}");
        assertThat(snapshot.columns()).isEqualTo(stream.columns());
    }

    @Test
    void aTypeOrAScaleIsPartOfTheColumnNullabilityPrecisionAndEnumValuesAreNot() throws Exception {
        String numeric = "{\"type\":\"string\",\"optional\":true,\"parameters\":{\"__debezium.source.column.type\":\"NUMERIC\","
                + "\"__debezium.source.column.length\":\"%s\",\"__debezium.source.column.scale\":\"%s\"},\"field\":\"price\"}";
        String status = "{\"type\":\"string\",\"optional\":%s,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
                + "\"parameters\":{\"allowed\":\"%s\"},\"field\":\"status\"}";
        EventSchema.Struct base = after(ID + "," + numeric.formatted("10", "2") + "," + status.formatted("true", "new,paid"));
        assertThat(after(ID + "," + numeric.formatted("12", "2") + "," + status.formatted("false", "new,paid,shipped")).columns())
                .isEqualTo(base.columns());
        assertThat(after(ID + "," + numeric.formatted("10", "3") + "," + status.formatted("true", "new,paid")).columns())
                .as("another scale writes other digits").isNotEqualTo(base.columns());
        assertThat(after(ID + ",{\"type\":\"double\",\"optional\":true,\"field\":\"price\"}," + status.formatted("true", "new,paid"))
                .columns()).isNotEqualTo(base.columns());
        assertThat(after(ID + "," + numeric.formatted("10", "2") + ",{\"type\":\"array\",\"optional\":true,\"items\":{\"type\":"
                + "\"string\"},\"field\":\"status\"}").columns()).isNotEqualTo(base.columns());
    }
}
