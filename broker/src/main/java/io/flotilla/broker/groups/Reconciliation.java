package io.flotilla.broker.groups;

import io.flotilla.store.TopicPartition;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One member's step toward its target, taken when its heartbeat applies: the incremental
 * reconciliation of KIP-848.
 *
 * <ol>
 *   <li>Revoking partitions the heartbeat no longer lists are released.</li>
 *   <li>Revoking partitions back in the target are assigned again (the member still holds
 *       them).</li>
 *   <li>Assigned partitions no longer in the target start revoking: the answer leaves them out.</li>
 *   <li>Only when nothing is revoking does the member take up target partitions, and only those
 *       no other member holds (assigned or revoking): a partition moves from A to B after A's
 *       heartbeat stopped listing it, or A left or was evicted. So no partition is ever held by
 *       two members.</li>
 * </ol>
 *
 * When the assigned partitions change, the member's epoch becomes the group epoch (the one
 * before is kept as the previous epoch, still accepted from a member whose answer was lost).
 * The partitions it takes up are recorded with that epoch: a commit for them with an older one
 * is stale.
 */
final class Reconciliation {

    private Reconciliation() {
    }

    /**
     * @param reported     the partitions the member's heartbeat lists
     * @param groupEpoch   the group's epoch, for which the member's target was computed
     * @param heldByOthers the partitions other members hold
     * @param nowMs        the heartbeat's time: a revocation starting now is timed from it
     */
    static GroupMember step(GroupMember member, Set<TopicPartition> reported, int groupEpoch,
            Set<TopicPartition> heldByOthers, long nowMs) {
        TreeMap<TopicPartition, Integer> assigned = PartitionOrder.mutableMap(member.assigned());
        TreeMap<TopicPartition, Integer> revoking = PartitionOrder.mutableMap(member.revoking());
        revoking.keySet().retainAll(reported);
        moveWhere(revoking, assigned, true, member);
        boolean earlierRevocationOutstanding = !revoking.isEmpty();
        moveWhere(assigned, revoking, false, member);
        long revokedAtMs = earlierRevocationOutstanding ? member.revokedAtMs() : revoking.isEmpty() ? -1 : nowMs;
        if (revoking.isEmpty()) {
            for (TopicPartition p : member.target()) {
                if (!assigned.containsKey(p) && !heldByOthers.contains(p)) {
                    assigned.put(p, groupEpoch);
                }
            }
        }
        int epoch = member.memberEpoch();
        int previous = member.previousMemberEpoch();
        if (!assigned.keySet().equals(member.assigned().keySet()) && epoch != groupEpoch) {
            previous = epoch;
            epoch = groupEpoch;
        }
        return new GroupMember(member.memberId(), member.profile(), member.lastHeartbeatMs(), epoch, previous, assigned,
                revoking, revokedAtMs, member.target());
    }

    /** Moves the entries of {@code from} whose partition is ({@code inTarget}) or is not in the member's target. */
    private static void moveWhere(Map<TopicPartition, Integer> from, Map<TopicPartition, Integer> to, boolean inTarget,
            GroupMember member) {
        for (Iterator<Map.Entry<TopicPartition, Integer>> it = from.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Integer> e = it.next();
            if (member.target().contains(e.getKey()) == inTarget) {
                to.put(e.getKey(), e.getValue());
                it.remove();
            }
        }
    }
}
