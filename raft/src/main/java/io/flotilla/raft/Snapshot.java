package io.flotilla.raft;

/**
 * What a snapshot stands for: every entry below {@code end} (the last of which had term
 * {@code term}), compacted into {@code sizeBytes} of application state, with the membership in
 * force at {@code end}. A data partition whose log is its state may use a snapshot of size 0:
 * installing it only moves the follower's log start to the leader's ("install from the
 * leader's log start"); the records below it are gone, as they are on the leader.
 */
public record Snapshot(long end, long term, Membership membership, long sizeBytes) {
    public Snapshot {
        if (end < 0 || term < 0 || sizeBytes < 0) {
            throw new IllegalArgumentException("snapshot end, term and size must be non-negative: end " + end
                    + ", term " + term + ", size " + sizeBytes);
        }
    }

    /** Whether {@code other} is the same snapshot (same compacted prefix), whatever its bytes. */
    boolean sameAs(Snapshot other) {
        return other != null && end == other.end && term == other.term && sizeBytes == other.sizeBytes;
    }
}
