package io.cachesync.core.catalog;

import io.cachesync.core.config.ConfigKey;
import io.cachesync.core.config.Settings;
import io.cachesync.core.config.TypedKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The entities cachesync keeps in Redis, read from configuration:
 * <pre>
 * entities=users,products
 * entities.users.table=public.users          (default public.&lt;name&gt;)
 * entities.users.key=id                      (default: the table's primary key; tenant_id,id for a composite key)
 * entities.users.key-type=bigint             (default: the key columns' types; bigint | text | uuid for each)
 * entities.users.ttl=1h
 * entities.users.ttl-jitter=0.1
 * entities.users.tombstone-ttl=60s
 * entities.users.sensitive=password_hash     (comma-separated)
 * entities.products.lists=category            (columns clients may list by)
 * entities.products.lists.category.max-per-page=100
 * entities.products.list-ttl=5m
 * entities.products.search.fields=name,category
 * entities.products.search.ttl=30s
 * entities.products.http-max-age=5s
 * </pre>
 */
public final class EntityCatalog {

    public static final ConfigKey ENTITIES = ConfigKey.of("entities",
            "Comma-separated names of the cached entities; each is configured under entities.<name>.*", "");
    // per-entity keys, declared once: each is read as entities.<name>.… (ConfigKey#at)
    public static final ConfigKey TABLE = ConfigKey.of("entities.<name>.table", "schema.table the entity mirrors (default public.<name>)", "");
    public static final ConfigKey KEY = ConfigKey.of("entities.<name>.key",
            "Key column(s) in primary-key order, e.g. tenant_id,id (default: read from the table's primary key)", "");
    public static final ConfigKey KEY_TYPE = ConfigKey.of("entities.<name>.key-type",
            "bigint, text or uuid per key column (default: read from the table; set it only to start while the database cannot be read)", "");
    public static final ConfigKey SENSITIVE = ConfigKey.of("entities.<name>.sensitive",
            "Columns never captured, never written to Redis and never served (comma-separated)", "");
    public static final ConfigKey LISTS = ConfigKey.of("entities.<name>.lists",
            "Columns clients may list rows by, /v1/<entity>?<column>=<value> (comma-separated)", "");
    public static final ConfigKey SEARCH_FIELDS = ConfigKey.of("entities.<name>.search.fields",
            "Text columns /v1/<entity>/search?q= matches (comma-separated; none: no search)", "");
    public static final TypedKey<Duration> TTL = TypedKey.positiveDuration("entities.<name>.ttl",
            "Time to live of a cached row (before jitter)", Duration.ofHours(1));
    public static final TypedKey<Double> TTL_JITTER = TypedKey.fraction("entities.<name>.ttl-jitter",
            "Relative jitter applied to every TTL, in [0, 1)", 0.1, false);
    public static final TypedKey<Duration> TOMBSTONE_TTL = TypedKey.positiveDuration("entities.<name>.tombstone-ttl",
            "Time to live of a tombstone (a deleted row, or a fill that found no row) and of the version an uncached change leaves (too large, or without an untouched TOASTed column)", Duration.ofSeconds(60));
    public static final TypedKey<String> SOURCE = TypedKey.oneOf("entities.<name>.source",
            "cdc (Debezium change events of its table) or commands (events on cachesync.commands), never both", "cdc", "cdc", "commands");
    public static final TypedKey<Integer> LIST_MAX_PER_PAGE = TypedKey.integer("entities.<name>.lists.<field>.max-per-page",
            "Largest per_page of the list", 100).between(1, 1000);
    public static final TypedKey<Duration> LIST_TTL = TypedKey.positiveDuration("entities.<name>.list-ttl",
            "Time to live of a cached list page", Duration.ofMinutes(5));
    public static final TypedKey<Duration> SEARCH_TTL = TypedKey.positiveDuration("entities.<name>.search.ttl",
            "Time to live of a cached search page", Duration.ofSeconds(30));
    public static final TypedKey<Duration> HTTP_MAX_AGE = TypedKey.duration("entities.<name>.http-max-age",
            "Cache-Control max-age of a row (0 for no-cache)", Duration.ofSeconds(5));

    /** Every key of an entity, in the order the documentation shows them. */
    public static final List<ConfigKey> ENTITY_KEYS = List.of(TABLE, KEY, KEY_TYPE, TTL, TTL_JITTER, TOMBSTONE_TTL, SENSITIVE, LISTS,
            LIST_MAX_PER_PAGE, LIST_TTL, SEARCH_FIELDS, SEARCH_TTL, HTTP_MAX_AGE, SOURCE);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    /**
     * A schema, table or column name as PostgreSQL stores it: lower-case as an unquoted name is, or in any case as a
     * quoted one is ({@code "OrderItems"}, {@code "customerId"}); cachesync quotes every name in its SQL.
     */
    public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    /** What {@link #IDENTIFIER} allows, for messages. */
    public static final String IDENTIFIER_RULE = "letters, digits, _ and $, not starting with a digit, as the name is in PostgreSQL";

    private final Map<String, EntityDefinition> byName;
    private final Map<String, EntityDefinition> byTable;
    private final List<EntityDefinition> ordered;
    private final Map<String, ViewDefinition> views;

    public EntityCatalog(Collection<EntityDefinition> entities) {
        this(entities, List.of());
    }

    /**
     * @param entities the entities and the views (each served as an entity of {@link EntityDefinition.Source#VIEW})
     * @param views    the views' declarations, one per entity of source VIEW
     */
    public EntityCatalog(Collection<EntityDefinition> entities, Collection<ViewDefinition> views) {
        Map<String, EntityDefinition> n = new LinkedHashMap<>();
        Map<String, EntityDefinition> t = new LinkedHashMap<>();
        for (EntityDefinition e : entities) {
            n.put(e.name(), e);
            if (e.source() != EntityDefinition.Source.VIEW) {
                t.put(e.qualifiedTable(), e);
            }
        }
        Map<String, ViewDefinition> v = new LinkedHashMap<>();
        views.forEach(d -> v.put(d.name(), d));
        this.byName = Map.copyOf(n);
        this.byTable = Map.copyOf(t);
        this.ordered = List.copyOf(entities);
        this.views = Collections.unmodifiableMap(v);
    }

    /** Reads the catalog; every problem is added to {@code problems} with the key that causes it. */
    public static EntityCatalog from(Settings s, List<String> problems) {
        List<String> names = Settings.list(s.get(ENTITIES));
        if (names.isEmpty()) {
            problems.add("entities is empty: name at least one entity (e.g. entities=products) and configure it under entities.<name>.*");
        }
        List<EntityDefinition> out = new ArrayList<>();
        for (String name : names) {
            if (!NAME.matcher(name).matches()) {
                problems.add("entities: '" + name + "' is not a valid entity name (lower-case letters, digits, _; starting with a letter)");
                continue;
            }
            String table = s.raw(TABLE.at(name)).orElse("public." + name);
            String schema = "public";
            String tableName = table;
            if (table.contains(".")) {
                schema = table.substring(0, table.indexOf('.'));
                tableName = table.substring(table.indexOf('.') + 1);
            }
            if (!IDENTIFIER.matcher(schema).matches() || !IDENTIFIER.matcher(tableName).matches()) {
                problems.add(TABLE.at(name) + " is not schema.table, each of " + IDENTIFIER_RULE + ": '" + table + "'");
            }
            EntityKey key = key(s, name, problems);
            Duration ttl = TTL.read(s, TTL.at(name), problems);
            double jitter = TTL_JITTER.read(s, TTL_JITTER.at(name), problems);
            Duration tomb = TOMBSTONE_TTL.read(s, TOMBSTONE_TTL.at(name), problems);
            List<String> sensitive = Settings.list(s.raw(SENSITIVE.at(name)).orElse(""));
            for (String k : key.names()) {
                if (sensitive.contains(k)) {
                    problems.add(SENSITIVE.at(name) + " names the key column '" + k + "': the key is always served");
                }
            }
            EntityDefinition.Source source = EntityDefinition.Source.parse(SOURCE.read(s, SOURCE.at(name), problems));
            out.add(new EntityDefinition(name, schema, tableName, key, ttl, jitter, tomb, new HashSet<>(sensitive),
                    queryOptions(s, name, key, sensitive, problems), source));
        }
        Map<String, EntityDefinition> entities = new LinkedHashMap<>();
        out.forEach(e -> entities.put(e.name(), e));
        List<ViewDefinition> views = new ArrayList<>();
        for (ViewDefinitions.Parsed p : ViewDefinitions.from(s, entities, problems)) {
            out.add(p.served());
            views.add(p.view());
        }
        return new EntityCatalog(out, views);
    }

    /**
     * {@code key} (columns, comma-separated, in primary-key order) and {@code key-type} (one type per column). Either may
     * be left out: what is missing is read from the table's primary key at start; {@code id bigint} is assumed until then.
     */
    private static EntityKey key(Settings s, String entity, List<String> problems) {
        Optional<String> names = s.raw(KEY.at(entity));
        Optional<String> types = s.raw(KEY_TYPE.at(entity));
        List<String> columns = names.map(Settings::list).orElse(List.of("id"));
        if (columns.isEmpty()) {
            problems.add(KEY.at(entity) + " is empty: name the primary-key column(s), or leave it out to read them from the table");
            columns = List.of("id");
        }
        for (String c : columns) {
            if (!IDENTIFIER.matcher(c).matches()) {
                problems.add(KEY.at(entity) + ": '" + c + "' is not a column name (" + IDENTIFIER_RULE + ")");
            }
        }
        if (new HashSet<>(columns).size() != columns.size()) {
            problems.add(KEY.at(entity) + " names a column twice: " + columns);
        }
        List<KeyType> keyTypes = new ArrayList<>();
        for (String t : types.map(Settings::list).orElse(List.of())) {
            keyTypes.add(Settings.parse(KEY_TYPE.at(entity), t, KeyType::parse, KeyType.BIGINT, problems, "one of bigint, text, uuid for each key column"));
        }
        if (types.isPresent() && keyTypes.size() != columns.size()) {
            problems.add(KEY_TYPE.at(entity) + " gives " + keyTypes.size() + " type(s) for " + columns.size() + " key column(s) " + columns);
            types = Optional.empty();
        }
        List<EntityKey.Column> out = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            out.add(new EntityKey.Column(columns.get(i), types.isPresent() ? keyTypes.get(i) : KeyType.BIGINT));
        }
        EntityKey.Origin origin = types.isPresent() ? EntityKey.Origin.DECLARED
                : names.isPresent() ? EntityKey.Origin.COLUMNS_DECLARED : EntityKey.Origin.ASSUMED;
        return new EntityKey(out, origin);
    }

    /** The same catalog with some entities' keys replaced by the ones read from their tables ({@link SchemaCheck#resolve}). */
    public EntityCatalog withKeys(Map<String, EntityKey> resolved) {
        return new EntityCatalog(ordered.stream().map(e -> {
            String keyedBy = e.source() == EntityDefinition.Source.VIEW ? views.get(e.name()).root() : e.name();
            return resolved.containsKey(keyedBy) ? e.withKey(resolved.get(keyedBy)) : e;
        }).toList(), views.values());
    }

    /**
     * The catalog with each CDC-fed entity's generated columns ({@code resolved}, by entity name, read from its table);
     * a view takes its root's.
     */
    public EntityCatalog withGenerated(Map<String, Set<String>> resolved) {
        return new EntityCatalog(ordered.stream().map(e -> {
            String table = e.source() == EntityDefinition.Source.VIEW ? views.get(e.name()).root() : e.name();
            return resolved.containsKey(table) ? e.withGenerated(resolved.get(table)) : e;
        }).toList(), views.values());
    }

    /**
     * The catalog with each CDC-fed entity's list columns typed ({@code resolved}, by entity name and then field, read from
     * its table); a view lists by its root's, so it keeps its own.
     */
    public EntityCatalog withListTypes(Map<String, Map<String, ListColumnType>> resolved) {
        return new EntityCatalog(ordered.stream().map(e -> resolved.containsKey(e.name()) && e.source() != EntityDefinition.Source.VIEW
                ? e.withListTypes(resolved.get(e.name())) : e).toList(), views.values());
    }

    private static QueryOptions queryOptions(Settings s, String entity, EntityKey key, List<String> sensitive, List<String> problems) {
        List<ListIndex> lists = new ArrayList<>();
        for (String field : Settings.list(s.raw(LISTS.at(entity)).orElse(""))) {
            if (!IDENTIFIER.matcher(field).matches() || sensitive.contains(field) || (!key.composite() && key.names().contains(field))) {
                problems.add(LISTS.at(entity) + ": '" + field + "' is not a column name (" + IDENTIFIER_RULE + ") that is neither sensitive nor the (single-column) key");
                continue;
            }
            lists.add(new ListIndex(field, LIST_MAX_PER_PAGE.read(s, LIST_MAX_PER_PAGE.at(entity).replace("<field>", field), problems)));
        }
        Duration listTtl = LIST_TTL.read(s, LIST_TTL.at(entity), problems);
        List<String> search = Settings.list(s.raw(SEARCH_FIELDS.at(entity)).orElse(""));
        for (String f : search) {
            if (!IDENTIFIER.matcher(f).matches() || sensitive.contains(f)) {
                problems.add(SEARCH_FIELDS.at(entity) + ": '" + f + "' is not a column name (" + IDENTIFIER_RULE + ") that is not sensitive");
            }
        }
        Duration searchTtl = SEARCH_TTL.read(s, SEARCH_TTL.at(entity), problems);
        Duration maxAge = HTTP_MAX_AGE.read(s, HTTP_MAX_AGE.at(entity), problems);
        return new QueryOptions(lists, listTtl, search, searchTtl, maxAge);
    }

    public Optional<EntityDefinition> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** By {@code schema.table}. */
    public Optional<EntityDefinition> byTable(String qualifiedTable) {
        return Optional.ofNullable(byTable.get(qualifiedTable));
    }

    public List<EntityDefinition> all() {
        return ordered;
    }

    /** The views, in configuration order. */
    public List<ViewDefinition> views() {
        return List.copyOf(views.values());
    }

    /** The view served as entity {@code name}, if it is one. */
    public Optional<ViewDefinition> view(String name) {
        return Optional.ofNullable(views.get(name));
    }

    /** The view an entity of source VIEW is served as. */
    public ViewDefinition view(EntityDefinition served) {
        ViewDefinition v = views.get(served.name());
        if (v == null) {
            throw new IllegalArgumentException(served.name() + " is not a view");
        }
        return v;
    }

    /** The entities fed by CDC ({@code entities.<name>.source=cdc}, the default): the tables cdc-ingest captures. */
    public List<EntityDefinition> cdcFed() {
        return ordered.stream().filter(e -> e.source() == EntityDefinition.Source.CDC).toList();
    }
}
