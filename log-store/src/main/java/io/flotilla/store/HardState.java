package io.flotilla.store;

/**
 * The Raft state of one group that must survive a crash before this node answers a vote or an append.
 *
 * @param term                the latest term this member has seen, {@code >= 0}
 * @param votedForNodeId      node id of the member voted for in {@code term}, or {@link #NO_VOTE}
 * @param votedForIncarnation incarnation of that member; a member is identified by node id plus incarnation,
 *                            so a restarted node that lost its disk cannot reuse an old vote
 * @param commitIndex         the highest log index known to be committed, {@code >= 0}
 */
public record HardState(long term, int votedForNodeId, long votedForIncarnation, long commitIndex) {

    /** {@link #votedForNodeId()} value meaning no vote was cast in {@link #term()}. */
    public static final int NO_VOTE = -1;

    public HardState {
        Checks.nonNegative("term", term);
        if (votedForNodeId < NO_VOTE) {
            throw new IllegalArgumentException(
                    "votedForNodeId must be >= 0 or NO_VOTE (" + NO_VOTE + "), got " + votedForNodeId);
        }
        Checks.nonNegative("commitIndex", commitIndex);
    }
}
