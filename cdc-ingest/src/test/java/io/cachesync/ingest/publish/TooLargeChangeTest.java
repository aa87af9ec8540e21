package io.cachesync.ingest.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cachesync.core.topics.Topics;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The change published instead of one Kafka would refuse: small, the same position, the key as its only image. */
class TooLargeChangeTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void keepsOpPositionAndKeyAndDropsTheImagesAndSchema() throws Exception {
        String big = "x".repeat(100_000);
        String event = "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"before\":null,\"after\":{\"id\":42,\"body\":\"" + big + "\"},"
                + "\"source\":{\"lsn\":500,\"sequence\":\"[\\\"400\\\",\\\"500\\\"]\"},\"op\":\"u\",\"ts_ms\":1764150000000}}";
        byte[] out = TooLargeChange.of(event, "{\"id\":42}".getBytes(StandardCharsets.UTF_8), 9_000_000, "too large");
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
        String event = "{\"payload\":{\"before\":{\"id\":7},\"after\":null,\"source\":{\"lsn\":9},\"op\":\"d\"},\"schema\":{}}";
        JsonNode n = MAPPER.readTree(TooLargeChange.of(event, "{\"id\":7}".getBytes(StandardCharsets.UTF_8), 10, "too large"));
        assertThat(n.get("before").toString()).isEqualTo("{\"id\":7}");
        assertThat(n.has("after")).isFalse();
    }
}
