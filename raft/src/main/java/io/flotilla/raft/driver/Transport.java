package io.flotilla.raft.driver;

import io.flotilla.raft.RaftMessage;

import java.util.List;

/**
 * How a driver reaches the other nodes: one stream per peer node in production, a
 * {@link LocalNetwork} in tests. What arrives is handed to the receiving node's
 * {@link RaftDriver#receive}.
 */
@FunctionalInterface
public interface Transport {
    /**
     * Sends {@code batch} to node {@code toNode}: every message one loop turn produced for that
     * node, in order. An empty batch is the node-level liveness heartbeat and must arrive as an
     * empty batch.
     *
     * <p>Called from the loop threads, several at once. Must neither block nor throw: queue, or
     * drop (Raft retransmits what is lost). Must not keep {@code batch} after returning: the
     * driver reuses the list. Order per node pair is expected (it avoids needless
     * retransmissions) but not needed for safety.
     */
    void send(int toNode, List<RaftMessage> batch);
}
