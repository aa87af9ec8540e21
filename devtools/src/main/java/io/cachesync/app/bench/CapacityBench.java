package io.cachesync.app.bench;

import io.cachesync.app.demo.DemoSchema;
import io.cachesync.core.metrics.LagRecorder;
import io.cachesync.sync.SyncService;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The commit rate cachesync keeps up with: OLTP-shaped transactions on the demo's products table — single-row
 * autocommit statements (eight updates in ten, one insert, one delete) from {@link #WRITERS} connections, or
 * transactions of 10 or 100 such rows — at rising rates, each held for a measured window. Per rate: the commit rate
 * achieved, the end-to-end lag of every change applied from the window's start until the pipeline drained, cache-sync's
 * consumer lag and the CPU of each component. A rate is sustained when the writers achieved at least 90 % of it and
 * the lag p99 stayed under {@link #LAG_LIMIT_MS}; the ladder stops at the first rate that is not. Beside it, the
 * ceiling: what the same PostgreSQL commits with the same writers and nothing of cachesync running.
 */
final class CapacityBench {
    static final long LAG_LIMIT_MS = 1000;
    static final int WRITERS = 4;
    /** The rates of the ladder, in rows committed per second (2,000 is where issue 19 sets a lag target). */
    static final List<Integer> ROWS_PER_SECOND = List.of(500, 1000, 2000, 3000, 4000, 6000, 8000, 12_000, 16_000, 24_000, 32_000);
    private static final int WARM_UP_SECONDS = 5;
    private static final int CEILING_SECONDS = 10;
    private static final long DRAIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Ids of inserted rows start here, far above the seeded ones, a range per writer. */
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

    /** One rate of the ladder; tps are transactions per second. */
    record Point(double tps, double achievedTps, double achievedRowsPerSecond, long changes, long lagP50, long lagP99, long lagMax,
                 long consumerLag, boolean drained, Map<String, Double> cpu) {
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
        Writers w = new Writers(shape, Double.POSITIVE_INFINITY).start();
        park(TimeUnit.SECONDS.toNanos(2));
        long from = w.transactions.get();
        long start = System.nanoTime();
        park(TimeUnit.SECONDS.toNanos(CEILING_SECONDS));
        double tps = (w.transactions.get() - from) / ((System.nanoTime() - start) / 1e9);
        w.stop();
        progress.printf(Locale.ROOT, "  capacity: %s ceiling (PostgreSQL alone, %d connections): %,.0f transactions/s%n", shape.jsonName, WRITERS, tps);
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
        Writers w = new Writers(shape, tps).start();
        park(TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS));
        sync.stats().lag().interval();
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
        Point p = new Point(tps, achievedTps, achievedRows, lag.count(), lag.p50(), lag.p99(), lag.max(), consumerLag, drained, cpuUse);
        progress.printf(Locale.ROOT, "  capacity: %s %,.0f tx/s (%,.0f rows/s): achieved %,.0f, lag p50 %d ms p99 %d ms max %d ms, consumer lag "
                        + "%,d%s; CPU %% of a core %s%n", shape.jsonName, tps, tps * shape.rows, achievedTps, lag.p50(), lag.p99(), lag.max(),
                consumerLag, drained ? "" : ", NOT drained within 60 s", cpuUse);
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

    /** {@link #WRITERS} threads committing transactions of one shape at a total rate (infinite: as fast as they can). */
    private final class Writers {
        final AtomicLong transactions = new AtomicLong();
        final AtomicLong rows = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        private final List<Thread> threads = new ArrayList<>();
        private final Shape shape;
        private final double tpsPerWriter;

        Writers(Shape shape, double tps) {
            this.shape = shape;
            this.tpsPerWriter = tps / WRITERS;
        }

        Writers start() {
            for (int i = 0; i < WRITERS; i++) {
                int writer = i;
                Thread t = new Thread(() -> {
                    try {
                        write(writer);
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }, "bench-capacity-" + writer);
                threads.add(t);
                t.start();
            }
            return this;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (failure.get() != null) {
                throw failure.get();
            }
        }

        private void write(int writer) {
            SplittableRandom random = new SplittableRandom(31L * writer + shape.rows);
            ArrayDeque<Long> inserted = new ArrayDeque<>();
            double owed = 0;
            long next = System.nanoTime();
            try (Connection c = db.get();
                 PreparedStatement update = c.prepareStatement("UPDATE public.products SET price = ?, name = ?, updated_at = now() WHERE id = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO public.products (id, name, category, price) VALUES (?, ?, ?, ?)");
                 PreparedStatement delete = c.prepareStatement("DELETE FROM public.products WHERE id = ?")) {
                c.setAutoCommit(shape.rows == 1);
                while (running.get()) {
                    int n = 1;
                    if (!Double.isInfinite(tpsPerWriter)) {
                        owed += tpsPerWriter * TICK_NANOS / 1e9;
                        n = (int) owed;
                        owed -= n;
                    }
                    for (int tx = 0; tx < n; tx++) {
                        for (int r = 0; r < shape.rows; r++) {
                            change(writer, random, inserted, update, insert, delete);
                        }
                        if (shape.rows > 1) {
                            c.commit();
                        }
                        transactions.incrementAndGet();
                        rows.addAndGet(shape.rows);
                    }
                    if (!Double.isInfinite(tpsPerWriter)) {
                        next += TICK_NANOS;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                            next = System.nanoTime(); // behind by more than a second: what is owed is not made up
                        }
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("capacity writer " + writer + " failed: " + e.getMessage(), e);
            }
        }

        /**
         * One row changed: an update of a seeded row eight times in ten, else an insert or the delete of a row this writer
         * inserted. Each writer updates only its own share of the rows, so transactions never wait for each other's locks.
         */
        private void change(int writer, SplittableRandom random, ArrayDeque<Long> inserted, PreparedStatement update, PreparedStatement insert,
                            PreparedStatement delete) throws SQLException {
            int kind = random.nextInt(10);
            if (kind == 0 || (kind == 1 && inserted.isEmpty())) {
                long id = nextInsertId.incrementAndGet();
                insert.setLong(1, id);
                insert.setString(2, "product " + id);
                insert.setString(3, "category-" + id % 25);
                insert.setBigDecimal(4, BigDecimal.valueOf(100 + random.nextInt(99_900), 2));
                insert.executeUpdate();
                inserted.add(id);
            } else if (kind == 1) {
                delete.setLong(1, inserted.poll());
                delete.executeUpdate();
            } else {
                long id = 1 + writer + (long) WRITERS * random.nextInt(DemoSchema.PRODUCTS / WRITERS);
                update.setBigDecimal(1, BigDecimal.valueOf(100 + random.nextInt(99_900), 2));
                update.setString(2, "product " + id + " rev " + random.nextInt(1_000_000));
                update.setLong(3, id);
                update.executeUpdate();
            }
        }
    }

    private static void park(long nanos) {
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
