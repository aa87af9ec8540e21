package io.cachesync.devstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on the loopback interface, for servers that bind them a moment later.
 *
 * <p>Ports are taken below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}, 32768 – 60999 by
 * default), never from it: a port of that range that is free when picked can be given to any outgoing connection
 * (a Kafka client, a JDBC connection) before the server binds it — which once failed a bench run with "Address already
 * in use" for the broker's controller listener. Below the range only a server that binds that very port can take it.
 * A port handed out once is not handed out again by this process (two stacks starting at once cannot draw the same).
 * Where the range cannot be read (not Linux), the kernel picks (port 0), as before.
 */
public final class FreePorts {
    /** The lowest port handed out: above the well-known and most registered service ports. */
    static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 1_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    public static int next() {
        return nextWithFree(0);
    }

    /**
     * A free port whose {@code port + offset} is a free port too: a Redis Cluster node listens on its port and on its
     * cluster bus, port + 10000 (redis-server 6.2, the embedded one, cannot be given another bus port).
     */
    static int nextWithFree(int offset) {
        int highest = ephemeralLow() - 1 - offset;
        if (highest < LOWEST + 1_000) {
            return kernelPicked(offset);
        }
        if (HANDED_OUT.size() > (highest - LOWEST) / 4) {
            HANDED_OUT.clear(); // a long-lived process: ports handed out long ago are bound or released by now
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = random.nextInt(LOWEST, highest + 1);
            if (!HANDED_OUT.contains(port) && !HANDED_OUT.contains(port + offset) && isFree(port)
                    && (offset == 0 || isFree(port + offset)) && HANDED_OUT.add(port)) {
                if (offset != 0) {
                    HANDED_OUT.add(port + offset);
                }
                return port;
            }
        }
        throw new UncheckedIOException(new IOException("no free loopback port between " + LOWEST + " and " + highest
                + (offset == 0 ? "" : " with p + " + offset + " free too") + " in " + ATTEMPTS + " attempts"));
    }

    /** The first port of the kernel's ephemeral range, or 0 when it is not known. */
    static int ephemeralLow() {
        // read line-wise: Files.readString trusts the size procfs reports and returns "3" of "32768\t60999"
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            return Integer.parseInt(r.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static int kernelPicked(int offset) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
            if (offset == 0 || port + offset <= 65535 && isFree(port + offset)) {
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
