package io.cachesync.ingest.publish;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Completes the commit key of events that Debezium leaves without one, so that every version cache-sync builds from
 * {@code source.sequence} rises in commit order (cache-sync's {@code CommitOrderVersion}; docs/consistency.md §1.1).
 *
 * <p>Debezium's {@code source.sequence} is {@code ["<last commit LSN>","<this change's LSN>"]}. The first element is
 * {@code null} until the engine has decoded a commit since it started from a fresh offset: in the initial snapshot's
 * reads and in the first transaction streamed after it. That transaction committed after the snapshot's consistent
 * point, yet a record it wrote may sit at a WAL position below that point (a transaction open while the slot was
 * created). Such an event gets the highest position this publisher knows of — the slot's confirmed flush position at
 * start, and the highest {@code source.lsn} of the events before it (the snapshot's consistent point among them) — so
 * it sorts above every snapshot read and below the next transaction, whose key is this transaction's commit.
 *
 * <p>The positions are found in the event's {@code source} block by a scan, not a parse, so it costs next to nothing on
 * the hot path; the {@code source} block is located first so that a column named {@code lsn} or {@code sequence}
 * cannot be mistaken for it.
 */
final class CommitKeyStamp {
    private static final String SOURCE = "\"source\":{";
    private static final String LSN = "\"lsn\":";
    private static final String NO_COMMIT_KEY = "\"sequence\":\"[null,";

    private final AtomicLong highest;

    /** @param floor a lower bound of every position to come (the slot's confirmed flush position at start) */
    CommitKeyStamp(long floor) {
        this.highest = new AtomicLong(Math.max(0, floor));
    }

    /** Records the event's LSN and fills in a missing commit key; returns the value to publish. */
    String apply(String value) {
        int source = value.lastIndexOf(SOURCE);
        if (source < 0) {
            return value;
        }
        int at = value.indexOf(LSN, source);
        if (at >= 0) {
            int start = at + LSN.length();
            int end = start;
            while (end < value.length() && Character.isDigit(value.charAt(end))) {
                end++;
            }
            if (end > start && end - start < 19) {
                long lsn = Long.parseLong(value, start, end, 10);
                highest.accumulateAndGet(lsn, Math::max);
            }
        }
        int missing = value.indexOf(NO_COMMIT_KEY, source);
        long key = highest.get();
        if (missing < 0 || key <= 0) {
            return value;
        }
        int nullAt = missing + NO_COMMIT_KEY.length() - "null,".length();
        return value.substring(0, nullAt) + "\\\"" + key + "\\\"" + value.substring(nullAt + "null".length());
    }

    long highest() {
        return highest.get();
    }
}
