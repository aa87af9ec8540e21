package io.cachesync.app.demo;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits inserts, updates and deletes against PostgreSQL at a fixed rate, one statement per transaction:
 * 70 % updates (products and users), 18 % inserts, 12 % deletes.
 */
final class WriteWorkload implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteWorkload.class);

    private final Supplier<Connection> db;
    private final double rate;
    private final AtomicBoolean running;
    private final LongAdder writes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final IdSet products = new IdSet(DemoSchema.PRODUCTS);
    private final IdSet users = new IdSet(DemoSchema.USERS);
    private volatile long maxProductId = DemoSchema.PRODUCTS;
    private final SplittableRandom random = new SplittableRandom(42);

    WriteWorkload(Supplier<Connection> db, double rate, AtomicBoolean running) {
        this.db = db;
        this.rate = rate;
        this.running = running;
    }

    long writes() {
        return writes.sum();
    }

    long failures() {
        return failures.sum();
    }

    long maxProductId() {
        return maxProductId;
    }

    @Override
    public void run() {
        Pacer pacer = new Pacer(rate);
        try (Connection c = db.get();
             PreparedStatement updProduct = c.prepareStatement("UPDATE public.products SET price = ?, name = ?, updated_at = now() WHERE id = ?");
             PreparedStatement moveProduct = c.prepareStatement("UPDATE public.products SET category = ?, updated_at = now() WHERE id = ?");
             PreparedStatement insProduct = c.prepareStatement("INSERT INTO public.products (id, name, category, price) VALUES (?, ?, ?, ?)");
             PreparedStatement delProduct = c.prepareStatement("DELETE FROM public.products WHERE id = ?");
             PreparedStatement updUser = c.prepareStatement("UPDATE public.users SET email = ?, password_hash = ? WHERE id = ?");
             PreparedStatement insUser = c.prepareStatement("INSERT INTO public.users (id, name, email, password_hash) VALUES (?, ?, ?, ?)")) {
            c.setAutoCommit(true);
            while (running.get() && pacer.await()) {
                int dice = random.nextInt(100);
                try {
                    if (dice < 45) {
                        long id = products.random(random);
                        updProduct.setBigDecimal(1, price());
                        updProduct.setString(2, "product " + id + " rev " + random.nextInt(1000));
                        updProduct.setLong(3, id);
                        updProduct.executeUpdate();
                    } else if (dice < 55) {
                        long id = products.random(random);
                        moveProduct.setString(1, "category-" + random.nextInt(25));
                        moveProduct.setLong(2, id);
                        moveProduct.executeUpdate();
                    } else if (dice < 70) {
                        long id = users.random(random);
                        updUser.setString(1, "user" + id + "+" + random.nextInt(10_000) + "@example.com");
                        updUser.setString(2, "$argon2id$v=19$m=65536,t=3,p=4$" + Long.toHexString(random.nextLong()));
                        updUser.setLong(3, id);
                        updUser.executeUpdate();
                    } else if (dice < 84) {
                        long id = ++maxProductId;
                        insProduct.setLong(1, id);
                        insProduct.setString(2, "product " + id);
                        insProduct.setString(3, "category-" + random.nextInt(25));
                        insProduct.setBigDecimal(4, price());
                        insProduct.executeUpdate();
                        products.add(id);
                    } else if (dice < 88) {
                        long id = users.next();
                        insUser.setLong(1, id);
                        insUser.setString(2, "user " + id);
                        insUser.setString(3, "user" + id + "@example.com");
                        insUser.setString(4, "$argon2id$v=19$m=65536,t=3,p=4$" + Long.toHexString(random.nextLong()));
                        insUser.executeUpdate();
                        users.add(id);
                    } else {
                        long id = products.removeRandom(random);
                        delProduct.setLong(1, id);
                        delProduct.executeUpdate();
                    }
                    writes.increment();
                } catch (SQLException e) {
                    failures.increment();
                    LOG.warn("demo write failed: {}", e.getMessage());
                }
            }
        } catch (SQLException e) {
            LOG.error("demo writer stopped: {}", e.getMessage());
        }
    }

    private BigDecimal price() {
        return BigDecimal.valueOf(100 + random.nextInt(99_900), 2).setScale(2, RoundingMode.UNNECESSARY);
    }

    /** Live ids with O(1) random pick and removal. */
    private static final class IdSet {
        private long[] ids;
        private int size;
        private long max;

        IdSet(int initial) {
            ids = new long[initial * 2];
            for (int i = 0; i < initial; i++) {
                ids[i] = i + 1;
            }
            size = initial;
            max = initial;
        }

        long random(SplittableRandom r) {
            return ids[r.nextInt(size)];
        }

        long removeRandom(SplittableRandom r) {
            int i = r.nextInt(size);
            long id = ids[i];
            ids[i] = ids[--size];
            return id;
        }

        long next() {
            return ++max;
        }

        void add(long id) {
            if (size == ids.length) {
                ids = java.util.Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
            max = Math.max(max, id);
        }
    }
}
