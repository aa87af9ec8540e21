package io.cachesync.devstack.containers;

import io.cachesync.devstack.DevPostgres;
import io.cachesync.devstack.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The container provider's PostgreSQL: the {@link StackImages#POSTGRES} image with the {@link ServerSettings#postgres()}
 * (logical WAL) as server arguments, on a fixed host port. {@link #stop()} and {@link #start()} stop and start the same
 * container, so the database survives, as on the embedded provider; its processes and data directory are inside the
 * container, so {@link #pid()} and {@link #dataDir()} are not offered.
 */
public final class ContainerPostgres implements DevPostgres {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerPostgres.class);

    private final int port;
    private final DockerImageName image = StackImages.POSTGRES.image();
    private final PostgreSQLContainer container;
    private final ContainerControl control;

    public ContainerPostgres(int port) {
        this.port = port;
        this.container = new PostgreSQLContainer(image)
                .withDatabaseName(DATABASE)
                .withUsername(USER)
                .withPassword(PASSWORD);
        container.setCommand(command().toArray(String[]::new));
        ContainerControl.bindFixedPort(container, port, PostgreSQLContainer.POSTGRESQL_PORT);
        this.control = new ContainerControl(container, "PostgreSQL");
    }

    /** {@code postgres -c name=value ...}: the shared server settings. */
    static List<String> command() {
        List<String> command = new ArrayList<>(List.of("postgres"));
        for (Map.Entry<String, String> setting : ServerSettings.postgres().entrySet()) {
            command.add("-c");
            command.add(setting.getKey() + "=" + setting.getValue());
        }
        return command;
    }

    /** The image it runs. */
    DockerImageName image() {
        return image;
    }

    /** The container, for the tests of its configuration. */
    PostgreSQLContainer container() {
        return container;
    }

    @Override
    public ContainerPostgres start() {
        control.start(() -> {
            try (Connection c = connect()) {
                return c.isValid(1);
            }
        });
        LOG.info("PostgreSQL ({}) up at {}", image.asCanonicalNameString(), jdbcUrl());
        return this;
    }

    @Override
    public void stop() {
        control.stop();
    }

    @Override
    public boolean isRunning() {
        return control.isRunning();
    }

    /** Not offered: the postmaster runs in a container. */
    @Override
    public long pid() {
        throw ContainerStack.notOffered("PostgreSQL's pid()", "the postmaster runs inside a container");
    }

    /** Not offered: the data directory is inside the container. */
    @Override
    public Path dataDir() {
        throw ContainerStack.notOffered("PostgreSQL's dataDir()", "the data directory is inside a container");
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        control.remove();
    }
}
