package io.cachesync.ingest.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.core.testkit.ChangeEvents;
import io.cachesync.core.testkit.ConnectType;
import io.cachesync.core.topics.Topics;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The change published instead of one Kafka would refuse: small, the same position, the key as its only image. */
class TooLargeChangeTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ChangeEvents NOTES = ChangeEvents.table("public.notes").key("id", ConnectType.INT64)
            .column("body", ConnectType.STRING);

    @Test
    void keepsOpPositionAndKeyAndDropsTheImagesAndSchema() throws Exception {
        String big = "x".repeat(100_000);
        String event = NOTES.update(null, NOTES.row(42, big)).lastCommit(400L).lsn(500L).json();
        byte[] out = TooLargeChange.of(event, NOTES.keyOf(42).withoutSchema().bytes(), 9_000_000, "too large");
        assertThat(out.length).isLessThan(400);
        JsonNode n = MAPPER.readTree(out);
        assertThat(n.get("op").asText()).isEqualTo("u");
        assertThat(n.get("source").get("sequence").asText()).isEqualTo("[\"400\",\"500\"]");
        assertThat(n.get("after").toString()).isEqualTo("{\"id\":42}");
        assertThat(n.get(Topics.TOO_LARGE_FIELD).get("bytes").asLong()).isEqualTo(9_000_000);
        assertThat(n.has("schema")).isFalse();
    }

    @Test
    void aDeleteKeepsTheKeyAsItsBeforeImage() throws Exception {
        String event = NOTES.delete(NOTES.row(7, "gone")).lsn(9L).json();
        JsonNode n = MAPPER.readTree(TooLargeChange.of(event, NOTES.keyOf(7).withoutSchema().bytes(), 10, "too large"));
        assertThat(n.get("before").toString()).isEqualTo("{\"id\":7}");
        assertThat(n.has("after")).isFalse();
    }
}
