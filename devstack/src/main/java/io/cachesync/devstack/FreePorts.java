package io.cachesync.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface. */
public final class FreePorts {
    private FreePorts() {
    }

    public static int next() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /**
     * A free port whose {@code port + offset} is a free port too: a Redis Cluster node listens on its port and on its
     * cluster bus, port + 10000 (redis-server 6.2, the embedded one, cannot be given another bus port).
     */
    static int nextWithFree(int offset) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = next();
            if (port + offset <= 65535 && isFree(port + offset)) {
                return port;
            }
        }
        throw new UncheckedIOException(new IOException("no free loopback port p with p + " + offset + " free too"));
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
