package io.flotilla.raft;

/** A membership and the offset of the entry that set it; offset -1 for the base (bootstrap or snapshot) membership. */
public record MembershipEntry(long offset, Membership membership) {
}
