package io.cachesync.app.bench;

import io.cachesync.app.demo.DemoSchema;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The capacity bench's writers: {@link #WRITERS} threads, a connection each, committing transactions of one shape on
 * the demo's products table at a total rate (infinite: as fast as they can). A writer behind by more than a second does
 * not make up what it owes, so the rate achieved shows what PostgreSQL and the machine allowed.
 */
final class CapacityWriters {
    static final int WRITERS = 4;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    final AtomicLong transactions = new AtomicLong();
    final AtomicLong rows = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Supplier<Connection> db;
    private final AtomicLong nextInsertId;
    private final CapacityBench.Shape shape;
    private final double tpsPerWriter;

    /** @param nextInsertId the last id inserted so far (shared by every set of writers, so that ids are never reused) */
    CapacityWriters(Supplier<Connection> db, AtomicLong nextInsertId, CapacityBench.Shape shape, double tps) {
        this.db = db;
        this.nextInsertId = nextInsertId;
        this.shape = shape;
        this.tpsPerWriter = tps / WRITERS;
    }

    CapacityWriters start() {
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
