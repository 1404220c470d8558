package io.flotilla.broker.groups;

import io.flotilla.store.TopicPartition;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * One member of a group and where its reconciliation stands. The member holds {@link
 * #assigned} (what its answers let it consume) and {@link #revoking} (what it was told to
 * release and still reports holding); both map a partition to the member epoch it was given
 * in, which a commit's epoch may not be older than.
 *
 * @param memberEpoch         the epoch the member must send: the group epoch when its
 *                            assignment last changed (or it joined)
 * @param previousMemberEpoch the epoch before that, still accepted from a member whose last
 *                            answer was lost; equal to {@code memberEpoch} after a join
 * @param lastHeartbeatMs     the coordinator leader's clock at the member's last heartbeat in
 *                            the log
 * @param revokedAtMs         when the answer that started the oldest outstanding revocation
 *                            was made; -1 when {@code revoking} is empty
 * @param target              what the group's target assignment gives the member
 */
public record GroupMember(String memberId, MemberProfile profile, long lastHeartbeatMs, int memberEpoch,
                          int previousMemberEpoch, SortedMap<TopicPartition, Integer> assigned,
                          SortedMap<TopicPartition, Integer> revoking, long revokedAtMs, SortedSet<TopicPartition> target) {

    public GroupMember {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(profile, "profile");
        assigned = PartitionOrder.sortedMap(assigned);
        revoking = PartitionOrder.sortedMap(revoking);
        target = PartitionOrder.sortedSet(target);
        if (memberEpoch < 1 || previousMemberEpoch < 1 || previousMemberEpoch > memberEpoch) {
            throw new IllegalArgumentException("member '" + memberId + "' has epoch " + memberEpoch + " and previous epoch "
                    + previousMemberEpoch + "; need 1 <= previous <= epoch");
        }
        checkEpochs(memberId, assigned, memberEpoch);
        checkEpochs(memberId, revoking, memberEpoch);
        for (TopicPartition p : revoking.keySet()) {
            if (assigned.containsKey(p)) {
                throw new IllegalArgumentException("member '" + memberId + "' has " + p + " both assigned and revoking");
            }
        }
        if (revoking.isEmpty() != (revokedAtMs == -1) || revokedAtMs < -1) {
            throw new IllegalArgumentException("member '" + memberId + "' has revocation time " + revokedAtMs + " with "
                    + revoking.size() + " partitions revoking; need -1 exactly when none is");
        }
    }

    private static void checkEpochs(String memberId, Map<TopicPartition, Integer> partitions, int memberEpoch) {
        partitions.forEach((p, epoch) -> {
            if (epoch < 1 || epoch > memberEpoch) {
                throw new IllegalArgumentException("member '" + memberId + "' was given " + p + " in epoch " + epoch
                        + ", outside 1 .. its epoch " + memberEpoch);
            }
        });
    }

    /** Assigned or revoking: the member may be consuming it. */
    public boolean holds(TopicPartition partition) {
        return assigned.containsKey(partition) || revoking.containsKey(partition);
    }

    /** The member epoch it was given {@code partition} in, or null when it does not hold it. */
    Integer heldSince(TopicPartition partition) {
        Integer epoch = assigned.get(partition);
        return epoch != null ? epoch : revoking.get(partition);
    }

    /** Silent for its session timeout at {@code nowMs}. */
    public boolean sessionExpired(long nowMs) {
        return nowMs - lastHeartbeatMs >= profile.sessionTimeoutMs();
    }

    /** Still holding a revoked partition its rebalance timeout after the answer that revoked it. */
    public boolean revocationOverdue(long nowMs) {
        return !revoking.isEmpty() && nowMs - revokedAtMs >= profile.rebalanceTimeoutMs();
    }

    /** Owns exactly its target: nothing to release, nothing to take up. */
    public boolean reconciled() {
        return revoking.isEmpty() && assigned.keySet().equals(target);
    }

    GroupMember withProfile(MemberProfile changed, long heartbeatMs) {
        return new GroupMember(memberId, changed, heartbeatMs, memberEpoch, previousMemberEpoch, assigned, revoking,
                revokedAtMs, target);
    }

    GroupMember withTarget(SortedSet<TopicPartition> changed) {
        return new GroupMember(memberId, profile, lastHeartbeatMs, memberEpoch, previousMemberEpoch, assigned, revoking,
                revokedAtMs, changed);
    }
}
