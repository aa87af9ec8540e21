package io.cachesync.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.testkit.ChangeEvent;
import io.cachesync.core.testkit.ChangeEvents;
import io.cachesync.core.testkit.ConnectType;
import io.cachesync.sync.config.SyncConfig;
import io.cachesync.sync.envelope.CacheMutation;
import io.cachesync.sync.envelope.EnvelopeParser;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bench's events are the captured Debezium event with only id, name, LSN, sequence and timestamps changed. */
class EnvelopeTemplateTest {
    private static final ChangeEvents PRODUCTS = ChangeEvents.table("public.products").key("id", ConnectType.INT64)
            .column("name", ConnectType.STRING).column("price", ConnectType.DECIMAL);
    private static final long CAPTURED_AT_MS = 1764160000000L;
    private static final byte[] CAPTURED = update(1, "cachesync bench template", 26843560, CAPTURED_AT_MS).bytes();

    /** An update of product {@code id} to {@code name} in a transaction of its own, its record at {@code lsn}. */
    private static ChangeEvent update(long id, String name, long lsn, long tsMs) {
        return PRODUCTS.update(PRODUCTS.row(id, "product 1", "9.99"), PRODUCTS.row(id, name, "9.99")).lastCommit(lsn).lsn(lsn)
                .committedAtMs(tsMs).emittedAtMs(tsMs);
    }

    @Test
    void eventsParseAsUpdatesOfTheirRowAtTheirVersion() throws Exception {
        EnvelopeTemplate t = new EnvelopeTemplate(CAPTURED);
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
        assertThat(EnvelopeTemplate.lsnOf(CAPTURED)).isEqualTo(26843560L);
    }

    @Test
    void onlyAnUpdateWithBothImagesCanBeATemplate() {
        assertThatThrownBy(() -> new EnvelopeTemplate(PRODUCTS.insert(PRODUCTS.row(1, "new", "9.99")).lsn(26843560L).bytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("op=\"c\"");
    }

    @Test
    void anEventIsTheDocumentDebeziumWritesForTheRowAtThePosition() throws Exception {
        EnvelopeTemplate t = new EnvelopeTemplate(CAPTURED);
        assertThat(ValueCodec.mapper().readTree(t.event(42, 26843600, CAPTURED_AT_MS, "item 42 rev 3")))
                .isEqualTo(ValueCodec.mapper().readTree(update(42, "item 42 rev 3", 26843600, CAPTURED_AT_MS).bytes()));
    }
}
