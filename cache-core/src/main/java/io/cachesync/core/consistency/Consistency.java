package io.cachesync.core.consistency;

import io.cachesync.core.redis.CacheEntry;

/** How a cache entry compares with the database; and consistency expressed as nines. */
public final class Consistency {
    private Consistency() {
    }

    /**
     * @param databaseDocument the row's document, or null when the database has no such row
     * @param cached           what Redis holds
     */
    public static KeyCheck classify(String databaseDocument, CacheEntry cached) {
        if (databaseDocument == null) {
            return cached.state() == CacheEntry.State.PRESENT ? KeyCheck.EXTRA : KeyCheck.FRESH;
        }
        return switch (cached.state()) {
            case PRESENT -> databaseDocument.equals(cached.document()) ? KeyCheck.FRESH : KeyCheck.STALE;
            case TOMBSTONE -> KeyCheck.STALE;
            case ABSENT -> KeyCheck.MISSING;
        };
    }

    /**
     * Consistency as nines: {@code -log10(inconsistent / checks)}, e.g. 1 stale key in 10,000 checks is 4 nines.
     * With no inconsistency the figure is a lower bound, {@code log10(checks)} (what the sample can show);
     * 0 when nothing was checked.
     */
    public static double nines(long checks, long inconsistent) {
        if (checks <= 0) {
            return 0;
        }
        double n = inconsistent == 0 ? Math.log10(checks) : -Math.log10((double) inconsistent / checks);
        return Math.round(n * 100) / 100.0;
    }
}
