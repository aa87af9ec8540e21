package io.cachesync.core.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records end-to-end lag (commit in PostgreSQL → applied in Redis) in milliseconds, lock-free on the hot path.
 * {@link #interval()} returns what was recorded since the previous call; {@link #total()} everything so far.
 */
public final class LagRecorder {
    private static final long MAX_MS = 3_600_000L;
    private final Recorder recorder = new Recorder(MAX_MS, 3);
    private final Histogram total = new Histogram(MAX_MS, 3);
    private Histogram last;

    public void record(long lagMs) {
        recorder.recordValue(Math.max(0, Math.min(MAX_MS, lagMs)));
    }

    /** The values recorded since the previous call (also added to the total). */
    public synchronized Snapshot interval() {
        last = recorder.getIntervalHistogram(last);
        total.add(last);
        return Snapshot.of(last);
    }

    /** Everything recorded since start (drains the current interval into it). */
    public synchronized Snapshot total() {
        last = recorder.getIntervalHistogram(last);
        total.add(last);
        return Snapshot.of(total);
    }

    /** Count and percentiles in milliseconds. */
    public record Snapshot(long count, long p50, long p99, long max) {
        static Snapshot of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Snapshot(0, 0, 0, 0);
            }
            return new Snapshot(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
        }
    }
}
