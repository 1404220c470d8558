package io.flotilla.jepsen.process;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A network partition between nodes 1..n: the directed links whose packets are dropped (a link
 * (a, b) drops what a sends to b). The harness's own traffic (clients, health checks) is never
 * cut, as in Jepsen, where the control node reaches every node throughout.
 *
 * @param targets the nodes the history names: the cut-off side, or every node for a ring
 */
record Partition(List<Integer> targets, Set<Link> cut) {

    /** Packets from {@code from} to {@code to}. */
    record Link(int from, int to) {
    }

    Partition {
        targets = List.copyOf(targets);
        cut = Set.copyOf(cut);
    }

    /** Cuts {@code node} off from every other node, both ways. */
    static Partition isolate(int node, int nodes) {
        return split(List.of(node), nodes);
    }

    /**
     * Splits the nodes into two halves, {@code order}'s first {@code n / 2} and the rest, cut off
     * from each other both ways: the smaller side has no majority.
     */
    static Partition halves(List<Integer> order) {
        return split(order.subList(0, order.size() / 2), order.size());
    }

    /**
     * Jepsen's majority ring: the nodes in {@code order} form a ring and each keeps its links to
     * the nodes within {@code d} steps of it (d the smallest that makes that a majority), so every
     * node sees a majority and no two see the same one. Needs 5 or more nodes: with 3, every node
     * is within one step of both others, and nothing would be cut.
     */
    static Partition majorityRing(List<Integer> order) {
        int n = order.size();
        if (n < 5) {
            throw new IllegalArgumentException("a majority ring needs at least 5 nodes, not " + n);
        }
        int majority = n / 2 + 1;
        int reach = majority / 2; // the fewest steps each way with 1 + 2 * reach >= majority
        Set<Link> cut = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int steps = Math.min(Math.floorMod(i - j, n), Math.floorMod(j - i, n));
                if (steps > reach) {
                    cut.add(new Link(order.get(i), order.get(j)));
                }
            }
        }
        return new Partition(new ArrayList<>(new TreeSet<>(order)), cut);
    }

    /**
     * Asymmetric: packets from every other node to {@code node} are dropped, while its own go
     * out. Over TCP this is not a clean one-way channel (the node's peers receive its data but
     * their acknowledgements never come back, so its streams stall and reconnect), which is the
     * point: it is what a half-broken link or firewall does to a cluster.
     */
    static Partition oneWayInto(int node, int nodes) {
        Set<Link> cut = new LinkedHashSet<>();
        for (int other = 1; other <= nodes; other++) {
            if (other != node) {
                cut.add(new Link(other, node));
            }
        }
        return new Partition(List.of(node), cut);
    }

    /** The nodes whose packets {@code node} drops. */
    Set<Integer> droppedAt(int node) {
        Set<Integer> from = new TreeSet<>();
        for (Link l : cut) {
            if (l.to() == node) {
                from.add(l.from());
            }
        }
        return from;
    }

    private static Partition split(List<Integer> side, int nodes) {
        Set<Link> cut = new LinkedHashSet<>();
        for (int a : side) {
            for (int b = 1; b <= nodes; b++) {
                if (!side.contains(b)) {
                    cut.add(new Link(a, b));
                    cut.add(new Link(b, a));
                }
            }
        }
        return new Partition(new ArrayList<>(new TreeSet<>(side)), cut);
    }
}
