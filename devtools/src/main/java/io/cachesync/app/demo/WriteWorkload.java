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
 * Commits inserts, updates and deletes against PostgreSQL at a fixed rate, one statement per transaction. 85 % on
 * products and users: of them 70 % updates, 18 % inserts (a new product names a brand), 12 % deletes. 15 % on the parts
 * of the view product_pages: of them 10 % brand renames (each re-writes the page of every product of the brand), 15 %
 * products moving to another brand (or to none), 45 % stock (inserts, quantity updates, deletes), 30 % reviews
 * (inserts, rating updates, deletes).
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
    private final IdSet stock = new IdSet(DemoSchema.STOCK);
    private final IdSet reviews = new IdSet(DemoSchema.REVIEWS);
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

    /** Of every 100 writes, this many go to the view's parts (brands, products.brand_id, stock, reviews). */
    private static final int VIEW_PART_SHARE = 15;

    @Override
    public void run() {
        Pacer pacer = new Pacer(rate);
        try (Connection c = db.get();
             PreparedStatement updProduct = c.prepareStatement("UPDATE public.products SET price = ?, name = ?, updated_at = now() WHERE id = ?");
             PreparedStatement moveProduct = c.prepareStatement("UPDATE public.products SET category = ?, updated_at = now() WHERE id = ?");
             PreparedStatement insProduct = c.prepareStatement("INSERT INTO public.products (id, name, category, price, brand_id) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement delProduct = c.prepareStatement("DELETE FROM public.products WHERE id = ?");
             PreparedStatement updUser = c.prepareStatement("UPDATE public.users SET email = ?, password_hash = ? WHERE id = ?");
             PreparedStatement insUser = c.prepareStatement("INSERT INTO public.users (id, name, email, password_hash) VALUES (?, ?, ?, ?)");
             ViewPartStatements parts = new ViewPartStatements(c)) {
            c.setAutoCommit(true);
            while (running.get() && pacer.await()) {
                try {
                    if (random.nextInt(100) < VIEW_PART_SHARE) {
                        writeViewPart(parts);
                        writes.increment();
                        continue;
                    }
                    int dice = random.nextInt(100);
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
                        insProduct.setObject(5, brand(), java.sql.Types.BIGINT);
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

    /** One write to a part of the view: a brand, a product's brand, a stock row or a review. */
    private void writeViewPart(ViewPartStatements s) throws SQLException {
        int dice = random.nextInt(20);
        if (dice < 2) {
            long id = 1 + random.nextInt(DemoSchema.BRANDS);
            s.renameBrand.setString(1, "brand " + id + " rev " + random.nextInt(1000));
            s.renameBrand.setLong(2, id);
            s.renameBrand.executeUpdate();
        } else if (dice < 5) {
            s.moveToBrand.setObject(1, brand(), java.sql.Types.BIGINT);
            s.moveToBrand.setLong(2, products.random(random));
            s.moveToBrand.executeUpdate();
        } else if (dice < 8) {
            long id = stock.next();
            s.insStock.setLong(1, id);
            s.insStock.setLong(2, products.random(random));
            s.insStock.setString(3, "warehouse-" + (3 + random.nextInt(7)));
            s.insStock.setInt(4, random.nextInt(200));
            s.insStock.executeUpdate();
            stock.add(id);
        } else if (dice < 12) {
            s.updStock.setInt(1, random.nextInt(200));
            s.updStock.setLong(2, stock.random(random));
            s.updStock.executeUpdate();
        } else if (dice < 14) {
            s.delStock.setLong(1, stock.removeRandom(random));
            s.delStock.executeUpdate();
        } else if (dice < 17) {
            long id = reviews.next();
            long product = products.random(random);
            s.insReview.setLong(1, id);
            s.insReview.setLong(2, product);
            s.insReview.setInt(3, 1 + random.nextInt(5));
            s.insReview.setString(4, "review " + id + " of product " + product);
            s.insReview.executeUpdate();
            reviews.add(id);
        } else if (dice < 19) {
            s.updReview.setInt(1, 1 + random.nextInt(5));
            s.updReview.setLong(2, reviews.random(random));
            s.updReview.executeUpdate();
        } else {
            s.delReview.setLong(1, reviews.removeRandom(random));
            s.delReview.executeUpdate();
        }
    }

    /** A brand for a product: one of the seeded ones, or none (one time in ten). */
    private Long brand() {
        return random.nextInt(10) == 0 ? null : Long.valueOf(1 + random.nextInt(DemoSchema.BRANDS));
    }

    /** The prepared statements of the view's parts. */
    private static final class ViewPartStatements implements AutoCloseable {
        final PreparedStatement renameBrand;
        final PreparedStatement moveToBrand;
        final PreparedStatement insStock;
        final PreparedStatement updStock;
        final PreparedStatement delStock;
        final PreparedStatement insReview;
        final PreparedStatement updReview;
        final PreparedStatement delReview;

        ViewPartStatements(Connection c) throws SQLException {
            renameBrand = c.prepareStatement("UPDATE public.brands SET name = ? WHERE id = ?");
            moveToBrand = c.prepareStatement("UPDATE public.products SET brand_id = ?, updated_at = now() WHERE id = ?");
            insStock = c.prepareStatement("INSERT INTO public.stock (id, product_id, warehouse, quantity) VALUES (?, ?, ?, ?)");
            updStock = c.prepareStatement("UPDATE public.stock SET quantity = ? WHERE id = ?");
            delStock = c.prepareStatement("DELETE FROM public.stock WHERE id = ?");
            insReview = c.prepareStatement("INSERT INTO public.reviews (id, product_id, rating, body) VALUES (?, ?, ?, ?)");
            updReview = c.prepareStatement("UPDATE public.reviews SET rating = ? WHERE id = ?");
            delReview = c.prepareStatement("DELETE FROM public.reviews WHERE id = ?");
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement p : new PreparedStatement[] {renameBrand, moveToBrand, insStock, updStock, delStock, insReview, updReview, delReview}) {
                p.close();
            }
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
