package io.flotilla.broker.storage;

import io.flotilla.raft.Membership;

/**
 * Where a group's log starts, and what stands in for the entries below it: the first offset
 * the log holds, the term of the entry before it (0 if there is none), the membership in force
 * there, and the application's state standing for the entries below it: the controller's
 * state machine as of that offset, or a data partition's producer state. {@code state} is
 * empty before the first move of the start. Immutable: the array is never written after
 * construction.
 */
record LogBase(long start, long termBefore, Membership membership, byte[] state) {
    static final byte[] NO_STATE = new byte[0];

    /** A new group's log: empty from offset 0, with the bootstrap membership. */
    static LogBase initial(Membership bootstrap) {
        return new LogBase(0, 0, bootstrap, NO_STATE);
    }
}
