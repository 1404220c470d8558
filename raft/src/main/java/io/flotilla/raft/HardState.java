package io.flotilla.raft;

/**
 * What a member must persist before it answers: its current term, whom it voted for in that
 * term (null for nobody), the commit end it knows (persisting it is optional but lets a
 * restarted member apply committed entries without waiting for the leader), and whether it is
 * recovering entries it lost.
 *
 * @param recoveringTo {@link #NOT_RECOVERING}, or the log end this member must hold again before
 *                     it votes or campaigns: its storage lost entries it may have acknowledged
 *                     (damage found on disk; the log was cut before it), and this end is at
 *                     least every end it may have acknowledged. The storage sets it when it
 *                     cuts the log; the member clears it once recovered ({@link RaftNode}'s
 *                     "Recovering lost entries"). The storage can only set it for damage it
 *                     tells apart from a crash's torn write: Flotilla's log cannot when two
 *                     faults coincide, a power loss that drops its recovery point's last write
 *                     (not fsynced on the append path) and damage to acknowledged entries above
 *                     that stale recovery point in the active segment; those are cut as a torn
 *                     write and this stays {@link #NOT_RECOVERING}.
 */
public record HardState(long term, MemberId votedFor, long commitEnd, long recoveringTo) {
    public static final long NOT_RECOVERING = -1;
    public static final HardState INITIAL = new HardState(0, null, 0);

    /** A member that is not recovering. */
    public HardState(long term, MemberId votedFor, long commitEnd) {
        this(term, votedFor, commitEnd, NOT_RECOVERING);
    }

    public boolean recovering() {
        return recoveringTo != NOT_RECOVERING;
    }

    /** This hard state, for a member that must hold entries up to {@code end} again (of two ends, the higher stays). */
    public HardState withRecoveringTo(long end) {
        return new HardState(term, votedFor, commitEnd, Math.max(end, recoveringTo));
    }
}
