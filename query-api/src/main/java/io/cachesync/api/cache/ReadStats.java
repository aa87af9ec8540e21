package io.cachesync.api.cache;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the read path: Redis hits, misses read through, negative-cache answers, fills kept and dropped. */
public final class ReadStats {
    private final LongAdder l1Hits = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder negatives = new LongAdder();
    private final LongAdder fills = new LongAdder();
    private final LongAdder fillsDropped = new LongAdder();
    private final LongAdder leaseWaits = new LongAdder();
    private final LongAdder dbReads = new LongAdder();

    void record(ReadResult.Source s) {
        switch (s) {
            case HIT_L1 -> l1Hits.increment();
            case HIT -> hits.increment();
            case MISS -> misses.increment();
            case NEGATIVE -> negatives.increment();
            default -> throw new IllegalArgumentException(s.toString());
        }
    }

    void fill(boolean kept) {
        (kept ? fills : fillsDropped).increment();
    }

    void leaseWait() {
        leaseWaits.increment();
    }

    void dbRead() {
        dbReads.increment();
    }

    public long l1Hits() {
        return l1Hits.sum();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public long negatives() {
        return negatives.sum();
    }

    public long fills() {
        return fills.sum();
    }

    public long fillsDropped() {
        return fillsDropped.sum();
    }

    public long leaseWaits() {
        return leaseWaits.sum();
    }

    /** Reads that went to PostgreSQL. */
    public long dbReads() {
        return dbReads.sum();
    }

    public long reads() {
        return l1Hits.sum() + hits.sum() + misses.sum() + negatives.sum();
    }

    /** Share of reads answered from a cache (L1 or Redis hits and negative-cache answers). */
    public double hitRate() {
        long r = reads();
        return r == 0 ? 0 : (double) (l1Hits.sum() + hits.sum() + negatives.sum()) / r;
    }
}
