package io.flotilla.raft;

/**
 * A proposal made to a member that is not the leader; {@link #leaderHint()} is whom to ask
 * instead. Refusals are routine (every client of a moved leader gets one), so it carries no
 * stack trace: the message says everything, and filling one in costs microseconds per refusal.
 */
public final class NotLeaderException extends RuntimeException {
    private final transient MemberId leaderHint;

    public NotLeaderException(MemberId self, MemberId leaderHint, String reason) {
        super(self + " is not the leader" + (leaderHint == null ? " and knows of none" : "; the leader is " + leaderHint)
                + (reason == null ? "" : " (" + reason + ")"), null, false, false);
        this.leaderHint = leaderHint;
    }

    /** The member believed to lead, or null when unknown. */
    public MemberId leaderHint() {
        return leaderHint;
    }
}
