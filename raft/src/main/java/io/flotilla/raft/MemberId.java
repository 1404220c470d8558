package io.flotilla.raft;

/**
 * A member of a Raft group: a node id plus an incarnation chosen when the node formatted its
 * data directory. A node whose disk was wiped comes back with a new incarnation, so it is a new
 * member that must be added again, never a voter that forgot its votes.
 */
public record MemberId(int nodeId, long incarnation) implements Comparable<MemberId> {
    public MemberId {
        if (nodeId < 0) {
            throw new IllegalArgumentException("node id must be >= 0, got " + nodeId);
        }
    }

    @Override
    public int compareTo(MemberId other) {
        int byNode = Integer.compare(nodeId, other.nodeId);
        return byNode != 0 ? byNode : Long.compare(incarnation, other.incarnation);
    }

    @Override
    public String toString() {
        return nodeId + "." + Long.toHexString(incarnation);
    }
}
