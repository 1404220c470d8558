package io.flotilla.raft;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A leader's state (Kafka's LeaderState): a progress record per other member, the quorum
 * arithmetic over them, and a leadership transfer in progress. Sending is the node's job.
 */
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

    /** Follows a membership change: progress for each new member (starting at the log end), none for removed ones. */
    void trackMembers(Membership membership, MemberId self, long logEnd) {
        progress.keySet().removeIf(m -> !membership.isMember(m));
        for (MemberId member : membership.members()) {
            if (!member.equals(self)) {
                progress.computeIfAbsent(member, m -> {
                    Progress p = new Progress(logEnd);
                    p.setRecentActive(true); // a newcomer (or a fresh leader's follower) gets one check-quorum period
                    return p;
                });
            }
        }
    }

    /** The end a quorum of voters holds durably; the leader counts with {@code ownStableEnd}. */
    long majorityEnd(Membership membership, MemberId self, long ownStableEnd) {
        long[] ends = new long[membership.voters().size()];
        int i = 0;
        for (MemberId voter : membership.voters()) {
            ends[i++] = voter.equals(self) ? ownStableEnd : progress.get(voter).matchEnd();
        }
        Arrays.sort(ends);
        return ends[ends.length - membership.quorum()];
    }

    /** Whether a quorum of voters was heard from since the last call (which starts a new period). */
    boolean quorumActive(Membership membership, MemberId self) {
        int active = membership.isVoter(self) ? 1 : 0;
        for (Map.Entry<MemberId, Progress> e : progress.entrySet()) {
            if (e.getValue().recentActive() && membership.isVoter(e.getKey())) {
                active++;
            }
            e.getValue().setRecentActive(false);
        }
        return active >= membership.quorum();
    }
}
