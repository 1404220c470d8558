package io.flotilla.broker.transport;

/**
 * Counters of a {@link RaftTransportService} since it was created, over all streams.
 *
 * @param frames           SendBatches messages received, valid or not
 * @param batchesDelivered batches the receiver took whole
 * @param batchesRefused   batches the receiver dropped, at least partly (its queues were full,
 *                         or it had stopped)
 * @param rejected         frames that did not parse or named no sender, and batches holding an
 *                         invalid message: dropped before reaching the receiver
 */
public record InboundStats(long frames, long batchesDelivered, long batchesRefused, long rejected) {
}
