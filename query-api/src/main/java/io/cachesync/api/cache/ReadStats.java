package io.cachesync.api.cache;

import io.cachesync.core.metrics.MetricNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the read path — reads by entity and result, fills kept and dropped, lease waits, database reads — kept
 * as plain counters (tests, demo) and exported to the meter registry with the hit ratios.
 */
public final class ReadStats {
    private final MeterRegistry registry;
    private final Map<String, Map<ReadResult.Source, LongAdder>> reads = new ConcurrentHashMap<>();
    private final LongAdder fills = new LongAdder();
    private final LongAdder fillsDropped = new LongAdder();
    private final LongAdder leaseWaits = new LongAdder();
    private final LongAdder dbReads = new LongAdder();

    public ReadStats() {
        this(new SimpleMeterRegistry());
    }

    public ReadStats(MeterRegistry registry) {
        this.registry = registry;
        FunctionCounter.builder(MetricNames.FILLS, fills, LongAdder::sum).tag("result", "kept")
                .description("Read-through fills, kept or dropped because a CDC write removed the lease first").register(registry);
        FunctionCounter.builder(MetricNames.FILLS, fillsDropped, LongAdder::sum).tag("result", "dropped")
                .description("Read-through fills, kept or dropped because a CDC write removed the lease first").register(registry);
        FunctionCounter.builder(MetricNames.LEASE_WAITS, leaseWaits, LongAdder::sum)
                .description("Misses that found another reader's lease and waited for its fill").register(registry);
        FunctionCounter.builder(MetricNames.DB_READS, dbReads, LongAdder::sum)
                .description("Reads that went to PostgreSQL").register(registry);
        Gauge.builder(MetricNames.HIT_RATIO, this, ReadStats::hitRate)
                .description("Share of reads answered from a cache (L1, Redis, negative cache) since start").register(registry);
        Gauge.builder(MetricNames.L1_HIT_RATIO, this, ReadStats::l1HitRate)
                .description("Share of reads answered by the in-process L1 since start").register(registry);
    }

    private Map<ReadResult.Source, LongAdder> entity(String name) {
        return reads.computeIfAbsent(name, n -> {
            Map<ReadResult.Source, LongAdder> m = new EnumMap<>(ReadResult.Source.class);
            for (ReadResult.Source s : ReadResult.Source.values()) {
                LongAdder a = new LongAdder();
                m.put(s, a);
                FunctionCounter.builder(MetricNames.READS, a, LongAdder::sum).tag("entity", n)
                        .tag("result", s.name().toLowerCase(Locale.ROOT))
                        .description("Row reads by where they were answered: hit_l1, hit (Redis), miss (PostgreSQL), negative")
                        .register(registry);
            }
            return m;
        });
    }

    void record(String entityName, ReadResult.Source s) {
        entity(entityName).get(s).increment();
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

    private long count(ReadResult.Source s) {
        return reads.values().stream().mapToLong(m -> m.get(s).sum()).sum();
    }

    public long l1Hits() {
        return count(ReadResult.Source.HIT_L1);
    }

    public long hits() {
        return count(ReadResult.Source.HIT);
    }

    public long misses() {
        return count(ReadResult.Source.MISS);
    }

    public long negatives() {
        return count(ReadResult.Source.NEGATIVE);
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
        return l1Hits() + hits() + misses() + negatives();
    }

    /** Share of reads answered from a cache (L1 or Redis hits and negative-cache answers). */
    public double hitRate() {
        long r = reads();
        return r == 0 ? 0 : (double) (r - misses()) / r;
    }

    public double l1HitRate() {
        long r = reads();
        return r == 0 ? 0 : (double) l1Hits() / r;
    }
}
