package io.flotilla.raft;

/**
 * A member's role-specific state; one type per role, so what a role may hold is visible in
 * its type (a follower has no votes, only a leader has progress records). Legal transitions,
 * all made by {@link RaftNode}:
 * <pre>
 * Follower     -> PreCandidate (election timeout, pre-vote on) | Candidate (timeout, pre-vote off; TimeoutNow)
 * PreCandidate -> Candidate (pre-vote won) | Follower (lost, or a leader or higher term appeared)
 * Candidate    -> Leader (won) | Follower (lost, or a leader or higher term appeared)
 *                 | PreCandidate or Candidate (timeout, with pre-vote on or off)
 * Leader       -> Follower (higher term; check-quorum failed; removed by a committed membership)
 * </pre>
 */
sealed interface RoleState permits RoleState.Follower, RoleState.PreCandidate, RoleState.Candidate, LeaderState {
    Role role();

    record Follower() implements RoleState {
        @Override
        public Role role() {
            return Role.FOLLOWER;
        }
    }

    record PreCandidate(VoteTally votes) implements RoleState {
        @Override
        public Role role() {
            return Role.PRE_CANDIDATE;
        }
    }

    record Candidate(VoteTally votes) implements RoleState {
        @Override
        public Role role() {
            return Role.CANDIDATE;
        }
    }
}
