package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.sync.Envelopes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvelopeParserTest {
    static final String TOPIC = "cachesync.public.users";
    final EntityCatalog catalog = EntityCatalog.from(Settings.of(Map.of(
            "entities", "users", "entities.users.sensitive", "password_hash")), new ArrayList<>());
    final EnvelopeParser parser = new EnvelopeParser(catalog);

    @Test
    void updateBecomesAnUpsertVersionedByItsLsn() throws Exception {
        CacheMutation m = parser.parse(TOPIC, Envelopes.upsert(42, "Ada", 24_023_128L));
        assertThat(m.entity().name()).isEqualTo("users");
        assertThat(m.id()).isEqualTo("42");
        assertThat(m.op()).isEqualTo(CacheMutation.Op.UPSERT);
        assertThat(m.version()).isEqualTo("24023128");
        assertThat(m.snapshot()).isFalse();
        assertThat(m.sourceTimestampMs()).isEqualTo(1_764_150_000_000L);
        JsonNode doc = ValueCodec.mapper().readTree(m.document());
        assertThat(doc.get("name").asText()).isEqualTo("Ada");
        assertThat(doc.get("id").asLong()).isEqualTo(42);
        assertThat(doc.get("created_at").asText()).isEqualTo("2026-11-26T10:15:30.123456Z");
    }

    @Test
    void sensitiveColumnsNeverReachTheDocument() throws Exception {
        CacheMutation m = parser.parse(TOPIC, Envelopes.upsert(7, "Grace", 100L));
        assertThat(m.document()).doesNotContain("password_hash").doesNotContain("secret");
    }

    @Test
    void documentListsColumnsInNameOrder() throws Exception {
        CacheMutation m = parser.parse(TOPIC, Envelopes.upsert(7, "Grace", 100L));
        assertThat(m.document()).startsWith("{\"created_at\":").contains("\"email\"").endsWith("\"name\":\"Grace\"}");
    }

    @Test
    void deleteUsesTheBeforeImageForItsKey() throws Exception {
        CacheMutation m = parser.parse(TOPIC, Envelopes.delete(9, 555L));
        assertThat(m.op()).isEqualTo(CacheMutation.Op.DELETE);
        assertThat(m.id()).isEqualTo("9");
        assertThat(m.document()).isNull();
    }

    @Test
    void snapshotReadsAreUpsertsMarkedAsSnapshot() throws Exception {
        CacheMutation m = parser.parse(TOPIC, Envelopes.event("r", null, Envelopes.row(3, "Snap"), 77L, 1L));
        assertThat(m.op()).isEqualTo(CacheMutation.Op.UPSERT);
        assertThat(m.snapshot()).isTrue();
    }

    @Test
    void envelopeWithoutSchemaIsAccepted() throws Exception {
        byte[] bare = ("{\"before\":null,\"after\":" + Envelopes.row(5, "Bare") + ",\"source\":{\"lsn\":900,\"ts_ms\":1},\"op\":\"c\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse(TOPIC, bare).version()).isEqualTo("900");
    }

    @Test
    void poisonRecordsAreRejectedWithAnActionableReason() {
        assertThatThrownBy(() -> parser.parse(TOPIC, "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(PoisonRecordException.class).hasMessageStartingWith("value is not JSON");
        assertThatThrownBy(() -> parser.parse(TOPIC, "[1,2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("value is not a JSON object");
        assertThatThrownBy(() -> parser.parse(TOPIC, null)).hasMessageContaining("empty value");
        assertThatThrownBy(() -> parser.parse(TOPIC, "{\"op\":\"x\",\"source\":{\"lsn\":1}}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("op is 'x'");
        assertThatThrownBy(() -> parser.parse(TOPIC, ("{\"op\":\"c\",\"after\":" + Envelopes.row(1, "a") + ",\"source\":{}}")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("source.lsn is missing");
        assertThatThrownBy(() -> parser.parse(TOPIC, ("{\"op\":\"c\",\"after\":" + Envelopes.row(1, "a") + ",\"source\":{\"lsn\":0}}")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> parser.parse(TOPIC, "{\"op\":\"c\",\"after\":{\"name\":\"x\"},\"source\":{\"lsn\":5}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("no usable key column 'id'");
        assertThatThrownBy(() -> parser.parse(TOPIC, "{\"op\":\"c\",\"after\":{\"id\":\"abc\"},\"source\":{\"lsn\":5}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("is not a 64-bit integer");
        assertThatThrownBy(() -> parser.parse(TOPIC, "{\"op\":\"d\",\"before\":null,\"source\":{\"lsn\":5}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("no before image");
        assertThatThrownBy(() -> parser.parse("cachesync.public.orders", Envelopes.upsert(1, "x", 1)))
                .hasMessageContaining("no entity is configured for topic cachesync.public.orders");
        assertThatThrownBy(() -> parser.parse("other.public.users", Envelopes.upsert(1, "x", 1)))
                .hasMessageContaining("no entity is configured for topic other.public.users");
    }

    @Test
    void aValueThatDoesNotFitItsColumnsTypeIsPoisonNamingTheColumn() throws Exception {
        byte[] badTimestamp = Envelopes.event("u", Envelopes.row(1, "old"), Envelopes.row(1, "new").replace("2026-11-26T10:15:30.123456Z", "yesterday"),
                5, 1_764_150_000_000L);
        assertThatThrownBy(() -> parser.parse(TOPIC, badTimestamp)).isInstanceOf(PoisonRecordException.class)
                .hasMessageStartingWith("after image: column 'created_at' (io.debezium.time.ZonedTimestamp) has a value that does not fit its type");
        // the same event, read again after a well-formed one (its schema kept), is rejected the same way
        EnvelopeParser warm = new EnvelopeParser(catalog);
        assertThat(warm.parse(TOPIC, Envelopes.upsert(1, "fine", 4)).version()).isEqualTo("4");
        assertThatThrownBy(() -> warm.parse(TOPIC, badTimestamp)).isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining("column 'created_at'");
    }
}
