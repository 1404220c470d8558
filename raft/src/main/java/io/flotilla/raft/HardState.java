package io.flotilla.raft;

/**
 * What a member must persist before it answers: its current term, whom it voted for in that
 * term (null for nobody), and the commit end it knows (persisting it is optional but lets a
 * restarted member apply committed entries without waiting for the leader).
 */
public record HardState(long term, MemberId votedFor, long commitEnd) {
    public static final HardState INITIAL = new HardState(0, null, 0);
}
