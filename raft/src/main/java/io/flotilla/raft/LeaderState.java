package io.flotilla.raft;

import java.util.Map;
import java.util.TreeMap;

/** A leader's state: a progress record per other member, and a leadership transfer in progress. */
final class LeaderState implements RoleState {
    final Map<MemberId, Progress> progress = new TreeMap<>();
    /** Offset of this term's no-op entry: once committed, the leader may change membership (thesis §4.1 fix). */
    final long termStartOffset;
    MemberId transferTarget;
    int transferElapsedTicks;

    LeaderState(long termStartOffset) {
        this.termStartOffset = termStartOffset;
    }

    @Override
    public Role role() {
        return Role.LEADER;
    }
}
