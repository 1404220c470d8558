package io.flotilla.broker.coordinator;

import io.flotilla.api.v1.CommittedOffset;
import io.flotilla.api.v1.DescribeGroupResponse;
import io.flotilla.api.v1.ErrorReason;
import io.flotilla.api.v1.GroupListing;
import io.flotilla.api.v1.GroupPartition;
import io.flotilla.api.v1.MemberDescription;
import io.flotilla.api.v1.TopicPartitions;
import io.flotilla.broker.api.ApiException;
import io.flotilla.broker.groups.CommittedOffsets;
import io.flotilla.broker.groups.ConsumerGroup;
import io.flotilla.broker.groups.GroupMember;
import io.flotilla.broker.groups.PartitionOrder;
import io.flotilla.store.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/** Between the API's messages and the group state: partition lists in, descriptions out. */
final class GroupAnswers {
    private GroupAnswers() {
    }

    /**
     * The partitions of {@code lists}, as named; INVALID_REQUEST for a negative index. Repeats
     * are kept (the state's rules refuse those where it matters).
     */
    static List<TopicPartition> partitions(List<TopicPartitions> lists, String field) {
        List<TopicPartition> out = new ArrayList<>();
        for (int i = 0; i < lists.size(); i++) {
            TopicPartitions list = lists.get(i);
            for (int p : list.getPartitionsList()) {
                if (p < 0) {
                    throw ApiException.of(ApiException.detail(ErrorReason.ERROR_REASON_INVALID_REQUEST, field + "[" + i
                            + "] lists partition " + p + " of topic '" + list.getTopic() + "'; partitions are numbered"
                            + " from 0").setField(field + "[" + i + "].partitions").setTopic(list.getTopic()));
                }
                out.add(new TopicPartition(list.getTopic(), p));
            }
        }
        return out;
    }

    /**
     * The partitions {@code lists} select, sorted, each once: a list without partitions selects
     * every partition of its topic, {@code partitionCount} of them (a topic unknown to it
     * selects its partition 0, which the state's checks then find missing).
     */
    static SortedSet<TopicPartition> selected(List<TopicPartitions> lists, String field,
            ToIntFunction<String> partitionCount) {
        SortedSet<TopicPartition> out = new TreeSet<>(PartitionOrder.ORDER);
        out.addAll(partitions(lists, field));
        for (TopicPartitions list : lists) {
            if (list.getPartitionsCount() == 0) {
                int count = Math.max(1, partitionCount.applyAsInt(list.getTopic()));
                for (int p = 0; p < count; p++) {
                    out.add(new TopicPartition(list.getTopic(), p));
                }
            }
        }
        return out;
    }

    /** Partitions grouped by topic, in partition order. */
    static List<TopicPartitions> grouped(Collection<TopicPartition> partitions) {
        SortedMap<String, SortedSet<Integer>> byTopic = new TreeMap<>();
        partitions.forEach(p -> byTopic.computeIfAbsent(p.topic(), t -> new TreeSet<>()).add(p.partition()));
        List<TopicPartitions> out = new ArrayList<>(byTopic.size());
        byTopic.forEach((topic, indexes) -> out.add(TopicPartitions.newBuilder().setTopic(topic).addAllPartitions(indexes)
                .build()));
        return out;
    }

    static CommittedOffset committed(ConsumerGroup group, TopicPartition p) {
        return committed(group.offsets(), p);
    }

    /** The partition's committed offset as the API shows it: -1 for none. */
    static CommittedOffset committed(CommittedOffsets offsets, TopicPartition p) {
        CommittedOffset.Builder out = CommittedOffset.newBuilder().setTopic(p.topic()).setPartition(p.partition());
        Optional<io.flotilla.store.CommittedOffset> c = offsets.get(p);
        return c.map(o -> out.setOffset(o.offset()).setMetadata(o.metadata()).setCommitTimeMs(o.commitTimestampMs()))
                .orElseGet(() -> out.setOffset(-1).setCommitTimeMs(-1)).build();
    }

    static GroupListing listing(ConsumerGroup group, int coordinatorNode) {
        return GroupListing.newBuilder().setGroupId(group.groupId()).setState(group.state())
                .setMemberCount(group.members().size()).setCoordinatorNodeId(coordinatorNode).build();
    }

    /**
     * DescribeGroup's answer.
     *
     * @param highWatermark a partition's high watermark as this node knows it, -1 when it does not
     */
    static DescribeGroupResponse describe(CoordinatorPartition.Described d, int coordinatorNode, long nowMs,
            ToLongFunction<TopicPartition> highWatermark) {
        ConsumerGroup group = d.group();
        DescribeGroupResponse.Builder out = DescribeGroupResponse.newBuilder().setGroupId(group.groupId())
                .setState(group.state()).setGroupEpoch(group.groupEpoch()).setAssignor(group.assignor())
                .setCoordinatorNodeId(coordinatorNode);
        for (GroupMember m : group.members().values()) {
            SortedSet<TopicPartition> owned = new TreeSet<>(PartitionOrder.ORDER);
            owned.addAll(m.assigned().keySet());
            owned.addAll(m.revoking().keySet());
            out.addMembers(MemberDescription.newBuilder().setMemberId(m.memberId())
                    .setClientId(m.profile().clientId()).setClientHost(m.profile().clientHost())
                    .setMemberEpoch(m.memberEpoch()).addAllSubscribedTopics(m.profile().subscribedTopics())
                    .addAllAssignment(grouped(owned)).addAllTargetAssignment(grouped(m.target()))
                    .setLastHeartbeatMsAgo(Math.max(0, nowMs - d.lastHeardMs().getOrDefault(m.memberId(),
                            m.lastHeartbeatMs())))
                    .setSessionTimeoutMs(m.profile().sessionTimeoutMs()));
        }
        SortedSet<TopicPartition> shown = new TreeSet<>(PartitionOrder.ORDER);
        for (String topic : group.subscribedTopics()) {
            int count = d.partitionCounts().getOrDefault(topic, 0);
            for (int p = 0; p < count; p++) {
                shown.add(new TopicPartition(topic, p));
            }
        }
        shown.addAll(group.offsets().byPartition().keySet());
        Map<TopicPartition, String> holders = group.holders();
        for (TopicPartition p : shown) {
            CommittedOffset c = committed(group, p);
            long hw = highWatermark.applyAsLong(p);
            out.addPartitions(GroupPartition.newBuilder().setTopic(p.topic()).setPartition(p.partition())
                    .setOwnerMemberId(holders.getOrDefault(p, "")).setCommittedOffset(c.getOffset())
                    .setCommitTimeMs(c.getCommitTimeMs()).setHighWatermark(hw)
                    .setLag(hw < 0 || c.getOffset() < 0 ? -1 : Math.max(0, hw - c.getOffset())));
        }
        return out.build();
    }
}
