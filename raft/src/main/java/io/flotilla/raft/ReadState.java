package io.flotilla.raft;

/**
 * The outcome of a {@link RaftNode#readIndex} request. If {@link #confirmed()}, a quorum
 * confirmed this member was still the leader after the request was made, so a read that waits
 * until the application has applied everything below {@code index} is linearizable. If not, the
 * member lost leadership first: the caller retries at the new leader.
 */
public record ReadState(long requestId, long index) {
    static ReadState failed(long requestId) {
        return new ReadState(requestId, -1);
    }

    public boolean confirmed() {
        return index >= 0;
    }
}
