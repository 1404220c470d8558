package io.flotilla.raft.driver;

import java.util.Arrays;

/**
 * Node-level liveness, shared by one driver's loops: when each peer node was last heard from
 * (any batch, an empty liveness heartbeat too) and last sent to. Transport threads write
 * {@code lastHeardNanos}, loop threads {@code lastSentNanos}. A peer is registered on first
 * contact, in either direction, and never removed: a node that left costs one empty batch per
 * heartbeat interval.
 */
final class Peers {
    static final class Peer {
        final int nodeId;
        volatile long lastHeardNanos;
        volatile long lastSentNanos;

        private Peer(int nodeId, long now) {
            this.nodeId = nodeId;
            // A newly met peer gets an election timeout to speak before it counts as silent.
            this.lastHeardNanos = now;
            this.lastSentNanos = now;
        }
    }

    /** Append-only, copied on write, so readers need no lock and a peer keeps its index. */
    private volatile Peer[] all = new Peer[0];

    Peer[] all() {
        return all;
    }

    /** The peer for {@code nodeId}, registered now if new. A cluster has few nodes: a scan beats a map. */
    Peer get(int nodeId, long now) {
        for (Peer p : all) {
            if (p.nodeId == nodeId) {
                return p;
            }
        }
        return register(nodeId, now);
    }

    private synchronized Peer register(int nodeId, long now) {
        Peer[] current = all;
        for (Peer p : current) {
            if (p.nodeId == nodeId) {
                return p;
            }
        }
        Peer peer = new Peer(nodeId, now);
        Peer[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = peer;
        all = grown;
        return peer;
    }
}
