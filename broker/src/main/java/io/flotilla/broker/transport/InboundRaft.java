package io.flotilla.broker.transport;

import io.flotilla.raft.RaftMessage;

import java.util.List;

/**
 * Where {@link RaftTransportService} hands the batches it receives: the node's
 * {@code RaftDriver::receive} fits.
 */
@FunctionalInterface
public interface InboundRaft {
    /**
     * Takes a batch node {@code fromNode} sent; empty is a liveness heartbeat. Called on gRPC's
     * server threads, several at once (one per stream): must not block. The batch is read-only
     * and may be kept; entry payloads are read-only views of the received frame.
     *
     * @return false if the batch, or part of it, was dropped (Raft retransmits)
     */
    boolean receive(int fromNode, List<RaftMessage> batch);
}
