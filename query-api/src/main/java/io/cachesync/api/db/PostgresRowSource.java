package io.cachesync.api.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cachesync.core.catalog.EntityCatalog;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.catalog.ViewDefinition;
import io.cachesync.core.codec.SensitiveColumnMissingException;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.config.PostgresEndpoint;
import io.cachesync.core.consistency.RowQueries;
import io.cachesync.core.views.ViewQueries;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads rows from PostgreSQL through a bounded HikariCP pool, encoding them with the shared {@link ValueCodec}.
 *
 * <p>Every connection of the pool runs {@code SET statement_timeout} as it opens (HikariCP's {@code connectionInitSql}),
 * so no query of the API — a row, a batch, a list or search page, warming — holds a connection longer than
 * {@code api.statement-timeout}: PostgreSQL cancels it ({@link QueryTimeoutException}) and the connection goes back to
 * the pool. A {@code SET} on the session works on any PostgreSQL, whatever the role's or database's own
 * {@code statement_timeout} and whatever {@code options} the JDBC URL carries (a startup {@code options} parameter would
 * be replaced by the URL's, and PgBouncer refuses it unless told to ignore it). Behind PgBouncer it needs session
 * pooling; in transaction pooling a session {@code SET} does not follow the client, so set the timeout on the API's role
 * there ({@code ALTER ROLE ... SET statement_timeout = '2s'}). The connections are named {@link #APPLICATION_NAME}
 * ({@code pg_stat_activity.application_name}).
 *
 * <p>A view ({@link EntityDefinition.Source#VIEW}) is read with {@link ViewQueries#document}: its root row, references and
 * children in one {@code REPEATABLE READ} transaction, composed by the composer cache-sync's view topology uses; so the
 * row source needs the catalog (keyed by the tables' primary keys, as {@code SchemaCheck} resolves it) to find the view's
 * declaration and parts. A view's lists and search run on its root entity ({@code ViewPages}): {@link #query} refuses a view.
 */
public final class PostgresRowSource implements RowSource, AutoCloseable {
    /** {@code application_name} of the API's connections, to find them in {@code pg_stat_activity}. */
    public static final String APPLICATION_NAME = "cachesync-query-api";
    /** The statement timeout of the constructor that takes none (the default of {@code api.statement-timeout}). */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(2);
    /** SQLSTATE {@code query_canceled}: a statement timeout (or a cancel request). */
    private static final String QUERY_CANCELED = "57014";
    private static final String UNDEFINED_TABLE = "42P01";
    private static final String UNDEFINED_COLUMN = "42703";
    /** SQLSTATE {@code undefined_function}: a list column compared as the type it had at start ({@code text = bigint}). */
    private static final String UNDEFINED_FUNCTION = "42883";

    private final EntityCatalog catalog;
    private final HikariDataSource ds;
    private final Duration statementTimeout;

    /** A row source of the catalog's entities and views, with the default statement timeout. */
    public PostgresRowSource(EntityCatalog catalog, PostgresEndpoint postgres, int poolSize, Duration timeout) {
        this(catalog, postgres, poolSize, timeout, DEFAULT_STATEMENT_TIMEOUT);
    }

    /**
     * @param catalog          the entities and views, keyed by their tables' primary keys (what {@code SchemaCheck.atStart} returns)
     * @param timeout          longest wait for a pooled connection ({@code api.db-timeout})
     * @param statementTimeout longest a query may run before PostgreSQL cancels it ({@code api.statement-timeout}, at least 1 ms)
     */
    public PostgresRowSource(EntityCatalog catalog, PostgresEndpoint postgres, int poolSize, Duration timeout, Duration statementTimeout) {
        this.catalog = catalog;
        if (statementTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("the statement timeout must be at least 1 ms (0 would turn it off), was " + statementTimeout);
        }
        this.statementTimeout = statementTimeout;
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(postgres.jdbcUrl());
        c.setDataSourceProperties(postgres.driverProperties());
        c.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
        c.setConnectionInitSql("SET statement_timeout = " + statementTimeout.toMillis());
        c.setMaximumPoolSize(poolSize);
        c.setMinimumIdle(Math.min(2, poolSize));
        c.setConnectionTimeout(Math.max(250, timeout.toMillis()));
        c.setValidationTimeout(Math.max(250, Math.min(timeout.toMillis(), 1000)));
        c.setInitializationFailTimeout(-1);
        c.setReadOnly(true);
        c.setPoolName("cachesync-api-db");
        this.ds = new HikariDataSource(c);
    }

    @Override
    public Optional<ObjectNode> load(EntityDefinition entity, String canonicalId) throws DatabaseException {
        if (entity.source() == EntityDefinition.Source.VIEW) {
            return document(entity, canonicalId).map(ValueCodec::parse);
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(RowQueries.selectById(entity))) {
            RowQueries.bindId(ps, entity, canonicalId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(ValueCodec.fromJdbc(entity, rs));
            }
        } catch (SQLException e) {
            throw failure(entity, "reading " + entity.qualifiedTable() + " id " + canonicalId, e);
        }
    }

    /** A view's document is returned as {@link ViewQueries#document} composed it (never re-encoded). */
    @Override
    public Optional<String> document(EntityDefinition entity, String canonicalId) throws DatabaseException {
        if (entity.source() != EntityDefinition.Source.VIEW) {
            return load(entity, canonicalId).map(ValueCodec::encode);
        }
        ViewDefinition v = view(entity);
        try (Connection c = ds.getConnection()) {
            return ViewQueries.document(c, catalog, v, canonicalId);
        } catch (SQLException e) {
            throw failure(entity, "reading view " + entity.name() + " id " + canonicalId, e);
        }
    }

    /** For a view, each document on one connection, each in its own snapshot ({@link ViewQueries#document}). */
    @Override
    public Map<String, String> loadMany(EntityDefinition entity, Collection<String> canonicalIds) throws DatabaseException {
        if (canonicalIds.isEmpty()) {
            return new HashMap<>();
        }
        if (entity.source() == EntityDefinition.Source.VIEW) {
            try (Connection c = ds.getConnection()) {
                return ViewQueries.documents(c, catalog, view(entity), canonicalIds);
            } catch (SQLException e) {
                throw failure(entity, "reading " + canonicalIds.size() + " documents of view " + entity.name(), e);
            }
        }
        try (Connection c = ds.getConnection()) {
            return RowQueries.documents(c, entity, canonicalIds);
        } catch (SQLException e) {
            throw failure(entity, "reading " + canonicalIds.size() + " rows of " + entity.qualifiedTable(), e);
        }
    }

    @Override
    public List<String> query(EntityDefinition entity, String sql, SqlBinder binder) throws DatabaseException {
        if (entity.source() == EntityDefinition.Source.VIEW) {
            throw new IllegalArgumentException(entity.name() + " is a view: its lists and search run on its root entity's rows");
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(ValueCodec.encode(ValueCodec.fromJdbc(entity, rs)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure(entity, "query on " + entity.qualifiedTable(), e);
        }
    }

    /** The view {@code entity} is served as. */
    private ViewDefinition view(EntityDefinition entity) {
        return catalog.view(entity);
    }

    /** The statement timeout every connection of the pool runs with. */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    /**
     * A query PostgreSQL cancelled ({@code 57014}) is a {@link QueryTimeoutException}; a row of a table that lost a
     * sensitive column, a table or column that no longer exists ({@code 42P01}, {@code 42703}), or a list column of
     * another type than at start ({@code 42883}), a {@link ConfigurationDriftException}; anything else a
     * {@link DatabaseException}.
     */
    private DatabaseException failure(EntityDefinition entity, String what, SQLException e) {
        if (e instanceof SensitiveColumnMissingException) {
            return new ConfigurationDriftException(entity.name(), what + " refused: " + e.getMessage(), e);
        }
        if (UNDEFINED_TABLE.equals(e.getSQLState()) || UNDEFINED_COLUMN.equals(e.getSQLState())) {
            return new ConfigurationDriftException(entity.name(), what + " failed: the database no longer has what entities."
                    + entity.name() + " names (renamed or dropped?): " + e.getMessage(), e);
        }
        if (UNDEFINED_FUNCTION.equals(e.getSQLState())) {
            return new ConfigurationDriftException(entity.name(), what + " failed: a column entities." + entity.name()
                    + " lists by changed its type since query-api started (restart it to read the new type): " + e.getMessage(), e);
        }
        if (QUERY_CANCELED.equals(e.getSQLState())) {
            return new QueryTimeoutException(what + " ran longer than the statement timeout (" + statementTimeout.toMillis()
                    + " ms) and was cancelled", statementTimeout, e);
        }
        return new DatabaseException(what + " failed: " + e.getMessage(), e);
    }

    @Override
    public boolean ping() {
        try (Connection c = ds.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        ds.close();
    }
}
