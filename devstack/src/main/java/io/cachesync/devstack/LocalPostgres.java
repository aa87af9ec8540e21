package io.cachesync.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The embedded provider's PostgreSQL: 17 (zonky embedded binaries) with the {@link ServerSettings#postgres()} (logical
 * WAL), on a fixed loopback port and a data directory that survives {@link #stop()} so that {@link #start()} brings
 * the same database back (fault tests restart it).
 * The postmaster runs detached ({@code pg_ctl} starts it in its own session), so a {@link ParentDeathGuard} asks it
 * for a fast shutdown (SIGINT) when this JVM dies without stopping it, even by SIGKILL.
 */
public final class LocalPostgres implements DevPostgres {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres pg;
    private ParentDeathGuard guard;

    public LocalPostgres(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    @Override
    public synchronized LocalPostgres start() {
        if (pg != null) {
            return this;
        }
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", "127.0.0.1");
            for (Map.Entry<String, String> setting : ServerSettings.postgres().entrySet()) {
                builder.setServerConfig(setting.getKey(), setting.getValue());
            }
            pg = builder.start();
        } catch (IOException e) {
            throw new DevStackException("devstack: PostgreSQL did not start on 127.0.0.1:" + port + " (data " + dataDir + "): " + e.getMessage(), e);
        }
        long postmaster = pid();
        guard = postmaster < 0 ? null : ParentDeathGuard.watch("PostgreSQL on port " + port, postmaster, "INT").orElse(null);
        LOG.info("PostgreSQL 17 up at {}", jdbcUrl());
        return this;
    }

    /**
     * Stops the server, keeping its data, and returns once the postmaster is gone (its {@code postmaster.pid} removed):
     * zonky's {@code pg_ctl stop} can give up while the server still shuts down, and a caller that copies or deletes
     * the data directory must not race it. A postmaster still there after a minute is killed.
     */
    public synchronized void stop() {
        if (pg == null) {
            return;
        }
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("devstack: pg_ctl stop reported {}; waiting for the postmaster to exit", e.getMessage());
        } finally {
            pg = null;
        }
        Path pid = dataDir.resolve("postmaster.pid");
        try {
            awaitStopped(pid);
        } finally {
            if (guard != null) {
                guard.disarm();
                guard = null;
            }
        }
    }

    private void awaitStopped(Path pid) {
        if (!awaitGone(pid, Duration.ofSeconds(60))) {
            try {
                long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).trim());
                LOG.warn("devstack: PostgreSQL (pid {}) did not stop within a minute; killing it", postmaster);
                ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
            } catch (IOException | RuntimeException e) {
                LOG.warn("devstack: cannot read {}: {}", pid, e.toString());
            }
            if (!awaitGone(pid, Duration.ofSeconds(30))) {
                throw new DevStackException("devstack: PostgreSQL on port " + port + " did not stop (" + pid + " remains)");
            }
        }
    }

    /** True once {@code file} is gone, false after {@code max}. */
    private static boolean awaitGone(Path file, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(50_000_000L);
        }
        return true;
    }

    @Override
    public synchronized boolean isRunning() {
        return pg != null;
    }

    /** The postmaster's process id, from its {@code postmaster.pid} (-1 when it is not running). */
    @Override
    public synchronized long pid() {
        return pg == null ? -1 : AbandonedStacks.postmasterPid(dataDir).orElse(-1L);
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public void close() {
        stop();
    }
}
