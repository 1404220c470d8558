package io.flotilla.raft;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log (etcd's tracker.Progress). In {@code PROBE} the
 * leader does not know where the logs agree: it sends one append at a time and waits for the
 * answer (or the next heartbeat). In {@code REPLICATE} it streams appends optimistically,
 * bounded by the in-flight limits. In {@code SNAPSHOT} the follower needs entries the leader
 * compacted away: it gets the snapshot ending at {@code snapshotEnd}, one chunk at a time.
 *
 * <p>Invariants: {@code matchEnd <= nextOffset}; every in-flight end is above {@code matchEnd}
 * and below or at {@code nextOffset}.
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

    private record Inflight(long end, long bytes) {
    }

    private final ArrayDeque<Inflight> inflight = new ArrayDeque<>();
    private long inflightBytes;
    private State state = State.PROBE;
    private boolean probeSent;
    private long matchEnd;
    private long nextOffset;
    private long sentCommitEnd;
    private boolean recentActive;
    private boolean ackedSinceHeartbeat;
    private boolean forcedSinceHeartbeat;
    /** The snapshot being sent in {@code SNAPSHOT}, how much of it the follower holds, and whether a chunk (sent from there) is unanswered. */
    private Snapshot snapshot;
    private long snapshotReceived;
    private boolean chunkInFlight;
    private long confirmedRound;

    Progress(long nextOffset) {
        this.nextOffset = nextOffset;
    }

    boolean isPaused(RaftConfig config) {
        return state != State.REPLICATE ? probeSent
                : inflight.size() >= config.maxInflightAppends() || inflightBytes >= config.maxInflightBytes();
    }

    /** Records an append sent ending at {@code end} with {@code bytes} of entries. */
    void sent(long end, long bytes, long commitEnd) {
        sentCommitEnd = Math.max(sentCommitEnd, commitEnd);
        if (state == State.REPLICATE) {
            if (end > nextOffset) {
                inflight.add(new Inflight(end, bytes));
                inflightBytes += bytes;
                nextOffset = end;
            }
        } else {
            probeSent = true;
        }
    }

    /**
     * The follower acknowledged its log matches up to {@code end}; false if that is old news,
     * or if it still needs the snapshot being sent (an answer to an append sent before that was known).
     */
    boolean acknowledged(long end) {
        if (state == State.SNAPSHOT && end < snapshot.end()) {
            return false;
        }
        while (!inflight.isEmpty() && inflight.peek().end() <= end) {
            inflightBytes -= inflight.poll().bytes();
        }
        if (end >= nextOffset) {
            // The answer to the outstanding probe. Older (or duplicated) answers must not release
            // another probe each: under duplication that multiplies messages without bound.
            probeSent = false;
        }
        if (end <= matchEnd) {
            return false;
        }
        matchEnd = end;
        ackedSinceHeartbeat = true;
        nextOffset = Math.max(nextOffset, end);
        if (state != State.REPLICATE) {
            becomeReplicate();
        }
        return true;
    }

    /**
     * The follower's storage lost entries it had acknowledged, and its log now ends at
     * {@code end} (or diverges there): it is no longer counted as holding anything past it, so
     * probing can go back below what it acknowledged. The one way {@code matchEnd} goes down.
     */
    void lostEntries(long end) {
        matchEnd = Math.min(matchEnd, end);
    }

    void becomeProbe(long next) {
        state = State.PROBE;
        probeSent = false;
        nextOffset = Math.max(next, matchEnd);
        inflight.clear();
        inflightBytes = 0;
    }

    /** The follower needs {@code newSnapshot}: send it from its first byte. */
    void becomeSnapshot(Snapshot newSnapshot) {
        state = State.SNAPSHOT;
        probeSent = false;
        snapshot = newSnapshot;
        snapshotReceived = 0;
        chunkInFlight = false;
        nextOffset = Math.max(newSnapshot.end(), matchEnd);
        inflight.clear();
        inflightBytes = 0;
    }

    /** The chunk from {@link #snapshotReceived()} went out; like a probe, nothing more goes until it is answered or a heartbeat interval passes. */
    void snapshotChunkSent() {
        probeSent = true;
        chunkInFlight = true;
    }

    /**
     * The answer to the chunk at {@code position}: the follower holds the first {@code received}
     * bytes of the snapshot ending at {@code end}. False for anything but the answer to the
     * chunk in flight: duplicated and late answers must not each release a chunk.
     */
    boolean onSnapshotResponse(long end, long position, long received) {
        if (state != State.SNAPSHOT || end != snapshot.end() || !chunkInFlight || position != snapshotReceived) {
            return false;
        }
        snapshotReceived = received;
        chunkInFlight = false;
        probeSent = false;
        return true;
    }

    private void becomeReplicate() {
        state = State.REPLICATE;
        nextOffset = matchEnd;
        inflight.clear();
        inflightBytes = 0;
    }

    /**
     * A heartbeat interval passed: a lost probe may be retried; a full window frees its oldest
     * slot (as etcd does), so one more append goes out: if earlier ones were lost, the follower
     * rejects it and probing starts, without resending everything still in flight.
     */
    void onHeartbeatInterval(RaftConfig config) {
        ackedSinceHeartbeat = false;
        forcedSinceHeartbeat = false;
        if (state != State.REPLICATE) {
            probeSent = false; // a lost probe or snapshot chunk is sent again
        } else if (isPaused(config) && !inflight.isEmpty()) {
            inflightBytes -= inflight.poll().bytes();
        }
    }

    /**
     * Whether to push an append at a follower that answered a heartbeat while behind: only if
     * it acknowledged nothing since the last heartbeat interval (its appends may be lost), and
     * at most once per interval (duplicated answers must not each trigger one).
     */
    boolean shouldForceAppendAfterHeartbeat() {
        if (ackedSinceHeartbeat || forcedSinceHeartbeat) {
            return false;
        }
        forcedSinceHeartbeat = true;
        return true;
    }

    State state() {
        return state;
    }

    long matchEnd() {
        return matchEnd;
    }

    long nextOffset() {
        return nextOffset;
    }

    /** The follower answered a message of the leader's confirmation round {@code round} (read index). */
    void roundConfirmed(long round) {
        confirmedRound = Math.max(confirmedRound, round);
    }

    long confirmedRound() {
        return confirmedRound;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    long snapshotReceived() {
        return snapshotReceived;
    }

    long sentCommitEnd() {
        return sentCommitEnd;
    }

    boolean recentActive() {
        return recentActive;
    }

    void setRecentActive(boolean value) {
        recentActive = value;
    }

    @Override
    public String toString() {
        return state + "[match " + matchEnd + ", next " + nextOffset + ", inflight " + inflight.size() + "]";
    }
}
