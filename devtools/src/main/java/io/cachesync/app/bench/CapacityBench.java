package io.cachesync.app.bench;

import io.cachesync.core.metrics.LagRecorder;
import io.cachesync.sync.SyncService;

import java.io.PrintStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The commit rate cachesync keeps up with: OLTP-shaped transactions on the demo's products table — single-row
 * autocommit statements (eight updates in ten, one insert, one delete) from {@link CapacityWriters#WRITERS} connections, or
 * transactions of 10 or 100 such rows — at rising rates, each held for a measured window. Per rate: the commit rate
 * achieved, the end-to-end lag of every change applied from the window's start until the pipeline drained, cache-sync's
 * consumer lag and the CPU of each component. A rate is sustained when the writers achieved at least 90 % of it and
 * the lag p99 stayed under {@link #LAG_LIMIT_MS}; the ladder stops at the first rate that is not. Beside it, the
 * ceiling: what the same PostgreSQL commits with the same writers and nothing of cachesync running.
 */
final class CapacityBench {
    static final long LAG_LIMIT_MS = 1000;
    /** The rates of the ladder, in rows committed per second (2,000 is where issue 19 sets a lag target). */
    static final List<Integer> ROWS_PER_SECOND = List.of(500, 1000, 2000, 3000, 4000, 6000, 8000, 10_000, 12_000, 16_000, 24_000, 32_000);
    private static final int WARM_UP_SECONDS = 5;
    private static final int CEILING_SECONDS = 10;
    private static final long DRAIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Ids of inserted rows start here, far above the seeded ones. */
    private static final long INSERTED_IDS = 1_000_000_000L;

    /** How the rows are grouped into transactions. */
    enum Shape {
        SINGLE_ROW("single_row", 1), BATCH_10("batch_10", 10), BATCH_100("batch_100", 100);

        final String jsonName;
        final int rows;

        Shape(String jsonName, int rows) {
            this.jsonName = jsonName;
            this.rows = rows;
        }
    }

    /**
     * One rate of the ladder; tps are transactions per second. The lag is commit → applied in Redis; {@code ingest} is its
     * part before cache-sync: commit → the change's record in Kafka (cdc-ingest).
     */
    record Point(double tps, double achievedTps, double achievedRowsPerSecond, long changes, long lagP50, long lagP99, long lagMax,
                 LagRecorder.Snapshot ingest, long consumerLag, boolean drained, Map<String, Double> cpu) {
        boolean sustained() {
            return drained && achievedTps >= 0.9 * tps && lagP99 < LAG_LIMIT_MS;
        }
    }

    /** The ladder of one shape, with the highest sustained rate and the ceiling (transactions per second). */
    record Curve(Shape shape, double sustainedTps, double ceilingTps, List<Point> points) {
    }

    private final Supplier<Connection> db;
    private final ComponentCpu cpu;
    private final int seconds;
    private final PrintStream progress;
    private final AtomicLong nextInsertId = new AtomicLong(INSERTED_IDS);

    CapacityBench(Supplier<Connection> db, ComponentCpu cpu, int seconds, PrintStream progress) {
        this.db = db;
        this.cpu = cpu;
        this.seconds = seconds;
        this.progress = progress;
    }

    /** Transactions per second the writers commit as fast as they can, with nothing else of cachesync running. */
    double ceiling(Shape shape) throws Exception {
        CapacityWriters w = new CapacityWriters(db, nextInsertId, shape, Double.POSITIVE_INFINITY).start();
        park(TimeUnit.SECONDS.toNanos(2));
        long from = w.transactions.get();
        long start = System.nanoTime();
        park(TimeUnit.SECONDS.toNanos(CEILING_SECONDS));
        double tps = (w.transactions.get() - from) / ((System.nanoTime() - start) / 1e9);
        w.stop();
        progress.printf(Locale.ROOT, "  capacity: %s ceiling (PostgreSQL alone, %d connections): %,.0f transactions/s%n", shape.jsonName, CapacityWriters.WRITERS, tps);
        return tps;
    }

    /** The ladder for one shape, on a running pipeline. */
    Curve run(Shape shape, SyncService sync, double ceilingTps) throws Exception {
        List<Point> points = new ArrayList<>();
        double sustained = 0;
        for (int rowsPerSecond : ROWS_PER_SECOND) {
            if ((double) rowsPerSecond / shape.rows > ceilingTps) {
                break;
            }
            Point p = step(shape, sync, (double) rowsPerSecond / shape.rows);
            points.add(p);
            if (!p.sustained()) {
                break;
            }
            sustained = p.achievedTps();
        }
        progress.printf(Locale.ROOT, "  capacity: %s sustained %,.0f transactions/s (ceiling %,.0f, %.0f %%)%n", shape.jsonName, sustained,
                ceilingTps, ceilingTps > 0 ? 100 * sustained / ceilingTps : 0);
        return new Curve(shape, sustained, ceilingTps, points);
    }

    private Point step(Shape shape, SyncService sync, double tps) throws Exception {
        long processedBefore = sync.stats().processed();
        CapacityWriters w = new CapacityWriters(db, nextInsertId, shape, tps).start();
        park(TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS));
        sync.stats().lag().interval();
        sync.stats().ingestLag().interval();
        long fromTx = w.transactions.get();
        long fromRows = w.rows.get();
        long start = System.nanoTime();
        ComponentCpu.Sample cpuFrom = cpu.sample();
        long consumerLag = 0;
        for (int s = 0; s < seconds; s++) {
            park(TimeUnit.SECONDS.toNanos(1));
            consumerLag = Math.max(consumerLag, sync.consumerLag());
        }
        Map<String, Double> cpuUse = ComponentCpu.between(cpuFrom, cpu.sample());
        double elapsed = (System.nanoTime() - start) / 1e9;
        double achievedTps = (w.transactions.get() - fromTx) / elapsed;
        double achievedRows = (w.rows.get() - fromRows) / elapsed;
        w.stop();
        boolean drained = drain(sync, processedBefore + w.rows.get());
        LagRecorder.Snapshot lag = sync.stats().lag().interval();
        LagRecorder.Snapshot ingest = sync.stats().ingestLag().interval();
        Point p = new Point(tps, achievedTps, achievedRows, lag.count(), lag.p50(), lag.p99(), lag.max(), ingest, consumerLag, drained, cpuUse);
        progress.printf(Locale.ROOT, "  capacity: %s %,.0f tx/s (%,.0f rows/s): achieved %,.0f, lag p50 %d ms p99 %d ms max %d ms (commit -> "
                        + "in Kafka p50 %d ms p99 %d ms), consumer lag %,d%s; CPU %% of a core %s%n", shape.jsonName, tps, tps * shape.rows,
                achievedTps, lag.p50(), lag.p99(), lag.max(), ingest.p50(), ingest.p99(), consumerLag, drained ? "" : ", NOT drained within 60 s", cpuUse);
        return p;
    }

    /** Waits until cache-sync processed {@code target} events (every change written so far); false after the limit. */
    private static boolean drain(SyncService sync, long target) {
        long deadline = System.nanoTime() + DRAIN_LIMIT_NANOS;
        while (sync.stats().processed() < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            park(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return true;
    }

    private static void park(long nanos) {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
