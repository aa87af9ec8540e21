package io.cachesync.core.consistency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cachesync.core.topics.Topics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One identity of the database cdc-ingest reads, and the number the cache knows it by (DESIGN rule 1). WAL positions
 * rise only within one identity: a point-in-time restore or a failover starts a new timeline whose positions may be
 * lower than those already seen, and a new cluster starts its own. cdc-ingest gives every new identity the next epoch
 * (topic {@link io.cachesync.core.topics.TopicNames#sourceEpochs()}) and every change version starts with it, so changes of
 * the new identity sort above every change of the old one, and cache-sync purges what the old one left in Redis.
 *
 * @param epoch            0 for the first identity recorded, then one more at each change (at most {@link #MAX})
 * @param systemIdentifier PostgreSQL's database system identifier (new for every {@code initdb})
 * @param timeline         the server's timeline (new after a restore to a point in time or a promotion)
 * @param since            when cdc-ingest recorded it
 */
public record SourceEpoch(int epoch, String systemIdentifier, long timeline, Instant since) {
    /** Hex digits of the epoch in a version. */
    public static final int WIDTH = 4;
    public static final int MAX = (1 << (4 * WIDTH)) - 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public SourceEpoch {
        if (epoch < 0 || epoch > MAX) {
            throw new IllegalArgumentException("a source epoch is between 0 and " + MAX + ", was " + epoch);
        }
    }

    /** True when both name the same database on the same timeline. */
    public boolean sameIdentity(String systemIdentifier, long timeline) {
        return this.systemIdentifier.equals(systemIdentifier) && this.timeline == timeline;
    }

    /** The epoch as it starts every CDC version: {@link #WIDTH} lower-case hex digits. */
    public String hex() {
        return hex(epoch);
    }

    public static String hex(int epoch) {
        String h = Integer.toHexString(epoch);
        return "0".repeat(WIDTH - h.length()) + h;
    }

    public byte[] toJson() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("epoch", epoch);
        n.put("system_identifier", systemIdentifier);
        n.put("timeline", timeline);
        n.put("since", since.toString());
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a record of the epochs topic; a clear message when it is not one. */
    public static SourceEpoch fromJson(byte[] json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || !n.path("epoch").canConvertToInt() || !n.hasNonNull("system_identifier") || !n.path("timeline").canConvertToLong()) {
                throw new IllegalArgumentException("not a source epoch record (epoch, system_identifier, timeline): "
                        + new String(json, StandardCharsets.UTF_8));
            }
            return new SourceEpoch(n.get("epoch").intValue(), n.get("system_identifier").asText(), n.get("timeline").longValue(),
                    n.hasNonNull("since") ? Instant.parse(n.get("since").asText()) : Instant.EPOCH);
        } catch (IOException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a source epoch record: " + e.getMessage(), e);
        }
    }

    /** The epoch in a record header (decimal), or 0 when there is none (events of producers that do not set it). */
    public static int fromHeader(byte[] header) {
        if (header == null) {
            return 0;
        }
        String s = new String(header, StandardCharsets.UTF_8);
        try {
            int e = Integer.parseInt(s);
            if (e >= 0 && e <= MAX) {
                return e;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("header " + Topics.SOURCE_EPOCH_HEADER + " is not a source epoch (0–"
                + MAX + "): '" + s + "'");
    }
}
