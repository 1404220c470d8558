package io.flotilla.jepsen.sim;

import io.flotilla.raft.Entry;
import io.flotilla.raft.MemberId;

/** What a proposal to a replica came to. */
public sealed interface ProposeResult {
    /** The leader appended the proposal as {@code entry} (which may still be lost if it is deposed). */
    record Accepted(Entry entry) implements ProposeResult {
    }

    /** Not the leader; {@code leaderHint} may be null. */
    record NotLeader(MemberId leaderHint) implements ProposeResult {
    }

    /** The leader turned the request down: its preconditions do not hold ({@code reason} says which). */
    record Refused(String reason) implements ProposeResult {
    }
}
