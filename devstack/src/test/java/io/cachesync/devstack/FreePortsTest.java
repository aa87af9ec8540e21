package io.cachesync.devstack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Ports for the devstack's servers: bindable, never from the kernel's ephemeral range, never the same twice. */
class FreePortsTest {
    @Test
    void portsAreBindableBelowTheEphemeralRangeAndDistinct() throws IOException {
        int ephemeralLow = FreePorts.ephemeralLow();
        assertThat(ephemeralLow).as("this machine's ip_local_port_range (Linux)").isGreaterThan(FreePorts.LOWEST + 1_000);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(FreePorts.LOWEST, ephemeralLow - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = FreePorts.next();
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void aPortWithAFreeBusPortHasBothBelowTheEphemeralRange() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.nextWithFree(10_000);
            assertThat(port + 10_000).isLessThan(FreePorts.ephemeralLow());
            try (ServerSocket a = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                 ServerSocket b = new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
                assertThat(a.isBound() && b.isBound()).isTrue();
            }
        }
    }
}
