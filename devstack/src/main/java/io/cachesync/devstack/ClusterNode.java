package io.cachesync.devstack;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * One line of {@code CLUSTER NODES}: a node as one member of a Redis Cluster sees it. Views differ while the cluster
 * converges (a node learns of a failover or a slot's new owner by gossip), so {@link DevRedisCluster} asks each node
 * about itself ({@link #isMyself()}) when it wants the truth, and compares the views when it waits for agreement.
 *
 * @param id       the node's 40-character id
 * @param port     the node's client port (0 while in handshake, when its address is not known yet)
 * @param flags    {@code myself}, {@code master}, {@code slave}, {@code fail?}, {@code fail}, {@code handshake}, ...
 * @param masterId the id of the master of a replica; {@code -} for a master
 * @param slots    the hash slots the node serves (not to be modified); the marks of a slot being imported or
 *                 migrated ({@code [slot-<-id]}, {@code [slot->-id]}) are not slots it serves
 */
record ClusterNode(String id, int port, Set<String> flags, String masterId, boolean connected, BitSet slots) {

    /** The lines of a {@code CLUSTER NODES} reply. */
    static List<ClusterNode> parseAll(String clusterNodes) {
        List<ClusterNode> nodes = new ArrayList<>();
        for (String line : clusterNodes.split("\n")) {
            if (!line.isBlank()) {
                nodes.add(parse(line.trim()));
            }
        }
        return nodes;
    }

    /** {@code <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <epoch> <link> <slot>...} */
    static ClusterNode parse(String line) {
        String[] f = line.split(" ");
        if (f.length < 8) {
            throw new IllegalArgumentException("not a CLUSTER NODES line: " + line);
        }
        String address = f[1];
        int at = address.indexOf('@');
        String hostPort = at < 0 ? address : address.substring(0, at);
        String portText = hostPort.substring(hostPort.lastIndexOf(':') + 1);
        int port = portText.isEmpty() ? 0 : Integer.parseInt(portText);
        BitSet slots = new BitSet(DevRedisCluster.SLOTS);
        for (int i = 8; i < f.length; i++) {
            String s = f[i];
            if (s.startsWith("[")) {
                continue;
            }
            int dash = s.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? s : s.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(s.substring(dash + 1));
            slots.set(first, last + 1);
        }
        return new ClusterNode(f[0], port, Set.of(f[2].split(",")), f[3], "connected".equals(f[7]), slots);
    }

    boolean isMyself() {
        return flags.contains("myself");
    }

    boolean isMaster() {
        return flags.contains("master");
    }

    boolean isReplica() {
        return flags.contains("slave");
    }

    /** Marked failing ({@code fail}) or suspected ({@code fail?}), still in handshake, or without an address. */
    boolean isTroubled() {
        return flags.contains("fail") || flags.contains("fail?") || flags.contains("handshake") || flags.contains("noaddr");
    }

    boolean serves(int slot) {
        return slots.get(slot);
    }

    /** What every node's view of this node must agree on: its role, its master and its slots. */
    String role() {
        return isMaster() ? id + " master of " + slotRanges() : id + " replica of " + masterId;
    }

    /** The slots as ranges, e.g. {@code 0-5460,5462}. */
    String slotRanges() {
        StringBuilder b = new StringBuilder();
        for (int first = slots.nextSetBit(0); first >= 0; first = slots.nextSetBit(first + 1)) {
            int last = slots.nextClearBit(first) - 1;
            b.append(b.length() == 0 ? "" : ",").append(first).append(first == last ? "" : "-" + last);
            first = last;
        }
        return b.length() == 0 ? "no slots" : b.toString();
    }
}
