package io.flotilla.jepsen.sim;

/**
 * Deliberately broken driver behaviours, to prove the checkers catch what they should. Off
 * ({@link #NONE}) in every normal run.
 */
public enum DriverFault {
    /** Follows the {@code Ready} contract. */
    NONE,
    /**
     * Acknowledging before fsync: {@code sendAfterPersist} goes out when the Ready is taken, not
     * after its persistence completes, so a crash can lose what was acknowledged.
     */
    ACK_BEFORE_FSYNC,
    /**
     * Granting a vote without persisting it: granted (non-pre-)votes go out when the Ready is
     * taken, and a crash before persistence completes keeps the Ready's log changes but loses its
     * hard state (term and vote), so the restarted node may vote again in the same term.
     */
    UNPERSISTED_VOTE,
    /**
     * The broker simulation's broken broker: producers ask for {@code ACKS_LEADER}, so a leader
     * acknowledges a batch once it is in its own log, before a quorum holds it (the Raft
     * simulation ignores it).
     */
    ACK_BEFORE_COMMIT
}
