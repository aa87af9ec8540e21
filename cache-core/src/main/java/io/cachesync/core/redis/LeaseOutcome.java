package io.cachesync.core.redis;

/** The answer of the lease script: an entry appeared meanwhile, another reader holds the lease, or this reader got it. */
public record LeaseOutcome(Kind kind, CacheEntry entry) {
    public enum Kind { ENTRY, BUSY, LEASED }

    public static final LeaseOutcome BUSY = new LeaseOutcome(Kind.BUSY, CacheEntry.ABSENT);
    public static final LeaseOutcome LEASED = new LeaseOutcome(Kind.LEASED, CacheEntry.ABSENT);
}
