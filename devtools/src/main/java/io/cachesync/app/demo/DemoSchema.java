package io.cachesync.app.demo;

import io.cachesync.app.DemoEntities;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** The demo's tables and seed data. {@code password_hash} is configured sensitive: never cached, never served. */
public final class DemoSchema {
    public static final int PRODUCTS = 10_000;
    public static final int USERS = 1_000;

    /** The entity configuration the demo runs with ({@code cachesync verify --ports-file} uses the same). */
    public static final Map<String, String> ENTITIES = DemoEntities.CONFIG;

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
            // complete before-images for updates and deletes (list invalidation needs the old indexed value)
            st.execute("ALTER TABLE public.users REPLICA IDENTITY FULL");
            st.execute("ALTER TABLE public.products REPLICA IDENTITY FULL");
            st.execute("ALTER TABLE public.brands REPLICA IDENTITY FULL");
            st.execute("ALTER TABLE public.stock REPLICA IDENTITY FULL");
            st.execute("ALTER TABLE public.reviews REPLICA IDENTITY FULL");
        }
    }

    public static void seed(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("INSERT INTO public.products (id, name, category, price, updated_at) "
                    + "SELECT g, 'product ' || g, 'category-' || (g % 25), round((1 + random() * 999)::numeric, 2), now() "
                    + "FROM generate_series(1, " + PRODUCTS + ") g ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO public.users (id, name, email, password_hash, created_at) "
                    + "SELECT g, 'user ' || g, 'user' || g || '@example.com', "
                    + "'$argon2id$v=19$m=65536,t=3,p=4$' || md5(random()::text), now() - (g || ' minutes')::interval "
                    + "FROM generate_series(1, " + USERS + ") g ON CONFLICT DO NOTHING");
        }
    }
}
