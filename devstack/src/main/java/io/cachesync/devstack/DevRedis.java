package io.cachesync.devstack;

import io.cachesync.devstack.containers.ContainerRedis;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The devstack's Redis without persistence ({@link ServerSettings#redis()}): a restart comes back empty, on the same
 * port. {@link #kill()} crashes it, {@link #freeze()}/{@link #thaw()} make it stop answering while it keeps its
 * connections. {@link LocalRedis} (embedded: a redis-server process) or {@link ContainerRedis} (Testcontainers).
 */
public interface DevRedis extends AutoCloseable {

    /**
     * Starts a Redis of the chosen provider ({@link StackProvider#chosen()}) on a free port; the embedded one works in
     * {@code workDir}, a container ignores it.
     */
    static DevRedis start(Path workDir) {
        return StackProvider.chosen() == StackProvider.TESTCONTAINERS
                ? new ContainerRedis(FreePorts.next()).start()
                : new LocalRedis(workDir, FreePorts.next()).start();
    }

    /** Starts the server (again, after a stop or a kill: empty, same port); a running server is left as it is. */
    DevRedis start();

    /** Graceful stop; the data is gone, as configured. */
    void stop();

    /** A crash: SIGKILL. */
    void kill();

    /** The server stops answering but keeps its connections open. */
    void freeze();

    /** Undoes {@link #freeze()}. */
    void thaw();

    boolean isRunning();

    /** The redis-server's host process id (-1 when it is not running); embedded provider only. */
    long pid();

    String host();

    int port();

    default String url() {
        return "redis://" + host() + ":" + port();
    }

    /** True when the server answers PING. */
    default boolean ping() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host(), port()), 500);
            s.setSoTimeout(1000);
            Writer w = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
            w.write("PING\r\n");
            w.flush();
            byte[] buf = new byte[7];
            int n = s.getInputStream().read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        }
    }

    /** Stops the server for good (a container is removed). */
    @Override
    void close();
}
