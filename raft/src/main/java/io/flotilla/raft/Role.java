package io.flotilla.raft;

/** The role a member plays in its current term. */
public enum Role {
    FOLLOWER,
    /** Asking whether it could win, without changing anyone's term. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
