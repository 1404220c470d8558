package io.flotilla.broker.coordinator;

import io.flotilla.broker.groups.ConsumerGroup;
import io.flotilla.broker.groups.GroupCommand.ExpireMember;
import io.flotilla.broker.groups.GroupMember;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A coordinator leader's fresher view of its members' liveness: heartbeats it answered without
 * logging them (they changed nothing else) leave their time here only. A member is as recent as
 * the later of this and its logged heartbeat, so it is overdue here no earlier than in the
 * replicated state: an ExpireMember proposed from this view is one that applying accepts.
 *
 * <p>A new leader starts by counting every member as heard now (its predecessor's unlogged
 * heartbeats are lost with it), so a failover never evicts members that kept heartbeating.
 * Loop thread only.
 */
final class MemberLiveness {
    /** Group id, then member id, to the time of the member's last heartbeat answered from memory. */
    private final Map<String, Map<String, Long>> heard = new HashMap<>();

    /** Every member of {@code groups} counts as heard at {@code nowMs}. */
    MemberLiveness(Iterable<ConsumerGroup> groups, long nowMs) {
        for (ConsumerGroup group : groups) {
            group.members().keySet().forEach(member -> heard(group.groupId(), member, nowMs));
        }
    }

    void heard(String groupId, String memberId, long nowMs) {
        heard.computeIfAbsent(groupId, g -> new HashMap<>()).merge(memberId, nowMs, Math::max);
    }

    /** When {@code member} of {@code groupId} was last heard of, by the log or by this leader. */
    long lastHeard(String groupId, GroupMember member) {
        Map<String, Long> ofGroup = heard.get(groupId);
        Long here = ofGroup == null ? null : ofGroup.get(member.memberId());
        return here == null ? member.lastHeartbeatMs() : Math.max(here, member.lastHeartbeatMs());
    }

    /**
     * The evictions due at {@code nowMs}: members silent for their session timeout, or holding
     * a revoked partition for their rebalance timeout (logged times: the answer that revoked
     * was logged). Forgets members the groups no longer have.
     */
    List<ExpireMember> overdue(Iterable<ConsumerGroup> groups, long nowMs) {
        List<ExpireMember> out = new ArrayList<>();
        Map<String, Map<String, Long>> kept = new HashMap<>();
        for (ConsumerGroup group : groups) {
            Map<String, Long> ofGroup = heard.get(group.groupId());
            for (GroupMember member : group.members().values()) {
                long last = lastHeard(group.groupId(), member);
                if (nowMs - last >= member.profile().sessionTimeoutMs() || member.revocationOverdue(nowMs)) {
                    out.add(new ExpireMember(group.groupId(), member.memberId(), member.memberEpoch(), nowMs));
                }
                Long here = ofGroup == null ? null : ofGroup.get(member.memberId());
                if (here != null) {
                    kept.computeIfAbsent(group.groupId(), g -> new HashMap<>()).put(member.memberId(), here);
                }
            }
        }
        heard.clear();
        heard.putAll(kept);
        return out;
    }
}
