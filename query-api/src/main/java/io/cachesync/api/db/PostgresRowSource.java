package io.cachesync.api.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.cachesync.core.catalog.EntityDefinition;
import io.cachesync.core.codec.ValueCodec;
import io.cachesync.core.consistency.RowQueries;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/** Reads rows from PostgreSQL through a bounded HikariCP pool, encoding them with the shared {@link ValueCodec}. */
public final class PostgresRowSource implements RowSource, AutoCloseable {
    private final HikariDataSource ds;

    public PostgresRowSource(String jdbcUrl, String user, String password, String sslMode, int poolSize, Duration timeout) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setUsername(user);
        c.setPassword(password);
        c.addDataSourceProperty("sslmode", sslMode);
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
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(RowQueries.selectById(entity))) {
            ps.setObject(1, entity.keyType().jdbcValue(canonicalId));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(ValueCodec.fromJdbc(entity, rs));
            }
        } catch (SQLException e) {
            throw new DatabaseException("reading " + entity.qualifiedTable() + " id " + canonicalId + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public java.util.Map<String, String> loadMany(EntityDefinition entity, java.util.Collection<String> canonicalIds) throws DatabaseException {
        if (canonicalIds.isEmpty()) {
            return new java.util.HashMap<>();
        }
        try (Connection c = ds.getConnection()) {
            return RowQueries.documents(c, entity, canonicalIds);
        } catch (SQLException e) {
            throw new DatabaseException("reading " + canonicalIds.size() + " rows of " + entity.qualifiedTable() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public java.util.List<String> query(EntityDefinition entity, String sql, SqlBinder binder) throws DatabaseException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            java.util.List<String> out = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(ValueCodec.encode(ValueCodec.fromJdbc(entity, rs)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new DatabaseException("query on " + entity.qualifiedTable() + " failed: " + e.getMessage(), e);
        }
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
