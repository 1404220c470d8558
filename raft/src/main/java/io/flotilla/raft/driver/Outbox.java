package io.flotilla.raft.driver;

import io.flotilla.raft.RaftMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One loop's outgoing messages for the current turn, gathered per destination node and sent
 * at the end of the turn as one batch per destination: every heartbeat, append and answer the
 * turn produced for a node travels in one transport message. Lists are reused from turn to
 * turn, so batching allocates nothing. Loop thread only.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private static final class Destination {
        final Peers.Peer peer;
        final ArrayList<RaftMessage> batch = new ArrayList<>();
        /** Send even if empty: the node-level liveness heartbeat is due. */
        boolean ping;

        Destination(Peers.Peer peer) {
            this.peer = peer;
        }
    }

    private final Peers peers;
    private final ArrayList<Destination> destinations = new ArrayList<>();
    private Destination last;
    long batchesSent;
    long messagesSent;

    Outbox(Peers peers) {
        this.peers = peers;
    }

    void addAll(List<RaftMessage> messages, long now) {
        for (int i = 0; i < messages.size(); i++) {
            RaftMessage m = messages.get(i);
            destination(m.to().nodeId(), now).batch.add(m);
        }
    }

    /** Makes sure {@code peer} gets a batch this turn, empty if nothing else is for it. */
    void ping(Peers.Peer peer, long now) {
        destination(peer.nodeId, now).ping = true;
    }

    /** Sends one batch to each destination that has messages or a ping; returns the batches sent. */
    int flush(Transport transport, long now) {
        int batches = 0;
        for (int i = 0; i < destinations.size(); i++) {
            Destination d = destinations.get(i);
            if (d.batch.isEmpty() && !d.ping) {
                continue;
            }
            try {
                transport.send(d.peer.nodeId, d.batch);
            } catch (RuntimeException e) {
                log.warn("transport failed to take a batch of {} messages for node {}; Raft will retransmit",
                        d.batch.size(), d.peer.nodeId, e);
            }
            d.peer.lastSentNanos = now;
            batches++;
            messagesSent += d.batch.size();
            d.batch.clear();
            d.ping = false;
        }
        batchesSent += batches;
        return batches;
    }

    private Destination destination(int nodeId, long now) {
        if (last != null && last.peer.nodeId == nodeId) {
            return last;
        }
        for (int i = 0; i < destinations.size(); i++) {
            if (destinations.get(i).peer.nodeId == nodeId) {
                last = destinations.get(i);
                return last;
            }
        }
        last = new Destination(peers.get(nodeId, now));
        destinations.add(last);
        return last;
    }
}
