package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The embedded provider's Redis: a real redis-server process on a loopback port, the one on PATH when there is one
 * (Debian's 7.x), otherwise the binary shipped inside the embedded-redis jar (6.2). No persistence
 * ({@link ServerSettings#redis()}): a restart comes back empty, as a real cache node does after a crash.
 * {@link #kill()} is a SIGKILL, {@link #freeze()}/{@link #thaw()} are SIGSTOP/SIGCONT. The server does not outlive
 * this JVM: a {@link ParentDeathGuard} sends it SIGTERM when the JVM dies without stopping it, even by SIGKILL.
 * The nodes of a {@link DevRedisCluster} are LocalRedis servers too, started with the cluster settings on top, and so
 * are the servers and the Sentinels of a {@link DevRedisSentinel}.
 */
public final class LocalRedis implements DevRedis {
    private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);
    private static final String EMBEDDED_BINARY = "redis-server-6.2.6-v5-linux-amd64";

    private final Path workDir;
    private final int port;
    private final List<String> leadingArgs;
    private final List<String> moreSettings;
    private Process process;
    private ParentDeathGuard guard;
    private String binaryDescription;

    public LocalRedis(Path workDir, int port) {
        this(workDir, port, List.of());
    }

    /** A server with {@code moreSettings} (redis-server arguments) after {@link ServerSettings#redis()}. */
    LocalRedis(Path workDir, int port, List<String> moreSettings) {
        this(workDir, port, List.of(), moreSettings);
    }

    private LocalRedis(Path workDir, int port, List<String> leadingArgs, List<String> moreSettings) {
        this.workDir = workDir;
        this.port = port;
        this.leadingArgs = List.copyOf(leadingArgs);
        this.moreSettings = List.copyOf(moreSettings);
    }

    /**
     * A server with {@code leadingArgs} right after the binary, before every setting: redis-server takes a config file
     * only as its first argument, and a Sentinel needs one it can rewrite ({@link DevRedisSentinel}).
     */
    static LocalRedis withLeadingArgs(Path workDir, int port, List<String> leadingArgs, List<String> moreSettings) {
        return new LocalRedis(workDir, port, leadingArgs, moreSettings);
    }

    @Override
    public synchronized LocalRedis start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        if (guard != null) { // the previous server died on its own
            guard.disarm();
            guard = null;
        }
        try {
            Files.createDirectories(workDir);
            Path binary = binary();
            List<String> cmd = new ArrayList<>(List.of(binary.toString()));
            cmd.addAll(leadingArgs);
            cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--daemonize", "no",
                    "--dir", workDir.toString(), "--logfile", workDir.resolve("redis.log").toString()));
            cmd.addAll(ServerSettings.redis());
            cmd.addAll(moreSettings);
            process = new ProcessBuilder(cmd).directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("redis.out").toFile())
                    .start();
            guard = ParentDeathGuard.watch("redis-server on port " + port, process.pid(), "TERM").orElse(null);
            awaitPing(Duration.ofSeconds(20));
        } catch (IOException e) {
            if (process != null) {
                process.destroyForcibly();
                awaitExit();
            }
            throw new DevStackException("devstack: redis-server did not start on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        LOG.info("redis-server ({}) up at {}", binaryDescription, url());
        return this;
    }

    private Path binary() throws IOException {
        Optional<Path> onPath = findOnPath("redis-server");
        if (onPath.isPresent()) {
            binaryDescription = onPath.get().toString();
            return onPath.get();
        }
        Path target = workDir.getParent() == null ? workDir.resolve(EMBEDDED_BINARY) : workDir.getParent().resolve(EMBEDDED_BINARY);
        if (!Files.isExecutable(target)) {
            try (InputStream in = LocalRedis.class.getResourceAsStream("/" + EMBEDDED_BINARY)) {
                if (in == null) {
                    throw new IOException("no redis-server on PATH and " + EMBEDDED_BINARY + " is not on the classpath (embedded-redis)");
                }
                Path tmp = Files.createTempFile(target.getParent(), "redis-server", ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                if (!tmp.toFile().setExecutable(true)) {
                    throw new IOException("cannot make " + tmp + " executable");
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        binaryDescription = "embedded-redis 6.2";
        return target;
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private void awaitPing(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + "; see " + workDir.resolve("redis.out"));
            }
            try {
                if (ping()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for redis-server", e);
            }
        }
        throw new IOException("redis-server did not answer PING within " + timeout, last);
    }

    /** Graceful stop (SIGTERM); the data is gone, as configured. */
    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        thaw();
        process.destroy();
        awaitExit();
    }

    /** SIGKILL, as a crash. */
    @Override
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process = null;
            if (guard != null) {
                guard.disarm();
                guard = null;
            }
        }
    }

    /** SIGSTOP: the server stops answering but keeps its connections open. */
    @Override
    public synchronized void freeze() {
        signal("STOP");
    }

    /** SIGCONT. */
    @Override
    public synchronized void thaw() {
        signal("CONT");
    }

    private void signal(String sig) {
        if (process == null) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new DevStackException("devstack: cannot send SIG" + sig + " to redis-server: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The redis-server's process id (-1 when it is not running). */
    @Override
    public synchronized long pid() {
        return process == null || !process.isAlive() ? -1 : process.pid();
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        stop();
    }
}
