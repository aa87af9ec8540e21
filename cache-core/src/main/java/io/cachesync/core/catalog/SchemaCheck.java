package io.cachesync.core.catalog;

import io.cachesync.core.config.ConfigException;
import io.cachesync.core.config.Endpoints;
import io.cachesync.core.config.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The configured entities against the database they read: each CDC-fed entity's table exists, has a primary key, the
 * key column is that primary key, and every column the configuration names (sensitive, list and search fields) exists.
 * A mistake here would otherwise show late and quietly — a table Debezium never captures, reads that fail one by one,
 * a sensitive column that is cached because its name was misspelt — so each service checks at start and refuses to
 * run, naming the entity and the reason. (Composite primary keys are refused until cachesync supports them.)
 */
public final class SchemaCheck {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);
    private SchemaCheck() {
    }

    /** What does not fit, one line per problem; empty when every CDC-fed entity fits its table. */
    public static List<String> problems(Connection c, EntityCatalog catalog) throws SQLException {
        List<String> problems = new ArrayList<>();
        for (EntityDefinition e : catalog.cdcFed()) {
            String where = "entities." + e.name() + " (" + e.qualifiedTable() + ")";
            Set<String> columns = columns(c, e);
            if (columns.isEmpty()) {
                problems.add(where + ": the table does not exist (or this user may not see it)");
                continue;
            }
            List<String> key = primaryKey(c, e);
            if (key.isEmpty()) {
                problems.add(where + ": the table has no primary key; cachesync keys every row by it (add one)");
            } else if (key.size() > 1) {
                problems.add(where + ": the primary key is composite " + key + "; only single-column keys are supported so far");
            } else if (!key.get(0).equals(e.keyColumn())) {
                problems.add(where + ": entities." + e.name() + ".key is '" + e.keyColumn() + "' but the primary key is '" + key.get(0) + "'");
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
        }
        return problems;
    }

    /** Throws a {@link ConfigException} of {@code component} listing every problem, when there is one. */
    public static void require(Connection c, EntityCatalog catalog, String component) throws SQLException {
        List<String> problems = problems(c, catalog);
        if (!problems.isEmpty()) {
            throw ConfigException.of(component, problems);
        }
    }

    /**
     * The check a service runs first thing at start: refuses (a {@link ConfigException} naming every problem) when the
     * database answers and the entities do not fit it; only warns when it cannot be reached now (it may start later).
     */
    public static void atStart(String component, EntityCatalog catalog, String jdbcUrl, String user, String password, String sslMode) {
        if (catalog.cdcFed().isEmpty()) {
            return;
        }
        try (Connection c = Jdbc.connect(jdbcUrl, user, password, sslMode)) {
            require(c, catalog, component);
        } catch (SQLException e) {
            LOG.warn("{}: cannot check the configured entities against the database now ({}); starting anyway", component,
                    Endpoints.withoutCredentials(String.valueOf(e.getMessage())));
        }
    }

    private static Set<String> columns(Connection c, EntityDefinition e) throws SQLException {
        return new LinkedHashSet<>(names(c, e, "SELECT a.attname FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = ? AND r.relname = ? AND a.attnum > 0 AND NOT a.attisdropped"));
    }

    private static List<String> primaryKey(Connection c, EntityDefinition e) throws SQLException {
        return names(c, e, "SELECT a.attname FROM pg_index i JOIN pg_class r ON r.oid = i.indrelid "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true "
                + "JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.attnum "
                + "WHERE i.indisprimary AND n.nspname = ? AND r.relname = ? ORDER BY k.ord");
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
