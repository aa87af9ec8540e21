package io.cachesync.core.topics;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The compact form of a change event ({@code ingest.envelope=compact}, the default): Debezium's envelope with its
 * Connect schema replaced by a reference, {@code {"schema_id":"<id>","payload":<payload>}}. The payload is exactly the
 * one of Debezium's envelope; the schema — about four fifths of an event's bytes, the same for every event of a table
 * until its columns change — travels once per distinct schema in {@link TopicNames#schemas()}, keyed by its id.
 *
 * <p>The id is the first 16 bytes of the SHA-256 of the schema's JSON, in lower-case hex: equal schemas get equal ids
 * whichever process wrote them, so a schema written twice (a restart) is one record after compaction.
 */
public final class CompactEnvelope {
    /** What every compact event starts with; the id and {@code ","payload":} follow. */
    public static final String PREFIX = "{\"schema_id\":\"";
    /** Length of an id in characters. */
    public static final int ID_LENGTH = 32;
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final String BETWEEN = "\",\"payload\":";
    private static final HexFormat HEX = HexFormat.of();

    private CompactEnvelope() {
    }

    /** The id of a schema, from its JSON text. */
    public static String schemaId(byte[] schemaJson) {
        try {
            return HEX.formatHex(Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(schemaJson), ID_LENGTH / 2));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The compact event of {@code payload} (a JSON object's text) under the schema {@code id}. */
    public static String of(String id, String payload) {
        return PREFIX + id + BETWEEN + payload + "}";
    }

    /** Whether {@code value} starts as a compact event does (its id is then {@link #idOf}'s to check). */
    public static boolean isCompact(byte[] value) {
        return value != null && value.length >= PREFIX_BYTES.length
                && Arrays.equals(value, 0, PREFIX_BYTES.length, PREFIX_BYTES, 0, PREFIX_BYTES.length);
    }

    /** The schema id of a compact event, or null when {@code value} does not start with a well-formed one. */
    public static String idOf(byte[] value) {
        if (!isCompact(value) || value.length < PREFIX_BYTES.length + ID_LENGTH + 1 || value[PREFIX_BYTES.length + ID_LENGTH] != '"') {
            return null;
        }
        for (int i = PREFIX_BYTES.length; i < PREFIX_BYTES.length + ID_LENGTH; i++) {
            byte b = value[i];
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
                return null;
            }
        }
        return new String(value, PREFIX_BYTES.length, ID_LENGTH, StandardCharsets.US_ASCII);
    }
}
