package io.cachesync.core.catalog;

import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.Endpoints;
import io.cachesync.core.config.PostgresEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configured entities against the database they read: each CDC-fed entity's table exists and has a primary key, whose
 * columns and types become the entity's key ({@link EntityKey}; configuration may name them, and is then checked against
 * them), every column the configuration names (sensitive, list and search fields) exists, every cached column has a
 * type cachesync encodes alike on both paths ({@link ColumnTypeCheck}), and every list column has a type a list can
 * follow, which decides how a requested value is compared ({@link ColumnTypeCheck#check}). A mistake here would otherwise show late and quietly — a table
 * Debezium never captures, reads that fail one by one, a sensitive column that is cached because its name was misspelt —
 * so each service checks at start and refuses to run, naming the entity and the reason.
 */
public final class SchemaCheck {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);
    private static final String KEY_TYPES = "smallint, integer, bigint (and serials), text, varchar or uuid";

    private SchemaCheck() {
    }

    /**
     * What the check found: one line per problem, and the key, the generated columns and the list columns' types read from
     * each CDC-fed entity's table.
     */
    public record Result(List<String> problems, Map<String, EntityKey> keys, Map<String, Set<String>> generated,
                         Map<String, Map<String, ListColumnType>> listTypes) {
    }

    /** What does not fit, one line per problem; empty when every CDC-fed entity fits its table. */
    public static List<String> problems(Connection c, EntityCatalog catalog) throws SQLException {
        return check(c, catalog).problems();
    }

    public static Result check(Connection c, EntityCatalog catalog) throws SQLException {
        List<String> problems = new ArrayList<>();
        Map<String, EntityKey> keys = new LinkedHashMap<>();
        Map<String, Set<String>> tableColumns = new HashMap<>();
        Map<String, Set<String>> generated = new LinkedHashMap<>();
        Map<String, Map<String, ListColumnType>> listTypes = new LinkedHashMap<>();
        for (EntityDefinition e : catalog.cdcFed()) {
            String where = "entities." + e.name() + " (" + e.qualifiedTable() + ")";
            Set<String> columns = columns(c, e);
            tableColumns.put(e.name(), columns);
            if (columns.isEmpty()) {
                problems.add(where + ": the table does not exist (or this user may not see it)");
                continue;
            }
            Set<String> computed = generatedColumns(c, e.schema(), e.table());
            generated.put(e.name(), computed);
            e = e.withGenerated(computed);
            int before = problems.size();
            EntityKey key = primaryKey(c, e, where, problems);
            if (key != null && problems.size() == before) {
                keys.put(e.name(), key);
            }
            Set<String> named = new LinkedHashSet<>(e.sensitive());
            e.query().lists().forEach(l -> named.add(l.field()));
            named.addAll(e.query().searchFields());
            for (String column : named) {
                if (!columns.contains(column)) {
                    problems.add(where + ": the configuration names column '" + column + "', which the table does not have"
                            + (e.sensitive().contains(column) ? " (a misspelt sensitive column would be cached)" : ""));
                }
            }
            for (ListIndex list : e.query().lists()) {
                if (computed.contains(list.field())) {
                    problems.add(where + ": entities." + e.name() + ".lists names the generated column '" + list.field() + "': "
                            + "logical replication does not carry its value, so a change could not tell which list the row left or joined");
                }
            }
            ColumnTypeCheck.Checked columnTypes = ColumnTypeCheck.check(c, e);
            problems.addAll(columnTypes.problems());
            listTypes.put(e.name(), columnTypes.listTypes());
        }
        EntityCatalog resolved = catalog.withKeys(keys).withGenerated(generated);
        for (ViewDefinition v : catalog.views()) {
            problems.addAll(ViewDefinitions.problems(v, resolved, e -> tableColumns.getOrDefault(e.name(), Set.of())));
        }
        return new Result(problems, keys, generated, listTypes);
    }

    /**
     * The catalog with each CDC-fed entity keyed by its table's primary key; a {@link ConfigException} of
     * {@code component} listing every problem, when there is one.
     */
    public static EntityCatalog resolve(Connection c, EntityCatalog catalog, String component) throws SQLException {
        Result r = check(c, catalog);
        if (!r.problems().isEmpty()) {
            throw ConfigException.of(component, r.problems());
        }
        return catalog.withKeys(r.keys()).withGenerated(r.generated()).withListTypes(r.listTypes());
    }

    /** Throws a {@link ConfigException} of {@code component} listing every problem, when there is one. */
    public static void require(Connection c, EntityCatalog catalog, String component) throws SQLException {
        resolve(c, catalog, component);
    }

    /**
     * The check a service runs first thing at start; returns the catalog keyed by the tables' primary keys. Refuses (a
     * {@link ConfigException} naming every problem) when the database answers and the entities do not fit it. When the
     * database cannot be reached now, a catalog whose keys are all configured ({@code key} and {@code key-type}) is used
     * as it is, with a warning; one that leaves a key to the database is refused, naming the entities and the settings
     * that would let the service start without it.
     */
    public static EntityCatalog atStart(String component, EntityCatalog catalog, PostgresEndpoint postgres) {
        if (catalog.cdcFed().isEmpty()) {
            return catalog;
        }
        try (Connection c = postgres.connect()) {
            EntityCatalog resolved = resolve(c, catalog, component);
            for (EntityDefinition e : resolved.cdcFed()) {
                LOG.info("{}: entities.{} is keyed by {} ({})", component, e.name(), e.key(), e.qualifiedTable());
            }
            return resolved;
        } catch (SQLException e) {
            String reason = Endpoints.withoutCredentials(String.valueOf(e.getMessage()));
            List<String> unknown = catalog.cdcFed().stream().filter(d -> !d.key().origin().typesKnown()).map(EntityDefinition::name).toList();
            if (!unknown.isEmpty()) {
                throw ConfigException.of(component, List.of("cannot read the primary key of " + unknown.stream().map(n -> "entities." + n)
                        .toList() + " from the database (" + reason + "): make it reachable, or configure entities.<name>.key and "
                        + "entities.<name>.key-type"));
            }
            LOG.warn("{}: cannot check the configured entities against the database now ({}); starting with the configured keys",
                    component, reason);
            return catalog;
        }
    }

    /**
     * The table's generated columns ({@code GENERATED ALWAYS AS (…) STORED}): PostgreSQL's logical replication leaves them
     * out of every change (before PostgreSQL 18), so cachesync never caches them ({@link EntityDefinition#isCached}).
     */
    public static Set<String> generatedColumns(Connection c, String schema, String table) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = ? AND r.relname = ? AND a.attnum > 0 "
                + "AND NOT a.attisdropped AND a.attgenerated <> '' ORDER BY a.attnum")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** Whether {@code e}'s table exists under its configured name (and this user may see it). */
    public static boolean exists(Connection c, EntityDefinition e) throws SQLException {
        return !columns(c, e).isEmpty();
    }

    /**
     * The configured sensitive columns of {@code e} its table does not have (now): renamed or dropped since the service
     * started. The configuration then no longer says which column holds what it meant to keep out.
     */
    public static List<String> missingSensitive(Connection c, EntityDefinition e) throws SQLException {
        Set<String> present = columns(c, e);
        return e.sensitive().stream().filter(s -> !present.contains(s)).sorted().toList();
    }

    private static Set<String> columns(Connection c, EntityDefinition e) throws SQLException {
        return new LinkedHashSet<>(names(c, e, "SELECT a.attname FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = ? AND r.relname = ? AND a.attnum > 0 AND NOT a.attisdropped"));
    }

    /** The table's primary key, or null (with a problem) when there is none, it is not the configured one, or a type does not fit. */
    private static EntityKey primaryKey(Connection c, EntityDefinition e, String where, List<String> problems) throws SQLException {
        List<EntityKey.Column> columns = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, a.atttypid FROM pg_index i JOIN pg_class r ON r.oid = i.indrelid "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true "
                + "JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum "
                + "WHERE i.indisprimary AND n.nspname = ? AND r.relname = ? ORDER BY k.ord")) {
            ps.setString(1, e.schema());
            ps.setString(2, e.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    names.add(name);
                    String type = baseType(c, rs.getLong(2));
                    KeyType.ofPostgres(type).ifPresentOrElse(t -> columns.add(new EntityKey.Column(name, t)),
                            () -> refused.add("'" + name + "' is " + type));
                }
            }
        }
        if (names.isEmpty()) {
            problems.add(where + ": the table has no primary key; cachesync keys every row by it (add one)");
            return null;
        }
        EntityKey configured = e.key();
        if (configured.origin().columnsKnown() && !configured.names().equals(names)) {
            problems.add(where + ": entities." + e.name() + ".key is " + String.join(",", configured.names()) + " but the primary key is "
                    + String.join(",", names) + " (leave entities." + e.name() + ".key out to use the primary key)");
            return null;
        }
        List<String> sensitiveKey = names.stream().filter(e.sensitive()::contains).toList();
        if (!sensitiveKey.isEmpty()) {
            problems.add(where + ": entities." + e.name() + ".sensitive names primary-key column(s) " + sensitiveKey
                    + ": the key is always served");
            return null;
        }
        if (!refused.isEmpty()) {
            problems.add(where + ": primary-key column " + String.join(", ", refused) + "; cachesync keys rows by " + KEY_TYPES + " columns");
            return null;
        }
        EntityKey read = new EntityKey(columns, EntityKey.Origin.CATALOG);
        if (configured.origin() == EntityKey.Origin.DECLARED && !configured.columns().equals(read.columns())) {
            problems.add(where + ": entities." + e.name() + ".key-type says " + configured + " but the table's key is " + read
                    + " (leave key-type out to use the table's types)");
            return null;
        }
        return read;
    }

    /** The name of a type, domains resolved to the type they are based on. */
    private static String baseType(Connection c, long typeOid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT typname, typtype, typbasetype FROM pg_type WHERE oid = ?")) {
            long oid = typeOid;
            for (int depth = 0; depth < 32; depth++) {
                ps.setLong(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return "an unknown type (oid " + oid + ")";
                    }
                    if (!"d".equals(rs.getString(2))) {
                        return rs.getString(1);
                    }
                    oid = rs.getLong(3);
                }
            }
            return "a domain nested too deeply";
        }
    }

    /** The first column of {@code sql}'s rows, given the entity's schema and table as its two parameters. */
    private static List<String> names(Connection c, EntityDefinition e, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, e.schema());
            ps.setString(2, e.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
