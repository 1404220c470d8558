package io.flotilla.broker.transport;

/**
 * Counters of a {@link GrpcTransport} since it started, over all peers.
 *
 * @param batchesSent    batches written to a peer's stream (a driver batch larger than a frame
 *                       counts once per piece)
 * @param framesSent     SendBatches messages written: batches coalesced per gRPC message
 * @param bytesSent      encoded bytes of the frames written
 * @param batchesDropped batches not sent: a peer's queue was full, the peer was unreachable
 *                       (its address unknown, or backing off after a failed stream), its stream
 *                       failed with them queued, or the transport was closed
 * @param reconnects     streams opened again after one failed
 * @param queuedBytes    encoded bytes waiting in the peers' queues now
 */
public record TransportStats(long batchesSent, long framesSent, long bytesSent, long batchesDropped, long reconnects,
                             long queuedBytes) {
}
