package io.cachesync.app.bench;

import io.cachesync.core.metrics.LagRecorder;
import io.cachesync.sync.SyncService;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * End-to-end lag (commit in PostgreSQL → applied in Redis, from the commit timestamp Debezium reports) while a writer
 * commits a fixed number of rows per second: every 10 ms one transaction updating rate/100 product rows.
 */
final class LagBench {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int WARM_UP_SECONDS = 3;
    /** After the first seconds, the warm-up goes on in steps of this length until the JIT is quiet during one. */
    private static final int WARM_UP_STEP_SECONDS = 2;
    private static final int MAX_WARM_UP_SECONDS = 30;

    private final Supplier<Connection> db;
    private final SyncService sync;
    private final int rows;
    private final PrintStream progress;
    private final CpuMeter cpu;

    LagBench(Supplier<Connection> db, SyncService sync, int rows, CpuMeter cpu, PrintStream progress) {
        this.db = db;
        this.cpu = cpu;
        this.sync = sync;
        this.rows = rows;
        this.progress = progress;
    }

    BenchReport.Lag run(int rate, int seconds) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        long processedBefore = sync.stats().processed();
        Thread writer = new Thread(() -> {
            try {
                write(rate, running, written);
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "bench-writer-" + rate);
        writer.start();
        warmUp(rate);
        sync.stats().lag().interval();
        long measuredFrom = written.get();
        long start = System.nanoTime();
        CpuMeter.Sample cpuFrom = cpu.sample();
        park(TimeUnit.SECONDS.toNanos(seconds));
        String cpuUse = cpu.since(cpuFrom);
        long measured = written.get() - measuredFrom;
        double achieved = measured / ((System.nanoTime() - start) / 1e9);
        running.set(false);
        writer.join(10_000);
        if (failure.get() != null) {
            throw failure.get();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sync.stats().processed() < processedBefore + written.get() && System.nanoTime() < deadline) {
            park(TimeUnit.MILLISECONDS.toNanos(20));
        }
        LagRecorder.Snapshot lag = sync.stats().lag().interval();
        progress.printf("  lag: %,d rows/s (achieved %,.0f): %,d changes, p50 %d ms, p99 %d ms, max %d ms; %s%n",
                rate, achieved, lag.count(), lag.p50(), lag.p99(), lag.max(), cpuUse);
        return new BenchReport.Lag(rate, achieved, lag.count(), lag.p50(), lag.p99(), lag.max(), cpuUse);
    }

    /**
     * At least {@link #WARM_UP_SECONDS} of writing, then more in steps until the JIT compiler threads took less than
     * {@link CpuMeter#QUIET_JIT_PERCENT} % of a core in one (every rate runs code the last one did not run as hot),
     * at most {@link #MAX_WARM_UP_SECONDS}.
     */
    private void warmUp(int rate) throws Exception {
        park(TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS));
        CpuMeter.Warmed w = cpu.warmUntilJitQuiet((MAX_WARM_UP_SECONDS - WARM_UP_SECONDS) / WARM_UP_STEP_SECONDS,
                step -> park(TimeUnit.SECONDS.toNanos(WARM_UP_STEP_SECONDS)));
        progress.printf(Locale.ROOT, "  lag: %,d rows/s: warm-up %d s, JIT compiler %.0f %% of a core in its last %d s%n",
                rate, WARM_UP_SECONDS + w.steps() * WARM_UP_STEP_SECONDS, w.jitPercent(), WARM_UP_STEP_SECONDS);
    }

    private void write(int rate, AtomicBoolean running, AtomicLong written) {
        SplittableRandom random = new SplittableRandom(rate);
        double perTick = rate / 100.0;
        double owed = 0;
        long next = System.nanoTime();
        try (Connection c = db.get();
             PreparedStatement update = c.prepareStatement("UPDATE public.products SET price = ?, name = ?, updated_at = now() WHERE id = ?")) {
            c.setAutoCommit(false);
            while (running.get()) {
                owed += perTick;
                int n = (int) owed;
                owed -= n;
                for (int i = 0; i < n; i++) {
                    long id = 1 + random.nextInt(rows);
                    update.setBigDecimal(1, BigDecimal.valueOf(100 + random.nextInt(99_900), 2));
                    update.setString(2, "product " + id + " rev " + random.nextInt(1_000_000));
                    update.setLong(3, id);
                    update.addBatch();
                }
                if (n > 0) {
                    update.executeBatch();
                    c.commit();
                    written.addAndGet(n);
                }
                next += TICK_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                    next = System.nanoTime();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the bench writer failed: " + e.getMessage(), e);
        }
    }

    private static void park(long nanos) {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
