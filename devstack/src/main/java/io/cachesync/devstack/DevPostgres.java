package io.cachesync.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * PostgreSQL 17 (zonky embedded binaries) with logical WAL, on a fixed loopback port and a data directory that
 * survives {@link #stop()} so that {@link #start()} brings the same database back (fault tests restart it).
 */
public final class DevPostgres implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevPostgres.class);
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    public static final String DATABASE = "postgres";

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres pg;

    public DevPostgres(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    public synchronized DevPostgres start() {
        if (pg != null) {
            return this;
        }
        try {
            pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    // zonky defaults to synchronous_commit=off: WAL then reaches the walsender only every wal_writer_delay
                    // (200 ms), which would add that much to every change's end-to-end lag. With fsync=off, on is cheap.
                    .setServerConfig("synchronous_commit", "on")
                    .start();
        } catch (IOException e) {
            throw new DevStackException("devstack: PostgreSQL did not start on 127.0.0.1:" + port + " (data " + dataDir + "): " + e.getMessage(), e);
        }
        LOG.info("PostgreSQL 17 up at {}", jdbcUrl());
        return this;
    }

    /** Stops the server, keeping its data. */
    public synchronized void stop() {
        if (pg == null) {
            return;
        }
        try {
            pg.close();
        } catch (IOException e) {
            throw new DevStackException("devstack: PostgreSQL did not stop cleanly: " + e.getMessage(), e);
        } finally {
            pg = null;
        }
    }

    public synchronized boolean isRunning() {
        return pg != null;
    }

    /** The data directory (fault tests copy it while the server is stopped: a cold backup). */
    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** A URL psql accepts: {@code postgresql://user:password@host:port/db}. */
    public String url() {
        return "postgresql://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port + "/" + DATABASE;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    @Override
    public void close() {
        stop();
    }
}
