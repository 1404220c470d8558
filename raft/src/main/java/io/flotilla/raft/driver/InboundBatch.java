package io.flotilla.raft.driver;

import io.flotilla.raft.Entry;
import io.flotilla.raft.RaftMessage;

import java.util.List;

/**
 * One loop's share of an inbound batch, with the bytes it holds: what the loop's inbound queue
 * is bounded by ({@link DriverConfig#maxInboundBytes}). The messages are the whole batch, shared
 * by the loops it addresses; the bytes count this loop's messages only.
 */
record InboundBatch(List<RaftMessage> messages, long bytes) {
    /** What a message costs besides its payload (its record, ids and list slot), roughly. */
    private static final int MESSAGE_OVERHEAD = 64;

    /**
     * The heap a message holds: its entry payloads or snapshot chunk, which are views of the
     * received frame and keep it reachable, plus a fixed overhead.
     */
    static long bytesOf(RaftMessage m) {
        long bytes = MESSAGE_OVERHEAD;
        if (m instanceof RaftMessage.AppendRequest r) {
            List<Entry> entries = r.entries();
            for (int i = 0; i < entries.size(); i++) {
                bytes += entries.get(i).sizeInBytes();
            }
        } else if (m instanceof RaftMessage.InstallSnapshot r) {
            bytes += r.data().remaining();
        }
        return bytes;
    }
}
