package io.flotilla.raft;

/** A proposal made to a member that is not the leader; {@link #leaderHint()} is whom to ask instead. */
public final class NotLeaderException extends RuntimeException {
    private final transient MemberId leaderHint;

    public NotLeaderException(MemberId self, MemberId leaderHint, String reason) {
        super(self + " is not the leader" + (leaderHint == null ? " and knows of none" : "; the leader is " + leaderHint)
                + (reason == null ? "" : " (" + reason + ")"));
        this.leaderHint = leaderHint;
    }

    /** The member believed to lead, or null when unknown. */
    public MemberId leaderHint() {
        return leaderHint;
    }
}
