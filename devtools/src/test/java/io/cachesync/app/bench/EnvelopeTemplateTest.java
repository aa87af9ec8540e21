package io.cachesync.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.sync.config.SyncConfig;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.EnvelopeParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bench's events are the captured Debezium event with only id, name, LSN and timestamps changed. */
class EnvelopeTemplateTest {
    private static final String ROW_SCHEMA = """
            {"type":"struct","optional":true,"name":"cachesync.public.products.Value","fields":[
             {"type":"int64","optional":false,"field":"id"},{"type":"string","optional":false,"field":"name"},
             {"type":"string","optional":false,"field":"price"}]}""";
    private static final String CAPTURED = """
            {"schema":{"type":"struct","fields":[%s,%s,
              {"type":"struct","fields":[{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":false,"field":"ts_ms"}],"optional":false,"field":"source"},
              {"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"}],"optional":false,"name":"cachesync.public.products.Envelope"},
             "payload":{"before":{"id":1,"name":"product 1","price":"9.99"},"after":{"id":1,"name":"cachesync bench template","price":"9.99"},
              "source":{"version":"3.6.1.Final","connector":"postgresql","lsn":26843560,"ts_ms":1764160000000,"table":"products"},"op":"%s","ts_ms":1764160000100}}
            """;

    private static byte[] captured(String op) {
        return CAPTURED.formatted(ROW_SCHEMA.replace("\"optional\":true,", "\"optional\":true,\"field\":\"before\","),
                ROW_SCHEMA.replace("\"optional\":true,", "\"optional\":true,\"field\":\"after\","), op).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eventsParseAsUpdatesOfTheirRowAtTheirVersion() throws Exception {
        EnvelopeTemplate t = new EnvelopeTemplate(captured("u"));
        Map<String, String> settings = new HashMap<>(SyncThroughputBench.entitySettings());
        settings.put("redis.url", "redis://127.0.0.1:6379");
        settings.put("postgres.url", "jdbc:postgresql://127.0.0.1:5432/postgres");
        settings.put("kafka.bootstrap.servers", "127.0.0.1:9092");
        EnvelopeParser parser = new EnvelopeParser(SyncConfig.from(Settings.of(settings)).catalog());

        byte[] event = t.event(42, 26843600, 1764160001234L, "item 42 rev 3");
        CacheMutation m = parser.parse(SyncThroughputBench.TOPIC, event);

        assertThat(m.op()).isEqualTo(CacheMutation.Op.UPSERT);
        assertThat(m.id()).isEqualTo("42");
        assertThat(m.version()).isEqualTo(io.cachesync.sync.envelope.CommitOrderVersion.of(26843600, 26843600));
        assertThat(m.sourceTimestampMs()).isEqualTo(1764160001234L);
        assertThat(ValueCodec.mapper().readTree(m.document()))
                .isEqualTo(ValueCodec.mapper().readTree("{\"id\":42,\"name\":\"item 42 rev 3\",\"price\":\"9.99\"}"));
        JsonNode payload = ValueCodec.mapper().readTree(event).get("payload");
        assertThat(payload.at("/before/id").asLong()).isEqualTo(42);
        assertThat(payload.at("/source/connector").asText()).isEqualTo("postgresql");
        assertThat(EnvelopeTemplate.lsnOf(captured("u"))).isEqualTo(26843560L);
    }

    @Test
    void onlyAnUpdateWithBothImagesCanBeATemplate() {
        assertThatThrownBy(() -> new EnvelopeTemplate(captured("c")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("op=\"c\"");
    }
}
