package io.cachesync.app.demo;

import io.cachesync.app.DemoEntities;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The demo's tables and seed data. {@code password_hash} is configured sensitive: never cached, never served. Besides
 * products and users, the parts of the view {@code product_pages} ({@link DemoEntities#VIEW_CONFIG}): brands (most
 * products name one through {@code brand_id}, every 50th none), stock (two warehouses for every other product) and
 * reviews (three for every fourth product).
 */
public final class DemoSchema {
    public static final int PRODUCTS = 10_000;
    public static final int USERS = 1_000;
    public static final int BRANDS = 100;
    /** Stock rows: warehouses 1 and 2 for every odd product id (ids 1 … {@value}). */
    public static final int STOCK = PRODUCTS;
    /** Reviews: three for every product id ≡ 1 (mod 4) (ids 1 … {@value}). */
    public static final int REVIEWS = PRODUCTS / 4 * 3;
    /** Every seeded row of the five tables: what the initial snapshot of {@link #WITH_VIEWS} brings to Redis (view documents aside). */
    public static final int TOTAL_ROWS = PRODUCTS + USERS + BRANDS + STOCK + REVIEWS;
    /** The seeded rows of {@link #ENTITIES} (products and users): the initial snapshot of a stack run with it. */
    public static final int ENTITY_ROWS = PRODUCTS + USERS;

    /**
     * Products and users only, without the view and its parts: what the e2e suites and the bench's lag, sync, api and
     * capacity sections run with (their figures stay comparable with earlier runs).
     */
    public static final Map<String, String> ENTITIES = DemoEntities.CONFIG;

    /** The configuration the demo runs with ({@link DemoEntities#WITH_VIEWS}): products, users, brands, stock, reviews and the view product_pages. */
    public static final Map<String, String> WITH_VIEWS = DemoEntities.WITH_VIEWS;

    private DemoSchema() {
    }

    /** Connections to the devstack's database (a failure to connect is unchecked: the run cannot go on without it). */
    public static java.util.function.Supplier<Connection> connections(io.cachesync.devstack.DevStack stack) {
        return () -> {
            try {
                return stack.postgres().connect();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to the devstack database: " + e.getMessage(), e);
            }
        };
    }

    /** Creates the tables and seeds them. */
    public static void createAndSeed(java.util.function.Supplier<Connection> db) throws SQLException {
        try (Connection c = db.get()) {
            create(c);
            seed(c);
        }
    }

    public static void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE IF NOT EXISTS public.users (
                      id bigint PRIMARY KEY,
                      name text NOT NULL,
                      email text NOT NULL,
                      password_hash text NOT NULL,
                      created_at timestamptz NOT NULL DEFAULT now())""");
            st.execute("""
                    CREATE TABLE IF NOT EXISTS public.brands (
                      id bigint PRIMARY KEY,
                      name text NOT NULL,
                      country text NOT NULL)""");
            st.execute("""
                    CREATE TABLE IF NOT EXISTS public.products (
                      id bigint PRIMARY KEY,
                      name text NOT NULL,
                      category text NOT NULL,
                      price numeric(10,2) NOT NULL,
                      updated_at timestamptz NOT NULL DEFAULT now(),
                      brand_id bigint)""");
            // the view product_pages' parts: no foreign keys, so that tests may write a part before the row it names
            st.execute("""
                    CREATE TABLE IF NOT EXISTS public.stock (
                      id bigint PRIMARY KEY,
                      product_id bigint,
                      warehouse text NOT NULL,
                      quantity integer NOT NULL)""");
            st.execute("""
                    CREATE TABLE IF NOT EXISTS public.reviews (
                      id bigint PRIMARY KEY,
                      product_id bigint,
                      rating integer NOT NULL,
                      body text NOT NULL)""");
            // the view's SQL reads children by their parent (the read-through, verify and the bench's SQL side): indexed, as in any real schema
            st.execute("CREATE INDEX IF NOT EXISTS stock_product_id ON public.stock (product_id)");
            st.execute("CREATE INDEX IF NOT EXISTS reviews_product_id ON public.reviews (product_id)");
            // complete before-images for updates and deletes (list invalidation needs the old indexed value)
            for (String table : List.of("users", "products", "brands", "stock", "reviews")) {
                st.execute("ALTER TABLE public." + table + " REPLICA IDENTITY FULL");
            }
        }
    }

    public static void seed(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO public.brands (id, name, country) "
                    + "SELECT g, 'brand ' || g, (ARRAY['DE', 'FR', 'IT', 'JP', 'US'])[1 + g % 5] "
                    + "FROM generate_series(1, " + BRANDS + ") g ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO public.products (id, name, category, price, updated_at, brand_id) "
                    + "SELECT g, 'product ' || g, 'category-' || (g % 25), round((1 + random() * 999)::numeric, 2), now(), "
                    + "CASE WHEN g % 50 = 0 THEN NULL ELSE 1 + g % " + BRANDS + " END "
                    + "FROM generate_series(1, " + PRODUCTS + ") g ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO public.stock (id, product_id, warehouse, quantity) "
                    + "SELECT 2 * s - 2 + w, 2 * s - 1, 'warehouse-' || w, (s * 7 + w * 13) % 200 "
                    + "FROM generate_series(1, " + STOCK / 2 + ") s, generate_series(1, 2) w ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO public.reviews (id, product_id, rating, body) "
                    + "SELECT 3 * q - 3 + k, 4 * q - 3, 1 + (q + k) % 5, 'review ' || k || ' of product ' || (4 * q - 3) "
                    + "FROM generate_series(1, " + REVIEWS / 3 + ") q, generate_series(1, 3) k ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO public.users (id, name, email, password_hash, created_at) "
                    + "SELECT g, 'user ' || g, 'user' || g || '@example.com', "
                    + "'$argon2id$v=19$m=65536,t=3,p=4$' || md5(random()::text), now() - (g || ' minutes')::interval "
                    + "FROM generate_series(1, " + USERS + ") g ON CONFLICT DO NOTHING");
        }
    }
}
