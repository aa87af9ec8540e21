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
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", sslMode);
        return DriverManager.getConnection(jdbcUrl, p);
    }
}
