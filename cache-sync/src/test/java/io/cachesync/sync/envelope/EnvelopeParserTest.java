package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.Settings;
import io.cachesync.core.testkit.ChangeEvent;
import io.cachesync.sync.UserEvents;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
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
        CacheMutation m = parser.parse(TOPIC, UserEvents.upsert(42, "Ada", 24_023_128L));
        assertThat(m.entity().name()).isEqualTo("users");
        assertThat(m.id()).isEqualTo("42");
        assertThat(m.op()).isEqualTo(CacheMutation.Op.UPSERT);
        assertThat(m.version()).isEqualTo(UserEvents.version(24_023_128L));
        assertThat(m.snapshot()).isFalse();
        assertThat(m.sourceTimestampMs()).isEqualTo(ChangeEvent.COMMITTED_AT_MS);
        JsonNode doc = ValueCodec.mapper().readTree(m.document());
        assertThat(doc.get("name").asText()).isEqualTo("Ada");
        assertThat(doc.get("id").asLong()).isEqualTo(42);
        assertThat(doc.get("created_at").asText()).isEqualTo("2026-11-26T10:15:30.123456Z");
    }

    @Test
    void aCompositeKeyTakesItsPartsFromTheImageInKeyOrderAsTheCanonicalId() throws Exception {
        EnvelopeParser composite = new EnvelopeParser(EntityCatalog.from(Settings.of(Map.of("entities", "users",
                "entities.users.key", "name,id", "entities.users.key-type", "text,bigint")), new ArrayList<>()));
        assertThat(composite.parse(TOPIC, UserEvents.upsert(42, "Ada, Lovelace/1: x", 100L)).id()).isEqualTo("Ada%2C%20Lovelace%2F1%3A%20x,42");
        assertThat(composite.parse(TOPIC, UserEvents.delete(9, 555L)).id()).as("a delete's before image").matches(".+,9");
    }

    @Test
    void sensitiveColumnsNeverReachTheDocument() throws Exception {
        CacheMutation m = parser.parse(TOPIC, UserEvents.upsert(7, "Grace", 100L));
        assertThat(m.document()).doesNotContain("password_hash").doesNotContain("secret");
    }

    @Test
    void documentListsColumnsInNameOrder() throws Exception {
        CacheMutation m = parser.parse(TOPIC, UserEvents.upsert(7, "Grace", 100L));
        assertThat(m.document()).startsWith("{\"created_at\":").contains("\"email\"").endsWith("\"name\":\"Grace\"}");
    }

    @Test
    void deleteUsesTheBeforeImageForItsKey() throws Exception {
        CacheMutation m = parser.parse(TOPIC, UserEvents.delete(9, 555L));
        assertThat(m.op()).isEqualTo(CacheMutation.Op.DELETE);
        assertThat(m.id()).isEqualTo("9");
        assertThat(m.document()).isNull();
    }

    @Test
    void snapshotReadsAreUpsertsMarkedAsSnapshot() throws Exception {
        CacheMutation m = parser.parse(TOPIC, UserEvents.USERS.read(UserEvents.row(3, "Snap")).lsn(77L).bytes());
        assertThat(m.op()).isEqualTo(CacheMutation.Op.UPSERT);
        assertThat(m.snapshot()).isTrue();
    }

    /** Positions as Debezium 3.6.1 gave them in a probe on the devstack (docs/consistency.md §1.1). */
    @Test
    void aTransactionOpenAcrossAnIncrementalSnapshotSortsAboveTheSnapshotsRead() throws Exception {
        // committed before the chunk was read: the read reflects it
        CacheMutation before = parser.parse(TOPIC, UserEvents.upsert(1, "before", 21_936_560L, 21_936_608L));
        // the incremental snapshot's read, emitted at the high watermark: sequence [last commit, last commit], lsn lower
        CacheMutation read = parser.parse(TOPIC, UserEvents.USERS.read(UserEvents.row(1, "read")).lastCommit(21_937_704L).lsn(21_937_376L).bytes());
        // a transaction open while the chunk was read, committed after the high watermark: its record is older than both
        CacheMutation open = parser.parse(TOPIC, UserEvents.upsert(1, "open", 21_938_840L, 21_936_792L));
        CacheMutation openDelete = parser.parse(TOPIC, UserEvents.USERS.delete(UserEvents.row(1, "open")).lastCommit(21_938_840L)
                .lsn(21_936_928L).bytes());
        CacheMutation next = parser.parse(TOPIC, UserEvents.upsert(1, "next", 21_938_888L, 21_938_888L));

        assertThat(List.of(before.version(), read.version(), open.version(), openDelete.version(), next.version()))
                .allMatch(v -> v.length() == CommitOrderVersion.WIDTH)
                .isSorted()
                .doesNotHaveDuplicates();
        // what the change's own LSN gave (the bug): the open transaction's change sorted below the snapshot's read
        assertThat(21_936_792L).isLessThan(21_937_376L);
    }

    @Test
    void initialSnapshotReadsSortBelowTheFirstTransactionStreamedAfterThem() throws Exception {
        // cdc-ingest fills the missing commit key of both with the snapshot point (CommitKeyStamp)
        CacheMutation read = parser.parse(TOPIC, UserEvents.USERS.read(UserEvents.row(2, "snap")).lastCommit(21_936_200L).lsn(21_936_200L).bytes());
        CacheMutation firstStreamed = parser.parse(TOPIC, UserEvents.upsert(2, "first", 21_936_200L, 21_936_140L));
        CacheMutation second = parser.parse(TOPIC, UserEvents.upsert(2, "second", 21_936_560L, 21_936_240L));
        assertThat(List.of(read.version(), firstStreamed.version(), second.version())).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void changesOfOneTransactionSortByTheirOwnPosition() throws Exception {
        String first = parser.parse(TOPIC, UserEvents.upsert(3, "a", 500L, 100L)).version();
        String second = parser.parse(TOPIC, UserEvents.upsert(3, "b", 500L, 180L)).version();
        assertThat(first).isLessThan(second);
        assertThat(second).isEqualTo(CommitOrderVersion.of(500L, 180L)).isEqualTo("0000" + "00000000000001f4" + "00000000000000b4");
    }

    @Test
    void theSourceEpochComesFirstSoANewDatabasesLowerPositionsSortAboveTheOldOnes() throws Exception {
        String old = parser.parse(TOPIC, null, UserEvents.upsert(3, "a", 9_000_000L, 9_000_100L), 0).version();
        String restored = parser.parse(TOPIC, null, UserEvents.upsert(3, "b", 500L, 180L), 1).version();
        assertThat(restored).startsWith("0001").hasSize(CommitOrderVersion.WIDTH).isGreaterThan(old);
        assertThat(CommitOrderVersion.epochOf(restored)).isEqualTo("0001");
        assertThat(CommitOrderVersion.epochOf("42")).as("a command's version has no epoch").isNull();
    }

    @Test
    void aMalformedSequenceIsPoison() {
        byte[] bad = ("{\"op\":\"c\",\"after\":" + UserEvents.row(1, "a") + ",\"source\":{\"lsn\":5,\"sequence\":\"[1]\"}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parse(TOPIC, bad)).isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining("source.sequence is not a JSON array of two positions");
    }

    @Test
    void aCdcEventOfAnEntityFedByCommandsIsPoison() {
        EnvelopeParser commandsFed = new EnvelopeParser(EntityCatalog.from(Settings.of(Map.of(
                "entities", "users", "entities.users.source", "commands")), new ArrayList<>()));
        assertThatThrownBy(() -> commandsFed.parse(TOPIC, UserEvents.upsert(1, "x", 5))).isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining("entity 'users' is fed by commands (entities.users.source=commands): CDC events for it are refused");
    }

    @Test
    void envelopeWithoutSchemaIsAccepted() throws Exception {
        byte[] bare = UserEvents.USERS.insert(UserEvents.row(5, "Bare")).lsn(900L).withoutSchema().bytes();
        assertThat(parser.parse(TOPIC, bare).version()).isEqualTo(UserEvents.version(900));
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
        assertThatThrownBy(() -> parser.parse(TOPIC, ("{\"op\":\"c\",\"after\":" + UserEvents.row(1, "a") + ",\"source\":{}}")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("source has neither sequence nor lsn");
        assertThatThrownBy(() -> parser.parse(TOPIC, ("{\"op\":\"c\",\"after\":" + UserEvents.row(1, "a") + ",\"source\":{\"lsn\":0}}")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> parser.parse(TOPIC, "{\"op\":\"c\",\"after\":{\"name\":\"x\"},\"source\":{\"lsn\":5}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("no usable key column 'id'");
        assertThatThrownBy(() -> parser.parse(TOPIC, "{\"op\":\"c\",\"after\":{\"id\":\"abc\"},\"source\":{\"lsn\":5}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("is not a 64-bit integer");
        assertThatThrownBy(() -> parser.parse(TOPIC, "{\"op\":\"d\",\"before\":null,\"source\":{\"lsn\":5}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("no before image");
        assertThatThrownBy(() -> parser.parse("cachesync.public.orders", UserEvents.upsert(1, "x", 1)))
                .hasMessageContaining("no entity is configured for topic cachesync.public.orders");
        assertThatThrownBy(() -> parser.parse("other.public.users", UserEvents.upsert(1, "x", 1)))
                .hasMessageContaining("no entity is configured for topic other.public.users");
    }

    @Test
    void aValueThatDoesNotFitItsColumnsTypeIsPoisonNamingTheColumn() throws Exception {
        byte[] badTimestamp = UserEvents.USERS.update(UserEvents.row(1, "old"),
                UserEvents.row(1, "new").replace("2026-11-26T10:15:30.123456Z", "yesterday")).lsn(5L).bytes();
        assertThatThrownBy(() -> parser.parse(TOPIC, badTimestamp)).isInstanceOf(PoisonRecordException.class)
                .hasMessageStartingWith("after image: column 'created_at' (io.debezium.time.ZonedTimestamp) has a value that does not fit its type");
        // the same event, read again after a well-formed one (its schema kept), is rejected the same way
        EnvelopeParser warm = new EnvelopeParser(catalog);
        assertThat(warm.parse(TOPIC, UserEvents.upsert(1, "fine", 4)).version()).isEqualTo(UserEvents.version(4));
        assertThatThrownBy(() -> warm.parse(TOPIC, badTimestamp)).isInstanceOf(PoisonRecordException.class)
                .hasMessageContaining("column 'created_at'");
    }
}
