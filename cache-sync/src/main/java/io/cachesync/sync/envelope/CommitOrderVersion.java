package io.cachesync.sync.envelope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cachesync.core.consistency.SourceEpoch;

/**
 * The version of a Debezium PostgreSQL change: a position that rises in the order PostgreSQL <em>committed</em> the
 * changes (DESIGN rule 1), written as 36 lower-case hex digits so that {@code apply.lua} compares it exactly.
 *
 * <pre>
 *   version = hex4(source epoch) + hex16(commit key) + hex16(position in the transaction)
 * </pre>
 *
 * The source epoch ({@link SourceEpoch}, from the record's {@code cachesync.source-epoch} header) numbers the identities
 * of the database — a restore to a point in time, a promotion or a new cluster starts the next one — so the positions
 * of a new identity, which may be lower than those already seen, still sort above every change of the old one.
 *
 * <ul>
 *   <li><b>Streamed change</b>: the commit key is {@code source.sequence[0]}, the end of the commit record of the
 *       transaction decoded before this one. pgoutput decodes transactions whole and in commit order, so every change of
 *       a transaction carries the same key and a later committed transaction a larger one, whatever the WAL positions
 *       of its records (a transaction open for a long time writes records older than changes committed before it).
 *       The second half is the change's own LSN ({@code source.sequence[1]}), which rises inside a transaction.</li>
 *   <li><b>Snapshot read</b> ({@code op=r}): the commit key is the same {@code sequence[0]} (for an incremental snapshot,
 *       the last commit decoded before the chunk's high watermark; for the initial snapshot, which has none, its
 *       {@code lsn}, the slot's consistent point) and the second half is 0: below every change of the transaction
 *       decoded next and of every later one — all committed after the read's SELECT — and above every change the read
 *       reflects, whose transactions were decoded before it.</li>
 * </ul>
 *
 * A missing commit key (the first transaction streamed after the initial snapshot; cdc-ingest fills it in, other
 * producers may not) falls back to the change's own LSN. Events without {@code sequence} (older Debezium) use the LSN
 * for both halves. See docs/consistency.md §1.1 for why each source of events obeys the order.
 */
public final class CommitOrderVersion {
    /** Width of the whole version: the source epoch and two 64-bit positions in hex. */
    public static final int WIDTH = SourceEpoch.WIDTH + 32;

    private CommitOrderVersion() {
    }

    /** The version of a change event from the source epoch it was read under, its {@code source} block and {@code op}. */
    public static String of(int sourceEpoch, JsonNode source, boolean snapshotRead) throws PoisonRecordException {
        long lsn = lsn(source.get("lsn"));
        long[] sequence = sequence(source.get("sequence"));
        long commit = sequence[0] != 0 ? sequence[0] : lsn;
        long inTransaction = snapshotRead ? 0 : (sequence[1] != 0 ? sequence[1] : lsn);
        if (commit == 0) {
            throw new PoisonRecordException("source has neither sequence nor lsn: the version of a change is its commit position");
        }
        return of(sourceEpoch, commit, inTransaction);
    }

    /** The version of a position of the first source epoch (0). */
    public static String of(long commit, long inTransaction) {
        return of(0, commit, inTransaction);
    }

    /** The version of a position: {@code commit} the commit key, {@code inTransaction} the change's own LSN (0 for a read). */
    public static String of(int sourceEpoch, long commit, long inTransaction) {
        return SourceEpoch.hex(sourceEpoch) + hex16(commit) + hex16(inTransaction);
    }

    /** The source epoch a version of this form starts with (hex), or null when {@code version} has another form. */
    public static String epochOf(String version) {
        return version != null && version.length() == WIDTH ? version.substring(0, SourceEpoch.WIDTH) : null;
    }

    /** The commit key of a version of this form (its first position); {@code version} must have {@link #epochOf} non-null. */
    public static long commitKeyOf(String version) {
        return Long.parseUnsignedLong(version, SourceEpoch.WIDTH, SourceEpoch.WIDTH + 16, 16);
    }

    private static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    private static long lsn(JsonNode n) throws PoisonRecordException {
        if (n == null || n.isNull()) {
            return 0;
        }
        if (n.isIntegralNumber() && n.canConvertToLong() && n.longValue() > 0) {
            return n.longValue();
        }
        return position(n.asText(), "source.lsn");
    }

    /** {@code [commit, change]} from Debezium's {@code "[\"123\",\"456\"]"} (either may be null); 0 for what is absent. */
    static long[] sequence(JsonNode n) throws PoisonRecordException {
        long[] out = new long[2];
        if (n == null || n.isNull()) {
            return out;
        }
        String s = n.asText().trim();
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw new PoisonRecordException("source.sequence is not a JSON array of two positions: '" + s + "'");
        }
        String[] parts = s.substring(1, s.length() - 1).split(",", -1);
        if (parts.length != 2) {
            throw new PoisonRecordException("source.sequence is not a JSON array of two positions: '" + s + "'");
        }
        for (int i = 0; i < 2; i++) {
            String p = parts[i].trim();
            if (p.equals("null")) {
                continue;
            }
            if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
                p = p.substring(1, p.length() - 1);
            }
            out[i] = position(p, "source.sequence");
        }
        return out;
    }

    private static long position(String text, String field) throws PoisonRecordException {
        try {
            long v = Long.parseUnsignedLong(text.trim());
            if (v == 0) {
                throw new PoisonRecordException(field + " must be > 0, was 0");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new PoisonRecordException(field + " is not a WAL position (an unsigned 64-bit integer): '" + text + "'");
        }
    }
}
