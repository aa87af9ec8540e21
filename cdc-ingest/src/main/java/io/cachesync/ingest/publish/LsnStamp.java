package io.cachesync.ingest.publish;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives incremental-snapshot reads a version. Debezium's incremental snapshot (resync) emits its reads without
 * {@code source.lsn}; a read is emitted in stream order after the chunk's high watermark, and Debezium drops the read
 * of any row that changed inside the chunk's window, so the read holds the row as of the highest LSN streamed before
 * it. That LSN is its version: newer than every earlier change of the row, older than every later one.
 *
 * <p>The LSN is found in the event's {@code source} block by a scan, not a parse, so it costs next to nothing on the
 * hot path; the {@code source} block is located first so that a column named {@code lsn} cannot be mistaken for it.
 */
final class LsnStamp {
    private static final String SOURCE = "\"source\":{";
    private static final String LSN = "\"lsn\":";

    private final AtomicLong highest;

    /** @param floor a lower bound of every LSN to come (the slot's confirmed flush position at start) */
    LsnStamp(long floor) {
        this.highest = new AtomicLong(Math.max(0, floor));
    }

    /** Records the event's LSN, or fills in a missing one; returns the value to publish. */
    String apply(String value) {
        int source = value.lastIndexOf(SOURCE);
        if (source < 0) {
            return value;
        }
        int at = value.indexOf(LSN, source);
        if (at < 0) {
            return value;
        }
        int start = at + LSN.length();
        if (value.startsWith("null", start)) {
            long v = highest.get();
            return v <= 0 ? value : value.substring(0, start) + v + value.substring(start + 4);
        }
        int end = start;
        while (end < value.length() && Character.isDigit(value.charAt(end))) {
            end++;
        }
        if (end > start && end - start < 19) {
            long lsn = Long.parseLong(value, start, end, 10);
            highest.accumulateAndGet(lsn, Math::max);
        }
        return value;
    }

    long highest() {
        return highest.get();
    }
}
