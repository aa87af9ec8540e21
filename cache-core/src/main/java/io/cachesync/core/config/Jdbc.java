package io.cachesync.core.config;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** A plain JDBC connection with cachesync's credentials and TLS mode (for the few places that need no pool). */
public final class Jdbc {
    private Jdbc() {
    }

    public static Connection connect(String jdbcUrl, String user, String password, String sslMode) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, properties(user, password, sslMode));
    }

    /**
     * A replication connection ({@code replication=database}, simple query protocol): it runs replication commands
     * such as {@code IDENTIFY_SYSTEM}, with the privileges the replication slot already needs.
     */
    public static Connection connectForReplication(String jdbcUrl, String user, String password, String sslMode) throws SQLException {
        Properties p = properties(user, password, sslMode);
        p.setProperty("replication", "database");
        p.setProperty("preferQueryMode", "simple");
        p.setProperty("assumeMinServerVersion", "10");
        return DriverManager.getConnection(jdbcUrl, p);
    }

    private static Properties properties(String user, String password, String sslMode) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", sslMode);
        return p;
    }
}
