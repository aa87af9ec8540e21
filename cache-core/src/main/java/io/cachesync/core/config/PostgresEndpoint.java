package io.cachesync.core.config;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * Where and how every service and command reaches PostgreSQL: the JDBC URL, the credentials and the TLS mode, read and
 * validated once ({@code postgres.url}, {@code postgres.user}, {@code postgres.password}, {@code postgres.sslmode}).
 * Every connection cachesync opens goes through {@link #connect()}, {@link #connectForReplication()} or
 * {@link #driverProperties()}, so none can leave out the TLS mode or the credentials. The password is never printed.
 */
public record PostgresEndpoint(String jdbcUrl, String user, String password, String sslMode) {
    private static final String PREFIX = "jdbc:postgresql://";
    private static final int DEFAULT_PORT = 5432;

    /** Reads the four shared keys; a problem is added to {@code problems}, never thrown. */
    public static PostgresEndpoint from(Settings s, List<String> problems) {
        String url = Endpoints.jdbcUrl(SharedKeys.POSTGRES_URL, s, problems);
        String sslMode = SharedKeys.POSTGRES_SSLMODE.read(s, problems);
        PostgresEndpoint endpoint = new PostgresEndpoint(url, s.get(SharedKeys.POSTGRES_USER), s.get(SharedKeys.POSTGRES_PASSWORD), sslMode);
        if (url != null && url.startsWith(PREFIX) && endpoint.parsed() == null) {
            problems.add(SharedKeys.POSTGRES_URL.name() + " has no host:port/db: '" + Endpoints.withoutCredentials(url) + "'");
        }
        return endpoint;
    }

    /** A plain connection (for the few places that need no pool). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, driverProperties());
    }

    /**
     * A replication connection ({@code replication=database}, simple query protocol): it runs replication commands
     * such as {@code IDENTIFY_SYSTEM}, with the privileges the replication slot already needs.
     */
    public Connection connectForReplication() throws SQLException {
        Properties p = driverProperties();
        p.setProperty("replication", "database");
        p.setProperty("preferQueryMode", "simple");
        p.setProperty("assumeMinServerVersion", "10");
        return DriverManager.getConnection(jdbcUrl, p);
    }

    /** The driver properties every connection carries: user, password and sslmode (for a pool's data source too). */
    public Properties driverProperties() {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", sslMode);
        return p;
    }

    /** The host of the URL (Debezium takes host, port and database apart). */
    public String host() {
        URI u = parsed();
        return u == null ? "127.0.0.1" : u.getHost();
    }

    public int port() {
        URI u = parsed();
        return u == null || u.getPort() <= 0 ? DEFAULT_PORT : u.getPort();
    }

    public String database() {
        URI u = parsed();
        return u == null || u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
    }

    private URI parsed() {
        if (jdbcUrl == null || !jdbcUrl.startsWith(PREFIX)) {
            return null;
        }
        try {
            URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
            return u.getHost() == null ? null : u;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return Settings.show(SharedKeys.POSTGRES_URL, Endpoints.withoutCredentials(jdbcUrl)) + ", " + Settings.show(SharedKeys.POSTGRES_USER, user)
                + ", " + Settings.show(SharedKeys.POSTGRES_PASSWORD, password) + ", " + Settings.show(SharedKeys.POSTGRES_SSLMODE, sslMode);
    }
}
