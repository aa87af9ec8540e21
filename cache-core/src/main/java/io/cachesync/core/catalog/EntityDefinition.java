package io.cachesync.core.catalog;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One cached entity: the table it mirrors, its primary key, TTLs and the columns that are never cached nor served.
 *
 * @param name          the entity name used in URLs and cache keys ({@code products})
 * @param schema        the PostgreSQL schema ({@code public})
 * @param table         the table name ({@code products})
 * @param key           the primary key: one column or several, and the canonical form of its ids
 * @param ttl           time to live of a cached row (before jitter)
 * @param ttlJitter     relative jitter applied to every TTL, e.g. 0.1 for ±10 %
 * @param tombstoneTtl  time to live of a tombstone (a deleted row, or a fill that found no row) and of an uncached change's version
 * @param sensitive     columns never written to Redis and never served
 * @param query         lists, search and HTTP caching
 * @param source        what feeds the entity: CDC events of its table, or commands on {@code cachesync.commands} — never
 *                      both, because their versions are not comparable (DESIGN rule 1)
 * @param generated     columns PostgreSQL computes ({@code GENERATED ALWAYS AS (…) STORED}), read from the table at start:
 *                      logical replication does not carry their values (before PostgreSQL 18), so a document written from a
 *                      change event could not hold them; they are never cached nor served, so that it is the same document
 *                      a read from PostgreSQL builds
 */
public record EntityDefinition(
        String name,
        String schema,
        String table,
        EntityKey key,
        Duration ttl,
        double ttlJitter,
        Duration tombstoneTtl,
        Set<String> sensitive,
        QueryOptions query,
        Source source,
        Set<String> generated) {

    /** What feeds an entity's cache entries. */
    public enum Source {
        /** Debezium change events of its table (commit-ordered versions). */
        CDC,
        /** Events a backend team publishes on {@code cachesync.commands} (the publisher's own versions). */
        COMMANDS,
        /** A view: documents composed of several CDC-fed entities by cache-sync's view topology ({@link ViewDefinition}). */
        VIEW;

        public static Source parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "cdc" -> CDC;
                case "commands" -> COMMANDS;
                case "view" -> VIEW;
                default -> throw new IllegalArgumentException(s);
            };
        }
    }

    public EntityDefinition {
        sensitive = Set.copyOf(sensitive);
        generated = Set.copyOf(generated);
    }

    /** An entity whose generated columns are not known (yet: {@link #withGenerated}). */
    public EntityDefinition(String name, String schema, String table, EntityKey key, Duration ttl, double ttlJitter,
                            Duration tombstoneTtl, Set<String> sensitive, QueryOptions query, Source source) {
        this(name, schema, table, key, ttl, ttlJitter, tombstoneTtl, sensitive, query, source, Set.of());
    }

    /** An entity fed by CDC. */
    public EntityDefinition(String name, String schema, String table, EntityKey key, Duration ttl,
                            double ttlJitter, Duration tombstoneTtl, Set<String> sensitive, QueryOptions query) {
        this(name, schema, table, key, ttl, ttlJitter, tombstoneTtl, sensitive, query, Source.CDC);
    }

    /** An entity with rows only (no lists, no search). */
    public EntityDefinition(String name, String schema, String table, EntityKey key, Duration ttl,
                            double ttlJitter, Duration tombstoneTtl, Set<String> sensitive) {
        this(name, schema, table, key, ttl, ttlJitter, tombstoneTtl, sensitive, QueryOptions.NONE);
    }

    /** The same entity keyed by {@code resolved} (read from the table's primary key). */
    public EntityDefinition withKey(EntityKey resolved) {
        return new EntityDefinition(name, schema, table, resolved, ttl, ttlJitter, tombstoneTtl, sensitive, query, source, generated);
    }

    /** The same entity with {@code columns} as its table's generated columns (read from the table). */
    public EntityDefinition withGenerated(Set<String> columns) {
        return new EntityDefinition(name, schema, table, key, ttl, ttlJitter, tombstoneTtl, sensitive, query, source, columns);
    }

    /** The same entity with its list columns' types ({@code types}, by field, read from the table). */
    public EntityDefinition withListTypes(Map<String, ListColumnType> types) {
        return new EntityDefinition(name, schema, table, key, ttl, ttlJitter, tombstoneTtl, sensitive, query.withListTypes(types), source,
                generated);
    }

    /** The table as SQL names it, quoted: {@code "public"."products"}, {@code "app"."OrderItems"}. */
    public String sqlTable() {
        return '"' + schema + "\".\"" + table + '"';
    }

    /** {@code public.products} */
    public String qualifiedTable() {
        return schema + "." + table;
    }

    /** Whether a column's value may be written to the cache and served: neither sensitive nor generated. */
    public boolean isCached(String column) {
        return !sensitive.contains(column) && !generated.contains(column);
    }
}
