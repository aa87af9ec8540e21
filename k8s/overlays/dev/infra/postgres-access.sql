-- The development databases' users, one per cachesync service, each with only the privileges its service uses
-- (k8s/overlays/dev and docker-compose.yml both run this file after postgres-init.sql, once, as the superuser, when
-- PostgreSQL initialises its data directory). Adapt it for your own database: k8s/README.md, "PostgreSQL".
--
--   cachesync_ingest  cdc-ingest   LOGIN REPLICATION (the replication slot, IDENTIFY_SYSTEM);
--                                  SELECT on the cached tables (Debezium's snapshots);
--                                  SELECT, INSERT on the signal table (Debezium reads it and writes the watermark rows
--                                  of incremental snapshots into it)
--   cachesync_sync    cache-sync   SELECT on the cached tables (the consistency auditor);
--                                  INSERT on the signal table (the rebuilder asks for a re-read after Redis data loss)
--   cachesync_api     query-api    SELECT on the cached tables (read-through);
--                                  INSERT on the signal table (POST /admin/resync/{entity})
-- None of them owns anything, may create anything (PostgreSQL 15+ no longer lets PUBLIC create in schema public), or
-- is a superuser; only cachesync_ingest has REPLICATION. A non-owner cannot create a publication FOR TABLE, so the
-- superuser creates the signal table and the publication here: the publication lists exactly the tables cdc-ingest
-- captures (the entities' tables of k8s/base/config/cachesync.yaml and ingest.signal-table), which Debezium
-- (publication.autocreate.mode=filtered) then uses as it is. Add an entity: add its table to the publication
-- (ALTER PUBLICATION cachesync ADD TABLE ...) and GRANT SELECT on it to the three users, before cdc-ingest restarts.
--
-- The passwords come from the PostgreSQL container's environment (psql's \getenv), never from this file:
--   PASSWORD_CACHESYNC_INGEST, PASSWORD_CACHESYNC_SYNC, PASSWORD_CACHESYNC_API
-- docker-compose: deploy/compose/postgres.env (each equal to CACHESYNC_POSTGRES_PASSWORD of that service's env file);
-- k8s dev: the postgres Deployment reads them from the Secrets cdc-ingest-secrets, cache-sync-secrets and
-- query-api-secrets. DeploymentValidationIT runs this file against PostgreSQL 17 and checks every privilege above.
\set ON_ERROR_STOP on

\getenv ingest_password PASSWORD_CACHESYNC_INGEST
\getenv sync_password PASSWORD_CACHESYNC_SYNC
\getenv api_password PASSWORD_CACHESYNC_API

-- stop with a message naming the variable when one is not set (rather than a syntax error at its first use)
CREATE FUNCTION pg_temp.require(present boolean, variable text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT present THEN
    RAISE EXCEPTION '% is not set in the environment of PostgreSQL: cannot create the cachesync users', variable;
  END IF;
END $$;
SELECT pg_temp.require(:{?ingest_password}, 'PASSWORD_CACHESYNC_INGEST');
SELECT pg_temp.require(:{?sync_password}, 'PASSWORD_CACHESYNC_SYNC');
SELECT pg_temp.require(:{?api_password}, 'PASSWORD_CACHESYNC_API');

-- Debezium's signal table (ingest.signal-table), as cdc-ingest would create it
CREATE TABLE IF NOT EXISTS public.cachesync_signal (
  id varchar(64) PRIMARY KEY,
  type varchar(32) NOT NULL,
  data varchar(2048));

-- ingest.publication-name, for exactly the captured tables
CREATE PUBLICATION cachesync FOR TABLE public.products, public.users, public.cachesync_signal;

CREATE ROLE cachesync_ingest LOGIN REPLICATION PASSWORD :'ingest_password';
CREATE ROLE cachesync_sync LOGIN PASSWORD :'sync_password';
CREATE ROLE cachesync_api LOGIN PASSWORD :'api_password';

GRANT SELECT ON public.products, public.users TO cachesync_ingest, cachesync_sync, cachesync_api;
GRANT SELECT, INSERT ON public.cachesync_signal TO cachesync_ingest;
GRANT INSERT ON public.cachesync_signal TO cachesync_sync, cachesync_api;
