package io.flotilla.jepsen.sim;

/** Kinds of fault and operator action; swarm testing enables a random subset of them per seed. */
public enum FaultKind {
    /** A node stops (volatile state and unpersisted writes lost) and restarts later. */
    CRASH,
    /** A node is armed to crash during the fsync of its next vote for another member (the worst moment). */
    CRASH_ON_VOTE,
    /** The next member to become leader crashes at its election or first commit, or up to 300 ms later. */
    LEADER_CRASH,
    /** The next member to become leader is cut off at its election or first commit, or up to 300 ms later. */
    LEADER_ISOLATE,
    /** One node cut off from all others, both ways. */
    ISOLATE,
    /** Two sides that cannot reach each other. */
    SPLIT,
    /** One side's messages to the rest are lost; the rest still reach it. */
    ONE_WAY,
    /** Two halves connected only through one node that reaches both. */
    BRIDGE,
    /** Random message loss. */
    DROP,
    /** Random message duplication. */
    DUPLICATE,
    /** A wider, slower delay range. */
    SLOW_NETWORK,
    /**
     * Messages between one pair of nodes overtake each other. Off by default: the transport is
     * one ordered stream per peer, so within a pair only a broken connection (loss) disturbs order.
     */
    REORDER,
    /** Partitions end; generated after partitions, never chosen on its own. */
    HEAL,
    /** The leader hands leadership to a voter. */
    TRANSFER,
    /** A member leaves the group. */
    REMOVE,
    /** A node joins the group as a learner (and is usually promoted later). */
    ADD_LEARNER,
    /** A learner becomes a voter; generated after ADD_LEARNER, never chosen on its own. */
    PROMOTE;

    /** Whether swarm testing chooses this kind (HEAL only follows partitions, PROMOTE an added learner). */
    public boolean swarmable() {
        return this != HEAL && this != PROMOTE;
    }
}
