package io.cachesync.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server process on a loopback port: the one on PATH when there is one (Debian's 7.x), otherwise the
 * binary shipped inside the embedded-redis jar (6.2). No persistence: a restart comes back empty, as a real
 * cache node does after a crash. {@link #kill()} is a SIGKILL, {@link #freeze()}/{@link #thaw()} are SIGSTOP/SIGCONT.
 * The server does not outlive this JVM: a {@link ParentDeathGuard} sends it SIGTERM when the JVM dies without
 * stopping it, even by SIGKILL.
 */
public final class DevRedis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevRedis.class);
    private static final String EMBEDDED_BINARY = "redis-server-6.2.6-v5-linux-amd64";

    private final Path workDir;
    private final int port;
    private Process process;
    private ParentDeathGuard guard;
    private String binaryDescription;

    public DevRedis(Path workDir, int port) {
        this.workDir = workDir;
        this.port = port;
    }

    public synchronized DevRedis start() {
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
            List<String> cmd = new ArrayList<>(List.of(binary.toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", workDir.toString(), "--logfile", workDir.resolve("redis.log").toString(),
                    "--protected-mode", "no"));
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
            try (InputStream in = DevRedis.class.getResourceAsStream("/" + EMBEDDED_BINARY)) {
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
        for (String dir : path.split(java.io.File.pathSeparator)) {
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

    /** True when the server answers PING. */
    public boolean ping() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            Writer w = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
            w.write("PING\r\n");
            w.flush();
            byte[] buf = new byte[7];
            int n = s.getInputStream().read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        }
    }

    /** Graceful stop (SIGTERM); the data is gone, as configured. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        thaw();
        process.destroy();
        awaitExit();
    }

    /** SIGKILL, as a crash. */
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
    public synchronized void freeze() {
        signal("STOP");
    }

    /** SIGCONT. */
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

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The redis-server's process id (-1 when it is not running). */
    public synchronized long pid() {
        return process == null || !process.isAlive() ? -1 : process.pid();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
