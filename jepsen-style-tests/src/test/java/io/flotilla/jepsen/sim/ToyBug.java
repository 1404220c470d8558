package io.flotilla.jepsen.sim;

/** Bugs {@link ToyRaft} can be built with, to show the checkers catch a broken Raft. */
enum ToyBug {
    NONE,
    /** The leader counts entries it has not persisted yet toward the commit quorum. */
    COUNT_UNPERSISTED_SELF,
    /** Votes are granted without checking the candidate's log is up to date. */
    VOTE_IGNORES_LOG,
    /** Votes are granted to anyone who asks, even after voting for another in the term. */
    VOTE_TWICE
}
