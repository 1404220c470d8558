package io.flotilla.broker.groups;

import io.flotilla.api.v1.Assignor;
import io.flotilla.api.v1.GroupState;
import io.flotilla.store.TopicPartition;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One consumer group as of one point of its coordinator partition's log: an immutable value;
 * each applied command makes a new one ({@link GroupApplier}).
 *
 * <p>The constructor enforces what reconciliation guarantees: no partition is held (assigned
 * or revoking) by two members, no partition is in two members' targets, and no member's epoch
 * is above the group's. A snapshot that breaks them does not decode.
 *
 * @param groupEpoch grows whenever membership, a subscription, the chosen assignor or the
 *                   subscribed topics' partitions change; the target assignment is always
 *                   the one computed for it. 0 for a group no member has joined yet.
 * @param members    by member id
 */
public record ConsumerGroup(String groupId, int groupEpoch, SortedMap<String, GroupMember> members,
                            CommittedOffsets offsets) {

    public ConsumerGroup {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(offsets, "offsets");
        members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
        if (groupEpoch < 0) {
            throw new IllegalArgumentException("group '" + groupId + "' has epoch " + groupEpoch + "; epochs are >= 0");
        }
        Map<TopicPartition, String> holders = new TreeMap<>(PartitionOrder.ORDER);
        Map<TopicPartition, String> targets = new TreeMap<>(PartitionOrder.ORDER);
        for (Map.Entry<String, GroupMember> e : members.entrySet()) {
            GroupMember member = e.getValue();
            if (!e.getKey().equals(member.memberId())) {
                throw new IllegalArgumentException("member '" + member.memberId() + "' is filed under '" + e.getKey() + "'");
            }
            if (member.memberEpoch() > groupEpoch) {
                throw new IllegalArgumentException("member '" + member.memberId() + "' has epoch " + member.memberEpoch()
                        + ", above its group's epoch " + groupEpoch);
            }
            member.assigned().keySet().forEach(p -> claim(holders, p, member, "held"));
            member.revoking().keySet().forEach(p -> claim(holders, p, member, "held"));
            member.target().forEach(p -> claim(targets, p, member, "targeted"));
        }
    }

    private static void claim(Map<TopicPartition, String> claims, TopicPartition p, GroupMember member, String how) {
        String other = claims.putIfAbsent(p, member.memberId());
        if (other != null) {
            throw new IllegalArgumentException(p + " is " + how + " by both '" + other + "' and '" + member.memberId() + "'");
        }
    }

    /** A group with no members, no offsets and epoch 0. */
    public static ConsumerGroup empty(String groupId) {
        return new ConsumerGroup(groupId, 0, new TreeMap<>(), CommittedOffsets.NONE);
    }

    /** EMPTY without members; STABLE when every member owns exactly its target; RECONCILING otherwise. */
    public GroupState state() {
        if (members.isEmpty()) {
            return GroupState.GROUP_STATE_EMPTY;
        }
        boolean stable = members.values().stream().allMatch(GroupMember::reconciled);
        return stable ? GroupState.GROUP_STATE_STABLE : GroupState.GROUP_STATE_RECONCILING;
    }

    /**
     * The assignor most members prefer; {@link Assignor#ASSIGNOR_UNIFORM} on a tie or when none
     * states a preference (consumer_groups.proto, HeartbeatRequest.assignor).
     */
    public Assignor assignor() {
        Map<Assignor, Integer> votes = new EnumMap<>(Assignor.class);
        for (GroupMember member : members.values()) {
            if (member.profile().assignor() != Assignor.ASSIGNOR_UNSPECIFIED) {
                votes.merge(member.profile().assignor(), 1, Integer::sum);
            }
        }
        int range = votes.getOrDefault(Assignor.ASSIGNOR_RANGE, 0);
        return range > votes.getOrDefault(Assignor.ASSIGNOR_UNIFORM, 0) ? Assignor.ASSIGNOR_RANGE : Assignor.ASSIGNOR_UNIFORM;
    }

    /** Every partition some member holds (assigned or revoking), with that member's id. */
    public SortedMap<TopicPartition, String> holders() {
        SortedMap<TopicPartition, String> out = new TreeMap<>(PartitionOrder.ORDER);
        for (GroupMember member : members.values()) {
            member.assigned().keySet().forEach(p -> out.put(p, member.memberId()));
            member.revoking().keySet().forEach(p -> out.put(p, member.memberId()));
        }
        return out;
    }

    /** The topics some member subscribes to. */
    public SortedSet<String> subscribedTopics() {
        SortedSet<String> out = new TreeSet<>();
        members.values().forEach(m -> out.addAll(m.profile().subscribedTopics()));
        return out;
    }

    ConsumerGroup withMembers(int epoch, SortedMap<String, GroupMember> changed) {
        return new ConsumerGroup(groupId, epoch, changed, offsets);
    }

    ConsumerGroup withOffsets(CommittedOffsets changed) {
        return new ConsumerGroup(groupId, groupEpoch, members, changed);
    }
}
