package io.cachesync.devstack;

import io.cachesync.devstack.containers.ContainerPostgres;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The devstack's PostgreSQL 17 with logical WAL ({@link ServerSettings#postgres()}), stoppable and restartable with
 * its data and on the same port: {@link LocalPostgres} (embedded) or {@link ContainerPostgres} (Testcontainers).
 */
public interface DevPostgres extends AutoCloseable {
    String USER = "postgres";
    String PASSWORD = "postgres";
    String DATABASE = "postgres";

    /**
     * Starts a PostgreSQL of the chosen provider ({@link StackProvider#chosen()}) on a free port; the embedded one keeps
     * its data in {@code dataDir}, a container ignores it.
     */
    static DevPostgres start(Path dataDir) {
        return StackProvider.chosen() == StackProvider.TESTCONTAINERS
                ? new ContainerPostgres(FreePorts.next()).start()
                : new LocalPostgres(dataDir, FreePorts.next()).start();
    }

    /** Starts the server (again, after {@link #stop()}: same data, same port); a running server is left as it is. */
    DevPostgres start();

    /** Stops the server, keeping its data; returns once it is down. */
    void stop();

    boolean isRunning();

    /** The postmaster's host process id (-1 when it is not running); embedded provider only. */
    long pid();

    /** The data directory on this host (fault tests copy it while the server is stopped); embedded provider only. */
    Path dataDir();

    String host();

    int port();

    default String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + DATABASE;
    }

    /** A URL psql accepts: {@code postgresql://user:password@host:port/db}. */
    default String url() {
        return "postgresql://" + USER + ":" + PASSWORD + "@" + host() + ":" + port() + "/" + DATABASE;
    }

    default Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    /** Stops the server for good (a container is removed). */
    @Override
    void close();
}
