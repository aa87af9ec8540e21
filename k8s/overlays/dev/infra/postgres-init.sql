-- The development databases' schema (k8s/overlays/dev and docker-compose.yml both run it): the tables of the
-- entities configured in k8s/base/config/cachesync.yaml (the demo's schema, as app/.../demo/DemoSchema.java creates
-- it) and a few rows, so the stack has something to cache. Runs once, when PostgreSQL initialises its data directory.
CREATE TABLE IF NOT EXISTS public.users (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS public.products (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  category text NOT NULL,
  price numeric(10,2) NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now());
-- complete before-images for updates and deletes (list invalidation needs the old indexed value)
ALTER TABLE public.users REPLICA IDENTITY FULL;
ALTER TABLE public.products REPLICA IDENTITY FULL;

INSERT INTO public.products (id, name, category, price, updated_at)
SELECT g, 'product ' || g, 'category-' || (g % 25), round((1 + random() * 999)::numeric, 2), now()
FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING;
INSERT INTO public.users (id, name, email, password_hash, created_at)
SELECT g, 'user ' || g, 'user' || g || '@example.com', '$argon2id$v=19$m=65536,t=3,p=4$' || md5(random()::text), now()
FROM generate_series(1, 100) g ON CONFLICT DO NOTHING;
